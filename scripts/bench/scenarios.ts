/**
 * The benchmark's scenarios as data: which server, which protocol, how many clients, and the send
 * phases run on them once they have joined. One group = one server process and one generator
 * process; its phases reuse the same joined clients (joining 1,000 clients costs more than the
 * phases themselves). Pure: no I/O.
 */

/**
 * The server under test: the chat server, `ncat --chat` as the baseline relay, or an IRC server
 * people would pick instead (`--peers`, scripts/bench/peers.ts).
 */
export type Target = "chat" | "ncat" | "inspircd" | "ngircd";

/** The IRC servers we compare with, in report order. */
export const PEER_TARGETS = ["inspircd", "ngircd"] as const;

/** How the generator's clients talk (see scripts/bench/loadgen.mjs). */
export type Protocol = "native" | "plain" | "irc" | "ncat" | "tcp";

/** The dialects of the chat server that every fan-out scenario runs with. */
export const CHAT_PROTOCOLS = ["native", "plain", "irc"] as const;

/**
 * One send phase: `senders` clients send `messages` each at `rate` per second (0: as fast as the
 * window allows).
 */
export interface PhaseSpec {
  name: string;
  senders: number;
  messages: number;
  /** Messages per second per sender; 0 means as fast as possible with a bounded window. */
  rate: number;
  /** Messages per sender in flight; 0 or absent lets the generator choose. */
  window?: number;
  /** Hard cap on the phase, in ms. */
  timeoutMs: number;
  /** With no senders: how long every client stays silent (an idle server), in ms. */
  holdMs?: number;
}

/** One server process with N clients, and what to measure on it. */
export interface GroupSpec {
  /** Unique, for `--only`: for example `chat-native-1000`. */
  name: string;
  target: Target;
  protocol: Protocol;
  clients: number;
  phases: PhaseSpec[];
  /** Measure memory per connection with the clients idle (no phases). */
  idle: boolean;
  /** Joins in flight at once. */
  joinConcurrency: number;
  /** Cap on the join phase, in ms. */
  joinTimeoutMs: number;
  /** Cap on the whole group (server and generator are killed after it), in ms. */
  timeoutMs: number;
  /** `shuffled` nicks do not sort in join order (the server sorts member lists). */
  nickOrder?: "sorted" | "shuffled";
  /**
   * Rooms to spread the clients over (native and irc); 1 keeps everyone in the lobby. With more,
   * each client creates or joins its room (native: and leaves the lobby). @default 1
   */
  rooms?: number;
  /**
   * The chat server keeps its data in a fresh database (`--data` in a temporary folder) instead
   * of in memory: every message is committed before it is delivered. @default false
   */
  persisted?: boolean;
}

/** Which servers a sweep covers besides the chat server. */
export interface SweepOptions {
  /** Include the `ncat --chat` baseline (when installed). @default true */
  ncat?: boolean;
  /** Include the IRC peers, InspIRCd and ngIRCd (`--peers`). @default false */
  peers?: boolean;
}

/** The fixed rate of the "rate" phases, per sender. */
export const RATE_PER_SENDER = 100;

/** The light load, per sender (ten senders): a classroom rather than a flood. */
export const LIGHT_RATE_PER_SENDER = 10;

/** Rough number of deliveries a fast phase aims at: enough for a steady rate, a few seconds. */
const FAST_DELIVERIES = 3_000_000;

/** ncat's `select()` loop cannot watch more than FD_SETSIZE (1024) sockets: it aborts beyond. */
export const NCAT_MAX_CLIENTS = 1000;

/**
 * ncat quits ("getpeername ... failed: Transport endpoint is not connected. QUITTING") when
 * about 50 connects are in flight at once; 10 at a time is safe.
 */
const NCAT_JOIN_CONCURRENCY = 10;

/** ngIRCd's listen backlog is hard-coded to 10: more connects in flight are refused or retried. */
const NGIRCD_JOIN_CONCURRENCY = 10;

/**
 * InspIRCd completes registrations on a once-a-second timer, so joins in flight must be many for
 * it to fill a room in reasonable time (its accept queue is raised to match, see peer_configs.ts).
 */
const INSPIRCD_JOIN_CONCURRENCY = 1000;

/** Joins in flight at once for the chat server, in every dialect and room size. */
const CHAT_JOIN_CONCURRENCY = 50;

/** How long the idle phase keeps 1,000 clients silent. */
const IDLE_HOLD_MS = 10_000;

/** The silent phase: every client connected and joined, nobody talking. */
export function idlePhase(holdMs = IDLE_HOLD_MS): PhaseSpec {
  return {
    name: `idle ${holdMs / 1000} s`,
    senders: 0,
    messages: 0,
    rate: 0,
    holdMs,
    timeoutMs: holdMs + 30_000,
  };
}

/** Messages per sender for a fast phase: about FAST_DELIVERIES in all, within bounds. */
export function fastMessages(clients: number, senders: number, target = FAST_DELIVERIES): number {
  const per = Math.round(target / (senders * Math.max(1, clients - 1)));
  return Math.max(50, Math.min(50_000, per));
}

/**
 * The phases of a fan-out group: optionally an idle one, S = 1 and 10 as fast as possible, the
 * light load (S = 10 at 10/s), and S = 1 and 10 at the fixed rate.
 */
export function fanOutPhases(
  clients: number,
  options: { rateSeconds: number; fastDeliveries?: number; idle?: boolean },
): PhaseSpec[] {
  // The idle phase first, while nothing has been sent; then the fast phases: their window keeps
  // every client connected, while a fixed rate the server cannot sustain ends in dropped
  // clients, who would be missing from later phases (so the light load precedes the heavy one).
  const phases: PhaseSpec[] = options.idle ? [idlePhase()] : [];
  for (const senders of [1, 10]) {
    phases.push({
      name: `S=${senders} fast`,
      senders,
      messages: fastMessages(clients, senders, options.fastDeliveries),
      rate: 0,
      timeoutMs: 90_000,
    });
  }
  phases.push(ratePhase(10, LIGHT_RATE_PER_SENDER, options));
  for (const senders of [1, 10]) phases.push(ratePhase(senders, RATE_PER_SENDER, options));
  return phases;
}

function ratePhase(senders: number, rate: number, options: { rateSeconds: number }): PhaseSpec {
  return {
    name: `S=${senders} ${rate}/s`,
    senders,
    messages: Math.round(rate * options.rateSeconds),
    rate,
    timeoutMs: options.rateSeconds * 1000 + 30_000,
  };
}

/**
 * Joins in flight for a one-room group. The chat server takes 50 at once at every size: a storm
 * of joins into one room of 5,000 is written out in batches (the flush interval counts the
 * writes' cost), where joining one at a time made it one write per member per join.
 */
function joinConcurrency(target: Target, clients: number): number {
  switch (target) {
    case "ncat":
      return NCAT_JOIN_CONCURRENCY;
    case "ngircd":
      return NGIRCD_JOIN_CONCURRENCY;
    case "inspircd":
      return Math.min(clients, INSPIRCD_JOIN_CONCURRENCY);
    case "chat":
      return CHAT_JOIN_CONCURRENCY;
  }
}

/**
 * Cap on filling one room of N. A join costs O(N) on every server (the member list to the
 * newcomer, a notice to each member), so a room of 5,000 takes minutes on the slower ones (ours
 * one join at a time, ngIRCd ten).
 */
function joinTimeoutMs(clients: number): number {
  return clients > 1000 ? 600_000 : 240_000;
}

/** The label a group's name starts with: `chat-native`, `ncat`, `inspircd`. */
function targetName(target: Target, protocol: Protocol): string {
  return target === "chat" ? `chat-${protocol}` : target;
}

/** The protocol the generator speaks to a target (the chat server speaks all of them). */
function peerProtocol(target: Exclude<Target, "chat">): Protocol {
  return target === "ncat" ? "ncat" : "irc";
}

/** The chat server in each dialect, then ncat and the peers as the options say, for N clients. */
function fanOutTargets(
  clients: number,
  options: SweepOptions,
): { target: Target; protocol: Protocol }[] {
  const list: { target: Target; protocol: Protocol }[] = CHAT_PROTOCOLS.map((protocol) => ({
    target: "chat" as const,
    protocol,
  }));
  if ((options.ncat ?? true) && clients <= NCAT_MAX_CLIENTS) {
    list.push({ target: "ncat", protocol: "ncat" });
  }
  if (options.peers) {
    for (const peer of PEER_TARGETS) list.push({ target: peer, protocol: peerProtocol(peer) });
  }
  return list;
}

function fanOutGroup(
  target: Target,
  protocol: Protocol,
  clients: number,
  phases: PhaseSpec[],
): GroupSpec {
  return {
    name: `${targetName(target, protocol)}-${clients}`,
    target,
    protocol,
    clients,
    phases,
    idle: false,
    joinConcurrency: joinConcurrency(target, clients),
    joinTimeoutMs: joinTimeoutMs(clients),
    // The join, then at most the phases' own caps (two fast phases, three at a rate, idle).
    timeoutMs: joinTimeoutMs(clients) + 360_000,
  };
}

/** A chat group run with a database instead of in memory. */
function persistedGroup(group: GroupSpec): GroupSpec {
  return { ...group, name: `${group.name}-persisted`, persisted: true };
}

function idleGroup(
  target: Target,
  protocol: Protocol,
  clients: number,
  options: { joinTimeoutMs: number; rooms?: number },
): GroupSpec {
  const rooms = options.rooms ?? 1;
  const joinTimeoutMs = options.joinTimeoutMs;
  return {
    name: `idle-${targetName(target, protocol)}-${clients}${rooms > 1 ? `-${rooms}-rooms` : ""}`,
    target,
    protocol,
    clients,
    rooms,
    phases: [],
    idle: true,
    // Silent `tcp` clients are "joined" when the server greets them (after 500 ms), so many
    // can wait at once; registering clients join in smaller batches, and one big room (rooms
    // = 1) as the fan-out groups join it.
    joinConcurrency: protocol === "tcp" ? 1000 : joinConcurrency(target, clients),
    joinTimeoutMs,
    timeoutMs: joinTimeoutMs + 60_000,
  };
}

/**
 * The full sweep, run by hand (`deno task bench`, `--peers` for the IRC servers). Every fan-out
 * scenario runs against the chat server in each dialect (native, plain text, IRC), against
 * `ncat --chat` where it can hold that many clients, and against each IRC peer.
 */
export function fullSweep(options: SweepOptions = {}): GroupSpec[] {
  const groups: GroupSpec[] = [];
  for (const clients of [10, 100, 1000, 5000]) {
    const phases = fanOutPhases(clients, { rateSeconds: 5, idle: clients === 1000 });
    for (const { target, protocol } of fanOutTargets(clients, options)) {
      groups.push(fanOutGroup(target, protocol, clients, phases));
    }
    // The same with a database, in the same run: what keeping every message costs.
    if (clients >= 100 && clients <= 1000) {
      groups.push(persistedGroup(fanOutGroup("chat", "native", clients, phases)));
    }
  }
  // Many small rooms: 500 rooms of 10, one sender in each (not ncat: it has no rooms).
  const roomPhases: PhaseSpec[] = [
    { name: "S=1/room fast", senders: 1, messages: 600, rate: 0, timeoutMs: 90_000 },
    { ...ratePhase(1, 10, { rateSeconds: 5 }), name: "S=1/room 10/s" },
  ];
  for (const { target, protocol } of fanOutTargets(5000, { ...options, ncat: false })) {
    if (protocol === "plain") continue;
    groups.push({
      ...fanOutGroup(target, protocol, 5000, roomPhases),
      name: `rooms-${targetName(target, protocol)}-500x10`,
      rooms: 500,
      joinConcurrency: joinConcurrency(target, 5000),
    });
  }
  // Memory per connection and connect time. Silent TCP connections show the transport's part;
  // registered native clients are spread over 500 rooms of 20 (one lobby of 10,000 would cost
  // the server a sorted member list of up to 10,000 nicks per join). IRC clients (ours and
  // InspIRCd's, the issue's yardstick) fill one room of 10,000: connect, register and join. Not
  // ngIRCd: its joins into one room cost more than the square of its size (on a busy machine 1,000
  // took 9 s and 2,000 took 42 s, ten at a time), so 10,000 would take hours. ncat holds at most
  // about 1,000.
  groups.push(idleGroup("chat", "tcp", 10_000, { joinTimeoutMs: 120_000 }));
  groups.push(idleGroup("chat", "native", 10_000, { joinTimeoutMs: 240_000, rooms: 500 }));
  groups.push(idleGroup("chat", "irc", 10_000, { joinTimeoutMs: 600_000 }));
  if (options.peers) {
    groups.push(idleGroup("inspircd", "irc", 10_000, { joinTimeoutMs: 600_000 }));
  }
  if (options.ncat ?? true) {
    groups.push(idleGroup("ncat", "ncat", NCAT_MAX_CLIENTS, { joinTimeoutMs: 120_000 }));
  }
  // The join cost of one big room, with nicks that sort in join order and with shuffled ones.
  groups.push(idleGroup("chat", "native", 1000, { joinTimeoutMs: 120_000 }));
  groups.push({
    ...idleGroup("chat", "native", 1000, { joinTimeoutMs: 120_000 }),
    name: "idle-chat-native-1000-shuffled",
    nickOrder: "shuffled",
  });
  return groups;
}

/**
 * Quick scenarios for the CI smoke test: small, a few hundred messages each, in every dialect of
 * the chat server, and ncat and the peers when asked for. Correctness only; no timing thresholds.
 */
export function quickSweep(options: SweepOptions = {}): GroupSpec[] {
  const groups: GroupSpec[] = [];
  for (const clients of [10, 100]) {
    const phases: PhaseSpec[] = [
      { name: "S=1 200/s", senders: 1, messages: 100, rate: 200, timeoutMs: 15_000 },
      { name: "S=2 fast", senders: 2, messages: 200, rate: 0, timeoutMs: 15_000 },
    ];
    if (clients === 100) phases.push(idlePhase(500));
    for (const { target, protocol } of fanOutTargets(clients, options)) {
      groups.push({ ...fanOutGroup(target, protocol, clients, phases), timeoutMs: 30_000 });
    }
  }
  const roomPhases: PhaseSpec[] = [
    { name: "S=1 20/s", senders: 1, messages: 20, rate: 20, timeoutMs: 15_000 },
    { name: "S=2 fast", senders: 2, messages: 100, rate: 0, timeoutMs: 15_000 },
  ];
  for (const { target, protocol } of fanOutTargets(100, { ...options, ncat: false })) {
    if (protocol === "plain") continue;
    groups.push({
      ...fanOutGroup(target, protocol, 100, roomPhases),
      name: `rooms-${targetName(target, protocol)}-10x10`,
      rooms: 10,
      timeoutMs: 30_000,
    });
  }
  groups.push({
    ...persistedGroup(fanOutGroup("chat", "native", 100, [
      { name: "S=2 fast", senders: 2, messages: 200, rate: 0, timeoutMs: 15_000 },
    ])),
    timeoutMs: 30_000,
  });
  return groups;
}

/**
 * Groups for `--sweep profile`: one phase each on 1,000 clients, long enough that the join (which
 * the profile also covers) is a small part of it; issue 17's light-traffic figure (IRC, 100
 * clients, one sender at 100/s); and 5,000 IRC clients joining one room. Run with `--profile DIR`.
 */
export function profileSweep(): GroupSpec[] {
  return [
    {
      ...fanOutGroup("chat", "native", 1000, [
        { name: "S=10 fast", senders: 10, messages: 3000, rate: 0, timeoutMs: 120_000 },
      ]),
      name: "profile-fast-chat-native-1000",
    },
    {
      ...fanOutGroup("chat", "native", 1000, [ratePhase(1, RATE_PER_SENDER, { rateSeconds: 20 })]),
      name: "profile-rate-chat-native-1000",
    },
    {
      ...fanOutGroup("chat", "irc", 100, [ratePhase(1, RATE_PER_SENDER, { rateSeconds: 20 })]),
      name: "profile-rate-chat-irc-100",
    },
    // The join of one big room, alone: every member told of every newcomer.
    {
      ...idleGroup("chat", "irc", 5000, { joinTimeoutMs: 240_000 }),
      name: "profile-join-chat-irc-5000",
    },
  ];
}
