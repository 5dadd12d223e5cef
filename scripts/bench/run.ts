/**
 * The benchmark (`deno task bench`): runs every scenario group against the chat server, the
 * `ncat --chat` baseline and, with `--peers`, the IRC servers InspIRCd and ngIRCd; prints a
 * Markdown report, and can write it into docs/BENCHMARKS.md.
 *
 * ```sh
 * deno run -A scripts/bench/run.ts                       # full sweep
 * deno run -A scripts/bench/run.ts --peers               # the same beside InspIRCd and ngIRCd
 * deno run -A scripts/bench/run.ts --quick               # the smoke scenarios
 * deno run -A scripts/bench/run.ts --sweep profile --profile /tmp/prof
 * deno run -A scripts/bench/profile_summary.ts /tmp/prof
 * deno run -A scripts/bench/run.ts --update docs/BENCHMARKS.md --json /tmp/bench.json
 * ```
 *
 * Exits 1 when a scenario lost, duplicated or reordered messages or could not run as planned.
 */
import { parseArgs } from "node:util";
import { clockTicks, machineBusySeconds } from "./procfs.ts";
import { ensurePeers, PEERS, peerVersion } from "./peers.ts";
import { type Machine, renderResults } from "./report.ts";
import { type GroupResult, liftFlags, runGroup } from "./runner.ts";
import { fullSweep, type GroupSpec, profileSweep, quickSweep } from "./scenarios.ts";

/** Markers around the generated part of docs/BENCHMARKS.md. */
export const BEGIN_MARKER = "<!-- bench:results:begin -->";
export const END_MARKER = "<!-- bench:results:end -->";

const USAGE = `Usage: deno run -A scripts/bench/run.ts [options]

  --quick            run the quick (smoke) scenarios instead of the full sweep
  --sweep NAME       full (default), quick, or profile (long phases on 1,000 clients, to run
                     with --profile)
  --only REGEXP      run only the groups whose name matches (see --list)
  --list             list the groups and exit
  --no-ncat          skip the ncat baseline
  --peers            also run every scenario against InspIRCd and ngIRCd (installed with
                     apt-get when missing), and report ratios to the best of them
  --runtime RUNTIME  node (default) or deno: which runtime runs the load generator
  --profile DIR      write a V8 CPU profile of each chat server run into DIR
  --quiet-wait SEC   before each group, wait up to SEC seconds for other programs to leave
                     the cores idle (default 120, 0 for --quick; 0 = do not wait)
  --join-concurrency N
                     joins in flight at once for every group (default: per server and size)
  --nice=N           run the server and the generator at this niceness (-10 needs root):
                     on a shared machine, keeps other programs off their cores
  --json FILE        write the raw results as JSON
  --update FILE      replace the results between the bench markers in FILE (docs/BENCHMARKS.md)
`;

/** Whether a group ran as planned with every message delivered once and in order. */
export function clean(group: GroupResult): boolean {
  if (group.errors.length > 0) return false;
  if (!group.spec.idle && group.phases.length !== group.spec.phases.length) return false;
  return group.phases.every((phase) =>
    phase.lost === 0 && phase.duplicates === 0 && phase.outOfOrder === 0 &&
    phase.disconnects === 0 && phase.garbled === 0 && phase.echoes === 0 && !phase.timedOut
  );
}

/** Replaces the text between the markers; throws if they are missing. */
export function spliceResults(document: string, results: string): string {
  const begin = document.indexOf(BEGIN_MARKER);
  const end = document.indexOf(END_MARKER);
  if (begin === -1 || end === -1 || end < begin) {
    throw new Error(`Cannot update: the file needs ${BEGIN_MARKER} and ${END_MARKER} lines`);
  }
  return document.slice(0, begin + BEGIN_MARKER.length) + "\n\n" + results.trim() + "\n\n" +
    document.slice(end);
}

async function commandOutput(command: string, args: string[]): Promise<string> {
  try {
    const output = await new Deno.Command(command, { args, stderr: "piped", stdout: "piped" })
      .output();
    const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
    return text.trim().split("\n")[0] ?? "";
  } catch {
    return "";
  }
}

async function machine(
  runtime: string,
  peers: boolean,
): Promise<Omit<Machine, "serverFlags" | "denoFloorKiB">> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  const meminfo = await Deno.readTextFile("/proc/meminfo").catch(() => "");
  const memKiB = Number(/^MemTotal:\s+(\d+)/m.exec(meminfo)?.[1] ?? NaN);
  return {
    cpus: navigator.hardwareConcurrency,
    cpuModel: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? "unknown CPU",
    memoryGiB: memKiB / 1024 / 1024,
    kernel: Deno.osRelease(),
    deno: Deno.version.deno,
    node: (await commandOutput("node", ["--version"])).replace(/^v/, ""),
    ncat: (await commandOutput("ncat", ["--version"])) || "ncat not installed",
    peers: peers ? await Promise.all(PEERS.map(peerVersion)) : [],
    generator: runtime,
  };
}

/**
 * Waits (up to `maxMs`) until the machine has been nearly idle for a second, so that other
 * programs do not take the cores the server and the generator need. Each phase still reports the
 * CPU that others used during it ("other CPU").
 */
async function waitQuiet(maxMs: number, ticks: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  let said = false;
  while (Date.now() < deadline) {
    const before = await machineBusySeconds(ticks);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const busy = await machineBusySeconds(ticks) - before;
    if (busy < 0.2) return;
    if (!said) {
      console.error(`  waiting for the machine to be idle (${busy.toFixed(2)} cores busy)`);
    }
    said = true;
  }
  if (said) console.error("  still busy: going ahead (see the other CPU column)");
}

/** Connections deno_floor.ts holds: as many as the largest idle groups. */
const DENO_FLOOR_CONNECTIONS = 10_000;

/** Runs scripts/bench/deno_floor.ts; its KiB per idle connection, or undefined if it failed. */
async function denoFloor(connections: number): Promise<number | undefined> {
  const script = new URL("./deno_floor.ts", import.meta.url).pathname;
  const output = await new Deno.Command("bash", {
    // The same open-files limit as the servers under test get (see process.ts).
    args: ["-c", 'ulimit -n "$(ulimit -Hn)"; exec "$@"', "floor", Deno.execPath(), "run", "-A"]
      .concat([script, String(connections)]),
    stdout: "piped",
    stderr: "piped",
  }).output().catch(() => undefined);
  const text = output === undefined ? "" : new TextDecoder().decode(output.stdout);
  return parseDenoFloor(text);
}

/** The KiB per connection in deno_floor.ts's output line, or undefined. */
export function parseDenoFloor(output: string): number | undefined {
  const match = /([\d.]+) KiB per connection/.exec(output);
  return match ? Number(match[1]) : undefined;
}

async function ncatInstalled(): Promise<boolean> {
  return (await commandOutput("ncat", ["--version"])) !== "";
}

function parseOptions(args: string[]) {
  return parseArgs({
    args,
    options: {
      quick: { type: "boolean", default: false },
      sweep: { type: "string", default: "full" },
      only: { type: "string" },
      list: { type: "boolean", default: false },
      "no-ncat": { type: "boolean", default: false },
      peers: { type: "boolean", default: false },
      runtime: { type: "string", default: "node" },
      profile: { type: "string" },
      "quiet-wait": { type: "string" },
      nice: { type: "string", default: "0" },
      "join-concurrency": { type: "string" },
      json: { type: "string" },
      update: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
}

async function main(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(args);
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? error.message : error}\n\n${USAGE}`);
    return 2;
  }
  const values = parsed.values;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const runtime = values.runtime;
  if (runtime !== "node" && runtime !== "deno") {
    console.error(`bench: Unknown runtime: ${runtime} (node or deno)`);
    return 2;
  }
  const nice = Number(values.nice);
  if (!/^-?\d+$/.test(values.nice ?? "") || nice < -20 || nice > 19) {
    console.error(`bench: --nice takes a whole number from -20 to 19, not ${values.nice}`);
    return 2;
  }
  const ncat = !values["no-ncat"] && await ncatInstalled();
  if (!ncat && !values["no-ncat"]) {
    console.error("bench: ncat is not installed (apt-get install ncat): no baseline this run");
  }
  const sweep = values.quick ? "quick" : values.sweep;
  const peers = values.peers;
  const sweeps: Record<string, () => GroupSpec[]> = {
    full: () => fullSweep({ ncat, peers }),
    quick: () => quickSweep({ ncat, peers }),
    profile: profileSweep,
  };
  const chosen = sweeps[sweep];
  if (chosen === undefined) {
    console.error(`bench: Unknown sweep: ${sweep} (full, quick or profile)`);
    return 2;
  }
  let groups = chosen();
  const concurrency = values["join-concurrency"];
  if (concurrency !== undefined) {
    const joinConcurrency = Number(concurrency);
    if (!/^\d+$/.test(concurrency) || joinConcurrency < 1) {
      console.error(
        `bench: --join-concurrency takes a whole number of 1 or more, not ${concurrency}`,
      );
      return 2;
    }
    groups = groups.map((group) => ({ ...group, joinConcurrency }));
  }
  if (!ncat) groups = groups.filter((group) => group.target !== "ncat");
  if (values.only !== undefined) {
    const only = new RegExp(values.only);
    groups = groups.filter((group) => only.test(group.name));
  }
  if (values.list) {
    for (const group of groups) {
      const phases = group.phases.map((phase) => `${phase.name} x${phase.messages}`).join(", ");
      console.log(`${group.name}: ${group.clients} clients${phases ? `; ${phases}` : ""}`);
    }
    return 0;
  }
  if (values.profile !== undefined) await Deno.mkdir(values.profile, { recursive: true });
  if (peers && groups.some((group) => group.target !== "chat" && group.target !== "ncat")) {
    try {
      await ensurePeers((line) => console.error(line));
    } catch (error) {
      console.error(`bench: ${error instanceof Error ? error.message : error}`);
      return 1;
    }
  }

  const ticks = await clockTicks();
  const serverFlags = await liftFlags();
  console.error(`bench: chat serve ${serverFlags.join(" ")}`);
  const results: GroupResult[] = [];
  for (const group of groups) {
    console.error(`bench: ${group.name} (${group.clients} clients)`);
    await waitQuiet(Number(values["quiet-wait"] ?? (sweep === "quick" ? 0 : 120)) * 1000, ticks);
    const result = await runGroup(group, {
      ticks,
      serverFlags,
      nice,
      runtime,
      profileDir: group.target === "chat" ? values.profile : undefined,
      log: (line) => console.error(line),
    });
    for (const error of result.errors) console.error(`  ! ${error}`);
    console.error(`  done in ${(result.durationMs / 1000).toFixed(1)} s`);
    results.push(result);
  }

  // Deno's own cost per idle connection, the floor under ours, in the same run as the idle groups.
  let denoFloorKiB: number | undefined;
  if (results.some((result) => result.idle !== undefined)) {
    console.error("bench: Deno's floor per idle connection (deno_floor.ts)");
    denoFloorKiB = await denoFloor(DENO_FLOOR_CONNECTIONS);
  }

  const command = ["deno task bench", ...args].join(" ");
  const report = renderResults(
    results,
    { ...await machine(runtime, peers), serverFlags: serverFlags.join(" "), denoFloorKiB },
    command,
    new Date(),
  );
  console.log(report);
  if (values.json !== undefined) {
    await Deno.writeTextFile(values.json, JSON.stringify(results, null, 2) + "\n");
  }
  if (values.update !== undefined) {
    const document = await Deno.readTextFile(values.update);
    await Deno.writeTextFile(values.update, spliceResults(document, report));
    // The tables are written unaligned; deno fmt aligns them (CI checks the formatting).
    await new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", values.update] }).output();
  }
  return results.every(clean) ? 0 : 1;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
