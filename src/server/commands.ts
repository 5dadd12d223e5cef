/**
 * The users' slash commands, as a data table (see `command_table.ts`: argument counts are checked
 * once by `runTable`, and `/help` is generated from the table). Pure: handlers change the hub and
 * return deliveries.
 */
import { helpEntries, type TableEntry } from "../command_table.ts";
import { ChatError } from "../errors.ts";
import { quote, validateNick } from "../nick.ts";
import { cleanReason, validateText } from "../text.ts";
import {
  HISTORY_PAGE,
  MAX_ACCOUNT_PASSWORD_CHARS,
  MAX_HISTORY_PAGE,
  MAX_ROOM_LIMIT,
  MIN_ACCOUNT_PASSWORD_CHARS,
  SEARCH_RESULTS,
} from "../limits.ts";
import { searchWords } from "../store/room_log.ts";
import type { Delivery, Hub, MemberId } from "./hub.ts";
import { type Moderation, type ModerationAct } from "./moderation.ts";
import { formatTimeLeft, parseDuration } from "../duration.ts";
import type { RoomRole } from "./events.ts";
import { parseModes } from "./room_modes.ts";

/** What a handler may use. */
export interface CommandContext {
  readonly hub: Hub;
  readonly id: MemberId;
  /** The room the user is looking at. */
  readonly room: string;
  readonly now: number;
  /** Server bans and mutes. */
  readonly moderation: Moderation;
}

/** What a handler returns. */
export interface CommandResult {
  deliveries: Delivery[];
  /** Set when the user leaves: their reason, cleaned, possibly empty. */
  quit?: string;
  /** The room the user now looks at (for connections whose active room the server keeps). */
  switchTo?: string;
  /**
   * An account change the session carries out off the hub (a password is hashed or checked:
   * slow, so never in the pure hub), then records with a synchronous hub call.
   */
  account?: AccountRequest;
  /** A moderation act: logged with who did it; a new ban is enforced by the server now. */
  moderation?: ModerationAct;
}

/** What `/register`, `/login`, `/passwd` and `/unregister` ask the session to do. */
export type AccountRequest =
  | { readonly kind: "register"; readonly password: string }
  | { readonly kind: "login"; readonly nick: string; readonly password: string }
  /** `/login --token TOKEN`: single sign-on, the token names the account. */
  | { readonly kind: "login"; readonly token: string }
  | { readonly kind: "passwd"; readonly old: string; readonly password: string }
  | { readonly kind: "unregister"; readonly password: string };

/** Actions with their own allowance per connection, besides the message flood limit. */
export type LimitedAction = "nick" | "join" | "create";

/** One command of the users' table. */
export interface Command extends TableEntry<CommandContext, CommandResult> {
  /** The allowance a successful run takes from. */
  readonly limit?: LimitedAction;
}

const reply = (context: CommandContext, frame: Delivery["frame"]): CommandResult => ({
  deliveries: [{ to: [context.id], frame }],
});

const deliver = (deliveries: Delivery[]): CommandResult => ({ deliveries });

/** Checks a new account password: its length, and no spaces or control characters. */
export function newAccountPassword(password: string): string {
  const chars = [...password].length;
  if (
    chars < MIN_ACCOUNT_PASSWORD_CHARS || chars > MAX_ACCOUNT_PASSWORD_CHARS ||
    /[\s\p{Cc}]/u.test(password)
  ) {
    throw new ChatError(
      "bad_arguments",
      `A password must be ${MIN_ACCOUNT_PASSWORD_CHARS} to ${MAX_ACCOUNT_PASSWORD_CHARS} ` +
        "characters, without spaces",
    );
  }
  return password;
}

const account = (request: AccountRequest): CommandResult => ({ deliveries: [], account: request });

/** The nick of an operator running a command; throws `not_allowed` for anyone else. */
function requireOperator(context: CommandContext, what: string): string {
  if (!context.hub.isOperator(context.id)) {
    throw new ChatError("not_allowed", `Only the server's operators may ${what}`);
  }
  return context.hub.nickOf(context.id) ?? "";
}

/** `/op`, `/deop`, `/voice`, `/devoice`: one role for one member of this room, or of #ROOM. */
function roleCommand(name: string, role: RoomRole, set: boolean, summary: string): Command {
  return {
    name,
    aliases: [],
    usage: `/${name} [#ROOM] NICK`,
    summary,
    minArgs: 1,
    maxArgs: 2,
    run: (context, args) => {
      const { room, text: nick } = roomFirst(context, args);
      if (nick === "" || /\s/.test(nick)) {
        throw new ChatError("bad_arguments", `Usage: /${name} [#ROOM] NICK`);
      }
      return deliver(
        context.hub.changeModes(context.id, room, [{ kind: "role", role, nick, set }]),
      );
    },
  };
}

/** Splits `[DURATION] [REASON]`: a first word that is a duration is one. */
function durationAndReason(text: string): { durationMs?: number; reason: string } {
  const [first = "", ...rest] = text.trim().split(/\s+/);
  const durationMs = parseDuration(first);
  return durationMs === undefined
    ? { reason: cleanReason(text.trim()) }
    : { durationMs, reason: cleanReason(rest.join(" ")) };
}

/**
 * A first word `#ROOM` names the room a command acts on (nicks never hold `#`); without one, the
 * command's room. Returns the room and the rest of the argument text.
 */
function roomFirst(
  context: CommandContext,
  args: readonly string[],
): { room: string; text: string } {
  const line = args.join(" ").trim();
  if (!line.startsWith("#")) return { room: context.room, text: line };
  const space = line.search(/\s/);
  return space === -1
    ? { room: line.slice(1), text: "" }
    : { room: line.slice(1, space), text: line.slice(space).trim() };
}

/** Splits text into its first word and the rest. */
function firstWord(text: string): [string, string] {
  const space = text.search(/\s/);
  return space === -1 ? [text, ""] : [text.slice(0, space), text.slice(space).trim()];
}

function requireLogin(context: CommandContext): void {
  if (context.hub.accountOf(context.id) === undefined) {
    throw new ChatError("not_logged_in", "You are not logged in", "/login NICK PASSWORD");
  }
}

/** Parses a whole number argument from `min` to `max`; throws `bad_arguments`. */
function parseWhole(text: string, min: number, max: number, what: string): number {
  const value = Number(text);
  if (!/^[1-9]\d{0,15}$/.test(text) || value < min || value > max) {
    throw new ChatError(
      "bad_arguments",
      `${what} must be a whole number from ${min} to ${max}: got ${quote(text)}`,
    );
  }
  return value;
}

/**
 * Parses a participant limit typed by a user: a plain whole number from 1 to MAX_ROOM_LIMIT,
 * or `off`/`none` for no limit. `-1`, `1e3`, `0x10`, `08.5` and the like are refused.
 */
export function parseLimit(text: string): number | undefined {
  if (/^(off|none)$/i.test(text)) return undefined;
  if (!/^[1-9]\d{0,5}$/.test(text) || Number(text) > MAX_ROOM_LIMIT) {
    throw new ChatError(
      "room_invalid",
      `Limit must be a whole number from 1 to ${MAX_ROOM_LIMIT}, or off: got ${quote(text)}`,
    );
  }
  return Number(text);
}

function parseOnOff(text: string | undefined, fallback: boolean): boolean {
  if (text === undefined) return fallback;
  if (/^(on|yes|true)$/i.test(text)) return true;
  if (/^(off|no|false)$/i.test(text)) return false;
  throw new ChatError("bad_arguments", `Expected on or off: got ${quote(text)}`);
}

/** The server's commands, in the order /help lists them. */
export const COMMANDS: readonly Command[] = [
  {
    name: "help",
    aliases: [],
    usage: "/help",
    summary: "List the commands",
    minArgs: 0,
    maxArgs: 0,
    run: (context) => reply(context, { type: "help", commands: helpEntries(COMMANDS) }),
  },
  {
    name: "rooms",
    aliases: ["list"],
    usage: "/rooms",
    summary: "List the rooms, with members/limit and topic",
    minArgs: 0,
    maxArgs: 0,
    run: (context) => reply(context, context.hub.listRooms(context.id)),
  },
  {
    name: "join",
    aliases: [],
    limit: "join",
    usage: "/join ROOM [PASSWORD]",
    summary: "Join a room; you then talk there",
    minArgs: 1,
    maxArgs: 2,
    run: (context, [room = "", password]) =>
      deliver(context.hub.join(context.id, room, password, context.now)),
  },
  {
    name: "switch",
    aliases: ["go"],
    usage: "/switch ROOM",
    summary: "Talk in another room you are in",
    minArgs: 1,
    maxArgs: 1,
    run: (context, [room = ""]) => {
      const users = context.hub.users(context.id, room); // checks membership
      return {
        deliveries: [{
          to: [context.id],
          frame: { type: "notice", text: `Now talking in ${users.room}` },
        }],
        switchTo: users.room,
      };
    },
  },
  {
    name: "leave",
    aliases: ["part"],
    usage: "/leave [ROOM [REASON]]",
    summary: "Leave a room (this one if none is named); the others see the reason",
    minArgs: 0,
    maxArgs: 2,
    rest: true,
    run: (context, [room = context.room, reason = ""]) =>
      deliver(context.hub.leave(context.id, room, cleanReason(reason), context.now)),
  },
  {
    name: "users",
    aliases: ["names", "who"],
    usage: "/users [ROOM]",
    summary: "List who is in a room",
    minArgs: 0,
    maxArgs: 1,
    run: (context, [room = context.room]) => reply(context, context.hub.users(context.id, room)),
  },
  {
    name: "history",
    aliases: [],
    usage: "/history [N] [BEFORE]",
    summary: `Show older messages in this room: N (default ${HISTORY_PAGE}) before message BEFORE`,
    minArgs: 0,
    maxArgs: 2,
    run: (context, [count, before]) =>
      deliver(context.hub.historyPage(
        context.id,
        context.room,
        count === undefined ? HISTORY_PAGE : parseWhole(count, 1, MAX_HISTORY_PAGE, "N"),
        before === undefined ? undefined : parseWhole(before, 1, Number.MAX_SAFE_INTEGER, "BEFORE"),
      )),
  },
  {
    name: "search",
    aliases: ["find"],
    usage: "/search WORDS",
    summary: `Find messages in this room with all these words (the newest ${SEARCH_RESULTS})`,
    minArgs: 1,
    maxArgs: 1,
    rest: true,
    run: (context, [words = ""]) => {
      if (searchWords(words).length === 0) {
        throw new ChatError("bad_arguments", "Search for words: letters or digits");
      }
      return deliver(context.hub.search(context.id, context.room, words.trim(), SEARCH_RESULTS));
    },
  },
  {
    name: "msg",
    aliases: ["tell", "query"],
    usage: "/msg NICK TEXT",
    summary: "Send a private message",
    minArgs: 2,
    maxArgs: 2,
    rest: true,
    run: (context, [nick = "", text = ""]) =>
      deliver(context.hub.privateMessage(context.id, nick, text, context.now)),
  },
  {
    name: "me",
    aliases: ["action"],
    usage: "/me ACTION",
    summary: "Say what you are doing (shown as ** you ACTION)",
    minArgs: 1,
    maxArgs: 1,
    rest: true,
    run: (context, [text = ""]) =>
      deliver(context.hub.say(context.id, context.room, text, context.now, true)),
  },
  {
    name: "away",
    aliases: [],
    usage: "/away [TEXT]",
    summary: "Mark yourself away (no text: back)",
    minArgs: 0,
    maxArgs: 1,
    rest: true,
    run: (context, [text = ""]) => deliver(context.hub.setAway(context.id, text)),
  },
  {
    name: "back",
    aliases: [],
    usage: "/back",
    summary: "Mark yourself back",
    minArgs: 0,
    maxArgs: 0,
    run: (context) => deliver(context.hub.setAway(context.id, "")),
  },
  {
    name: "whois",
    aliases: [],
    usage: "/whois NICK",
    summary: "Rooms you share with someone, and how long they have been idle",
    minArgs: 1,
    maxArgs: 1,
    run: (context, [nick = ""]) => reply(context, context.hub.whois(context.id, nick, context.now)),
  },
  {
    name: "nick",
    aliases: [],
    limit: "nick",
    usage: "/nick NEW",
    summary: "Change your nick",
    minArgs: 1,
    maxArgs: 1,
    run: (context, [nick = ""]) => deliver(context.hub.rename(context.id, nick, context.now)),
  },
  {
    name: "register",
    aliases: [],
    usage: "/register PASSWORD",
    summary: "Make your nick an account: only you, logged in, may use it",
    minArgs: 1,
    maxArgs: 1,
    run: (context, [password = ""]) => {
      if (context.hub.accountOf(context.id) !== undefined) {
        throw new ChatError("bad_arguments", "You are logged in to an account already");
      }
      return account({ kind: "register", password: newAccountPassword(password) });
    },
  },
  {
    name: "login",
    aliases: ["identify"],
    usage: "/login NICK PASSWORD|--token TOKEN",
    summary: "Log in to your account and take its nick (from any other connection of yours)",
    minArgs: 2,
    maxArgs: 2,
    // `--token` is no nick (a nick never starts with `-`): the token of single sign-on.
    run: (_context, [nick = "", password = ""]) =>
      account(
        nick === "--token"
          ? { kind: "login", token: password }
          : { kind: "login", nick: validateNick(nick), password },
      ),
  },
  {
    name: "logout",
    aliases: [],
    usage: "/logout",
    summary: "Log out of your account (you keep the nick until you leave)",
    minArgs: 0,
    maxArgs: 0,
    run: (context) => {
      if (context.hub.accountOf(context.id) === undefined) {
        throw new ChatError("not_logged_in", "You are not logged in");
      }
      const deliveries = context.hub.logout(context.id);
      const result = reply(context, { type: "notice", text: "Logged out" });
      return { ...result, deliveries: [...result.deliveries, ...deliveries] };
    },
  },
  {
    name: "passwd",
    aliases: [],
    usage: "/passwd OLD NEW",
    summary: "Change your account's password",
    minArgs: 2,
    maxArgs: 2,
    run: (context, [old = "", password = ""]) => {
      requireLogin(context);
      return account({ kind: "passwd", old, password: newAccountPassword(password) });
    },
  },
  {
    name: "unregister",
    aliases: [],
    usage: "/unregister PASSWORD",
    summary: "Delete your account: the nick is free for anyone again",
    minArgs: 1,
    maxArgs: 1,
    run: (context, [password = ""]) => {
      requireLogin(context);
      return account({ kind: "unregister", password });
    },
  },
  {
    name: "create",
    aliases: [],
    limit: "create",
    usage: "/create ROOM [LIMIT]",
    summary: "Create a room and join it; you own it",
    minArgs: 1,
    maxArgs: 2,
    run: (context, [room = "", limit]) => ({
      deliveries: context.hub.createRoom(
        context.id,
        room,
        { limit: limit === undefined ? undefined : parseLimit(limit) },
        context.now,
      ),
    }),
  },
  {
    name: "topic",
    aliases: [],
    usage: "/topic [TEXT]",
    summary: "Set this room's topic (owner; no text clears it)",
    minArgs: 0,
    maxArgs: 1,
    rest: true,
    run: (context, [text = ""]) =>
      deliver(context.hub.setTopic(context.id, context.room, text, context.now)),
  },
  {
    name: "limit",
    aliases: [],
    usage: "/limit N|off",
    summary: "Set or remove this room's participant limit (owner)",
    minArgs: 1,
    maxArgs: 1,
    run: (context, [limit = ""]) =>
      deliver(context.hub.setLimit(context.id, context.room, parseLimit(limit))),
  },
  {
    name: "password",
    aliases: [],
    usage: "/password PASSWORD|off",
    summary: "Set or remove this room's password (owner)",
    minArgs: 1,
    maxArgs: 1,
    run: (context, [password = ""]) =>
      deliver(
        context.hub.setPassword(
          context.id,
          context.room,
          /^off$/i.test(password) ? undefined : password,
        ),
      ),
  },
  {
    name: "private",
    aliases: [],
    usage: "/private [on|off]",
    summary: "Hide this room from /rooms, or show it again (owner)",
    minArgs: 0,
    maxArgs: 1,
    run: (context, [value]) =>
      deliver(context.hub.setListed(context.id, context.room, !parseOnOff(value, true))),
  },
  {
    name: "persist",
    aliases: [],
    usage: "/persist [on|off]",
    summary: "Keep this room when it is empty, or let it go again (owner)",
    minArgs: 0,
    maxArgs: 1,
    run: (context, [value]) =>
      deliver(context.hub.setPersistent(context.id, context.room, parseOnOff(value, true))),
  },
  {
    name: "mode",
    aliases: [],
    usage: "/mode [#ROOM] +FLAGS|-FLAGS [NICK...]",
    summary: "Change this room's flags and who runs it (owner, operators): i invite only, " +
      "m moderated, t only operators set the topic, n only members send; o NICK operator, " +
      "v NICK voice",
    minArgs: 1,
    maxArgs: 1,
    rest: true,
    run: (context, args) => {
      const { room, text } = roomFirst(context, args);
      return deliver(context.hub.changeModes(context.id, room, parseModes(text)));
    },
  },
  roleCommand("op", "operator", true, "Make NICK an operator of this room (owner, operators)"),
  roleCommand("deop", "operator", false, "Make NICK a member only again (yourself: give up)"),
  roleCommand("voice", "voice", true, "Let NICK talk while this room is moderated"),
  roleCommand("devoice", "voice", false, "Take back NICK's voice in this room"),
  {
    name: "invite",
    aliases: [],
    usage: "/invite [NICK [#ROOM]]",
    summary: "Invite NICK to this room, or #ROOM (operators, when it is invite-only); " +
      "alone: the rooms you are invited to",
    minArgs: 0,
    maxArgs: 2,
    run: (context, [nick, room = context.room]) =>
      deliver(
        nick === undefined
          ? context.hub.invitations(context.id)
          : context.hub.invite(context.id, room.replace(/^#/, ""), nick),
      ),
  },
  {
    name: "kick",
    aliases: [],
    usage: "/kick [#ROOM] NICK [REASON]",
    summary: "Remove someone from this room, or from #ROOM (owner; operators: any room)",
    minArgs: 1,
    maxArgs: 2,
    rest: true,
    run: (context, args) => {
      const { room, text } = roomFirst(context, args);
      const [nick, reason] = firstWord(text);
      if (nick === "") {
        throw new ChatError(
          "bad_arguments",
          "Not enough arguments: usage: /kick [#ROOM] NICK [REASON]",
        );
      }
      return deliver(context.hub.kick(context.id, room, nick, cleanReason(reason), context.now));
    },
  },
  {
    name: "closeroom",
    aliases: [],
    usage: "/closeroom [#ROOM] [REASON]",
    summary:
      "Close this room, or #ROOM (owner; operators: any room); its members move to the lobby",
    minArgs: 0,
    maxArgs: 1,
    rest: true,
    run: (context, args) => {
      const { room, text: reason } = roomFirst(context, args);
      return deliver(context.hub.closeRoom(context.id, room, cleanReason(reason), context.now));
    },
  },
  {
    name: "ban",
    aliases: [],
    usage: "/ban [#ROOM] NICK|ADDRESS|CIDR [DURATION] [REASON]",
    summary: "Operators: keep someone out of the server (10m, 2h, 7d; none: for good). " +
      "Room owners (and operators naming #ROOM): /ban [#ROOM] NICK keeps them out of the room",
    minArgs: 1,
    maxArgs: 3,
    rest: true,
    run: (context, args) => {
      const by = context.hub.nickOf(context.id) ?? "";
      const { room, text } = roomFirst(context, args);
      const [target = "", more = ""] = firstWord(text);
      if (target === "") throw new ChatError("bad_arguments", "Usage: /ban [#ROOM] NICK");
      const named = args[0]?.startsWith("#") === true;
      if (!context.hub.isOperator(context.id) || named) {
        const deliveries = context.hub.roomBan(context.id, room, target, context.now);
        return { deliveries, moderation: { action: "room_ban", by, target, room } };
      }
      const { durationMs, reason } = durationAndReason(more);
      const ban = context.moderation.ban(by, target, { durationMs, reason, now: context.now });
      const left = ban.until === undefined
        ? "for good"
        : `for ${formatTimeLeft(ban.until - context.now)}`;
      return {
        ...reply(context, { type: "notice", text: `Banned ${ban.label} ${left}` }),
        moderation: {
          action: "ban",
          by,
          target: ban.label,
          reason,
          ...ban.until === undefined ? {} : { until: ban.until },
          ban,
        },
      };
    },
  },
  {
    name: "unban",
    aliases: [],
    usage: "/unban [#ROOM] NICK|ADDRESS|CIDR",
    summary: "Lift a ban (operators: the server's, or #ROOM's; room owners: this room's)",
    minArgs: 1,
    maxArgs: 2,
    run: (context, args) => {
      const by = context.hub.nickOf(context.id) ?? "";
      const { room, text: target } = roomFirst(context, args);
      if (target === "" || /\s/.test(target)) {
        throw new ChatError("bad_arguments", "Usage: /unban [#ROOM] NICK|ADDRESS|CIDR");
      }
      if (!context.hub.isOperator(context.id) || args.length > 1) {
        return {
          deliveries: context.hub.roomUnban(context.id, room, target),
          moderation: { action: "room_unban", by, target, room },
        };
      }
      const ban = context.moderation.unban(target);
      return {
        ...reply(context, { type: "notice", text: `Lifted the ban on ${ban.label}` }),
        moderation: { action: "unban", by, target: ban.label },
      };
    },
  },
  {
    name: "bans",
    aliases: [],
    usage: "/bans [#ROOM]",
    summary: "List the bans (operators: the server's, or #ROOM's; room owners: this room's)",
    minArgs: 0,
    maxArgs: 1,
    run: (context, args) => {
      const { room, text: rest } = roomFirst(context, args);
      if (rest !== "") throw new ChatError("bad_arguments", "Usage: /bans [#ROOM]");
      if (!context.hub.isOperator(context.id) || args.length > 0) {
        return deliver(context.hub.roomBans(context.id, room));
      }
      const lines = context.moderation.bans(context.now).map((ban) =>
        `${ban.label} by ${ban.by}` + (ban.reason === "" ? "" : `: ${ban.reason}`) +
        (ban.until === undefined
          ? " (for good)"
          : ` (${formatTimeLeft(ban.until - context.now)} left)`)
      );
      const text = lines.length === 0 ? "No bans" : `Bans (${lines.length}): ${lines.join("; ")}`;
      return reply(context, { type: "notice", text });
    },
  },
  {
    name: "wallops",
    aliases: [],
    usage: "/wallops TEXT",
    summary: "Operators: a message to every operator (and IRC users with user mode +w)",
    minArgs: 1,
    maxArgs: 1,
    rest: true,
    run: (context, [text = ""]) => {
      const from = requireOperator(context, "send wallops");
      validateText(text);
      return deliver([{ to: context.hub.wallopsIds(), frame: { type: "wallops", from, text } }]);
    },
  },
  {
    name: "kill",
    aliases: [],
    usage: "/kill NICK [REASON]",
    summary: "Operators: disconnect someone from the server (they may come back)",
    minArgs: 1,
    maxArgs: 2,
    rest: true,
    run: (context, [nick = "", reason = ""]) => {
      const by = requireOperator(context, "disconnect people");
      const target = context.hub.nickOf(context.hub.requireIdOf(nick)) ?? nick;
      const why = cleanReason(reason);
      return {
        ...reply(context, { type: "notice", text: `Disconnected ${target}` }),
        moderation: {
          action: "kill",
          by,
          target,
          reason: why,
          bye: `Disconnected by ${by}` + (why === "" ? "" : `: ${why}`),
        },
      };
    },
  },
  {
    name: "mute",
    aliases: [],
    usage: "/mute NICK [DURATION]",
    summary: "Operators: stop someone talking (they can still read)",
    minArgs: 1,
    maxArgs: 2,
    run: (context, [nick = "", duration]) => {
      const by = requireOperator(context, "mute people");
      const durationMs = duration === undefined ? undefined : parseDuration(duration);
      if (duration !== undefined && durationMs === undefined) {
        throw new ChatError(
          "bad_arguments",
          `Not a duration: ${quote(duration)} (try 10m, 2h, 7d)`,
        );
      }
      const mute = context.moderation.mute(by, nick, { durationMs, now: context.now });
      const target = context.hub.idOf(mute.nick);
      const deliveries: Delivery[] = [{
        to: [context.id],
        frame: { type: "notice", text: `Muted ${mute.nick}` },
      }];
      if (target !== undefined) {
        deliveries.push({
          to: [target],
          frame: { type: "notice", text: `${by} has muted you: you can read but not talk` },
        });
      }
      return {
        deliveries,
        moderation: {
          action: "mute",
          by,
          target: mute.nick,
          ...mute.until === undefined ? {} : { until: mute.until },
        },
      };
    },
  },
  {
    name: "unmute",
    aliases: [],
    usage: "/unmute NICK",
    summary: "Operators: let someone talk again",
    minArgs: 1,
    maxArgs: 1,
    run: (context, [nick = ""]) => {
      const by = requireOperator(context, "unmute people");
      context.moderation.unmute(nick);
      return {
        ...reply(context, { type: "notice", text: `${nick} may talk again` }),
        moderation: { action: "unmute", by, target: nick },
      };
    },
  },
  {
    name: "quit",
    aliases: ["exit", "close"],
    usage: "/quit [REASON]",
    summary: "Leave the chat",
    minArgs: 0,
    maxArgs: 1,
    rest: true,
    run: (_context, [reason = ""]) => ({ deliveries: [], quit: cleanReason(reason) }),
  },
];
