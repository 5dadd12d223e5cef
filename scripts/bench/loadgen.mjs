// @ts-check
/**
 * The benchmark's load generator: one process, separate from the server, that connects N clients
 * over loopback, puts them in one room (or many small ones), has S of them send M messages each,
 * and counts what every client receives. `scripts/bench/run.ts` starts it once per scenario; it
 * can also be run by hand:
 *
 * ```sh
 * node scripts/bench/loadgen.mjs '{"port":12345,"protocol":"native","clients":100,
 *   "phases":[{"senders":10,"messages":200,"rate":0}]}'
 * ```
 *
 * It is plain JavaScript (checked by `deno check` through `@ts-check`) so that it runs on Node,
 * whose sockets deliver data to callbacks without a promise per read: on this project's test
 * machine Node receives about 1.6 times as many lines per second as Deno's own sockets and 2.5
 * times as many as Deno's `node:net`. It also runs on Deno (`deno run -A`), only slower.
 *
 * Protocols: `native` (JSON frames), `plain` (nick line, then one message per line), `irc`
 * (NICK/USER, JOIN #lobby after 001, joined on its 366, PRIVMSG; PINGs answered: the chat server,
 * InspIRCd and ngIRCd), `ncat` (the `ncat --chat` relay: no nick, raw lines) and `tcp` (connect
 * and stay silent; "joined" once the server has written its first line, for the idle-connection
 * scenario).
 *
 * Every message text starts with a payload `#B<phase>:<sender>:<index>:<sent>` where `sent` is
 * the wall-clock time in microseconds since the Unix epoch (performance.timeOrigin +
 * performance.now()). Receivers do not split lines or parse JSON: they scan each chunk for `#B`,
 * which no other server output contains (nicks cannot hold `#`), so the same scanner serves every
 * protocol, including ncat, which prefixes only the first line of each chunk it relays.
 *
 * Output: one JSON event per line on stdout (`joined`, `phase-start`, `phase-end`, `done`,
 * `error`). With `sync`, it waits for a line on stdin after `joined`, `phase-start` and
 * `phase-end`, so the orchestrator can read the server's CPU and memory at exact points. It stops
 * by itself: every phase has a time cap, the whole run has a deadline, and it exits when its
 * stdin closes while it waits.
 */
import net from "node:net";
import process from "node:process";
import { ircJoin, ircPrivmsg, ircRegistration, pongsFor, readIrcLine } from "./irc_lines.mjs";

// ---- configuration --------------------------------------------------------------------------

/** @typedef {"native" | "plain" | "irc" | "ncat" | "tcp"} Protocol */

/**
 * One send phase: `senders` clients send `messages` each, at `rate` per second per sender, or as
 * fast as the window allows when `rate` is 0.
 * @typedef {object} PhaseConfig
 * @property {string} [name] Label echoed in the report.
 * @property {number} senders How many clients send (the first ones to have joined).
 * @property {number} messages Messages per sender.
 * @property {number} rate Messages per second per sender; 0 means as fast as possible.
 * @property {number} [window] Most messages per sender not yet received by every other client
 *   (0 or absent: chosen from the outbox limit, see `autoWindow`).
 * @property {number} [timeoutMs] Hard cap on the phase. Default 60000.
 * @property {number} [settleMs] End the phase this long after the last receipt once everything is
 *   sent. Default 3000.
 * @property {number} [holdMs] With no senders: how long the phase lasts (every client silent, to
 *   measure an idle server). Default 0.
 */

/**
 * @typedef {object} Config
 * @property {string} [host] Default 127.0.0.1.
 * @property {number} port
 * @property {number[]} [ports] Several servers (a cluster's nodes): client i connects to
 *   `ports[i % ports.length]` instead of `port`.
 * @property {Protocol} protocol
 * @property {number} clients
 * @property {number} [joinConcurrency] Joins in flight at once. Default 50.
 * @property {number} [joinTimeoutMs] Cap on the join phase. Default 120000.
 * @property {number} [textBytes] Length of each message text, payload included. Default 64.
 * @property {"sorted" | "shuffled"} [nickOrder] Whether nicks sort in join order. Default sorted.
 * @property {number} [rooms] Rooms to spread the clients over (native and irc protocols). 1 (the
 *   default) keeps everyone in the lobby; with more, client i creates or joins room
 *   `r<i / (clients / rooms)>` (native: then leaves the lobby; irc: joins `#r...` instead of
 *   `#lobby`), so each room is a separate audience.
 * @property {PhaseConfig[]} [phases]
 * @property {boolean} [sync] Wait for a stdin line at each sync point. Default false.
 * @property {number} [deadlineMs] Cap on the whole run. Default 600000.
 * @property {boolean} [progress] Report join progress on stderr. Default false.
 */

const HASH = 0x23; // '#'
const LETTER_B = 0x42; // 'B'
const COLON = 0x3a;
const LF = 0x0a;

/** What each server writes as the line that means "you are in the room". */
const JOINED_NATIVE = '"type":"room"';
const JOINED_PLAIN = "* You are in lobby";

/**
 * The outbox limit of the chat server is 256 KiB: the auto window keeps the bytes in flight to
 * one receiver well under it, so the benchmark measures delivery, not disconnects. 32 KiB is
 * enough for the server's best batching (about 20 messages per sender with 10 senders, 200 with
 * one); larger windows only add queueing delay.
 */
const OUTBOX_BUDGET_BYTES = 32 * 1024;

/**
 * ncat reads 8 KiB at a time and prefixes every read it relays, so a line cut by a read boundary
 * would be garbled: keep what one sender has in flight under half of that.
 */
const NCAT_BUDGET_BYTES = 4096;

/** Before an idle phase: how long nothing must arrive, and the most to wait for that. */
const IDLE_QUIET_MS = 1000;
const IDLE_QUIET_MAX_MS = 15_000;

/** Microseconds since the Unix epoch, with sub-millisecond precision. */
function nowUs() {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

// ---- latency histogram ----------------------------------------------------------------------

/** 1 us buckets up to 128 us, then 64 buckets per power of two (1.6% wide) up to 2^31 us. */
class Histogram {
  counts = new Uint32Array(128 + 25 * 64);
  total = 0;
  max = 0;

  /** @param {number} us */
  record(us) {
    const v = us < 0 ? 0 : us > 0x7fffffff ? 0x7fffffff : us | 0;
    if (v > this.max) this.max = v;
    this.total++;
    let index = v;
    if (v >= 128) {
      const e = 31 - Math.clz32(v);
      index = 128 + (e - 7) * 64 + ((v >> (e - 6)) & 63);
    }
    this.counts[index] = (this.counts[index] ?? 0) + 1;
  }

  /**
   * The value below which `q` of the samples fall (bucket midpoint), in microseconds.
   * @param {number} q
   */
  quantile(q) {
    if (this.total === 0) return 0;
    const rank = Math.ceil(q * this.total);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) return Math.min(this.max, bucketMid(i));
    }
    return this.max;
  }
}

/** @param {number} index */
function bucketMid(index) {
  if (index < 128) return index;
  const e = Math.floor((index - 128) / 64) + 7;
  const sub = (index - 128) % 64;
  const low = (64 + sub) * 2 ** (e - 6);
  return low + 2 ** (e - 6) / 2;
}

// ---- clients --------------------------------------------------------------------------------

const CONNECTING = 0;
const JOINING = 1;
const JOINED = 2;
const CLOSED = 3;

class Client {
  /** @type {net.Socket | null} */
  socket = null;
  state = CONNECTING;
  /** Joining with rooms: 0 in no room yet, 1 in the lobby, 2 in its own room. */
  step = 0;
  /** Bytes kept from the last chunk: an unfinished line (joining) or payload (in a phase). */
  /** @type {Buffer | null} */
  carry = null;
  /** Position among the joined clients (-1 until joined); indexes the per-receiver tables. */
  slot = -1;
  /** Why the connection ended, if it did. */
  endReason = "";
  /** Whether the reason it failed to join is already counted. */
  failureCounted = false;

  /**
   * @param {number} index
   * @param {string} nick
   * @param {number} room Index of the room it talks in.
   * @param {string} roomName
   */
  constructor(index, nick, room, roomName) {
    this.index = index;
    this.nick = nick;
    this.room = room;
    this.roomName = roomName;
  }
}

// ---- one send phase -------------------------------------------------------------------------

class Phase {
  /**
   * @param {number} id
   * @param {PhaseConfig} config
   * @param {Client[][]} rooms Joined clients of each room, in join order; in each room the first
   *   `senders` send, to everyone else in that room.
   * @param {number} window
   * @param {number} slots Number of joined clients (the size of the per-receiver tables).
   */
  constructor(id, config, rooms, window, slots) {
    this.id = id;
    this.config = config;
    this.m = config.messages;
    this.window = window;
    this.clients = 0;
    /** @type {Client[]} */
    this.senders = [];
    /** Per sender: its room, and its position among its room's senders. */
    const senderRoom = [];
    const senderLocal = [];
    /** Per receiver slot: where its (receiver, sender) pairs start. */
    this.pairBase = new Int32Array(slots).fill(-1);
    let pairs = 0;
    this.expected = 0;
    for (let r = 0; r < rooms.length; r++) {
      const members = rooms[r] ?? [];
      const senders = Math.min(config.senders, members.length);
      for (let k = 0; k < senders; k++) {
        this.senders.push(/** @type {Client} */ (members[k]));
        senderRoom.push(r);
        senderLocal.push(k);
      }
      for (const member of members) {
        this.pairBase[member.slot] = pairs;
        pairs += senders;
      }
      this.clients += members.length;
      this.expected += senders * this.m * (members.length - 1);
    }
    this.s = this.senders.length;
    this.senderRoom = Int32Array.from(senderRoom);
    this.senderLocal = Int32Array.from(senderLocal);
    /** Receipts per message (sender-major), for the window and for completion. */
    this.receipts = new Uint32Array(this.s * this.m);
    /** One bit per (receiver, sender, message): duplicates. */
    this.seen = new Uint8Array(Math.ceil((pairs * this.m) / 8));
    /** Highest message index seen per (receiver, sender): reordering. */
    this.highest = new Int32Array(pairs).fill(-1);
    this.sent = new Int32Array(this.s);
    /** Per sender: lowest message not yet received by every live receiver. */
    this.complete = new Int32Array(this.s);
    this.latency = new Histogram();
    this.delivered = 0;
    this.duplicates = 0;
    this.outOfOrder = 0;
    this.garbled = 0;
    this.misrouted = 0;
    this.echoes = 0;
    this.stale = 0;
    this.disconnects = 0;
    this.startUs = 0;
    this.allSentUs = 0;
    this.lastReceiptUs = 0;
    this.done = false;
    this.timedOut = false;
  }

  /**
   * Counts one received payload.
   * @param {Client} receiver
   * @param {number} phaseId
   * @param {number} sender
   * @param {number} index
   * @param {number} sentUs
   * @param {number} now
   */
  receive(receiver, phaseId, sender, index, sentUs, now) {
    if (phaseId !== this.id) {
      this.stale++;
      return;
    }
    if (sender >= this.s || index >= this.m || sentUs > now + 1_000_000) {
      this.garbled++;
      return;
    }
    if (this.senders[sender] === receiver) {
      this.echoes++;
      return;
    }
    const base = this.pairBase[receiver.slot] ?? -1;
    if (base < 0 || receiver.room !== this.senderRoom[sender]) {
      this.misrouted++;
      return;
    }
    const pair = base + (this.senderLocal[sender] ?? 0);
    const bit = pair * this.m + index;
    const byte = bit >>> 3;
    const mask = 1 << (bit & 7);
    const seen = this.seen[byte] ?? 0;
    if ((seen & mask) !== 0) {
      this.duplicates++;
      return;
    }
    this.seen[byte] = seen | mask;
    this.delivered++;
    const message = sender * this.m + index;
    this.receipts[message] = (this.receipts[message] ?? 0) + 1;
    if (index < (this.highest[pair] ?? -1)) this.outOfOrder++;
    else this.highest[pair] = index;
    this.latency.record(now - sentUs);
    this.lastReceiptUs = now;
  }

  /**
   * Advances each sender's `complete` mark: messages every live receiver in its room has.
   * @param {Int32Array} roomLive Connected members per room.
   */
  advance(roomLive) {
    for (let s = 0; s < this.s; s++) {
      const need = (roomLive[this.senderRoom[s] ?? 0] ?? 0) - 1;
      let low = this.complete[s] ?? 0;
      const sent = this.sent[s] ?? 0;
      const base = s * this.m;
      while (low < sent && (this.receipts[base + low] ?? 0) >= need) low++;
      this.complete[s] = low;
    }
  }

  /** Whether every sender has sent everything and every message reached every live receiver. */
  finished() {
    for (let s = 0; s < this.s; s++) if ((this.complete[s] ?? 0) < this.m) return false;
    return true;
  }

  /** Whether every sender that is still connected has sent all its messages. */
  allSent() {
    for (let s = 0; s < this.s; s++) {
      if ((this.sent[s] ?? 0) < this.m && this.senders[s]?.state === JOINED) return false;
    }
    return true;
  }

  report() {
    const end = this.lastReceiptUs > this.startUs ? this.lastReceiptUs : nowUs();
    const elapsedMs = (end - this.startUs) / 1000;
    const ms = (/** @type {number} */ us) => Math.round(us) / 1000;
    return {
      event: "phase-end",
      id: this.id,
      name: this.config.name ?? `phase ${this.id}`,
      clients: this.clients,
      senders: this.s,
      messages: this.m,
      rate: this.config.rate,
      window: this.config.rate > 0 ? 0 : this.window,
      expected: this.expected,
      delivered: this.delivered,
      lost: this.expected - this.delivered,
      duplicates: this.duplicates,
      outOfOrder: this.outOfOrder,
      garbled: this.garbled + this.misrouted,
      echoes: this.echoes,
      stale: this.stale,
      disconnects: this.disconnects,
      sendMs: this.allSentUs > 0 ? ms(this.allSentUs - this.startUs) : null,
      elapsedMs: Math.round(elapsedMs),
      deliveriesPerSec: elapsedMs > 0 ? Math.round(this.delivered / (elapsedMs / 1000)) : 0,
      latencyMs: {
        p50: ms(this.latency.quantile(0.5)),
        p90: ms(this.latency.quantile(0.9)),
        p99: ms(this.latency.quantile(0.99)),
        max: ms(this.latency.max),
      },
      timedOut: this.timedOut,
    };
  }
}

// ---- the generator --------------------------------------------------------------------------

/** Reads `#B<phase>:<sender>:<index>:<sent>` payloads; keeps an unfinished one for later. */
class PayloadScanner {
  /** Where the last `number()` stopped. */
  end = 0;

  /**
   * Reads decimal digits from `at`; returns the value and sets `end` to the first non-digit.
   * @param {Buffer} buf
   * @param {number} at
   */
  number(buf, at) {
    let value = 0;
    let i = at;
    const len = buf.length;
    while (i < len) {
      const c = buf[i] ?? 0;
      if (c < 48 || c > 57) break;
      value = value * 10 + (c - 48);
      i++;
    }
    this.end = i;
    return value;
  }

  /**
   * Scans a chunk for payloads and hands them to the phase. Returns the unfinished tail to carry
   * into the next chunk, or null.
   * @param {Buffer} buf
   * @param {Client} client
   * @param {Phase} phase
   * @param {number} now
   * @returns {Buffer | null}
   */
  scan(buf, client, phase, now) {
    const len = buf.length;
    let p = buf.indexOf(HASH);
    while (p !== -1) {
      // Anything cut off by the end of the chunk is carried, at most one payload's worth.
      if (p + 1 >= len) return Buffer.from(buf.subarray(p));
      if (buf[p + 1] !== LETTER_B) {
        p = buf.indexOf(HASH, p + 1);
        continue;
      }
      const phaseId = this.number(buf, p + 2);
      let q = this.end;
      if (q < len && buf[q] === COLON) {
        const sender = this.number(buf, q + 1);
        q = this.end;
        if (q < len && buf[q] === COLON) {
          const index = this.number(buf, q + 1);
          q = this.end;
          if (q < len && buf[q] === COLON) {
            const sent = this.number(buf, q + 1);
            q = this.end;
            if (q < len) {
              phase.receive(client, phaseId, sender, index, sent, now);
              p = buf.indexOf(HASH, q);
              continue;
            }
          }
        }
      }
      if (q >= len) return Buffer.from(buf.subarray(p));
      phase.garbled++;
      p = buf.indexOf(HASH, q);
    }
    return null;
  }
}

class LoadGen {
  /** @param {Config} config */
  constructor(config) {
    this.config = config;
    this.host = config.host ?? "127.0.0.1";
    this.protocol = config.protocol;
    /** @type {Client[]} */
    this.clients = [];
    /** @type {Client[]} */
    this.members = [];
    /** @type {Phase | null} */
    this.phase = null;
    this.scanner = new PayloadScanner();
    this.opened = 0;
    this.pending = 0;
    this.connected = 0;
    this.failed = 0;
    this.live = 0;
    /** Connected, joined clients per room. */
    this.roomLive = new Int32Array(Math.max(1, config.rooms ?? 1));
    this.lostOutsidePhases = 0;
    /** @type {Map<string, number>} */
    this.failures = new Map();
    this.joinDeadline = 0;
    this.joinStart = 0;
    this.connectDoneMs = 0;
    /** @type {() => void} */
    this.joinSettled = () => {};
    this.pumpQueued = false;
    this.closing = false;
    /** @type {(() => void) | null} */
    this.phaseDone = null;
    /** @type {ReturnType<typeof setInterval> | null} */
    this.ticker = null;
    this.textPad = "";
    /** When any client last received anything (performance.now()). */
    this.lastDataMs = 0;
  }

  /**
   * Resolves once no client has received anything for `quietMs` (or after `maxMs`): an idle
   * phase starts when the server has finished sending what the joins asked of it.
   * @param {number} quietMs
   * @param {number} maxMs
   */
  quiet(quietMs, maxMs) {
    const deadline = performance.now() + maxMs;
    return new Promise((resolve) => {
      const check = () => {
        const now = performance.now();
        if (now - this.lastDataMs >= quietMs || now >= deadline) resolve(undefined);
        else setTimeout(check, Math.min(quietMs, 100));
      };
      check();
    });
  }

  // -- joining --

  /** Connects every client, at most `joinConcurrency` joins in flight; resolves when all settle. */
  join() {
    const n = this.config.clients;
    this.joinStart = performance.now();
    this.joinDeadline = this.joinStart + (this.config.joinTimeoutMs ?? 120_000);
    const progress = this.config.progress
      ? setInterval(() => {
        process.stderr.write(
          `loadgen: ${this.members.length}/${n} joined, ${this.failed} failed, ` +
            `${Math.round(performance.now() - this.joinStart)} ms\n`,
        );
      }, 5000)
      : null;
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle(), Math.max(0, this.joinDeadline - performance.now()));
      const settle = () => {
        clearTimeout(timer);
        if (progress !== null) clearInterval(progress);
        this.joinSettled = () => {};
        resolve(undefined);
      };
      this.joinSettled = () => {
        if (this.members.length + this.failed >= n) settle();
      };
      this.openMore();
      this.joinSettled();
    });
  }

  openMore() {
    const n = this.config.clients;
    const concurrency = this.config.joinConcurrency ?? 50;
    while (this.opened < n && this.pending < concurrency && performance.now() < this.joinDeadline) {
      this.open(this.opened++);
    }
  }

  /** @param {number} index */
  open(index) {
    const rooms = Math.max(1, this.config.rooms ?? 1);
    const room = rooms === 1 ? 0 : Math.floor(index / Math.ceil(this.config.clients / rooms));
    const roomName = rooms === 1 ? "lobby" : `r${String(room).padStart(4, "0")}`;
    const client = new Client(index, nickFor(index, this.config), room, roomName);
    this.clients.push(client);
    this.pending++;
    const ports = this.config.ports ?? [];
    const port = ports.length > 0
      ? ports[index % ports.length] ?? this.config.port
      : this.config.port;
    const socket = net.connect({ host: this.host, port });
    client.socket = socket;
    socket.setNoDelay(true);
    socket.on("connect", () => {
      this.connected++;
      if (this.connected === this.config.clients) {
        this.connectDoneMs = performance.now() - this.joinStart;
      }
      client.state = JOINING;
      if (this.protocol === "native") {
        socket.write(`{"type":"hello","version":1,"nick":"${client.nick}"}\n`);
      } else if (this.protocol === "plain") {
        socket.write(`${client.nick}\n`);
      } else if (this.protocol === "irc") {
        socket.write(ircRegistration(client.nick));
      }
    });
    socket.on("data", (chunk) => this.onData(client, chunk));
    socket.on("error", (error) => {
      client.endReason = /** @type {NodeJS.ErrnoException} */ (error).code ?? error.message;
    });
    socket.on("close", () => this.onClose(client));
  }

  /**
   * @param {Client} client
   * @param {string} reason
   */
  failJoin(client, reason) {
    this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1);
    client.failureCounted = true;
    client.socket?.destroy();
  }

  /** @param {Client} client */
  onJoined(client) {
    client.state = JOINED;
    client.slot = this.members.length;
    this.members.push(client);
    this.live++;
    this.roomLive[client.room] = (this.roomLive[client.room] ?? 0) + 1;
    this.pending--;
    this.openMore();
    this.joinSettled();
  }

  /** @param {Client} client */
  onClose(client) {
    const was = client.state;
    client.state = CLOSED;
    client.carry = null;
    if (was === JOINED) {
      this.live--;
      this.roomLive[client.room] = (this.roomLive[client.room] ?? 0) - 1;
      if (this.phase !== null && !this.phase.done) {
        this.phase.disconnects++;
        this.queuePump();
      } else if (!this.closing) {
        this.lostOutsidePhases++;
      }
    } else if (was !== CLOSED) {
      this.failed++;
      this.pending--;
      if (!client.failureCounted) {
        const reason = client.endReason || "closed before joining";
        this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1);
      }
      this.openMore();
      this.joinSettled();
    }
  }

  // -- receiving --

  /**
   * @param {Client} client
   * @param {Buffer} chunk
   */
  onData(client, chunk) {
    this.lastDataMs = performance.now();
    // IRC servers ping idle clients: answer at any time (a cheap native search first).
    if (this.protocol === "irc" && client.state === JOINED && chunk.indexOf("PING ") !== -1) {
      const pongs = pongsFor(chunk);
      if (pongs !== "") client.socket?.write(pongs);
    }
    if (client.state === JOINED) {
      const phase = this.phase;
      if (phase === null || phase.done) return;
      let buf = chunk;
      if (client.carry !== null) {
        buf = Buffer.concat([client.carry, chunk]);
        client.carry = null;
      }
      client.carry = this.scanner.scan(buf, client, phase, nowUs());
      this.queuePump();
      return;
    }
    if (client.state !== JOINING) return;
    this.handshake(client, chunk);
  }

  /**
   * Reads lines until the one that means "joined" (the rest of the chunk is ignored: no phase
   * runs while clients join).
   * @param {Client} client
   * @param {Buffer} chunk
   */
  handshake(client, chunk) {
    let buf = chunk;
    if (client.carry !== null) {
      buf = Buffer.concat([client.carry, chunk]);
      client.carry = null;
    }
    let start = 0;
    while (true) {
      const lf = buf.indexOf(LF, start);
      if (lf === -1) break;
      const line = buf.subarray(start, lf);
      start = lf + 1;
      switch (this.protocol) {
        case "ncat":
        case "tcp":
          this.onJoined(client);
          return;
        case "native":
          if (this.nativeStep(client, line)) return;
          break;
        case "irc":
          if (this.ircStep(client, line)) return;
          break;
        case "plain":
          if (line.indexOf(JOINED_PLAIN) === 0) {
            this.onJoined(client);
            return;
          }
          if (line[0] === 0x21 /* '!' */) {
            this.failJoin(client, line.toString("utf8"));
            return;
          }
          break;
      }
    }
    if (start < buf.length) client.carry = Buffer.from(buf.subarray(start));
  }

  /**
   * One line of a native handshake; returns true once the client is done with it (joined or
   * failed). With rooms: lobby `room` -> `/create` (or `/join` if it exists) -> own `room` ->
   * `/leave lobby` -> `left`.
   * @param {Client} client
   * @param {Buffer} line
   */
  nativeStep(client, line) {
    const rooms = (this.config.rooms ?? 1) > 1;
    if (line.includes('"type":"error"')) {
      const error = parseFrame(line);
      if (rooms && error.code === "room_exists") {
        this.command(client, `/join ${client.roomName}`);
        return false;
      }
      this.failJoin(client, `${error.code}: ${error.message}`);
      return true;
    }
    if (!rooms) {
      if (!line.includes(JOINED_NATIVE)) return false;
      this.onJoined(client);
      return true;
    }
    if (client.step === 0 && line.includes(JOINED_NATIVE)) {
      client.step = 1;
      this.command(client, `/create ${client.roomName}`);
    } else if (client.step === 1 && line.includes(JOINED_NATIVE)) {
      if (parseFrame(line).room !== client.roomName) return false;
      client.step = 2;
      this.command(client, "/leave lobby");
    } else if (client.step === 2 && line.includes('"type":"left"')) {
      this.onJoined(client);
      return true;
    }
    return false;
  }

  /**
   * One line of an IRC handshake; returns true once the client is done with it (joined or
   * failed): NICK/USER -> 001 -> JOIN #room -> 366 for it. PINGs are answered.
   * @param {Client} client
   * @param {Buffer} line
   */
  ircStep(client, line) {
    const channel = `#${client.roomName}`;
    const meaning = readIrcLine(line.toString("utf8"), client.nick, channel);
    switch (meaning.kind) {
      case "ping":
        client.socket?.write(meaning.reply);
        return false;
      case "welcome":
        client.socket?.write(ircJoin(channel));
        return false;
      case "joined":
        this.onJoined(client);
        return true;
      case "failed":
        this.failJoin(client, meaning.reason);
        return true;
      case "other":
        return false;
    }
  }

  /**
   * Sends a slash command in native mode.
   * @param {Client} client
   * @param {string} line
   */
  command(client, line) {
    client.socket?.write(JSON.stringify({ type: "command", line, room: "lobby" }) + "\n");
  }

  // -- sending --

  /**
   * The message line for one payload, in this protocol.
   * @param {string} room
   * @param {number} phaseId
   * @param {number} sender
   * @param {number} index
   * @param {number} sentUs
   */
  line(room, phaseId, sender, index, sentUs) {
    const payload = `#B${phaseId}:${sender}:${index}:${sentUs} `;
    const text = payload.length < this.textBytes()
      ? payload + this.textPad.slice(0, this.textBytes() - payload.length)
      : payload;
    switch (this.protocol) {
      case "native":
        return `{"type":"say","room":"${room}","text":"${text}"}\n`;
      case "irc":
        return ircPrivmsg(`#${room}`, text);
      default:
        return `${text}\n`;
    }
  }

  textBytes() {
    return this.config.textBytes ?? 64;
  }

  /**
   * Sends up to `count` messages from sender `s`, in one write.
   * @param {Phase} phase
   * @param {number} s
   * @param {number} count
   * @param {number} now
   */
  send(phase, s, count, now) {
    const sender = phase.senders[s];
    if (sender === undefined || sender.state !== JOINED || sender.socket === null) return;
    let from = phase.sent[s] ?? 0;
    const to = Math.min(phase.m, from + count);
    if (to <= from) return;
    let out = "";
    for (; from < to; from++) out += this.line(sender.roomName, phase.id, s, from, now);
    phase.sent[s] = to;
    sender.socket.write(out);
  }

  queuePump() {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    setImmediate(this.pump);
  }

  /** Once per turn: refill windows (fast mode) and check whether the phase is over. */
  pump = () => {
    this.pumpQueued = false;
    const phase = this.phase;
    // A phase without senders (idle) ends only when its hold is over.
    if (phase === null || phase.done || phase.s === 0) return;
    phase.advance(this.roomLive);
    const now = nowUs();
    if (phase.config.rate === 0) {
      for (let s = 0; s < phase.s; s++) {
        const room = (phase.complete[s] ?? 0) + phase.window - (phase.sent[s] ?? 0);
        if (room > 0) this.send(phase, s, room, now);
      }
    }
    if (phase.allSentUs === 0 && phase.allSent()) phase.allSentUs = now;
    if (phase.finished()) this.endPhase();
  };

  /** @param {Phase} phase */
  tick(phase) {
    const rate = phase.config.rate;
    const periodMs = 1000 / rate;
    const now = nowUs();
    const elapsedMs = (now - phase.startUs) / 1000;
    for (let s = 0; s < phase.s; s++) {
      // Senders are spread evenly over one period so they do not all send at once.
      const offsetMs = (periodMs * s) / phase.s;
      const due = Math.min(phase.m, Math.floor((elapsedMs - offsetMs) / periodMs) + 1);
      const room = due - (phase.sent[s] ?? 0);
      if (room > 0) this.send(phase, s, room, now);
    }
    if (phase.allSent()) {
      if (this.ticker !== null) clearInterval(this.ticker);
      this.ticker = null;
      this.queuePump();
    }
  }

  /**
   * Runs one phase to its end.
   * @param {number} id
   * @param {PhaseConfig} config
   */
  runPhase(id, config) {
    const window = config.rate > 0 ? 0 : (config.window || this.autoWindow(config.senders));
    /** @type {Client[][]} */
    const rooms = Array.from(this.roomLive, () => []);
    for (const client of this.members) {
      if (client.state === JOINED) rooms[client.room]?.push(client);
    }
    const phase = new Phase(id, config, rooms, window, this.members.length);
    this.phase = phase;
    phase.startUs = nowUs();
    return new Promise((resolve) => {
      const timeout = setTimeout(() => {
        phase.timedOut = true;
        this.endPhase();
      }, config.timeoutMs ?? 60_000);
      const settleMs = config.settleMs ?? 3000;
      const settle = setInterval(() => {
        const quietMs = (nowUs() - Math.max(phase.lastReceiptUs, phase.allSentUs)) / 1000;
        if (phase.allSentUs > 0 && quietMs > settleMs) this.endPhase();
      }, 250);
      /** @type {ReturnType<typeof setTimeout> | undefined} */
      let hold;
      this.phaseDone = () => {
        clearTimeout(timeout);
        clearTimeout(hold);
        clearInterval(settle);
        if (this.ticker !== null) clearInterval(this.ticker);
        this.ticker = null;
        resolve(phase.report());
      };
      if (phase.s === 0 || phase.m === 0) {
        if ((config.holdMs ?? 0) > 0) hold = setTimeout(() => this.endPhase(), config.holdMs);
        else this.endPhase();
      } else if (config.rate > 0) {
        this.ticker = setInterval(() => this.tick(phase), 1);
        this.tick(phase);
      } else {
        this.pump();
      }
    });
  }

  endPhase() {
    const phase = this.phase;
    if (phase === null || phase.done) return;
    phase.done = true;
    const done = this.phaseDone;
    this.phaseDone = null;
    done?.();
  }

  /**
   * Messages per sender in flight: the bytes in flight to one receiver stay within
   * OUTBOX_BUDGET_BYTES (and, for ncat, one sender's unread bytes within NCAT_BUDGET_BYTES).
   * @param {number} senders
   */
  autoWindow(senders) {
    const text = this.textBytes();
    // Bytes per message as a receiver gets it: a JSON frame, an IRC line with its source, or text.
    const frame = this.protocol === "native"
      ? text + 100
      : this.protocol === "irc"
      ? text + 60
      : text + 12;
    let window = Math.floor(OUTBOX_BUDGET_BYTES / (Math.max(1, senders) * frame));
    if (this.protocol === "ncat") window = Math.min(window, Math.floor(NCAT_BUDGET_BYTES / frame));
    return Math.max(1, Math.min(256, window));
  }

  closeAll() {
    this.closing = true;
    for (const client of this.clients) client.socket?.destroy();
  }
}

/**
 * @param {number} index
 * @param {Config} config
 */
function nickFor(index, config) {
  // Zero-padded, so nicks sort in join order (the server sorts member lists); `shuffled` breaks
  // that order, to measure the join cost with nicks as people pick them.
  const n = config.clients;
  const id = config.nickOrder === "shuffled" ? (index * 1_000_003) % n : index;
  return `b${String(id).padStart(6, "0")}`;
}

/**
 * Parses a server frame (only during the handshake: in phases nothing is parsed).
 * @param {Buffer} line
 * @returns {Record<string, unknown>}
 */
function parseFrame(line) {
  try {
    return JSON.parse(line.toString("utf8"));
  } catch {
    return { code: "bad_frame", message: line.toString("utf8").slice(0, 200) };
  }
}

// ---- process shell --------------------------------------------------------------------------

/** Lines from stdin, one per sync point. */
class StdinLines {
  /** @type {string[]} */
  lines = [];
  /** @type {(() => void)[]} */
  waiters = [];
  buffered = "";

  constructor() {
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (/** @type {string} */ text) => {
      this.buffered += text;
      const parts = this.buffered.split("\n");
      this.buffered = parts.pop() ?? "";
      this.lines.push(...parts);
      for (const wake of this.waiters.splice(0)) wake();
    });
    process.stdin.on("end", () => {
      // The orchestrator is gone: nobody will read the results.
      process.stderr.write("loadgen: stdin closed, exiting\n");
      process.exit(3);
    });
  }

  /** @returns {Promise<string>} */
  async next() {
    while (this.lines.length === 0) {
      await new Promise((resolve) => this.waiters.push(() => resolve(undefined)));
    }
    return this.lines.shift() ?? "";
  }
}

/** @param {Record<string, unknown>} event */
function emit(event) {
  process.stdout.write(JSON.stringify(event) + "\n");
}

/** @param {unknown} value */
function parseConfig(value) {
  if (typeof value !== "object" || value === null) throw new TypeError("Config must be an object");
  const config = /** @type {Config} */ (value);
  if (!Number.isInteger(config.port) || config.port <= 0) {
    throw new TypeError("Config needs a port");
  }
  if (!["native", "plain", "irc", "ncat", "tcp"].includes(config.protocol)) {
    throw new TypeError(`Unknown protocol: ${config.protocol}`);
  }
  if (!Number.isInteger(config.clients) || config.clients < 1) {
    throw new TypeError("Config needs clients >= 1");
  }
  const rooms = config.rooms ?? 1;
  if (!Number.isInteger(rooms) || rooms < 1 || rooms > config.clients) {
    throw new RangeError("Config needs 1 <= rooms <= clients");
  }
  if (rooms > 1 && config.protocol !== "native" && config.protocol !== "irc") {
    throw new RangeError("Several rooms need the native or irc protocol");
  }
  return config;
}

/** @param {string[]} argv */
async function main(argv) {
  const config = parseConfig(JSON.parse(argv[0] ?? "null"));
  const stdin = config.sync ? new StdinLines() : null;
  const sync = async () => {
    if (stdin !== null) await stdin.next();
  };
  const deadline = setTimeout(() => {
    emit({ event: "error", message: `Deadline of ${config.deadlineMs ?? 600_000} ms passed` });
    process.exit(2);
  }, config.deadlineMs ?? 600_000);

  const gen = new LoadGen(config);
  gen.textPad = "x".repeat(Math.max(0, gen.textBytes()));
  await gen.join();
  const joinMs = performance.now() - gen.joinStart;
  emit({
    event: "joined",
    clients: config.clients,
    joined: gen.members.length,
    failed: gen.failed + (config.clients - gen.opened),
    failures: Object.fromEntries(gen.failures),
    connectMs: Math.round(gen.connectDoneMs),
    joinMs: Math.round(joinMs),
  });
  await sync();

  if (gen.members.length === config.clients) {
    const phases = config.phases ?? [];
    for (let i = 0; i < phases.length; i++) {
      const phaseConfig = phases[i];
      if (phaseConfig === undefined) continue;
      if ((phaseConfig.holdMs ?? 0) > 0) await gen.quiet(IDLE_QUIET_MS, IDLE_QUIET_MAX_MS);
      emit({ event: "phase-start", id: i + 1, name: phaseConfig.name ?? `phase ${i + 1}` });
      await sync();
      const report = await gen.runPhase(i + 1, phaseConfig);
      gen.phase = null;
      emit(report);
      await sync();
    }
  }
  emit({ event: "done", disconnectsOutsidePhases: gen.lostOutsidePhases, live: gen.live });
  gen.closeAll();
  clearTimeout(deadline);
  // Let the last event reach the pipe before leaving.
  process.stdout.write("", () => process.exit(0));
}

main(process.argv.slice(2)).catch((error) => {
  emit({ event: "error", message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
