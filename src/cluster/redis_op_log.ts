/**
 * A cluster's shared op log in Redis: one stream (`{chat}:ops`) holds every hub op in the order
 * the nodes apply them; each node holds a lease (`{chat}:node:N`, renewed every second) that
 * says it is alive; `{chat}:nodes` numbers the nodes as they start. Two connections per node: one
 * for commands, one blocked reading the stream. See docs/CLUSTER.md.
 */
import { createClient, createCluster } from "@redis/client";
import { ChatError } from "../errors.ts";
import { hidePassword } from "../hide_password.ts";
import type { Logger } from "../log.ts";
import type { HubOp } from "../server/hub_op.ts";
import type { LogHealth, OpEntry, OpLog } from "../server/op_log.ts";

/** How long an append may take before its sender is told the server is degraded (ms). */
export const APPEND_TIMEOUT_MS = 2000;

/** How often a node renews its lease (ms). */
const LEASE_RENEW_MS = 1000;

/** How long a lease lasts unrenewed (ms): a node silent this long is gone. */
export const LEASE_MS = 5000;

/** Most entries read at once. */
const READ_BATCH = 1000;

/** How long a blocked read waits before asking again (ms). */
const READ_BLOCK_MS = 1000;

/** How often an unreachable Redis is asked whether it is back (ms). */
const PROBE_MS = 500;

// Every key has the hash tag `{chat}`: on a Redis Cluster they all live in one slot, so the same
// commands run on one Redis and on a cluster of several.
const STREAM = "{chat}:ops";
const NODE_COUNTER = "{chat}:nodes";
const LEASE_PREFIX = "{chat}:node:";
/** A hash of node number to name, for listing the nodes (a lease says whether one is alive). */
const NAMES = "{chat}:names";

/** What a node needs to join a cluster. */
export interface RedisOpLogOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://`). */
  readonly url: string;
  /** The Redis password, when not in the URL (`--redis-password-file`). */
  readonly password?: string;
  /** This node's name, for people. */
  readonly name: string;
  readonly log: Logger;
}

/** How every connection is made: fail fast while down, reconnect by itself. */
function clientOptions(options: RedisOpLogOptions) {
  return {
    url: options.url,
    password: options.password,
    // A command while the connection is down fails at once instead of waiting for it.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 5000,
      reconnectStrategy: (tries: number) => Math.min(tries * 100, 1000),
    },
  };
}

/** A client to one Redis. */
function makeClient(options: RedisOpLogOptions) {
  const client = createClient(clientOptions(options));
  // Errors surface in the commands that fail; the client reconnects by itself.
  client.on("error", () => {});
  return client;
}

/** A client to a Redis Cluster, reached through one of its nodes (it follows the slots). */
function makeClusterClient(options: RedisOpLogOptions) {
  const { url, password, ...defaults } = clientOptions(options);
  const client = createCluster({
    rootNodes: [{ url }],
    defaults: { ...defaults, password },
  });
  client.on("error", () => {});
  return client;
}

/** What the op log asks of Redis: a client to one Redis or to a cluster answers it alike. */
type Client = Pick<
  ReturnType<typeof makeClient>,
  | "connect"
  | "destroy"
  | "incr"
  | "time"
  | "set"
  | "del"
  | "mGet"
  | "xAdd"
  | "xRead"
  | "xRevRange"
  | "hSet"
  | "hGetAll"
  | "hDel"
>;

/** How long connecting to Redis at start may take (ms): the client would retry for ever. */
const CONNECT_TIMEOUT_MS = 5000;

/** Waits for a connection, or fails once CONNECT_TIMEOUT_MS has passed. */
async function connected<T>(connecting: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      connecting,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`)),
          CONNECT_TIMEOUT_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether the Redis at `options.url` is a node of a Redis Cluster. */
async function isRedisCluster(options: RedisOpLogOptions): Promise<boolean> {
  const probe = makeClient(options);
  try {
    await connected(probe.connect());
    return /^cluster_enabled:1/m.test(await probe.info("cluster"));
  } finally {
    probe.destroy();
  }
}

/** The unavailable error every refused append gets. */
function unavailable(): ChatError {
  return new ChatError(
    "unavailable",
    "The server is degraded: messages cannot be sent right now: try again soon",
  );
}

/** Compares two stream ids (`ms-seq`). */
function compareIds(a: string, b: string): number {
  const [aMs = 0, aSeq = 0] = a.split("-").map(Number);
  const [bMs = 0, bSeq = 0] = b.split("-").map(Number);
  return aMs - bMs || aSeq - bSeq;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A Redis-backed {@linkcode OpLog}. Make one with {@linkcode RedisOpLog.connect}. */
export class RedisOpLog implements OpLog {
  readonly node: number;
  readonly name: string;
  readonly #writer: Client;
  readonly #reader: Client;
  readonly #log: Logger;
  /** Redis's clock minus ours (ms), for the deadlines in entries. */
  readonly #offset: number;
  #healthy = true;
  /** Since when Redis has answered without a break (our clock). */
  #healthySince: number;
  #probing = false;
  #closed = false;
  readonly #listeners: ((health: LogHealth) => void)[] = [];
  readonly #renewer: ReturnType<typeof setInterval>;
  #following: Promise<void> | undefined;

  private constructor(
    writer: Client,
    reader: Client,
    node: number,
    offset: number,
    options: RedisOpLogOptions,
  ) {
    this.#writer = writer;
    this.#reader = reader;
    this.node = node;
    this.name = options.name;
    this.#offset = offset;
    this.#log = options.log;
    this.#healthySince = Date.now();
    this.#renewer = setInterval(() => void this.#renew(), LEASE_RENEW_MS);
  }

  /**
   * Connects to Redis, takes a node number and a lease. Throws `ChatError` (`bad_arguments`)
   * when Redis cannot be reached or refuses us, with Redis's reason.
   */
  static async connect(options: RedisOpLogOptions): Promise<RedisOpLog> {
    let writer: Client | undefined;
    let reader: Client | undefined;
    try {
      const make = await isRedisCluster(options) ? makeClusterClient : makeClient;
      writer = make(options) as unknown as Client;
      reader = make(options) as unknown as Client;
      await connected(Promise.all([writer.connect(), reader.connect()]));
      const node = await writer.incr(NODE_COUNTER);
      await writer.hSet(NAMES, String(node), options.name);
      const before = Date.now();
      const [seconds = "0", micros = "0"] = await writer.time() as unknown as string[];
      const offset = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) -
        Math.round((before + Date.now()) / 2);
      await writer.set(LEASE_PREFIX + node, options.name, {
        expiration: { type: "PX", value: LEASE_MS },
      });
      return new RedisOpLog(writer, reader, node, offset, options);
    } catch (error) {
      writer?.destroy();
      reader?.destroy();
      const reason = error instanceof Error ? error.message : String(error);
      throw new ChatError(
        "bad_arguments",
        `Cannot use Redis at ${hidePassword(options.url)}: ${reason}`,
      );
    }
  }

  onHealth(listener: (health: LogHealth) => void): void {
    this.#listeners.push(listener);
  }

  async append(op: HubOp, ticket: number, mustLand: boolean): Promise<void> {
    if (mustLand) {
      // Someone leaving must reach every node, however long Redis is away.
      while (!this.#closed) {
        try {
          await this.#xadd(op, ticket, 0);
          return;
        } catch {
          this.#trouble();
          await delay(PROBE_MS);
        }
      }
      return;
    }
    if (!this.#healthy) throw unavailable();
    const deadline = Date.now() + this.#offset + APPEND_TIMEOUT_MS;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        this.#xadd(op, ticket, deadline),
        // A little after the deadline: an entry that made it in time is usually read back by then.
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(unavailable()), APPEND_TIMEOUT_MS + 500);
        }),
      ]);
    } catch {
      this.#trouble();
      throw unavailable();
    } finally {
      clearTimeout(timer);
    }
  }

  async #xadd(op: HubOp, ticket: number, deadline: number): Promise<void> {
    await this.#writer.xAdd(STREAM, "*", {
      n: String(this.node),
      t: String(ticket),
      d: String(deadline),
      op: JSON.stringify(op),
    });
  }

  follow(apply: (entry: OpEntry) => void): Promise<void> {
    let caughtUp!: () => void;
    const ready = new Promise<void>((resolve) => caughtUp = resolve);
    this.#following = this.#read(apply, caughtUp);
    return ready;
  }

  async #read(apply: (entry: OpEntry) => void, caughtUp: () => void): Promise<void> {
    let last = "0-0";
    // The newest entry when we started: applying up to it is catching up.
    let end: string | undefined;
    let ready = false;
    let backoff = 100;
    while (!this.#closed) {
      try {
        end ??= (await this.#reader.xRevRange(STREAM, "+", "-", { COUNT: 1 }))[0]?.id ?? "0-0";
        if (!ready && compareIds(last, end) >= 0) {
          ready = true;
          caughtUp();
        }
        const answer = await this.#reader.xRead({ key: STREAM, id: last }, {
          BLOCK: READ_BLOCK_MS,
          COUNT: READ_BATCH,
        }) as { messages: { id: string; message: Record<string, string> }[] }[] | null;
        backoff = 100;
        for (const { id, message } of answer?.[0]?.messages ?? []) {
          last = id;
          const entry = this.#parse(id, message);
          if (entry !== undefined) apply(entry);
        }
      } catch (error) {
        if (this.#closed) return;
        this.#log.warn("cluster_read_failed", { error: String(error) });
        this.#trouble();
        await delay(backoff);
        backoff = Math.min(backoff * 2, 1000);
      }
    }
  }

  #parse(id: string, message: Record<string, string>): OpEntry | undefined {
    try {
      const op = JSON.parse(message.op ?? "") as HubOp;
      const deadline = Number(message.d ?? 0);
      const ms = Number(id.split("-")[0]);
      return {
        id,
        node: Number(message.n),
        ticket: Number(message.t),
        op,
        late: deadline > 0 && ms > deadline,
      };
    } catch {
      this.#log.warn("cluster_bad_entry", { id });
      return undefined;
    }
  }

  async goneNodes(nodes: readonly number[]): Promise<number[]> {
    const others = nodes.filter((node) => node !== this.node);
    // Right after Redis was away, every lease may have run out: wait until each node had time
    // to renew its own.
    if (
      others.length === 0 || !this.#healthy ||
      Date.now() - this.#healthySince < LEASE_MS + LEASE_RENEW_MS
    ) return [];
    const leases = await this.#writer.mGet(others.map((node) => LEASE_PREFIX + node));
    const gone = others.filter((_, index) => leases[index] === null);
    if (gone.length > 0) await this.#writer.hDel(NAMES, gone.map(String));
    return gone;
  }

  async nodes(): Promise<{ node: number; name: string }[]> {
    const names = Object.entries(await this.#writer.hGetAll(NAMES) as Record<string, string>)
      .map(([node, name]) => ({ node: Number(node), name }));
    if (names.length === 0) return [];
    const leases = await this.#writer.mGet(names.map(({ node }) => LEASE_PREFIX + node));
    return names.filter((_, index) => leases[index] !== null).sort((a, b) => a.node - b.node);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#renewer);
    try {
      if (this.#healthy) {
        await Promise.race([
          Promise.all([
            this.#writer.del(LEASE_PREFIX + this.node),
            this.#writer.hDel(NAMES, String(this.node)),
          ]),
          delay(500),
        ]);
      }
    } catch {
      // Redis is away: the lease runs out by itself.
    }
    this.#writer.destroy();
    this.#reader.destroy();
    await this.#following;
  }

  /** Renews the lease; Redis not answering within a second is trouble (said once). */
  async #renew(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        this.#writer.set(LEASE_PREFIX + this.node, this.name, {
          expiration: { type: "PX", value: LEASE_MS },
        }),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error("timeout")), LEASE_RENEW_MS);
        }),
      ]);
    } catch {
      this.#trouble();
    } finally {
      clearTimeout(timer);
    }
  }

  /** Redis failed us: say so once, and ask it until it answers again. */
  #trouble(): void {
    if (this.#closed) return;
    if (this.#healthy) {
      this.#healthy = false;
      this.#log.warn("cluster_degraded", { reason: "Redis is unreachable" });
      for (const listener of this.#listeners) listener("unreachable");
    }
    if (!this.#probing) void this.#probe();
  }

  async #probe(): Promise<void> {
    this.#probing = true;
    while (!this.#closed && !this.#healthy) {
      await delay(PROBE_MS);
      try {
        await Promise.race([
          this.#writer.time(),
          delay(PROBE_MS).then(() => Promise.reject(new Error("timeout"))),
        ]);
        this.#healthy = true;
        this.#healthySince = Date.now();
        this.#log.info("cluster_healthy", {});
        void this.#renew();
        for (const listener of this.#listeners) listener("healthy");
      } catch {
        // Still away.
      }
    }
    this.#probing = false;
  }
}
