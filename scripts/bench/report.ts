/**
 * Turns benchmark results into Markdown: the fan-out table, the same figures as ratios to the
 * `ncat --chat` baseline, and the join / idle-memory table. Pure: no I/O.
 */
import type { GroupResult, PhaseResult } from "./runner.ts";

/** Facts about the machine the numbers come from. */
export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  deno: string;
  node: string;
  ncat: string;
  generator: string;
  /** Flags the chat server ran with (the per-client limits lifted). */
  serverFlags: string;
}

const MIB = 1024;

/** The whole results section: machine, command, tables and any errors. */
export function renderResults(
  groups: readonly GroupResult[],
  machine: Machine,
  command: string,
  date: Date,
): string {
  const out: string[] = [];
  out.push(`Command: \`${command}\` (${date.toISOString().slice(0, 16).replace("T", " ")} UTC)`);
  out.push("");
  out.push(
    `Machine: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGiB.toFixed(1)} GiB; ` +
      `Linux ${machine.kernel}; deno ${machine.deno}; node ${machine.node} (generator: ` +
      `${machine.generator}); ${machine.ncat}.`,
  );
  out.push("");
  out.push(
    `Server: \`${
      ["chat serve --host 127.0.0.1 --port 0", machine.serverFlags].join(" ").trim()
    }\`` +
      " (per-client limits lifted; the 256 KiB outgoing queue limit stays on).",
  );
  out.push("");
  const fanOut = renderFanOut(groups);
  if (fanOut !== "") out.push("### Fan-out", "", fanOut, "");
  const ratios = renderRatios(groups);
  if (ratios !== "") out.push("### Ratio to the ncat baseline (chat / ncat)", "", ratios, "");
  const persisted = renderPersisted(groups);
  if (persisted !== "") {
    out.push("### Keeping every message (persisted / in memory)", "", persisted, "");
  }
  const joins = renderJoins(groups);
  if (joins !== "") out.push("### Joining and idle connections", "", joins, "");
  const errors = groups.flatMap((group) =>
    group.errors.map((error) => `- \`${group.spec.name}\`: ${error}`)
  );
  if (errors.length > 0) out.push("### Notes from the run", "", ...errors, "");
  return out.join("\n");
}

/** Label of a group's server and protocol, such as `chat native` or `ncat`. */
function targetLabel(group: GroupResult): string {
  const rooms = group.spec.rooms ?? 1;
  const kind = group.spec.target === "ncat" ? "ncat" : `chat ${group.spec.protocol}`;
  const label = group.spec.persisted ? `${kind} persisted` : kind;
  return rooms > 1 ? `${label}, ${rooms} rooms,` : label;
}

function renderFanOut(groups: readonly GroupResult[]): string {
  const rows: string[][] = [];
  for (const group of groups) {
    if (group.spec.idle) continue;
    if (group.phases.length === 0) {
      rows.push([
        `${targetLabel(group)} N=${group.spec.clients}`,
        ...Array(16).fill(""),
        "no phase ran: see notes",
      ]);
      continue;
    }
    for (const phase of group.phases) {
      rows.push([
        `${targetLabel(group)} N=${phase.clients} ${phase.name}`,
        count(phase.expected),
        count(phase.delivered),
        count(phase.lost),
        count(phase.duplicates),
        count(phase.outOfOrder),
        count(phase.disconnects),
        count(phase.deliveriesPerSec),
        fixed(phase.latencyMs.p50),
        fixed(phase.latencyMs.p90),
        fixed(phase.latencyMs.p99),
        fixed(phase.latencyMs.max),
        fixed(phase.serverCpuS, 2),
        percent(phase.serverCpuPercent),
        fixed(phase.serverPeakKiB / MIB, 0),
        percent(phase.loadgenCpuPercent),
        // Tick-sampled CPU times of three sources do not add up exactly: small negatives are 0.
        percent(Math.max(0, phase.otherCpuPercent)),
        phaseNote(phase),
      ]);
    }
  }
  if (rows.length === 0) return "";
  return table([
    "scenario",
    "expected",
    "delivered",
    "lost",
    "dup",
    "reordered",
    "disconnects",
    "deliveries/s",
    "p50 ms",
    "p90 ms",
    "p99 ms",
    "max ms",
    "server CPU s",
    "server CPU",
    "server peak RSS MiB",
    "generator CPU",
    "other CPU",
    "notes",
  ], rows);
}

function phaseNote(phase: PhaseResult): string {
  const notes: string[] = [];
  if (phase.rate === 0) notes.push(`window ${phase.window}`);
  if (phase.timedOut) notes.push("timed out");
  if (phase.garbled > 0) notes.push(`${phase.garbled} garbled`);
  if (phase.echoes > 0) notes.push(`${phase.echoes} echoed`);
  if (phase.serverDrops > 0) notes.push(`${phase.serverDrops} dropped by server`);
  return notes.join(", ");
}

/** Key that pairs a chat phase with the ncat phase of the same shape. */
function shapeKey(phase: PhaseResult): string {
  return `${phase.clients}/${phase.senders}/${phase.rate}/${phase.messages}`;
}

function renderRatios(groups: readonly GroupResult[]): string {
  const baseline = new Map<string, PhaseResult>();
  for (const group of groups) {
    if (group.spec.target !== "ncat") continue;
    for (const phase of group.phases) baseline.set(shapeKey(phase), phase);
  }
  const rows: string[][] = [];
  for (const group of groups) {
    if (group.spec.target !== "chat") continue;
    for (const phase of group.phases) {
      const base = baseline.get(shapeKey(phase));
      if (base === undefined) continue;
      rows.push([
        `${targetLabel(group)} N=${phase.clients} ${phase.name}`,
        ratio(phase.deliveriesPerSec, base.deliveriesPerSec),
        ratio(phase.latencyMs.p50, base.latencyMs.p50),
        ratio(phase.latencyMs.p99, base.latencyMs.p99),
        ratio(phase.serverCpuS, base.serverCpuS),
        ratio(phase.serverPeakKiB, base.serverPeakKiB),
        `${count(base.deliveriesPerSec)}/s, p99 ${fixed(base.latencyMs.p99)} ms, ` +
        `${fixed(base.serverCpuS, 2)} s CPU, ${fixed(base.serverPeakKiB / MIB, 1)} MiB`,
      ]);
    }
  }
  if (rows.length === 0) return "";
  return table(
    ["scenario", "deliveries/s", "p50", "p99", "server CPU s", "peak RSS", "ncat figures"],
    rows,
  );
}

/** Each persisted phase against the same phase of the same server in memory, in the same run. */
function renderPersisted(groups: readonly GroupResult[]): string {
  const inMemory = new Map<string, PhaseResult>();
  for (const group of groups) {
    if (group.spec.target !== "chat" || group.spec.persisted) continue;
    for (const phase of group.phases) {
      inMemory.set(`${group.spec.protocol}/${shapeKey(phase)}`, phase);
    }
  }
  const rows: string[][] = [];
  for (const group of groups) {
    if (!group.spec.persisted) continue;
    for (const phase of group.phases) {
      const base = inMemory.get(`${group.spec.protocol}/${shapeKey(phase)}`);
      if (base === undefined) continue;
      rows.push([
        `${targetLabel(group)} N=${phase.clients} ${phase.name}`,
        ratio(phase.deliveriesPerSec, base.deliveriesPerSec),
        ratio(phase.latencyMs.p99, base.latencyMs.p99),
        ratio(phase.serverCpuS, base.serverCpuS),
        `${count(base.deliveriesPerSec)}/s, p99 ${fixed(base.latencyMs.p99)} ms, ` +
        `${fixed(base.serverCpuS, 2)} s CPU`,
      ]);
    }
  }
  if (rows.length === 0) return "";
  return table(["scenario", "deliveries/s", "p99", "server CPU s", "in-memory figures"], rows);
}

function renderJoins(groups: readonly GroupResult[]): string {
  const ncatIdle = groups.find((group) => group.spec.target === "ncat" && group.idle);
  const rows: string[][] = [];
  for (const group of groups) {
    const join = group.join;
    if (join === undefined) continue;
    const seconds = join.joinMs / 1000;
    const perConnection = group.idle?.perConnectionKiB;
    const base = ncatIdle?.idle?.perConnectionKiB;
    rows.push([
      `${targetLabel(group)}${group.spec.idle ? " idle" : ""}` +
      `${group.spec.nickOrder === "shuffled" ? " (shuffled nicks)" : ""}`,
      count(group.spec.clients),
      count(join.joined),
      fixed(seconds, 1),
      count(seconds > 0 ? join.joined / seconds : 0),
      fixed(join.serverCpuS, 2),
      fixed((group.rest?.rssKiB ?? 0) / MIB, 1),
      group.idle ? fixed(group.idle.rssKiB / MIB, 1) : "",
      perConnection !== undefined ? fixed(perConnection, 1) : "",
      perConnection !== undefined && base !== undefined && group.spec.target === "chat"
        ? ratio(perConnection, base)
        : "",
    ]);
  }
  if (rows.length === 0) return "";
  return table([
    "server",
    "clients",
    "joined",
    "join time s",
    "joins/s",
    "server CPU s (joins)",
    "RSS at rest MiB",
    "RSS idle MiB",
    "KiB per connection",
    "x ncat",
  ], rows);
}

/** A Markdown table (deno fmt aligns it). */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(escapeCell).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

function escapeCell(text: string): string {
  return text.replaceAll("|", "\\|");
}

function count(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "";
}

function fixed(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "";
}

function percent(value: number): string {
  return Number.isFinite(value) ? `${Math.round(value)}%` : "";
}

function ratio(value: number, base: number): string {
  if (!Number.isFinite(value) || !Number.isFinite(base) || base === 0) return "";
  const r = value / base;
  return `${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(1) : r.toFixed(2)}x`;
}
