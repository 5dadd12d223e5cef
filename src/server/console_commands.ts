/**
 * The admin console's commands, as a data table (its `/help` is generated from it). Handlers
 * work through `AdminApi`, which the server implements, and return lines to show. Pure.
 */
import { helpEntries, runTable, type TableEntry } from "../command_table.ts";
import { ChatError } from "../errors.ts";
import { LOBBY } from "../limits.ts";
import { nickKey, quote } from "../nick.ts";
import type { AccountStore } from "../store/account_store.ts";
import type { LogFields } from "../log.ts";
import { cleanReason } from "../text.ts";
import { roomKey } from "../room_name.ts";
import { formatBytes } from "../units.ts";
import { parseLimit } from "./commands.ts";
import type { Delivery, Hub, MemberId } from "./hub.ts";

/** What the console may do to the running server. */
export interface AdminApi {
  readonly hub: Hub;
  /** Open connections, registered or not. */
  readonly connections: number;
  now(): number;
  deliver(deliveries: readonly Delivery[]): void;
  /** Disconnects someone, telling them and their rooms why; false if nobody has that nick. */
  kick(nick: string, reason: string): boolean;
  /** Starts a graceful shutdown; `restart` tells clients the server will be back. */
  shutdown(reason: string, restart?: boolean): void;
  /** The last `count` event log lines, oldest first. */
  recentEvents(count: number): string[];
  /** The event log, for admin actions no delivery records (a room made, an owner named). */
  readonly log: { info(event: string, fields?: LogFields): void };
  /** Where rooms and history are kept and how much is there; undefined when only in memory. */
  storeStats(): StoreSummary | undefined;
  /**
   * Writes a consistent copy of the store into `file`, a new file, while serving; resolves to
   * its size in bytes, or rejects with `ChatError` when it cannot (no store, the file exists...).
   */
  backup(file: string): Promise<number>;
  /** Accounts, for `/op` and `/deop`; undefined where there are none (tests). */
  readonly accounts?: { readonly store: AccountStore };
  /** Whether the server is one node of a cluster (see `requireAlone`). @default false */
  readonly clustered?: boolean;
  /** A cluster node's view of the cluster; undefined for a server alone. */
  readonly cluster?: ClusterView;
}

/** The cluster as a node last saw it (its leases, read each second). */
export interface ClusterView {
  /** The nodes alive, with how many people each has, this node marked. */
  nodes(): { node: number; name: string; people: number; self: boolean }[];
  /** The name of the node a member is connected to. */
  nodeOf(member: MemberId): string;
}

/**
 * Throws `not_allowed` on a cluster node: the console changes this node's rooms directly, which
 * the other nodes would not hear of (its changes do not go through the cluster's log yet).
 */
function requireAlone(api: AdminApi, command: string): void {
  if (api.clustered === true) {
    throw new ChatError(
      "not_allowed",
      `/${command} is not available on a cluster node yet: its change would not reach the other nodes`,
    );
  }
}

/** A store's place and size, for `/stats`. */
export interface StoreSummary {
  readonly location: string;
  readonly bytes: number;
  readonly messages: number;
}

/** What a console command returns: lines to show, and whether the console should end. */
export interface ConsoleResult {
  lines: string[];
  stop?: boolean;
}

type ConsoleCommand = TableEntry<AdminApi, ConsoleResult>;

const show = (...lines: string[]): ConsoleResult => ({ lines });

function setOperator(api: AdminApi, nick: string, operator: boolean): ConsoleResult {
  const key = nickKey(nick);
  const record = api.accounts?.store.find(key);
  if (api.accounts === undefined || record === undefined) {
    throw new ChatError(
      "bad_arguments",
      `No account is called ${quote(nick)}: they /register first`,
    );
  }
  api.accounts.store.setOperator(key, operator);
  api.log.info("moderation", {
    action: operator ? "op" : "deop",
    by: "admin",
    target: record.name,
  });
  return show(operator ? `${record.name} is an operator` : `${record.name} is no operator now`);
}

/** How many event log lines `/log` shows without an argument. */
const DEFAULT_LOG_LINES = 20;

/** Most event log lines `/log` shows at once. */
const MAX_LOG_LINES = 99_999;

/** The console's commands, in the order /help lists them. */
export const CONSOLE_COMMANDS: readonly ConsoleCommand[] = [
  {
    name: "help",
    aliases: [],
    usage: "/help",
    summary: "List the console's commands",
    minArgs: 0,
    maxArgs: 0,
    run: () => {
      const entries = helpEntries(CONSOLE_COMMANDS);
      const width = Math.max(...entries.map((entry) => entry.usage.length));
      return show(
        "Console commands:",
        ...entries.map((entry) =>
          `  ${entry.usage.padEnd(width)}  ${entry.summary}` +
          (entry.aliases.length > 0 ? ` (also ${entry.aliases.join(", ")})` : "")
        ),
      );
    },
  },
  {
    name: "rooms",
    aliases: ["list"],
    usage: "/rooms",
    summary: "List every room (private ones too) with members/limit",
    minArgs: 0,
    maxArgs: 0,
    run: (api) => {
      const rooms = api.hub.allRooms();
      return show(
        `${rooms.length} rooms, ${api.hub.size} people, ${api.connections} connections:`,
        ...rooms.map((room) => {
          const count = room.limit === undefined
            ? `${room.members.size}`
            : `${room.members.size}/${room.limit}`;
          const owner = room.owner === undefined ? undefined : api.hub.nickOf(room.owner);
          const marks = [
            room.listed ? "" : "private",
            room.password === undefined ? "" : "password",
            owner === undefined ? "" : `owner ${owner}`,
          ].filter((mark) => mark !== "");
          return `  ${room.name}  ${count}` + (marks.length > 0 ? ` (${marks.join(", ")})` : "") +
            (room.topic ? `  ${room.topic}` : "");
        }),
      );
    },
  },
  {
    name: "users",
    aliases: ["names", "who"],
    usage: "/users [ROOM]",
    summary: "List everyone (and their rooms), or one room's members",
    minArgs: 0,
    maxArgs: 1,
    run: (api, [room]) => {
      if (room !== undefined) {
        const nicks = api.hub.membersOf(room);
        return show(`In ${room} (${nicks.length}): ${nicks.join(", ") || "nobody"}`);
      }
      const ids = api.hub.ids();
      const cluster = api.cluster;
      return show(
        `${ids.length} people:`,
        ...ids.map((id) =>
          `  ${api.hub.nickOf(id)}  in ${api.hub.roomsOf(id).join(", ")}` +
          (cluster === undefined ? "" : `  (node ${cluster.nodeOf(id)})`)
        ),
      );
    },
  },
  {
    name: "nodes",
    aliases: [],
    usage: "/nodes",
    summary: "List the cluster's nodes and how many people each has (chat serve --redis)",
    minArgs: 0,
    maxArgs: 0,
    run: (api) => {
      const nodes = api.cluster?.nodes();
      if (nodes === undefined) return show("This server is on its own, not a cluster node");
      return show(
        `${nodes.length} nodes:`,
        ...nodes.map((each) =>
          `  ${each.name} (node ${each.node})  ${each.people} people` +
          (each.self ? "  (this one)" : "")
        ),
      );
    },
  },
  {
    name: "create",
    aliases: [],
    usage: "/create ROOM [LIMIT] [OWNER]",
    summary: "Create a room that stays when empty, owned by OWNER (connected) if given",
    minArgs: 1,
    maxArgs: 3,
    run: (api, args) => {
      requireAlone(api, "create");
      const [room = "", limitText, owner] =
        args.length === 2 && !/^(\d+|off|none)$/i.test(args[1] ?? "")
          ? [args[0], undefined, args[1]] // `/create class teacher`: no limit
          : args;
      const limit = limitText === undefined ? undefined : parseLimit(limitText);
      // The owner is looked up first, so a mistyped nick leaves no room behind.
      const ownerNick = owner === undefined
        ? undefined
        : api.hub.nickOf(api.hub.requireIdOf(owner));
      const deliveries = api.hub.createRoom("admin", room, { limit }, api.now());
      const name = api.hub.allRooms().find((each) => each.key === roomKey(room))?.name ?? room;
      if (ownerNick !== undefined) deliveries.push(...api.hub.setOwner("admin", name, ownerNick));
      api.log.info("create", { room: name, limit, owner: ownerNick, by: "admin" });
      api.deliver(deliveries);
      return show(`Created room ${name}` + (ownerNick ? `, owned by ${ownerNick}` : ""));
    },
  },
  {
    name: "owner",
    aliases: [],
    usage: "/owner ROOM NICK|off",
    summary: "Make someone connected the owner of a room (they may moderate it), or remove it",
    minArgs: 2,
    maxArgs: 2,
    run: (api, [room = "", nick = ""]) => {
      requireAlone(api, "owner");
      const off = nick.toLowerCase() === "off";
      const ownerNick = off ? undefined : api.hub.nickOf(api.hub.requireIdOf(nick));
      api.deliver(api.hub.setOwner("admin", room, ownerNick));
      const name = api.hub.allRooms().find((each) => each.key === roomKey(room))?.name ?? room;
      api.log.info("owner", { room: name, owner: ownerNick ?? "none", by: "admin" });
      return show(
        ownerNick === undefined ? `${name} has no owner now` : `${ownerNick} now owns ${name}`,
      );
    },
  },
  {
    name: "close",
    aliases: ["closeroom"],
    usage: "/close ROOM [REASON]",
    summary: "Close a room; its members move to the lobby",
    minArgs: 1,
    maxArgs: 2,
    rest: true,
    run: (api, [room = "", reason = ""]) => {
      requireAlone(api, "close");
      api.deliver(api.hub.closeRoom("admin", room, cleanReason(reason), api.now()));
      return show(`Closed room ${room}`);
    },
  },
  {
    name: "op",
    aliases: [],
    usage: "/op NICK",
    summary: "Make the account NICK one of the server's operators (kept in the store)",
    minArgs: 1,
    maxArgs: 1,
    run: (api, [nick = ""]) => {
      requireAlone(api, "op");
      return setOperator(api, nick, true);
    },
  },
  {
    name: "deop",
    aliases: [],
    usage: "/deop NICK",
    summary: "Take operator rights from the account NICK (not from a --admin one)",
    minArgs: 1,
    maxArgs: 1,
    run: (api, [nick = ""]) => {
      requireAlone(api, "deop");
      return setOperator(api, nick, false);
    },
  },
  {
    name: "kick",
    aliases: [],
    usage: "/kick NICK [REASON]",
    summary: "Disconnect someone, with a reason they and their rooms see",
    minArgs: 1,
    maxArgs: 2,
    rest: true,
    run: (api, [nick = "", reason = ""]) => {
      if (!api.kick(nick, cleanReason(reason))) {
        throw new ChatError("no_such_nick", `Nobody is called ${quote(nick)}`);
      }
      return show(`Kicked ${nick}`);
    },
  },
  {
    name: "announce",
    aliases: ["wall"],
    usage: "/announce [#ROOM] TEXT",
    summary: "Announce to everyone, or to one room when the text starts with #ROOM",
    minArgs: 1,
    maxArgs: 1,
    rest: true,
    run: (api, [text = ""]) => {
      requireAlone(api, "announce");
      const match = /^#(\S+)\s+([\s\S]+)$/.exec(text);
      const room = match?.[1];
      const body = match?.[2] ?? text;
      api.deliver(api.hub.announce(body, room, api.now()));
      return show(room === undefined ? "Announced to everyone" : `Announced to ${room}`);
    },
  },
  {
    name: "topic",
    aliases: [],
    usage: "/topic ROOM [TEXT]",
    summary: "Set a room's topic (no text clears it)",
    minArgs: 1,
    maxArgs: 2,
    rest: true,
    run: (api, [room = LOBBY, text = ""]) => {
      requireAlone(api, "topic");
      api.deliver(api.hub.setTopic("admin", room, text, api.now()));
      return show(text === "" ? `Cleared the topic of ${room}` : `Set the topic of ${room}`);
    },
  },
  {
    name: "log",
    aliases: ["events"],
    usage: "/log [N]",
    summary: `Show the last N events (default ${DEFAULT_LOG_LINES})`,
    minArgs: 0,
    maxArgs: 1,
    run: (api, [count]) => {
      if (count !== undefined && (!/^\d{1,5}$/.test(count) || Number(count) < 1)) {
        throw new ChatError(
          "bad_arguments",
          `N must be a whole number from 1 to ${MAX_LOG_LINES}: got "${count}"`,
        );
      }
      const lines = api.recentEvents(count === undefined ? DEFAULT_LOG_LINES : Number(count));
      return show(...(lines.length > 0 ? lines : ["No events yet"]));
    },
  },
  {
    name: "stats",
    aliases: [],
    usage: "/stats",
    summary: "Show connections, rooms, and the database's size and message count",
    minArgs: 0,
    maxArgs: 0,
    run: (api) => {
      const store = api.storeStats();
      return show(
        `Connections: ${api.connections}; people: ${api.hub.size}; rooms: ${api.hub.allRooms().length}`,
        store === undefined
          ? "Database: none: rooms and history are kept in memory only (--memory)"
          : `Database: ${store.location}, ${formatBytes(store.bytes)}, ` +
            `${store.messages} ${store.messages === 1 ? "message" : "messages"}`,
      );
    },
  },
  {
    name: "backup",
    aliases: [],
    usage: "/backup FILE",
    summary: "Write a consistent copy of the database to FILE (a new file) while serving",
    minArgs: 1,
    maxArgs: 1,
    rest: true,
    run: (api, [file = ""]) => {
      // The copy is made a few pages at a time, between the server's other work.
      api.backup(file).then(
        (bytes) => api.log.info("backup", { file, size: formatBytes(bytes) }),
        (error: unknown) =>
          api.log.info("backup_failed", {
            file,
            error: error instanceof Error ? error.message : String(error),
          }),
      );
      return show(`Backing up the database to ${file}: the event log says when it is done`);
    },
  },
  {
    name: "shutdown",
    aliases: ["stop", "quit", "exit"],
    usage: "/shutdown [--restart] [REASON]",
    summary:
      "Tell everyone, close every connection and stop the server (--restart: it is back soon)",
    minArgs: 0,
    maxArgs: 1,
    rest: true,
    run: (api, [text = ""]) => {
      const restart = /^--restart(\s|$)/.test(text);
      const reason = cleanReason(restart ? text.slice("--restart".length).trim() : text);
      if (restart) {
        api.shutdown(reason || "Server is restarting", true);
        return { lines: ["Restarting: clients wait for the server to be back"], stop: true };
      }
      api.shutdown(reason || "Server is shutting down");
      return { lines: ["Shutting down"], stop: true };
    },
  },
];

/**
 * Runs one console line. Lines without a leading `/` are taken as commands too (`rooms` works
 * like `/rooms`). Errors come back as lines starting with `!`; nothing throws.
 */
export function runConsoleLine(api: AdminApi, line: string): ConsoleResult {
  if (line.trim() === "") return show();
  try {
    return runTable(CONSOLE_COMMANDS, api, line.trim().startsWith("/") ? line : `/${line.trim()}`);
  } catch (error) {
    if (error instanceof ChatError) return show(`! ${error.message}`);
    throw error;
  }
}
