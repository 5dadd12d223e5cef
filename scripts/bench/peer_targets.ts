/**
 * The comparison of issue 17 as one table: each figure the issue sets a target for, measured on our
 * IRC dialect (the chat column), our native and plain-text dialects (for reference), InspIRCd and
 * ngIRCd in the same run, with our IRC figure as a ratio to the best peer and whether the target is
 * met. Pure: no I/O.
 */
import { count, ratio, table } from "./markdown.ts";
import type { GroupResult, PhaseResult } from "./runner.ts";
import type { Protocol, Target } from "./scenarios.ts";

/** One column: a server and the protocol the generator spoke to it. */
interface Server {
  label: string;
  target: Target;
  protocol: Protocol;
}

/** The columns, ours first; the first is the one judged. */
const SERVERS: readonly Server[] = [
  { label: "chat irc", target: "chat", protocol: "irc" },
  { label: "chat native", target: "chat", protocol: "native" },
  { label: "chat plain", target: "chat", protocol: "plain" },
  { label: "InspIRCd", target: "inspircd", protocol: "irc" },
  { label: "ngIRCd", target: "ngircd", protocol: "irc" },
];

/** Column of the figure judged (our IRC dialect), and the peers' columns. */
const OURS = 0;
const PEER_COLUMNS = [3, 4];
/** InspIRCd's place among the peers' values (some targets name it). */
const INSPIRCD = 0;

/**
 * A server's figure: a number, `undefined` when it did not run, or `INCOMPLETE` when it ran but
 * lost messages, dropped clients, did not get everyone in, or was cut short by a cap.
 */
type Reading = number | undefined | typeof INCOMPLETE;

/** The reading of a scenario that ran but cannot be compared. */
const INCOMPLETE = null;

/** One row: how to read the figure from a server's results, and the target for ours. */
interface Figure {
  label: string;
  read: (server: Server) => Reading;
  format: (value: number) => string;
  /** Whether a higher value is better (deliveries/s) or a lower one (everything else). */
  higher: boolean;
  /** The target in words. */
  goal: string;
  /** Whether ours meets it, given ours and each peer's value (undefined when unknown). */
  met: (ours: number, peers: (number | undefined)[]) => boolean | undefined;
}

/** What the table needs besides the groups. */
export interface TargetContext {
  /** Deno's own KiB per idle connection in the same run (deno_floor.ts). */
  denoFloorKiB?: number;
}

const FAN_OUT_SIZES = [100, 1000, 5000];

/** The phases every fan-out group runs, as named in scenarios.ts. */
const FAST_10 = "S=10 fast";
const RATE_PHASES = ["S=10 10/s", "S=1 100/s", "S=10 100/s"];
const CPU_PHASES = ["S=1 fast", FAST_10, ...RATE_PHASES];
const IDLE = "idle 10 s";

/** Clients in the big join and idle-memory groups. */
const JOIN_CLIENTS = 10_000;

/**
 * The table of issue 17's targets; "" when no peer ran (the rows need at least one peer figure).
 */
export function renderPeerTargets(
  groups: readonly GroupResult[],
  context: TargetContext = {},
): string {
  const figures = targetFigures(groups, context);
  const rows: string[][] = [];
  for (const figure of figures) {
    const values = SERVERS.map((server) => figure.read(server));
    const peers = PEER_COLUMNS.map((column) => values[column] ?? undefined);
    if (peers.every((value) => value === undefined)) continue;
    const ours = values[OURS];
    const best = bestOf(peers, figure.higher);
    // Ours ran but fell short (lost, dropped, not all in, cut by a cap): the target is missed.
    const met = ours === INCOMPLETE
      ? false
      : ours === undefined
      ? undefined
      : figure.met(ours, peers);
    rows.push([
      figure.label,
      ...values.map((value) =>
        value === INCOMPLETE ? "incomplete" : value === undefined ? "" : figure.format(value)
      ),
      typeof ours === "number" ? ratio(ours, best) : "",
      figure.goal,
      met === undefined ? "" : met ? "yes" : "no",
    ]);
  }
  if (rows.length === 0) return "";
  return table(
    ["figure", ...SERVERS.map((server) => server.label), "chat irc / best peer", "target", "met"],
    rows,
  );
}

function targetFigures(groups: readonly GroupResult[], context: TargetContext): Figure[] {
  /** A figure of the named phase of a server's one-room fan-out group of N clients. */
  const fromPhase = (
    server: Server,
    clients: number,
    name: string,
    pick: (phase: PhaseResult) => number | undefined,
  ): Reading => {
    const found = fanOutPhase(groups, server, clients, name);
    if (found === undefined || found === INCOMPLETE) return found;
    return pick(found);
  };
  const figures: Figure[] = [];
  for (const clients of FAN_OUT_SIZES) {
    figures.push({
      label: `${count(clients)} clients, 10 senders as fast as possible: deliveries/s`,
      read: (server) => fromPhase(server, clients, FAST_10, (found) => found.deliveriesPerSec),
      format: count,
      higher: true,
      goal: ">= 1.0 x best peer",
      met: (ours, peers) => atLeast(ours, bestOf(peers, true)),
    });
  }
  for (const clients of FAN_OUT_SIZES) {
    for (const name of CPU_PHASES) {
      figures.push({
        label: `${count(clients)} clients, ${name}: server CPU s per million deliveries`,
        read: (server) => fromPhase(server, clients, name, perMillion),
        format: (value) => value.toFixed(2),
        higher: false,
        goal: "<= 1.0 x best peer",
        met: (ours, peers) => atMost(ours, bestOf(peers, false)),
      });
    }
  }
  figures.push({
    label: "1,000 silent clients: server CPU, % of a core",
    read: (server) => fromPhase(server, 1000, IDLE, (found) => found.serverCpuPercent),
    format: (value) => value.toFixed(1),
    higher: false,
    goal: "< 1%",
    met: (ours) => ours < 1,
  });
  for (const clients of FAN_OUT_SIZES) {
    for (const name of RATE_PHASES) {
      figures.push({
        label: `${count(clients)} clients, ${name}: p99 ms`,
        read: (server) => fromPhase(server, clients, name, (found) => found.latencyMs.p99),
        format: (value) => value.toFixed(1),
        higher: false,
        goal: "<= best peer + 10%",
        met: (ours, peers) => atMost(ours, bestOf(peers, false) * 1.1),
      });
    }
  }
  for (const clients of [100, 1000]) {
    figures.push({
      label: `${count(clients)} clients under load: peak server RSS MiB`,
      read: (server) => peakKiB(groups, server, clients),
      format: (value) => (value / 1024).toFixed(0),
      higher: false,
      goal: clients === 100 ? "<= 64 MiB" : "<= InspIRCd",
      met: (ours, peers) =>
        clients === 100 ? ours <= 64 * 1024 : atMost(ours, peers[INSPIRCD] ?? NaN),
    });
  }
  figures.push({
    label: `${count(JOIN_CLIENTS)} clients connect, register and join one room: seconds`,
    read: (server) => {
      const group = idleGroup(groups, server);
      if (group === undefined) return undefined;
      const join = group.join;
      if (join === undefined || join.joined < JOIN_CLIENTS) return INCOMPLETE;
      return join.joinMs / 1000;
    },
    format: (value) => value.toFixed(1),
    higher: false,
    goal: "< InspIRCd",
    met: (ours, peers) => {
      const inspircd = peers[INSPIRCD];
      return inspircd === undefined ? undefined : ours < inspircd;
    },
  });
  const floor = context.denoFloorKiB;
  figures.push({
    label: `${count(JOIN_CLIENTS)} idle clients in one room: KiB per connection`,
    read: (server) => {
      const group = idleGroup(groups, server);
      if (group === undefined) return undefined;
      return group.idle === undefined || (group.join?.joined ?? 0) < JOIN_CLIENTS
        ? INCOMPLETE
        : group.idle.perConnectionKiB;
    },
    format: (value) => value.toFixed(1),
    higher: false,
    goal: floor === undefined
      ? "<= 1.2 x Deno's floor"
      : `<= 1.2 x Deno's floor (${floor.toFixed(1)} KiB)`,
    met: (ours) => floor === undefined ? undefined : ours <= 1.2 * floor,
  });
  return figures;
}

/**
 * The named phase of a server's one-room fan-out group of N clients: undefined when the group did
 * not run, INCOMPLETE when the phase did not run or did not run cleanly.
 */
function fanOutPhase(
  groups: readonly GroupResult[],
  server: Server,
  clients: number,
  name: string,
): PhaseResult | undefined | typeof INCOMPLETE {
  const group = groups.find((candidate) =>
    sameServer(candidate, server) && !candidate.spec.idle && candidate.spec.clients === clients &&
    (candidate.spec.rooms ?? 1) === 1
  );
  if (group === undefined || !group.spec.phases.some((spec) => spec.name === name)) {
    return undefined;
  }
  const phase = group.phases.find((candidate) => candidate.name === name);
  return phase !== undefined && cleanPhase(phase) ? phase : INCOMPLETE;
}

/** Peak RSS over a fan-out group's phases, in KiB; INCOMPLETE when the group fell short. */
function peakKiB(groups: readonly GroupResult[], server: Server, clients: number): Reading {
  const group = groups.find((candidate) =>
    sameServer(candidate, server) && !candidate.spec.idle && candidate.spec.clients === clients &&
    (candidate.spec.rooms ?? 1) === 1
  );
  if (group === undefined) return undefined;
  if (group.errors.length > 0 || group.phases.length === 0) return INCOMPLETE;
  return Math.max(...group.phases.map((phase) => phase.serverPeakKiB));
}

/** The server's idle group of JOIN_CLIENTS clients in one room. */
function idleGroup(groups: readonly GroupResult[], server: Server): GroupResult | undefined {
  return groups.find((group) =>
    sameServer(group, server) && group.spec.idle && group.spec.clients === JOIN_CLIENTS &&
    (group.spec.rooms ?? 1) === 1
  );
}

function sameServer(group: GroupResult, server: Server): boolean {
  return group.spec.target === server.target && group.spec.protocol === server.protocol;
}

function cleanPhase(phase: PhaseResult): boolean {
  return phase.lost === 0 && phase.disconnects === 0 && !phase.timedOut;
}

function perMillion(phase: PhaseResult): number | undefined {
  return phase.delivered > 0 ? phase.serverCpuS / (phase.delivered / 1e6) : undefined;
}

function bestOf(values: readonly (number | undefined)[], higher: boolean): number {
  const known = values.filter((value): value is number => value !== undefined);
  if (known.length === 0) return NaN;
  return higher ? Math.max(...known) : Math.min(...known);
}

function atLeast(ours: number, bound: number): boolean | undefined {
  return Number.isFinite(bound) ? ours >= bound : undefined;
}

function atMost(ours: number, bound: number): boolean | undefined {
  return Number.isFinite(bound) ? ours <= bound : undefined;
}
