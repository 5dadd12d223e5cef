/**
 * Turns benchmark results into Markdown: the fan-out table, the same figures as ratios to the best
 * IRC peer (InspIRCd, ngIRCd: `--peers`) and to the `ncat --chat` baseline, and the join /
 * idle-memory table. Pure: no I/O.
 */
import { count, fixed, percent, ratio, table } from "./markdown.ts";
import { renderPeerTargets } from "./peer_targets.ts";
import type { GroupResult, PhaseResult } from "./runner.ts";
import type { Target } from "./scenarios.ts";

/** Facts about the machine the numbers come from. */
export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  deno: string;
  node: string;
  ncat: string;
  /** Version lines of the IRC peers that ran (empty without `--peers`). */
  peers: string[];
  /** Deno's own memory per idle connection in the same run (deno_floor.ts), in KiB. */
  denoFloorKiB?: number;
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
      `${machine.generator}); ${machine.ncat}` +
      `${machine.peers.length > 0 ? `; ${machine.peers.join("; ")}` : ""}.`,
  );
  out.push("");
  if (machine.denoFloorKiB !== undefined) {
    out.push(
      `Deno's own floor (\`scripts/bench/deno_floor.ts\`, this run): ` +
        `${fixed(machine.denoFloorKiB, 1)} KiB per idle connection.`,
      "",
    );
  }
  out.push(
    `Server: \`${
      ["chat serve --host 127.0.0.1 --port 0", machine.serverFlags].join(" ").trim()
    }\`` +
      " (per-client limits lifted; the 256 KiB outgoing queue limit stays on).",
  );
  out.push("");
  const fanOut = renderFanOut(groups);
  if (fanOut !== "") out.push("### Fan-out", "", fanOut, "");
  const targets = renderPeerTargets(groups, { denoFloorKiB: machine.denoFloorKiB });
  if (targets !== "") {
    out.push(
      "### Beside the IRC servers (issue 17's targets, judged on our IRC dialect)",
      "",
      targets,
      "",
    );
  }
  const peerRatios = renderPeerRatios(groups);
  if (peerRatios !== "") {
    out.push(
      "### Ratio to the best IRC peer (chat / best of InspIRCd and ngIRCd)",
      "",
      peerRatios,
      "",
    );
  }
  const ratios = renderRatios(groups);
  if (ratios !== "") out.push("### Ratio to the ncat baseline (chat / ncat)", "", ratios, "");
  const persisted = renderPersisted(groups);
  if (persisted !== "") {
    out.push("### Keeping every message (persisted / in memory)", "", persisted, "");
  }
  const joins = renderJoins(groups, machine.denoFloorKiB);
  if (joins !== "") out.push("### Joining and idle connections", "", joins, "");
  const errors = groups.flatMap((group) =>
    group.errors.map((error) => `- \`${group.spec.name}\`: ${error}`)
  );
  if (errors.length > 0) out.push("### Notes from the run", "", ...errors, "");
  return out.join("\n");
}

/** How each server is named in the tables. */
const SERVER_NAMES: Record<Exclude<Target, "chat">, string> = {
  ncat: "ncat",
  inspircd: "InspIRCd",
  ngircd: "ngIRCd",
};

/** Whether a target is one of the IRC peers. */
function isPeer(target: Target): boolean {
  return target === "inspircd" || target === "ngircd";
}

/** Label of a group's server and protocol, such as `chat native`, `chat irc` or `InspIRCd`. */
function targetLabel(group: GroupResult): string {
  const rooms = group.spec.rooms ?? 1;
  const target = group.spec.target;
  const kind = target === "chat" ? `chat ${group.spec.protocol}` : SERVER_NAMES[target];
  const label = group.spec.persisted ? `${kind} persisted` : kind;
  return rooms > 1 ? `${label}, ${rooms} rooms,` : label;
}

/** Server CPU seconds per million deliveries (NaN for a phase that delivered nothing). */
export function cpuPerMillion(phase: PhaseResult): number {
  return phase.delivered > 0 ? phase.serverCpuS / (phase.delivered / 1e6) : NaN;
}

function renderFanOut(groups: readonly GroupResult[]): string {
  const rows: string[][] = [];
  for (const group of groups) {
    if (group.spec.idle) continue;
    if (group.phases.length === 0) {
      rows.push([
        `${targetLabel(group)} N=${group.spec.clients}`,
        ...Array(17).fill(""),
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
        fixed(cpuPerMillion(phase), 2),
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
    "CPU s per M deliveries",
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

/** Key that pairs a chat phase with the ncat or peer phase of the same shape. */
function shapeKey(phase: PhaseResult, rooms = 1): string {
  return `${phase.clients}/${phase.senders}/${phase.rate}/${phase.messages}/${phase.name}/${rooms}`;
}

/** One peer's phase, with the peer's name. */
interface PeerPhase {
  peer: string;
  phase: PhaseResult;
}

/** The peer whose figure is best (highest when `higher`, else lowest), ignoring missing ones. */
function best(
  candidates: readonly PeerPhase[],
  figure: (phase: PhaseResult) => number,
  higher: boolean,
): (PeerPhase & { value: number }) | undefined {
  let found: (PeerPhase & { value: number }) | undefined;
  for (const candidate of candidates) {
    const value = figure(candidate.phase);
    if (!Number.isFinite(value)) continue;
    if (found === undefined || (higher ? value > found.value : value < found.value)) {
      found = { ...candidate, value };
    }
  }
  return found;
}

/**
 * Each chat row beside the best IRC peer of the same shape, figure by figure: deliveries/s
 * (higher is better), server CPU seconds per million deliveries, p99 and peak RSS (lower is
 * better). A ratio above 1 is better for deliveries/s and worse for the others. Idle phases
 * compare the server CPU seconds over the same silent time.
 */
export function renderPeerRatios(groups: readonly GroupResult[]): string {
  const peers = new Map<string, PeerPhase[]>();
  for (const group of groups) {
    if (!isPeer(group.spec.target)) continue;
    for (const phase of group.phases) {
      if (!cleanPhase(phase)) continue;
      const key = shapeKey(phase, group.spec.rooms);
      const list = peers.get(key) ?? [];
      list.push({ peer: targetLabel({ ...group, spec: { ...group.spec, rooms: 1 } }), phase });
      peers.set(key, list);
    }
  }
  const rows: string[][] = [];
  for (const group of groups) {
    if (group.spec.target !== "chat") continue;
    for (const phase of group.phases) {
      const candidates = peers.get(shapeKey(phase, group.spec.rooms));
      if (candidates === undefined) continue;
      const idle = phase.expected === 0;
      const rate = best(candidates, (p) => p.deliveriesPerSec, true);
      const cpu = idle
        ? best(candidates, (p) => p.serverCpuS, false)
        : best(candidates, cpuPerMillion, false);
      const p99 = best(candidates, (p) => p.latencyMs.p99, false);
      const rss = best(candidates, (p) => p.serverPeakKiB, false);
      const figures: string[] = [];
      if (!idle && rate) figures.push(`${rate.peer} ${count(rate.value)}/s`);
      if (cpu) {
        figures.push(
          idle
            ? `${cpu.peer} ${fixed(cpu.value, 2)} CPU s idle`
            : `${cpu.peer} ${fixed(cpu.value, 2)} CPU s/M`,
        );
      }
      if (!idle && p99) figures.push(`${p99.peer} p99 ${fixed(p99.value)} ms`);
      if (rss) figures.push(`${rss.peer} ${fixed(rss.value / MIB, 1)} MiB`);
      rows.push([
        `${targetLabel(group)} N=${phase.clients} ${phase.name}`,
        idle || !rate ? "" : ratio(phase.deliveriesPerSec, rate.value),
        cpu ? ratio(idle ? phase.serverCpuS : cpuPerMillion(phase), cpu.value) : "",
        idle || !p99 ? "" : ratio(phase.latencyMs.p99, p99.value),
        rss ? ratio(phase.serverPeakKiB, rss.value) : "",
        figures.join("; "),
      ]);
    }
  }
  if (rows.length === 0) return "";
  return table(
    ["scenario", "deliveries/s", "CPU s per M deliveries", "p99", "peak RSS", "best peer figures"],
    rows,
  );
}

/** A phase whose figures can be compared: nothing lost, dropped or cut short. */
function cleanPhase(phase: PhaseResult): boolean {
  return phase.lost === 0 && phase.disconnects === 0 && !phase.timedOut;
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

function renderJoins(groups: readonly GroupResult[], denoFloorKiB: number | undefined): string {
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
      perConnection !== undefined && denoFloorKiB !== undefined
        ? ratio(perConnection, denoFloorKiB)
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
    "x Deno floor",
  ], rows);
}
