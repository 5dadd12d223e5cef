/**
 * Summarises V8 CPU profiles (`deno run --cpu-prof`, as written by `run.ts --profile DIR`): the
 * functions that used the most CPU by self time, with their total (inclusive) time.
 *
 * ```sh
 * deno run -A scripts/bench/profile_summary.ts /tmp/prof            # every .cpuprofile in it
 * deno run -A scripts/bench/profile_summary.ts a.cpuprofile --top 40
 * ```
 */
import { parseArgs } from "node:util";

/** The parts of a `.cpuprofile` (Chrome DevTools protocol `Profiler.Profile`) used here. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

/** One function's share of the samples. */
export interface FunctionTime {
  name: string;
  /** `file:line` (1-based), relative to the project when inside it. */
  where: string;
  selfMs: number;
  totalMs: number;
}

/** CPU time per function over one or more profiles, most self time first. */
export function summarise(profiles: readonly CpuProfile[], root = ""): {
  functions: FunctionTime[];
  totalMs: number;
} {
  const byKey = new Map<string, FunctionTime>();
  let totalMs = 0;
  for (const profile of profiles) {
    const parent = new Map<number, number>();
    const key = new Map<number, string>();
    for (const node of profile.nodes) {
      for (const child of node.children ?? []) parent.set(child, node.id);
      const frame = node.callFrame;
      const file = frame.url.startsWith(`file://${root}`)
        ? frame.url.slice(`file://${root}`.length).replace(/^\//, "")
        : frame.url.replace(/^.*\/(ext:|node:)?/, "$1");
      const where = frame.url === "" ? "" : `${file}:${frame.lineNumber + 1}`;
      const name = frame.functionName || "(anonymous)";
      const k = `${name}\u0000${where}`;
      key.set(node.id, k);
      if (!byKey.has(k)) byKey.set(k, { name, where, selfMs: 0, totalMs: 0 });
    }
    for (let i = 0; i < profile.samples.length; i++) {
      // Each sample's time is the delta to the next one.
      const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
      totalMs += ms;
      let id: number | undefined = profile.samples[i];
      const seen = new Set<string>();
      let self = true;
      while (id !== undefined) {
        const k = key.get(id);
        if (k !== undefined) {
          const entry = byKey.get(k);
          if (entry !== undefined) {
            if (self) entry.selfMs += ms;
            if (!seen.has(k)) entry.totalMs += ms;
          }
          seen.add(k);
        }
        self = false;
        id = parent.get(id);
      }
    }
  }
  const functions = [...byKey.values()].filter((entry) => entry.totalMs > 0)
    .sort((a, b) => b.selfMs - a.selfMs);
  return { functions, totalMs };
}

/** A Markdown table of the top functions by self time. */
export function renderSummary(
  summary: { functions: readonly FunctionTime[]; totalMs: number },
  top: number,
): string {
  const pct = (ms: number) => `${(100 * ms / Math.max(1, summary.totalMs)).toFixed(1)}%`;
  const rows = summary.functions.slice(0, top).map((entry) =>
    `| \`${entry.name}\` | ${entry.where} | ${entry.selfMs.toFixed(0)} | ${pct(entry.selfMs)} | ` +
    `${pct(entry.totalMs)} |`
  );
  return [
    `Sampled ${(summary.totalMs / 1000).toFixed(1)} s of the server's main thread.`,
    "",
    "| function | where | self ms | self | total |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

async function profilesIn(path: string): Promise<string[]> {
  const info = await Deno.stat(path);
  if (info.isFile) return [path];
  const files: string[] = [];
  for await (const entry of Deno.readDir(path)) {
    if (entry.isFile && entry.name.endsWith(".cpuprofile")) files.push(`${path}/${entry.name}`);
  }
  return files.sort();
}

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { top: { type: "string", default: "25" } },
  });
  const files = (await Promise.all(positionals.map(profilesIn))).flat();
  if (files.length === 0) {
    console.error("Usage: profile_summary.ts DIR|FILE.cpuprofile... [--top N]");
    return 2;
  }
  const profiles: CpuProfile[] = [];
  for (const file of files) profiles.push(JSON.parse(await Deno.readTextFile(file)));
  const root = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
  console.log(renderSummary(summarise(profiles, root), Number(values.top)));
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
