/**
 * The port for a cluster's shared log of hub ops (`hub_op.ts`): every node appends the ops its
 * sessions ask for and applies every node's ops in the log's one order, so their hubs stay
 * alike. Implementation: Redis (`src/cluster/redis_op_log.ts`). Pure (types).
 */
import type { HubOp } from "./hub_op.ts";

/** One op as the log hands it back, in order. */
export interface OpEntry {
  /** The log's id of the entry (for the event log). */
  readonly id: string;
  /** The node that appended it. */
  readonly node: number;
  /** The appending node's number for the op, to match it with the session waiting for it. */
  readonly ticket: number;
  readonly op: HubOp;
  /**
   * The op reached the log after its origin had given up waiting (and told its user so): every
   * node skips it alike.
   */
  readonly late: boolean;
}

/** How a node stands with the log. */
export type LogHealth = "healthy" | "unreachable";

/** A cluster's shared log, as one node sees it. */
export interface OpLog {
  /** This node's number, unique in the cluster for as long as the log lives. */
  readonly node: number;
  /** This node's name, for people. */
  readonly name: string;
  /**
   * Appends an op. Resolves once the log holds it (it is applied when read back); rejects with
   * `ChatError` `unavailable` when the log cannot be reached in time, or at once while it is
   * known to be unreachable. With `mustLand` (someone leaving) it is instead retried until the
   * log takes it, and the promise resolves then.
   */
  append(op: HubOp, ticket: number, mustLand: boolean): Promise<void>;
  /**
   * Reads the log from its start, calling `apply` for each entry in order, until `close`.
   * Resolves once every entry that was in the log when it was called has been applied.
   */
  follow(apply: (entry: OpEntry) => void): Promise<void>;
  /** Nodes among `nodes` known to be gone: their lease expired while the log was reachable. */
  goneNodes(nodes: readonly number[]): Promise<number[]>;
  /** Called when the log becomes unreachable, and when it is back. */
  onHealth(listener: (health: LogHealth) => void): void;
  /** The cluster's nodes with their names, as their leases say. */
  nodes(): Promise<{ node: number; name: string }[]>;
  /** Stops following and renewing, drops this node's lease (others see it gone at once). */
  close(): Promise<void>;
}
