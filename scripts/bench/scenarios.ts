/**
 * The benchmark's scenarios as data: which server, which protocol, how many clients, and the send
 * phases run on them once they have joined. One group = one server process and one generator
 * process; its phases reuse the same joined clients (joining 1,000 clients costs more than the
 * phases themselves). Pure: no I/O.
 */

/** The server under test: the chat server, or `ncat --chat` as the baseline relay. */
export type Target = "chat" | "ncat";

/** How the generator's clients talk (see scripts/bench/loadgen.mjs). */
export type Protocol = "native" | "plain" | "ncat" | "tcp";

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
   * Rooms to spread the clients over (native only); 1 keeps everyone in the lobby. With more,
   * each client creates or joins its room and leaves the lobby. @default 1
   */
  rooms?: number;
  /**
   * The chat server keeps its data in a fresh database (`--data` in a temporary folder) instead
   * of in memory: every message is committed before it is delivered. @default false
   */
  persisted?: boolean;
}

/** The fixed rate of the "rate" phases, per sender. */
export const RATE_PER_SENDER = 100;

/** Rough number of deliveries a fast phase aims at: enough for a steady rate, a few seconds. */
const FAST_DELIVERIES = 3_000_000;

/** ncat's `select()` loop cannot watch more than FD_SETSIZE (1024) sockets: it aborts beyond. */
export const NCAT_MAX_CLIENTS = 1000;

/**
 * ncat quits ("getpeername ... failed: Transport endpoint is not connected. QUITTING") when
 * about 50 connects are in flight at once; 10 at a time is safe.
 */
const NCAT_JOIN_CONCURRENCY = 10;

/** Messages per sender for a fast phase: about FAST_DELIVERIES in all, within bounds. */
export function fastMessages(clients: number, senders: number, target = FAST_DELIVERIES): number {
  const per = Math.round(target / (senders * Math.max(1, clients - 1)));
  return Math.max(50, Math.min(50_000, per));
}

/** The four phases of a fan-out group: S = 1 and 10, as fast as possible and at the fixed rate. */
export function fanOutPhases(
  clients: number,
  options: { rateSeconds: number; fastDeliveries?: number },
): PhaseSpec[] {
  // The fast phases come first: their window keeps every client connected, while a fixed rate
  // the server cannot sustain ends in dropped clients, who would be missing from later phases.
  const phases: PhaseSpec[] = [];
  for (const senders of [1, 10]) {
    phases.push({
      name: `S=${senders} fast`,
      senders,
      messages: fastMessages(clients, senders, options.fastDeliveries),
      rate: 0,
      timeoutMs: 90_000,
    });
  }
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
 * Joins in flight for a one-room group. 50 at once is fine up to 1,000 members; at 5,000 the
 * server falls behind on writes while a storm of joins keeps its loop busy, outboxes pass
 * 256 KiB and the drops cascade (see docs/BENCHMARKS.md), so big rooms are joined one at a time.
 */
function joinConcurrency(target: Target, clients: number): number {
  if (target === "ncat") return NCAT_JOIN_CONCURRENCY;
  return clients > 1000 ? 1 : 50;
}

function fanOutGroup(
  target: Target,
  protocol: Protocol,
  clients: number,
  phases: PhaseSpec[],
): GroupSpec {
  const label = target === "ncat" ? "ncat" : `chat-${protocol}`;
  return {
    name: `${label}-${clients}`,
    target,
    protocol,
    clients,
    phases,
    idle: false,
    joinConcurrency: joinConcurrency(target, clients),
    joinTimeoutMs: 240_000,
    timeoutMs: 600_000,
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
  const label = target === "ncat" ? "ncat" : `chat-${protocol}`;
  const rooms = options.rooms ?? 1;
  const joinTimeoutMs = options.joinTimeoutMs;
  return {
    name: `idle-${label}-${clients}${rooms > 1 ? `-${rooms}-rooms` : ""}`,
    target,
    protocol,
    clients,
    rooms,
    phases: [],
    idle: true,
    // Silent `tcp` clients are "joined" when the server greets them (after 500 ms), so many
    // can wait at once; registering clients join in smaller batches.
    joinConcurrency: target === "ncat" ? NCAT_JOIN_CONCURRENCY : protocol === "tcp" ? 1000 : 50,
    joinTimeoutMs,
    timeoutMs: joinTimeoutMs + 60_000,
  };
}

/**
 * The full sweep, run by hand (`deno task bench`). Every scenario runs against the chat server
 * and, where ncat can hold that many clients, against `ncat --chat` as the baseline.
 */
export function fullSweep(): GroupSpec[] {
  const groups: GroupSpec[] = [];
  for (const clients of [10, 100, 1000, 5000]) {
    const phases = fanOutPhases(clients, { rateSeconds: 5 });
    groups.push(fanOutGroup("chat", "native", clients, phases));
    // The same with a database, in the same run: what keeping every message costs.
    if (clients >= 100 && clients <= 1000) {
      groups.push(persistedGroup(fanOutGroup("chat", "native", clients, phases)));
    }
    if (clients >= 100 && clients <= 1000) {
      groups.push(fanOutGroup("chat", "plain", clients, phases));
    }
    if (clients <= NCAT_MAX_CLIENTS) groups.push(fanOutGroup("ncat", "ncat", clients, phases));
  }
  // Many small rooms: 500 rooms of 10, one sender in each.
  groups.push({
    ...fanOutGroup("chat", "native", 5000, [
      { name: "S=1/room fast", senders: 1, messages: 600, rate: 0, timeoutMs: 90_000 },
      { ...ratePhase(1, 10, { rateSeconds: 5 }), name: "S=1/room 10/s" },
    ]),
    name: "rooms-chat-native-500x10",
    rooms: 500,
    joinConcurrency: 50,
  });
  // Memory per connection and connect time. Silent TCP connections show the transport's part;
  // registered clients are spread over 500 rooms of 20 (one lobby of 10,000 would cost the server
  // a sorted member list of up to 10,000 nicks per join). ncat holds at most about 1,000.
  groups.push(idleGroup("chat", "tcp", 10_000, { joinTimeoutMs: 120_000 }));
  groups.push(idleGroup("chat", "native", 10_000, { joinTimeoutMs: 240_000, rooms: 500 }));
  groups.push(idleGroup("ncat", "ncat", NCAT_MAX_CLIENTS, { joinTimeoutMs: 120_000 }));
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
 * Quick scenarios for the CI smoke test: small, a few hundred messages each, native and plain,
 * and ncat when it is installed. Correctness only; no timing thresholds.
 */
export function quickSweep(options: { ncat: boolean }): GroupSpec[] {
  const groups: GroupSpec[] = [];
  for (const clients of [10, 100]) {
    const phases: PhaseSpec[] = [
      { name: "S=1 200/s", senders: 1, messages: 100, rate: 200, timeoutMs: 15_000 },
      { name: "S=2 fast", senders: 2, messages: 200, rate: 0, timeoutMs: 15_000 },
    ];
    for (const protocol of ["native", "plain"] as const) {
      groups.push({ ...fanOutGroup("chat", protocol, clients, phases), timeoutMs: 30_000 });
    }
    if (options.ncat) {
      groups.push({ ...fanOutGroup("ncat", "ncat", clients, phases), timeoutMs: 30_000 });
    }
  }
  groups.push({
    ...persistedGroup(fanOutGroup("chat", "native", 100, [
      { name: "S=2 fast", senders: 2, messages: 200, rate: 0, timeoutMs: 15_000 },
    ])),
    timeoutMs: 30_000,
  });
  groups.push({
    ...fanOutGroup("chat", "native", 100, [
      { name: "S=1 20/s", senders: 1, messages: 20, rate: 20, timeoutMs: 15_000 },
      { name: "S=2 fast", senders: 2, messages: 100, rate: 0, timeoutMs: 15_000 },
    ]),
    name: "rooms-chat-native-10x10",
    rooms: 10,
    timeoutMs: 30_000,
  });
  return groups;
}

/**
 * Groups for `--sweep profile`: one phase each on 1,000 clients, long enough that the join (which
 * the profile also covers) is a small part of it. Run with `--profile DIR`.
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
  ];
}
