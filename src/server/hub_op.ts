/**
 * Changes to the hub as data: everything a session (or the server) does that changes the hub's
 * state is a `HubOp`, and `applyHubOp` carries one out. One server applies each op at once; the
 * nodes of a cluster apply the same ops in the same order (the order of their shared log), so
 * every node's hub holds the same rooms, nicks and messages and numbers them alike. An op holds
 * everything its outcome depends on (who, when, what), never a connection. Pure.
 */
import { runTable } from "../command_table.ts";
import { ChatError } from "../errors.ts";
import { unreachable } from "../protocol.ts";
import { type CommandResult, COMMANDS } from "./commands.ts";
import type { Delivery, Hub, Identity, MemberId, MessageKind, MessageRef } from "./hub.ts";
import { describeBan, type Moderation } from "./moderation.ts";
import type { ResumeTokens } from "./resume_tokens.ts";
import type { AccountRecord, AccountStore } from "../store/account_store.ts";
import { roomKey } from "../room_name.ts";

/** A resume asked for at registration. */
export interface ResumeRequest {
  readonly rooms: readonly { readonly room: string; readonly seq: number }[];
  /** Keys of the rooms the member may re-enter without a password or a free place. */
  readonly trusted: readonly string[];
}

/** One change to the hub. `now` is the origin's clock (ms since the epoch). */
export type HubOp =
  | {
    readonly kind: "register";
    readonly member: MemberId;
    readonly nick: string;
    readonly now: number;
    readonly identity: Identity;
    readonly resume?: ResumeRequest;
    /**
     * The digest of the session's resume token, in a cluster: a resume with the token of a
     * member still here (through another node, whose loss was not noticed yet) replaces that
     * member, and its rooms are trusted.
     */
    readonly token?: string;
    /**
     * The client's address (its host), checked against the bans when the op is applied: in a
     * cluster, a ban another node made may have reached this node only just before.
     */
    readonly address?: string;
  }
  | {
    readonly kind: "say";
    readonly member: MemberId;
    readonly room: string;
    readonly text: string;
    readonly now: number;
    readonly message: MessageKind;
    readonly ref?: MessageRef;
    readonly tags?: Readonly<Record<string, string>>;
  }
  | {
    readonly kind: "tell";
    readonly member: MemberId;
    readonly nick: string;
    readonly text: string;
    readonly now: number;
    readonly message: MessageKind;
    readonly tags?: Readonly<Record<string, string>>;
  }
  | {
    readonly kind: "tag";
    readonly member: MemberId;
    readonly target: { readonly room: string } | { readonly nick: string };
    readonly tags: Readonly<Record<string, string>>;
    readonly now: number;
  }
  | { readonly kind: "bot"; readonly member: MemberId; readonly bot: boolean }
  /** The member wants the operators' wallops, or no longer (IRC's user mode +w). */
  | { readonly kind: "wallops"; readonly member: MemberId; readonly wallops: boolean }
  | { readonly kind: "real_name"; readonly member: MemberId; readonly realName: string }
  | {
    readonly kind: "watch";
    readonly member: MemberId;
    readonly nicks: readonly string[];
    readonly watch: boolean;
  }
  /**
   * A slash command line (never one holding a password: those change no hub state). With
   * `create`, a `/join` of a room that does not exist becomes a `/create`.
   */
  | {
    readonly kind: "command";
    readonly member: MemberId;
    readonly room: string;
    readonly line: string;
    readonly now: number;
    readonly create?: boolean;
  }
  | { readonly kind: "login"; readonly member: MemberId; readonly account: string }
  | { readonly kind: "logout"; readonly member: MemberId }
  | {
    readonly kind: "rename";
    readonly member: MemberId;
    readonly nick: string;
    readonly now: number;
  }
  | {
    readonly kind: "disconnect";
    readonly member: MemberId;
    readonly reason: string;
    readonly now: number;
  }
  /** A room the server keeps (`--room`): made when missing, else kept and given the limit. */
  | {
    readonly kind: "keep_room";
    readonly name: string;
    readonly limit?: number;
    readonly now: number;
  }
  /** An account change (its hash is already made: hashing is slow, and done by the sender). */
  | { readonly kind: "account_create"; readonly record: AccountRecord }
  | { readonly kind: "account_hash"; readonly key: string; readonly hash: string }
  | { readonly kind: "account_remove"; readonly key: string }
  /**
   * `member` logged in to `account`: whoever else holds the account's nick or login leaves (the
   * newest login wins), wherever they are connected.
   */
  | {
    readonly kind: "take_over";
    readonly member: MemberId;
    readonly account: string;
    readonly now: number;
  }
  /** Every member of a cluster node that died leaves. */
  | {
    readonly kind: "node_down";
    readonly node: number;
    readonly reason: string;
    readonly now: number;
  };

/** What applying an op did. */
export interface HubOpOutcome {
  /** What to deliver (each node delivers to the members it carries). */
  readonly deliveries: Delivery[];
  /** The refusal, when the op was refused (nothing changed). */
  readonly error?: ChatError;
  /** A command's whole result, for its origin's session (its room switch, quit, account...). */
  readonly command?: CommandResult;
  /** Members removed from the hub by this op besides its own (a resume's stale holder). */
  readonly gone?: readonly MemberId[];
  /** Why they were removed, for their connections. */
  readonly goneWhy?: string;
  /** A `/join` made the room it did not find (`create`): the `/create` allowance is taken. */
  readonly created?: boolean;
}

/** How many member ids each cluster node has: a member's node is `Math.floor(id / NODE_SPAN)`. */
export const NODE_SPAN = 2 ** 32;

/** What ops need besides the hub. */
export interface HubOpContext {
  readonly hub: Hub;
  readonly moderation: Moderation;
  /**
   * Members by resume-token digest, kept by the caller across ops (a cluster's): filled by
   * registrations that carry a digest, read by later ones.
   */
  readonly tokens?: ResumeTokens;
  /** Where accounts are kept (the hub reads them too). */
  readonly accounts?: AccountStore;
}

/**
 * Carries out one op. A refusal (`ChatError`) is returned, not thrown, with nothing changed;
 * anything else thrown is a bug.
 */
export function applyHubOp(context: HubOpContext, op: HubOp): HubOpOutcome {
  try {
    return apply(context, op);
  } catch (error) {
    if (error instanceof ChatError) return { deliveries: [], error };
    throw error;
  }
}

function apply({ hub, moderation, tokens, accounts }: HubOpContext, op: HubOp): HubOpOutcome {
  switch (op.kind) {
    case "register": {
      const ban = moderation.banFor(op.nick, op.address, op.now);
      if (ban !== undefined) throw new ChatError("banned", describeBan(ban, op.now));
      const resume = op.resume;
      const deliveries: Delivery[] = [];
      let trusted = resume?.trusted ?? [];
      let gone: MemberId[] | undefined;
      const stale = resume === undefined || op.token === undefined
        ? undefined
        : tokens?.memberOf(op.token);
      if (stale !== undefined && stale !== op.member && hub.nickOf(stale) !== undefined) {
        // The same client, back through another node before its old one was noticed gone.
        trusted = [...trusted, ...hub.roomKeysOf(stale)];
        deliveries.push(...hub.disconnect(stale, "Reconnected", op.now));
        tokens?.forget(stale);
        gone = [stale];
      }
      deliveries.push(
        ...hub.register(
          op.member,
          op.nick,
          op.now,
          resume === undefined ? undefined : { rooms: resume.rooms, trusted },
          op.identity,
        ),
      );
      if (op.token !== undefined) tokens?.set(op.token, op.member);
      return gone === undefined ? { deliveries } : { deliveries, gone };
    }
    case "say":
      return {
        deliveries: hub.say(op.member, op.room, op.text, op.now, op.message, op.ref, op.tags),
      };
    case "tell":
      return {
        deliveries: hub.privateMessage(op.member, op.nick, op.text, op.now, op.message, op.tags),
      };
    case "tag":
      return { deliveries: hub.tag(op.member, op.target, op.tags, op.now) };
    case "bot":
      hub.setBot(op.member, op.bot);
      return { deliveries: [] };
    case "wallops":
      hub.setWallops(op.member, op.wallops);
      return { deliveries: [] };
    case "real_name":
      return { deliveries: hub.setRealName(op.member, op.realName) };
    case "watch":
      hub.watch(op.member, op.nicks, op.watch);
      return { deliveries: [] };
    case "command": {
      const context = { hub, id: op.member, room: op.room, now: op.now, moderation };
      let command: CommandResult;
      try {
        command = runTable(COMMANDS, context, op.line);
      } catch (error) {
        if (
          op.create !== true || !(error instanceof ChatError) || error.code !== "no_such_room"
        ) throw error;
        command = runTable(COMMANDS, context, `/create ${op.room}`);
        return { deliveries: command.deliveries, command, created: true };
      }
      return { deliveries: command.deliveries, command };
    }
    case "login":
      return { deliveries: hub.login(op.member, op.account) };
    case "logout":
      return { deliveries: hub.logout(op.member) };
    case "rename":
      return { deliveries: hub.rename(op.member, op.nick, op.now) };
    case "disconnect":
      tokens?.forget(op.member);
      return { deliveries: hub.disconnect(op.member, op.reason, op.now) };
    case "keep_room": {
      const kept = hub.allRooms().find((each) => each.key === roomKey(op.name));
      if (kept === undefined) {
        return { deliveries: hub.createRoom("admin", op.name, { limit: op.limit }, op.now) };
      }
      const deliveries: Delivery[] = [];
      if (!kept.persistent) deliveries.push(...hub.setPersistent("admin", op.name, true));
      if (op.limit !== undefined && kept.limit !== op.limit) {
        deliveries.push(...hub.setLimit("admin", op.name, op.limit));
      }
      return { deliveries };
    }
    case "account_create":
      if (accounts?.find(op.record.key) !== undefined) {
        throw new ChatError("nick_taken", `Nick ${op.record.name} is registered already`);
      }
      accounts?.create(op.record);
      return { deliveries: [] };
    case "account_hash":
      if (accounts?.find(op.key) !== undefined) accounts.setHash(op.key, op.hash);
      return { deliveries: [] };
    case "account_remove":
      accounts?.remove(op.key);
      return { deliveries: [] };
    case "take_over": {
      const deliveries: Delivery[] = [];
      const gone: MemberId[] = [];
      for (const holder of new Set([hub.idOf(op.account), hub.loggedIn(op.account)])) {
        if (holder === undefined || holder === op.member) continue;
        deliveries.push(...hub.disconnect(holder, "Logged in from another connection", op.now));
        tokens?.forget(holder);
        gone.push(holder);
      }
      return {
        deliveries,
        gone,
        goneWhy: "Your account was logged in from another connection",
      };
    }
    case "node_down": {
      const deliveries: Delivery[] = [];
      const gone: MemberId[] = [];
      for (const id of hub.ids()) {
        if (Math.floor(id / NODE_SPAN) !== op.node) continue;
        deliveries.push(...hub.disconnect(id, op.reason, op.now));
        tokens?.forget(id);
        gone.push(id);
      }
      return { deliveries, gone };
    }
    default:
      return unreachable(op);
  }
}
