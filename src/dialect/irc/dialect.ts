/**
 * The IRC dialect: irssi, WeeChat, HexChat, bots and the irctest suite meet our rooms as
 * channels (`#games` is room `games`). Commands are a data table (`VERBS`: minimum parameters,
 * whether registration is needed, a handler returning intents); what the hub emits is worded as
 * IRC lines and numerics for one viewer. docs/IRC.md describes the mapping. Pure.
 *
 * The hub puts every user in the lobby at registration. IRC clients join what they are
 * configured to, so for an IRC user the lobby stays hidden (nothing of it is shown) until the
 * user sends `JOIN #lobby`; `PART #lobby` hides it again. The user stays a member of the lobby
 * in the hub all along, which also means leaving one's last channel never fails.
 */
import { ChatError } from "../../errors.ts";
import {
  LOBBY,
  MAX_HISTORY_QUERY,
  MAX_NICK_CHARS,
  MAX_REAL_NAME_CHARS,
  MAX_REASON_CHARS,
  MAX_ROOM_NAME_CHARS,
  MAX_TOPIC_CHARS,
  MAX_WATCHED,
} from "../../limits.ts";
import type { MessageFrame, RoomInfo, ServerFrame } from "../../protocol.ts";
import { roomKey } from "../../room_name.ts";
import { cleanReason } from "../../text.ts";
import { VERSION } from "../../version.ts";
import { safeFileName } from "../../file_name.ts";
import { formatBytes } from "../../units.ts";
import { ADMIN, type HistoryRequest, type HubEvent, type RoomChange } from "../../server/events.ts";
import {
  type Dialect,
  type DialectOptions,
  type DialectView,
  type Intent,
  NOTHING,
  type ReadOptions,
  type SharedEncodings,
  type Supports,
  type UserInfo,
} from "../dialect.ts";
import { CASEMAPPING, ircLower } from "./casemap.ts";
import { formatAction, parseCtcp } from "./ctcp.ts";
import { stripFormatting } from "./formatting.ts";
import {
  escapeTagValue,
  formatMessage,
  type IrcMessageInit,
  MAX_BODY_BYTES,
  parseMessage,
  utf8Length,
} from "./message.ts";
import { parseHistoryRequest } from "./chathistory.ts";
import { matchMask } from "./mask.ts";
import { whowasReplies } from "./whowas.ts";
import { banMask, channelModeIs, modeChanges, nickOfMask } from "./channel_modes.ts";
import { parseUserModes, userModeString } from "./user_modes.ts";
import { type ListFilter, listKeeps, parseListFilter } from "./elist.ts";
import { hashMsgid, privateMsgid, roomMsgid } from "./msgid.ts";
import * as N from "./numerics.ts";
import { MIN_SPLIT_BYTES, splitText } from "./split_text.ts";
import {
  challengeChunks,
  offeredMechanisms,
  type SaslMechanism,
  type SaslOutcome,
  SaslResponse,
} from "./sasl.ts";
import { oauthBearerFailure } from "../../sasl_oauthbearer.ts";

/** The server's name in IRC prefixes and numerics, unless `--server-name` gives another. */
export const SERVER_NAME = "chat";

/** The host in every user's `nick!user@host`: a fixed cloak (nobody's address is shown). */
export const USER_HOST = "chat";

/** The network name advertised in ISUPPORT. */
export const NETWORK = "chat";

/** IRCv3 capabilities this server offers, each fully implemented. */
export const CAPABILITIES: readonly string[] = [
  "account-notify",
  "account-tag",
  "away-notify",
  "batch",
  "cap-notify",
  "draft/chathistory",
  "echo-message",
  "extended-join",
  "labeled-response",
  "extended-monitor",
  "message-tags",
  "multi-prefix",
  "sasl",
  "server-time",
  "setname",
  "userhost-in-names",
];

/** Why a line that is not valid UTF-8 is refused (`FAIL <command> INVALID_UTF8`). */
const INVALID_UTF8 =
  "Message rejected: it is not valid UTF-8 (set your client's encoding to UTF-8)";

/** The source of NickServ's notices: a service name, as IRC clients expect. */
const NICKSERV = "NickServ";

/** The chathistory capability (the IRCv3 draft's name). */
const CHATHISTORY = "draft/chathistory";

/** ISUPPORT tokens: our limits, told truthfully. */
export const ISUPPORT: readonly string[] = [
  "BOT=B",
  `CASEMAPPING=${CASEMAPPING}`,
  `CHATHISTORY=${MAX_HISTORY_QUERY}`,
  "CHANTYPES=#",
  `CHANNELLEN=${MAX_ROOM_NAME_CHARS + 1}`,
  "CHANMODES=b,k,l,imnst",
  "ELIST=MNU",
  `KICKLEN=${MAX_REASON_CHARS}`,
  `MONITOR=${MAX_WATCHED}`,
  "MSGREFTYPES=msgid,timestamp",
  `NETWORK=${NETWORK}`,
  `NICKLEN=${MAX_NICK_CHARS}`,
  "PREFIX=(ov)@+",
  "TARGMAX=KICK:,NAMES:,NOTICE:,PART:,PRIVMSG:,WHOIS:1,WHOWAS:",
  `TOPICLEN=${MAX_TOPIC_CHARS}`,
  "UTF8ONLY",
  "WHOX",
];

/**
 * Whether a connection's first line is IRC registration: `CAP`, `NICK`, `USER` or `PASS` (any
 * case, after optional tags and source) followed by a parameter. A plain-text user whose nick is
 * literally `nick` types a bare `nick`, which is no IRC command (IRC's NICK has an argument),
 * so it stays plain text; plain nicks hold no spaces, so `nick ana` was never a plain nick.
 */
export function isIrcRegistration(line: string): boolean {
  return IRC_REGISTRATION.test(line);
}

const IRC_REGISTRATION = /^(?:@\S+ +)?(?::\S+ +)?(?:CAP|NICK|USER|PASS) +\S/i;

const SUPPORTS: Supports = { files: false, resume: false, ping: true, links: true };

/** Longest file notice that keeps its download link on the same line. */
const MAX_FILE_NOTICE_BYTES = 400;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A room the viewer is in, as the dialect tracks it. */
interface Channel {
  name: string;
  topic?: string;
  /** Who set the topic and when (ms), for 333. */
  topicBy?: string;
  topicTime?: number;
  owner?: string;
  /** The room's key (`roomKey`): its members are the hub's (`DialectView.members`). */
  key: string;
  /**
   * The room's operators besides its owner (`@`), and its voiced members (`+`), by nick as the
   * hub spells it (as in member lists: no case folding for every name of a NAMES).
   */
  operators: Set<string>;
  voiced: Set<string>;
  /** Whether the IRC user sees it (false only for the lobby until they JOIN it). */
  shown: boolean;
  /** Unlisted (`+s`): NAMES marks it `@`. */
  secret: boolean;
  /** When the room was created (ms), for 329. */
  created?: number;
}

/** What a failed intent was about, to pick its numeric. */
interface Context {
  verb: string;
  /** The channel (`#name`) or nick the command named. */
  target?: string;
  /** Say nothing about failures (NOTICE). */
  quiet?: boolean;
  /** MODE: the mode letter and its value, for 696. */
  mode?: string;
  value?: string;
  /** KICK: the nick to kick, for 441. */
  nick?: string;
  /** PRIVMSG or NOTICE to a channel: what to echo when the hub acknowledges it. */
  echo?: { text: string; action: boolean; tags?: Record<string, string> };
  /** CHATHISTORY: the subcommand, for FAIL. */
  sub?: string;
  /** AUTHENTICATE with a token (OAUTHBEARER): a refusal is a failure challenge first. */
  token?: boolean;
}

/** How a message is marked, and the client tags it carries. */
interface MessageFlags {
  action?: boolean;
  notice?: boolean;
  tags?: Record<string, string>;
}

/** Only the flags that are set (intents carry no `false`). */
function messageFlags(flags: MessageFlags): MessageFlags {
  return {
    ...(flags.action === true ? { action: true } : {}),
    ...(flags.notice === true ? { notice: true } : {}),
    ...(flags.tags === undefined ? {} : { tags: flags.tags }),
  };
}

/** An answer the dialect waits for, to word it for the command that asked. */
type Pending =
  | { kind: "list"; filter?: ListFilter }
  | { kind: "lusers" }
  | { kind: "mode"; channel: string }
  | { kind: "whois"; nick: string }
  | { kind: "help" };

/** One IRC command: its preconditions, and what it asks for. */
interface Verb {
  readonly minParams: number;
  /** Needs a registered connection (451 otherwise). */
  readonly registered: boolean;
  run(dialect: IrcDialect, params: string[], view: DialectView): Intent[];
}

/** The IRC dialect; one per connection, it keeps registration and channel state. */
export class IrcDialect implements Dialect {
  readonly name = "irc";
  readonly supports = SUPPORTS;
  /**
   * Old IRC clients may send Latin-1 or CP1252: such a line reaches `read` (invalid bytes as
   * U+FFFD) to be refused with `FAIL <command> INVALID_UTF8`, the connection kept (UTF8ONLY).
   */
  readonly lenientUtf8 = true;
  /** The server's name in prefixes and numerics. */
  readonly server: string;
  /** The server's description (`LINKS`, `WHOIS`). */
  readonly serverInfo: string;

  /** The nick asked for with NICK before registration. */
  nickWanted: string | undefined;
  /** The server password given with `PASS` before registering. */
  password: string | undefined;
  /** The user name from USER. */
  user: string | undefined;
  /** The real name from USER. */
  realName = "";
  /** `ls` while CAP negotiation is under way (registration waits for CAP END). */
  capState: "none" | "ls" | "done" = "none";
  readonly #caps = new Set<string>();
  /** The keys this viewer's shared encodings go by, made from the capabilities. */
  #sharedKeys: { message: string; join: string } | undefined;
  /** Nicks the user MONITORs, by `ircLower`, as the user spelled them. */
  readonly monitored = new Map<string, string>();
  /** Rooms the viewer is in, by room key. */
  readonly channels = new Map<string, Channel>();
  /** A SASL exchange under way: its mechanism and the response gathered so far. */
  sasl: { mechanism: SaslMechanism; response: SaslResponse } | undefined;
  /**
   * A token refused (OAUTHBEARER): the failure challenge was sent, and the reason waits for the
   * client's answer to it (`AUTHENTICATE AQ==`), then goes out with 904.
   */
  saslRefused: string | undefined;
  /** The SASL mechanisms offered, by name. */
  readonly mechanisms: Readonly<Record<string, SaslMechanism>>;
  /** The account SASL logged in to (907 for another AUTHENTICATE). */
  saslAccount: string | undefined;
  /** Room keys known to exist, from the last room list. */
  directory = new Set<string>();
  #registering = false;
  #lusers: { users: number; channels: number } = { users: 0, channels: 0 };
  #pending: Pending[] = [];
  #contexts = new Map<string, Context>();
  #lineContext: Context | undefined;
  #next = 0;
  #nextBatch = 0;
  /** Client tags (`+name`) of the line being read, when the client speaks message-tags. */
  #clientTags: Record<string, string> | undefined;
  /** A room's history being replayed after its entry: how many messages are left, in a batch? */
  #replay: { key: string; left: number; batch?: string; skip: boolean } | undefined;
  /** The `label` of the line being handled (labeled-response), and the lines held back for it. */
  #label: string | undefined;
  /** Lines that follow the labelled answer without the label (a message to yourself). */
  #afterLabel: string[] = [];
  #held: string[] = [];
  /** The connection's view, from the last read or encode (for user names in prefixes). */
  #view: DialectView | undefined;

  /** The identity provider's discovery URL, for the OAUTHBEARER failure challenge. */
  readonly #tokenConfiguration: string | undefined;

  constructor(options: DialectOptions = {}) {
    this.server = options.serverName ?? SERVER_NAME;
    this.serverInfo = options.serverInfo ?? `chat ${VERSION}`;
    this.mechanisms = offeredMechanisms(options.tokens !== undefined);
    this.#tokenConfiguration = options.tokens?.configuration;
  }

  /** A capability's value, shown in `CAP LS 302` (`sasl=PLAIN,OAUTHBEARER`). */
  capabilityValue(name: string): string | undefined {
    return name === "sasl" ? Object.keys(this.mechanisms).join(",") : undefined;
  }

  /** The `nick!user@host` prefix of a user (the host is a fixed cloak). */
  prefix(nick: string): string {
    return `${nick}!${this.#userName(nick)}@${USER_HOST}`;
  }

  /** A nick's user name: theirs now, or the last one's who went by it (a QUIT, a NICK). */
  #userName(nick: string): string {
    const view = this.#view;
    return view?.user(nick)?.user ?? view?.departed(nick)[0]?.user ?? nick;
  }

  /** The nicks of a channel's members, from the hub. */
  #members(channel: Channel): readonly string[] {
    return this.#view?.members(channel.key) ?? [];
  }

  /** Whether someone (not the viewer) is in a channel the viewer sees. */
  #sharesShown(nick: string): boolean {
    return (this.#view?.roomKeysOf(nick) ?? []).some((key) => this.channels.get(key)?.shown);
  }

  /** The prefix for an actor: a nick, or the server for the admin. */
  source(by: string): string {
    return by === ADMIN || by.includes(" ") ? this.server : this.prefix(by);
  }

  read(line: string, view: DialectView, options: ReadOptions = {}): Intent[] {
    this.#view = view;
    this.#pending = [];
    this.#contexts.clear();
    this.#lineContext = undefined;
    const parsed = parseMessage(line);
    if (!parsed.ok) {
      switch (parsed.error.reason) {
        case "empty":
        case "no_command":
          return [];
        case "line_too_long":
        case "tags_too_long":
          return [this.numerics(view, [N.ERR_INPUTTOOLONG, "Input line was too long"])];
        case "bad_character":
          return [this.numerics(view, [N.ERR_UNKNOWNERROR, "*", parsed.error.message])];
      }
    }
    // A client-supplied source is never trusted: it is ignored.
    const { command, params, tags } = parsed.message;
    this.#label = this.caps.has("labeled-response") ? tags.get("label") : undefined;
    this.#held = [];
    this.#clientTags = undefined;
    if (this.caps.has("message-tags")) {
      const own = [...tags].filter(([name]) => name.startsWith("+"));
      if (own.length > 0) this.#clientTags = Object.fromEntries(own);
    }
    if (options.invalidUtf8 === true) {
      // UTF8ONLY: the line is refused, whatever its command; the connection stays.
      const params = [command, "INVALID_UTF8", INVALID_UTF8];
      return [this.raw([formatMessage({ source: this.server, command: "FAIL", params })])];
    }
    const verb = VERBS[command];
    if (verb === undefined) {
      return [this.numerics(view, [N.ERR_UNKNOWNCOMMAND, command, "Unknown command"])];
    }
    if (verb.registered && view.nick === undefined) {
      return [this.numerics(view, [N.ERR_NOTREGISTERED, "You have not registered"])];
    }
    if (params.length < verb.minParams) {
      return [this.numerics(view, [N.ERR_NEEDMOREPARAMS, command, "Not enough parameters"])];
    }
    this.#lineContext = { verb: command, target: params[0] };
    return verb.run(this, params, view);
  }

  /** A slash command for the hub, with a context for its failure. */
  command(line: string, room: string, context: Context): Intent {
    const id = this.#remember(context);
    return { kind: "command", line, room, id };
  }

  /** While a labelled line is handled, its answer is held back, to be labelled as a whole. */
  hold(bytes: Uint8Array): Uint8Array {
    if (this.#label === undefined) return bytes;
    this.#held.push(...decoder.decode(bytes).split("\r\n").filter((each) => each !== ""));
    return NOTHING;
  }

  /**
   * A labelled line is handled: its answer goes out labelled (labeled-response): one line with
   * the label, several in a `labeled-response` batch, none as a labelled ACK.
   */
  lineDone(): Uint8Array {
    const label = this.#label;
    if (label === undefined) return NOTHING;
    const held = this.#held;
    const after = this.#afterLabel;
    this.#label = undefined;
    this.#held = [];
    this.#afterLabel = [];
    if (held.length === 0) {
      return toBytes([withTag(line(this.server, "ACK"), "label", label), ...after]);
    }
    if (held.length === 1) return toBytes([withTag(held[0] ?? "", "label", label), ...after]);
    const batch = this.#batchId();
    return toBytes([
      withTag(line(this.server, "BATCH", "+" + batch, "labeled-response"), "label", label),
      ...held.map((each) => withTag(each, "batch", batch)),
      line(this.server, "BATCH", "-" + batch),
      ...after,
    ]);
  }

  /** The client tags of the line being read (message-tags), if any. */
  get clientTags(): Record<string, string> | undefined {
    return this.#clientTags;
  }

  /** A message to a room, with a context for its failure (and its echo). */
  say(room: string, text: string, context: Context, flags: MessageFlags = {}): Intent {
    return { kind: "say", room, text, id: this.#remember(context), ...messageFlags(flags) };
  }

  /** A private message, with a context for its failure. */
  tell(nick: string, text: string, context: Context, flags: MessageFlags = {}): Intent {
    return { kind: "tell", nick, text, id: this.#remember(context), ...messageFlags(flags) };
  }

  /** JOIN of one room: joined if it exists, created (the user owns it) if not. */
  join(room: string, key: string | undefined, context: Context): Intent {
    const id = this.#remember(context);
    return key === undefined
      ? { kind: "join", room, create: true, id }
      : { kind: "join", room, password: key, create: true, id };
  }

  /** Client tags without a message (TAGMSG), to a room or a nick. */
  tag(
    target: { room: string } | { nick: string },
    tags: Record<string, string>,
    context: Context,
  ): Intent {
    return { kind: "tag", ...target, tags, id: this.#remember(context) };
  }

  /** A login to an account (SASL, OPER), with a context for its failure. */
  authenticate(
    account: string,
    password: string,
    purpose: "sasl" | "oper",
    context: Context,
  ): Intent {
    return { kind: "authenticate", account, password, purpose, id: this.#remember(context) };
  }

  /** The login a SASL mechanism read from the client's response. */
  saslLogin(outcome: Extract<SaslOutcome, { ok: true }>): Intent {
    if (!("token" in outcome)) {
      return this.authenticate(outcome.account, outcome.password, "sasl", {
        verb: "AUTHENTICATE",
      });
    }
    const id = this.#remember({ verb: "AUTHENTICATE", token: true });
    return outcome.account === undefined
      ? { kind: "authenticate", token: outcome.token, purpose: "sasl", id }
      : {
        kind: "authenticate",
        token: outcome.token,
        account: outcome.account,
        purpose: "sasl",
        id,
      };
  }

  /**
   * A refused token (RFC 7628 section 3.2.2): the failure challenge (the identity provider's
   * discovery URL in it, when known); the reason waits for the client's answer.
   */
  #tokenRefused(reason: string): string[] {
    this.saslRefused = reason;
    const challenge = encoder.encode(oauthBearerFailure(this.#tokenConfiguration));
    return challengeChunks(challenge).map((chunk) => line(undefined, "AUTHENTICATE", chunk));
  }

  /** A history query (CHATHISTORY) for a room. */
  history(room: string, query: HistoryRequest, context: Context): Intent {
    return { kind: "history", room, query, id: this.#remember(context) };
  }

  /** Waits for an answer frame (a room list, a whois) to word it for the asking command. */
  expect(pending: Pending): void {
    this.#pending.push(pending);
  }

  #remember(context: Context): string {
    const id = `irc${++this.#next}`;
    this.#contexts.set(id, context);
    return id;
  }

  /** Bytes for this connection: numerics from the server. */
  numerics(view: DialectView, ...replies: string[][]): Intent {
    const target = view.nick ?? "*";
    const lines = replies.map(([code = "", ...rest]) =>
      formatMessage({ source: this.server, command: code, params: [target, ...rest] })
    );
    return this.raw(lines);
  }

  /** Bytes for this connection: whole lines. */
  raw(lines: string[]): Intent {
    return { kind: "raw", bytes: toBytes(lines) };
  }

  /** The intents a registration waits for, once NICK, USER and CAP END have all come. */
  tryRegister(view: DialectView): Intent[] {
    if (view.nick !== undefined || this.capState === "ls") return [];
    if (this.nickWanted === undefined || this.user === undefined) return [];
    // A refused nick (433, 432) names the nick tried, whichever line completed registration.
    this.#lineContext = { verb: "NICK", target: this.nickWanted };
    // A SASL exchange left unfinished is aborted; registration goes on without a login.
    const aborted = this.sasl === undefined && this.saslRefused === undefined
      ? []
      : [this.numerics(view, [N.ERR_SASLABORTED, "SASL authentication aborted"])];
    this.sasl = undefined;
    this.saslRefused = undefined;
    return [...aborted, {
      kind: "register",
      nick: this.nickWanted,
      user: this.user,
      realName: this.realName,
      ...this.password === undefined ? {} : { password: this.password },
    }];
  }

  /**
   * The lines showing the viewer's entry to a channel: JOIN, topic, names (`members`: the room
   * frame's, as they were when the viewer came in).
   */
  joinLines(channel: Channel, self: string, members?: readonly string[]): string[] {
    return [
      this.#joinLine(self, "#" + channel.name),
      ...this.topicLines(channel, self, false),
      ...this.namesLines(channel, self, members),
    ];
  }

  /** 332 and 333 for a channel's topic; without one, 331 if `none` (TOPIC asked), else nothing. */
  topicLines(channel: Channel, self: string, none: boolean): string[] {
    const name = "#" + channel.name;
    if (channel.topic === undefined) {
      return none ? [this.numeric(self, N.RPL_NOTOPIC, name, "No topic is set")] : [];
    }
    return [
      this.numeric(self, N.RPL_TOPIC, name, channel.topic),
      ...(channel.topicBy === undefined || channel.topicTime === undefined ? [] : [
        this.numeric(
          self,
          N.RPL_TOPICWHOTIME,
          name,
          channel.topicBy,
          String(Math.floor(channel.topicTime / 1000)),
        ),
      ]),
    ];
  }

  /**
   * Someone quit: gone from the channels' roles. Whether the viewer sees it: they were in a
   * channel it sees.
   */
  #quitSeen(event: Extract<HubEvent, { type: "quit" }>): boolean {
    for (const channel of this.channels.values()) {
      forget(channel, event.nick);
      // Ownership ends with the connection (the hub's rule): the nick's next holder is not it.
      if (isOwner(channel, event.nick)) channel.owner = undefined;
    }
    return (event.roomKeys ?? []).some((key) => this.channels.get(key)?.shown);
  }

  #quitLines(event: Extract<HubEvent, { type: "quit" }>): string[] {
    return [line(this.prefix(event.nick), "QUIT", event.reason ?? "Quit")];
  }

  /** Someone's JOIN, and with away-notify their AWAY if they are away. */
  #joinLines(nick: string, channel: string): string[] {
    const away = this.caps.has("away-notify") ? this.#view?.user(nick)?.away : undefined;
    return [
      this.#joinLine(nick, channel),
      ...(away === undefined ? [] : [line(this.prefix(nick), "AWAY", away)]),
    ];
  }

  /** A JOIN; with extended-join, with the account (`*` for none) and the real name. */
  #joinLine(nick: string, channel: string): string {
    if (!this.caps.has("extended-join")) return line(this.prefix(nick), "JOIN", channel);
    const info = this.#info(nick);
    const realName = info.realName === "" ? info.nick : info.realName;
    return line(this.prefix(nick), "JOIN", channel, info.account ?? "*", realName);
  }

  /** 353 and 366 for a channel: its members now, or `members`. */
  namesLines(channel: Channel, self: string, members?: readonly string[]): string[] {
    const full = this.caps.has("userhost-in-names");
    const names = (members ?? this.#members(channel)).map((nick) =>
      this.#statusPrefix(channel, nick) + (full ? this.prefix(nick) : nick)
    );
    const lines: string[] = [];
    const kind = channel.secret ? "@" : "=";
    const head = `:${this.server} ${N.RPL_NAMREPLY} ${self} ${kind} #${channel.name} :`;
    let batch: string[] = [];
    // The line's length so far, kept as names are added (not measured again for each one).
    const headLength = utf8Length(head);
    let length = headLength;
    for (const name of names) {
      const size = utf8Length(name);
      if (batch.length > 0 && length + 1 + size > MAX_BODY_BYTES) {
        lines.push(this.numeric(self, N.RPL_NAMREPLY, kind, "#" + channel.name, batch.join(" ")));
        batch = [];
        length = headLength;
      }
      length += (batch.length > 0 ? 1 : 0) + size;
      batch.push(name);
    }
    if (batch.length > 0) {
      lines.push(this.numeric(self, N.RPL_NAMREPLY, kind, "#" + channel.name, batch.join(" ")));
    }
    lines.push(this.numeric(self, N.RPL_ENDOFNAMES, "#" + channel.name, "End of /NAMES list"));
    return lines;
  }

  /**
   * A member's prefix in NAMES, WHO and WHOIS: `@` for an operator (the owner is one), `+` for
   * voice; both (`@+`) with multi-prefix, else the highest.
   */
  #statusPrefix(channel: Channel, nick: string): string {
    const prefix = channelStatus(channel, nick);
    return this.caps.has("multi-prefix") ? prefix : prefix.slice(0, 1);
  }

  /** 352 (or WHOX 354) lines for a channel's members, without the 315. */
  whoLines(channel: Channel, self: string, whox?: Whox): string[] {
    return this.#members(channel).map((nick) =>
      this.whoLine(
        self,
        "#" + channel.name,
        this.#info(nick),
        this.#statusPrefix(channel, nick),
        whox,
      )
    );
  }

  /**
   * One 352: `channel user host server nick flags :hops realname`; with WHOX, one 354 with the
   * fields asked for, in WHOX's order (`tcuihsnfdlaor`). No IP is shown, accounts and op levels
   * do not exist, and idle time is in WHOIS only (0 here). `status` is the member's prefix in
   * the channel (`@`, `+`).
   */
  whoLine(self: string, channel: string, info: UserInfo, status = "", whox?: Whox): string {
    const flags = (info.away === undefined ? "H" : "G") + (info.operator ? "*" : "") +
      (info.bot ? "B" : "") + status;
    const realName = info.realName === "" ? info.nick : info.realName;
    if (whox !== undefined) {
      const values: Record<string, string> = {
        t: whox.token,
        c: channel,
        u: info.user,
        i: "255.255.255.255",
        h: USER_HOST,
        s: this.server,
        n: info.nick,
        f: flags,
        d: "0",
        l: "0",
        a: info.account ?? "0",
        o: "n/a",
        r: realName,
      };
      const fields = [...WHOX_FIELDS].filter((field) => whox.fields.includes(field));
      return this.numeric(self, N.RPL_WHOSPCRPL, ...fields.map((field) => values[field] ?? "*"));
    }
    return this.numeric(
      self,
      N.RPL_WHOREPLY,
      channel,
      info.user,
      USER_HOST,
      this.server,
      info.nick,
      flags,
      `0 ${realName}`,
    );
  }

  /** What is known of a nick: the hub's answer, or the nick alone for someone gone. */
  #info(nick: string): UserInfo {
    return this.#view?.user(nick) ?? { nick, user: this.#userName(nick), realName: "" };
  }

  numeric(self: string, code: string, ...params: string[]): string {
    return line(this.server, code, self, ...params);
  }

  /** The channel for `#name` the viewer is in and sees, if any. */
  shownChannel(name: string): Channel | undefined {
    const channel = this.channels.get(roomKey(name));
    return channel?.shown ? channel : undefined;
  }

  // ---- encoding ------------------------------------------------------------------------------

  /** The IRCv3 capabilities the client asked for (`CAP REQ`). */
  get caps(): ReadonlySet<string> {
    return this.#caps;
  }

  /** Turns capabilities on (`name`) and off (`-name`), in order. */
  changeCaps(wanted: readonly string[]): void {
    for (const each of wanted) {
      if (each.startsWith("-")) this.#caps.delete(each.slice(1));
      else this.#caps.add(each);
    }
    this.#sharedKeys = undefined;
  }

  /** The keys this viewer's shared encodings go by (one per set of capabilities that matter). */
  #keys(): { message: string; join: string } {
    return this.#sharedKeys ??= {
      message: "irc" + (this.caps.has("server-time") ? "+time" : "") +
        (this.caps.has("message-tags") ? "+tags" : "") +
        (this.caps.has("account-tag") ? "+account" : ""),
      join: "irc-join" + (this.caps.has("extended-join") ? "+extended" : "") +
        (this.caps.has("away-notify") ? "+away" : ""),
    };
  }

  encode(event: HubEvent, view: DialectView, shared: SharedEncodings): Uint8Array {
    this.#view = view;
    if (event.type === "message") {
      const channel = this.channels.get(roomKey(event.room));
      if (channel === undefined || !channel.shown) return NOTHING;
      // A replayed message belongs to this viewer's replay (its batch): not shared.
      if (event.history === true) return toBytes(this.#replayed(event));
      const key = this.#keys().message;
      let bytes = shared.get(key);
      if (bytes === undefined) {
        bytes = toBytes(this.#messageLines(event));
        shared.set(key, bytes);
      }
      return bytes;
    }
    if (event.type === "quit") {
      // Who sees a QUIT depends on the viewer; the line does not: made once for all of them.
      if (!this.#quitSeen(event)) return NOTHING;
      let bytes = shared.get("irc-quit");
      if (bytes === undefined) {
        bytes = toBytes(this.#quitLines(event));
        shared.set("irc-quit", bytes);
      }
      return bytes;
    }
    if (event.type === "join") {
      // Everyone in the room gets the same JOIN (per capabilities): made once, like messages.
      const channel = this.channels.get(roomKey(event.room));
      if (channel === undefined || !channel.shown) return NOTHING;
      const key = this.#keys().join;
      let bytes = shared.get(key);
      if (bytes === undefined) {
        bytes = toBytes(this.#joinLines(event.nick, "#" + channel.name));
        shared.set(key, bytes);
      }
      return bytes;
    }
    const lines = this.#lines(event, view.nick ?? "*");
    return lines.length === 0 ? NOTHING : toBytes(lines);
  }

  /** A room message as IRC lines, with the tags this viewer asked for (and `extra`). */
  #messageLines(event: MessageFrame, extra: Record<string, string> = {}): string[] {
    const verb = event.notice === true ? "NOTICE" : "PRIVMSG";
    return textLines(this.prefix(event.nick), verb, "#" + event.room, event.text, {
      action: event.action === true,
      tags: { ...this.#tags(event.time, roomMsgid(event), event.tags, event.nick), ...extra },
    });
  }

  /**
   * Tags for a message: `time` (server-time), `msgid`, client tags and `bot` for a sender in bot
   * mode (message-tags).
   */
  #tags(
    time: number,
    msgid: string,
    tags?: Readonly<Record<string, string>>,
    from?: string,
  ): Record<string, string> {
    const sender = from === undefined ? undefined : this.#view?.user(from);
    const bot = sender?.bot === true;
    const account = this.caps.has("account-tag") ? sender?.account : undefined;
    return {
      ...(this.caps.has("server-time") ? { time: new Date(time).toISOString() } : {}),
      ...(this.caps.has("message-tags") ? { msgid, ...tags, ...(bot ? { bot: "" } : {}) } : {}),
      ...(account === undefined ? {} : { account }),
    };
  }

  /** A line with its sender's `account` tag, for a client with account-tag, when logged in. */
  #withAccount(formatted: string, from: string): string {
    const account = this.caps.has("account-tag") ? this.#view?.user(from)?.account : undefined;
    return account === undefined ? formatted : withTag(formatted, "account", account);
  }

  /**
   * A message of the history replayed after a room's entry: in a `chathistory` batch for a
   * client that speaks batch, and not at all for one that asks with CHATHISTORY itself.
   */
  #replayed(event: MessageFrame): string[] {
    const replay = this.#replay?.key === roomKey(event.room) ? this.#replay : undefined;
    if (replay === undefined) return this.#messageLines(event);
    replay.left--;
    const lines = replay.skip
      ? []
      : this.#messageLines(event, replay.batch === undefined ? {} : { batch: replay.batch });
    if (replay.left <= 0) {
      this.#replay = undefined;
      if (replay.batch !== undefined) lines.push(line(this.server, "BATCH", "-" + replay.batch));
    }
    return lines;
  }

  /**
   * Whether the viewer follows someone else's changes: they share a channel it sees, or it
   * MONITORs them with extended-monitor.
   */
  #follows(nick: string, self: string): boolean {
    const lower = ircLower(nick);
    if (lower === ircLower(self)) return false;
    return this.#sharesShown(nick) ||
      (this.caps.has("extended-monitor") && this.monitored.has(lower));
  }

  /** A new batch id for this connection. */
  #batchId(): string {
    return `b${++this.#nextBatch}`;
  }

  #lines(event: HubEvent, self: string): string[] {
    switch (event.type) {
      case "welcome":
        this.#registering = true;
        return this.#welcome(event.nick);
      case "rooms":
        return this.#rooms(event.rooms, self);
      case "room":
        return this.#room(event, self);
      case "left":
        return this.#left(event, self);
      case "join": {
        const channel = this.channels.get(roomKey(event.room));
        if (channel === undefined || !channel.shown) return [];
        return this.#joinLines(event.nick, "#" + channel.name);
      }
      case "leave": {
        const channel = this.channels.get(roomKey(event.room));
        if (channel === undefined) return [];
        forget(channel, event.nick);
        if (!channel.shown) return [];
        if (event.kickedBy !== undefined) {
          return [
            line(
              this.source(event.kickedBy),
              "KICK",
              "#" + channel.name,
              event.nick,
              event.reason ?? "",
            ),
          ];
        }
        return [
          event.reason === undefined
            ? line(this.prefix(event.nick), "PART", "#" + channel.name)
            : line(this.prefix(event.nick), "PART", "#" + channel.name, event.reason),
        ];
      }
      case "quit":
        return this.#quitSeen(event) ? this.#quitLines(event) : [];
      case "nick": {
        const old = ircLower(event.old);
        const seen = old === ircLower(self) || ircLower(event.new) === ircLower(self) ||
          this.#sharesShown(event.new);
        for (const channel of this.channels.values()) {
          for (const role of [channel.operators, channel.voiced]) {
            if (role.delete(event.old)) role.add(event.new);
          }
          if (channel.owner !== undefined && ircLower(channel.owner) === old) {
            channel.owner = event.new;
          }
        }
        // The user name is theirs now, under the new nick (the old one is free).
        const user = this.#view?.user(event.new)?.user ?? this.#userName(event.old);
        const from = `${event.old}!${user}@${USER_HOST}`;
        return seen ? [line(from, "NICK", event.new)] : [];
      }
      case "topic": {
        const channel = this.channels.get(roomKey(event.room));
        if (channel === undefined) return [];
        channel.topic = event.topic === "" ? undefined : event.topic;
        channel.topicBy = event.nick;
        channel.topicTime = event.time;
        return channel.shown
          ? [line(this.source(event.nick), "TOPIC", "#" + channel.name, event.topic)]
          : [];
      }
      case "mode":
        return this.#mode(event.room, event.by, event.changes);
      case "invite":
        // The invited member gets the INVITE, the one who invited 341.
        if (ircLower(event.nick) !== ircLower(self)) {
          return [this.numeric(self, N.RPL_INVITING, event.nick, "#" + event.room)];
        }
        return [this.#withAccount(
          line(this.prefix(event.by), "INVITE", event.nick, "#" + event.room),
          event.by,
        )];
      case "invitations":
        return [
          ...event.rooms.map((room) => this.numeric(self, N.RPL_INVITELIST, "#" + room)),
          this.numeric(self, N.RPL_ENDOFINVITELIST, "End of /INVITE list"),
        ];
      case "private": {
        const mine = ircLower(event.from) === ircLower(self);
        const toSelf = mine && ircLower(event.to) === ircLower(self);
        const echo = mine && this.caps.has("echo-message");
        if (mine && !echo && !toSelf) return [];
        const verb = event.notice === true ? "NOTICE" : "PRIVMSG";
        const lines = textLines(this.prefix(event.from), verb, mine ? event.to : self, event.text, {
          action: event.action === true,
          tags: this.#tags(event.time, privateMsgid(event), event.tags, event.from),
        });
        return echo && toSelf ? this.#echoedToSelf(lines) : lines;
      }
      case "users":
      case "message":
        return [];
      case "whois":
        return this.#whois(event, self);
      case "announce": {
        const channel = event.room === undefined ? undefined : this.shownChannel(event.room);
        return textLines(this.server, "NOTICE", channel ? "#" + channel.name : self, event.text);
      }
      case "notice":
        return textLines(this.server, "NOTICE", self, event.text);
      case "help": {
        const pending = this.#pending.shift();
        if (pending?.kind !== "help") {
          return event.commands.flatMap((entry) =>
            textLines(this.server, "NOTICE", self, `${entry.usage}: ${entry.summary}`)
          );
        }
        return [
          this.numeric(
            self,
            N.RPL_HELPSTART,
            "*",
            "Commands of chat's own clients (IRC: see docs/IRC.md)",
          ),
          ...event.commands.map((entry) =>
            this.numeric(self, N.RPL_HELPTXT, "*", `${entry.usage}: ${entry.summary}`)
          ),
          this.numeric(self, N.RPL_ENDOFHELP, "*", "End of /HELP"),
        ];
      }
      case "file": {
        const channel = event.room === undefined ? undefined : this.shownChannel(event.room);
        const target = channel ? "#" + channel.name : self;
        const what = `${event.from} shared ${safeFileName(event.name)} (${
          formatBytes(event.size)
        })`;
        if (event.url === undefined) {
          return textLines(this.server, "NOTICE", target, `${what}: use chat join to get it`);
        }
        // The link last, a word of its own, so clients make it clickable; on a line of its own
        // when the two would not fit one line, so splitting never cuts it.
        const text = `${what}: ${event.url}`;
        return utf8Length(text) <= MAX_FILE_NOTICE_BYTES
          ? textLines(this.server, "NOTICE", target, text)
          : [
            ...textLines(this.server, "NOTICE", target, `${what}, download link:`),
            line(this.server, "NOTICE", target, event.url),
          ];
      }
      case "error":
        return this.#failure(new ChatError(event.code, event.message), undefined, self);
      case "failure":
        return this.#failure(event.error, event.ref, self);
      case "bye":
        return [line(undefined, "ERROR", `Closing link: ${event.reason}`)];
      case "ping":
        return [line(undefined, "PING", event.token ?? this.server)];
      case "away":
        return event.text === undefined
          ? [this.numeric(self, N.RPL_UNAWAY, "You are no longer marked as being away")]
          : [this.numeric(self, N.RPL_NOWAWAY, "You have been marked as being away")];
      case "away_reply":
        return [this.numeric(self, N.RPL_AWAY, event.nick, event.text)];
      case "ownership":
        return textLines(
          this.server,
          "NOTICE",
          self,
          event.given
            ? `${event.by} made you the owner of #${event.room}`
            : `${event.by} took away your ownership of #${event.room}`,
        );
      case "search_results":
        return textLines(
          SERVER_NAME,
          "NOTICE",
          self,
          event.count === 0
            ? `No message in #${event.room} has "${event.words}"`
            : `${event.count} messages in #${event.room} with "${event.words}" follow, newest first`,
        );
      case "history_page":
        return textLines(
          SERVER_NAME,
          "NOTICE",
          self,
          event.count === 0
            ? `No older messages in #${event.room}`
            : `${event.count} older messages in #${event.room} follow`,
        );
      case "ack":
        return this.#echo(event, self);
      case "user_away": {
        if (!this.caps.has("away-notify") || !this.#follows(event.nick, self)) return [];
        const from = this.prefix(event.nick);
        return [event.text === undefined ? line(from, "AWAY") : line(from, "AWAY", event.text)];
      }
      case "account":
        if (!this.caps.has("account-notify") || !this.#follows(event.nick, self)) return [];
        return [line(this.prefix(event.nick), "ACCOUNT", event.account ?? "*")];
      case "real_name": {
        const mine = ircLower(event.nick) === ircLower(self);
        if (!this.caps.has("setname") || !(mine || this.#follows(event.nick, self))) return [];
        return [line(this.prefix(event.nick), "SETNAME", event.realName)];
      }
      case "wallops": {
        // The hub sends them to operators and to those with +w only.
        const from = this.prefix(event.from);
        const room = Math.max(MIN_SPLIT_BYTES, MAX_BODY_BYTES - utf8Length(`:${from} WALLOPS :`));
        return splitText(oneLine(event.text), room).map((piece) => line(from, "WALLOPS", piece));
      }
      case "presence":
        if (!this.monitored.has(ircLower(event.nick))) return [];
        return [
          event.online
            ? this.numeric(self, N.RPL_MONONLINE, this.prefix(event.nick))
            : this.numeric(self, N.RPL_MONOFFLINE, event.nick),
        ];
      case "tags":
        return this.#tagLines(event, self);
      case "history":
        return this.#historyLines(event);
      case "room_bans":
        return [
          ...event.bans.map((ban) =>
            this.numeric(
              self,
              N.RPL_BANLIST,
              "#" + event.room,
              banMask(ban.nick),
              ban.by,
              String(Math.floor(ban.since / 1000)),
            )
          ),
          this.numeric(self, N.RPL_ENDOFBANLIST, "#" + event.room, "End of channel ban list"),
        ];
      case "logged_in":
        return this.#loggedIn(event, self);
      case "same_nick":
      case "rejoin_failed":
      case "offer_ok":
      case "transfer":
      case "ready":
      case "data":
      case "pong":
        return [];
      default:
        return unreachableEvent(event);
    }
  }

  /** With echo-message, the sender's own channel message, when the hub has accepted it. */
  #echo(event: Extract<ServerFrame, { type: "ack" }>, self: string): string[] {
    const context = this.#contexts.get(event.id);
    if (context?.echo === undefined || !this.caps.has("echo-message")) return [];
    const time = event.time ?? 0;
    const msgid = roomMsgid({ room: event.room, seq: event.seq, time });
    return textLines(
      this.prefix(self),
      context.verb,
      context.target ?? "#" + event.room,
      context.echo.text,
      {
        action: context.echo.action,
        tags: event.time === undefined ? {} : this.#tags(time, msgid, context.echo.tags),
      },
    );
  }

  /**
   * A message to yourself with echo-message: the echo (labelled, if the line was) and then the
   * delivery.
   */
  #echoedToSelf(lines: string[]): string[] {
    if (this.#label === undefined) return [...lines, ...lines];
    this.#afterLabel.push(...lines);
    return lines;
  }

  /** TAGMSG, for clients that speak message-tags (the sender's own with echo-message). */
  #tagLines(event: Extract<HubEvent, { type: "tags" }>, self: string): string[] {
    if (!this.caps.has("message-tags")) return [];
    const mine = ircLower(event.from) === ircLower(self);
    const toSelf = mine && event.room === undefined && ircLower(event.to ?? "") === ircLower(self);
    const echo = mine && this.caps.has("echo-message");
    if (mine && !echo && !toSelf) return [];
    let target = self;
    if (event.room !== undefined) {
      const channel = this.shownChannel(event.room);
      if (channel === undefined) return [];
      target = "#" + channel.name;
    } else if (mine) {
      target = event.to ?? self;
    }
    const msgid = hashMsgid("t", event.time, [
      event.from,
      event.room ?? event.to ?? "",
      JSON.stringify(event.tags),
    ]);
    const lines = [
      formatMessage({
        tags: this.#tags(event.time, msgid, event.tags),
        source: this.prefix(event.from),
        command: "TAGMSG",
        params: [target],
      }),
    ];
    return echo && toSelf ? this.#echoedToSelf(lines) : lines;
  }

  /** A CHATHISTORY answer: a `chathistory` batch of the messages (plain lines without batch). */
  #historyLines(event: Extract<HubEvent, { type: "history" }>): string[] {
    const target = "#" + event.room;
    if (!this.caps.has("batch")) return event.messages.flatMap((each) => this.#messageLines(each));
    const batch = this.#batchId();
    return [
      line(this.server, "BATCH", "+" + batch, "chathistory", target),
      ...event.messages.flatMap((each) => this.#messageLines(each, { batch })),
      line(this.server, "BATCH", "-" + batch),
    ];
  }

  /** A login made: SASL's 900 and 903, or OPER's 381 (491 when not an operator). */
  #loggedIn(event: Extract<HubEvent, { type: "logged_in" }>, self: string): string[] {
    if (event.purpose === "oper") {
      return [
        this.numeric(self, N.RPL_YOUREOPER, "You are now an IRC operator"),
        line(this.prefix(self), "MODE", self, "+o"),
      ];
    }
    this.saslAccount = event.account;
    const nick = this.#view?.nick ?? this.nickWanted ?? "*";
    const mask = `${nick}!${this.user ?? nick}@${USER_HOST}`;
    return [
      this.numeric(
        self,
        N.RPL_LOGGEDIN,
        mask,
        event.account,
        `You are now logged in as ${event.account}`,
      ),
      this.numeric(self, N.RPL_SASLSUCCESS, "SASL authentication successful"),
    ];
  }

  #welcome(nick: string): string[] {
    return [
      this.numeric(nick, N.RPL_WELCOME, `Welcome to the ${NETWORK} IRC network, ${nick}`),
      this.numeric(
        nick,
        N.RPL_YOURHOST,
        `Your host is ${this.server}, running version chat-${VERSION}`,
      ),
      this.numeric(nick, N.RPL_CREATED, "This server speaks IRC beside chat's own protocol"),
      this.numeric(
        nick,
        N.RPL_MYINFO,
        this.server,
        `chat-${VERSION}`,
        "Biow",
        "biklmnostv",
        "bklov",
      ),
      ...isupportReplies().map(([code = "", ...rest]) => this.numeric(nick, code, ...rest)),
    ];
  }

  #lusersLines(self: string): string[] {
    const { users, channels } = this.#lusers;
    return [
      this.numeric(
        self,
        N.RPL_LUSERCLIENT,
        `There are ${users} users and 0 invisible on 1 servers`,
      ),
      this.numeric(self, N.RPL_LUSEROP, "0", "operator(s) online"),
      this.numeric(self, N.RPL_LUSERCHANNELS, String(channels), "channels formed"),
      this.numeric(self, N.RPL_LUSERME, `I have ${users} clients and 0 servers`),
      // Current counts only: the server keeps no maximum, so the optional numbers are left out.
      this.numeric(self, N.RPL_LOCALUSERS, `Current local users ${users}`),
      this.numeric(self, N.RPL_GLOBALUSERS, `Current global users ${users}`),
    ];
  }

  #rooms(rooms: RoomInfo[], self: string): string[] {
    const lobby = rooms.find((room) => roomKey(room.name) === roomKey(LOBBY));
    // Everyone arrives in the lobby, so its head count is the number of users.
    this.#lusers = { users: lobby?.members ?? 0, channels: rooms.length };
    this.directory = new Set(rooms.map((room) => roomKey(room.name)));
    const pending = this.#pending.shift();
    if (pending === undefined) return [];
    switch (pending.kind) {
      case "list": {
        const lobbyShown = this.channels.get(roomKey(LOBBY))?.shown ?? false;
        const shown = rooms.filter((room) =>
          (pending.filter === undefined || listKeeps(pending.filter, room)) &&
          (lobbyShown || roomKey(room.name) !== roomKey(LOBBY))
        );
        return [
          this.numeric(self, N.RPL_LISTSTART, "Channel", "Users  Name"),
          ...shown.map((room) =>
            this.numeric(self, N.RPL_LIST, "#" + room.name, String(room.members), room.topic ?? "")
          ),
          this.numeric(self, N.RPL_LISTEND, "End of /LIST"),
        ];
      }
      case "lusers":
        return this.#lusersLines(self);
      case "mode": {
        const room = rooms.find((each) => roomKey(each.name) === roomKey(pending.channel));
        if (room === undefined) {
          return [this.numeric(self, N.ERR_NOSUCHCHANNEL, pending.channel, "No such channel")];
        }
        const created = this.channels.get(roomKey(room.name))?.created;
        return [
          this.numeric(self, N.RPL_CHANNELMODEIS, "#" + room.name, ...channelModeIs(room)),
          ...(created === undefined ? [] : [
            this.numeric(
              self,
              N.RPL_CREATIONTIME,
              "#" + room.name,
              String(Math.floor(created / 1000)),
            ),
          ]),
        ];
      }
      case "whois":
      case "help":
        this.#pending.unshift(pending);
        return [];
    }
  }

  #room(event: Extract<ServerFrame, { type: "room" }>, self: string): string[] {
    const key = roomKey(event.room);
    const lobby = key === roomKey(LOBBY);
    const channel: Channel = {
      name: event.room,
      key,
      operators: new Set(event.operators),
      voiced: new Set(event.voiced),
      shown: !lobby || (this.channels.get(key)?.shown ?? false),
      secret: event.private === true,
    };
    if (event.created !== undefined) channel.created = event.created;
    if (event.topic !== undefined) channel.topic = event.topic;
    if (event.topicBy !== undefined) channel.topicBy = event.topicBy;
    if (event.topicTime !== undefined) channel.topicTime = event.topicTime;
    if (event.owner !== undefined) channel.owner = event.owner;
    this.channels.set(key, channel);
    this.directory.add(key);
    const lines = channel.shown ? this.joinLines(channel, self, event.members) : [];
    const history = event.history ?? 0;
    if (channel.shown && history > 0) {
      // Its history follows: skipped for a client that asks for it (CHATHISTORY), in a batch
      // for one that speaks batch.
      const skip = this.caps.has(CHATHISTORY);
      const batch = !skip && this.caps.has("batch") ? this.#batchId() : undefined;
      this.#replay = batch === undefined
        ? { key, left: history, skip }
        : { key, left: history, skip, batch };
      if (batch !== undefined) {
        lines.push(line(this.server, "BATCH", "+" + batch, "chathistory", "#" + channel.name));
      }
    }
    if (this.#registering) {
      // The lobby's entry ends the registration burst: LUSERS and the (absent) MOTD follow.
      this.#registering = false;
      this.#lusers.users = Math.max(this.#lusers.users, event.members.length);
      lines.push(...this.#lusersLines(self), this.#noMotd(self));
    }
    return lines;
  }

  #noMotd(self: string): string {
    return this.numeric(self, N.ERR_NOMOTD, "MOTD File is missing");
  }

  #left(event: Extract<ServerFrame, { type: "left" }>, self: string): string[] {
    const key = roomKey(event.room);
    const channel = this.channels.get(key);
    this.channels.delete(key);
    if (channel === undefined || !channel.shown) return [];
    const name = "#" + channel.name;
    if (event.kickedBy !== undefined) {
      return [line(this.source(event.kickedBy), "KICK", name, self, event.reason ?? "")];
    }
    const reason = event.closedBy !== undefined
      ? `Room closed by ${event.closedBy}` + (event.reason === undefined ? "" : `: ${event.reason}`)
      : event.reason;
    return [
      reason === undefined
        ? line(this.prefix(self), "PART", name)
        : line(this.prefix(self), "PART", name, reason),
    ];
  }

  /**
   * A room's changes as one MODE line (`+im-t+o ana`); a room that now stays when empty is a
   * NOTICE (no mode says so).
   */
  #mode(room: string, by: string, changes: readonly RoomChange[]): string[] {
    const channel = this.channels.get(roomKey(room));
    if (channel === undefined) {
      // A ban set from outside the room (an operator): the actor sees it still.
      const bans = changes.filter((change) => change.kind === "ban");
      const modes = modeChanges(bans);
      return modes.length === 0 ? [] : [line(this.source(by), "MODE", "#" + room, ...modes)];
    }
    for (const change of changes) {
      if (change.kind === "owner") channel.owner = change.owner;
      if (change.kind === "listed") channel.secret = !change.listed;
      if (change.kind === "role") {
        const role = change.role === "operator" ? channel.operators : channel.voiced;
        if (change.set) role.add(change.nick);
        else role.delete(change.nick);
        // An owner who gives up being an operator gives up the room.
        if (change.role === "operator" && !change.set && isOwner(channel, change.nick)) {
          channel.owner = undefined;
        }
      }
    }
    if (!channel.shown) return [];
    const name = "#" + channel.name;
    const lines: string[] = [];
    const modes = modeChanges(changes);
    if (modes.length > 0) lines.push(line(this.source(by), "MODE", name, ...modes));
    for (const change of changes) {
      if (change.kind !== "persistent") continue;
      lines.push(line(
        SERVER_NAME,
        "NOTICE",
        name,
        `${by} made the room ` +
          (change.persistent ? "stay when empty" : "go when its last member leaves"),
      ));
    }
    return lines;
  }

  #whois(event: Extract<ServerFrame, { type: "whois" }>, self: string): string[] {
    this.#pending.shift();
    const nick = event.nick;
    const info = this.#info(nick);
    const channels = event.rooms.flatMap((room) => {
      const channel = this.shownChannel(room);
      if (channel === undefined) return [];
      return [this.#statusPrefix(channel, nick) + "#" + channel.name];
    });
    const lines = [
      this.numeric(
        self,
        N.RPL_WHOISUSER,
        nick,
        info.user,
        USER_HOST,
        "*",
        info.realName === "" ? nick : info.realName,
      ),
      ...(channels.length === 0
        ? []
        : [this.numeric(self, N.RPL_WHOISCHANNELS, nick, channels.join(" "))]),
      this.numeric(self, N.RPL_WHOISSERVER, nick, this.server, this.serverInfo),
      ...(info.operator
        ? [this.numeric(self, N.RPL_WHOISOPERATOR, nick, "is an IRC operator")]
        : []),
      ...(info.bot ? [this.numeric(self, N.RPL_WHOISBOT, nick, "is a bot")] : []),
      ...(info.account === undefined
        ? []
        : [this.numeric(self, N.RPL_WHOISACCOUNT, nick, info.account, "is logged in as")]),
      ...(event.away === undefined ? [] : [this.numeric(self, N.RPL_AWAY, nick, event.away)]),
      this.numeric(
        self,
        N.RPL_WHOISIDLE,
        nick,
        String(event.idle),
        String(Math.floor(event.since / 1000)),
        "seconds idle, signon time",
      ),
      this.numeric(self, N.RPL_ENDOFWHOIS, nick, "End of /WHOIS list"),
    ];
    return lines;
  }

  /** The numeric for a failed intent, by its error code and what the intent was about. */
  #failure(error: ChatError, ref: string | undefined, self: string): string[] {
    const context = (ref === undefined ? undefined : this.#contexts.get(ref)) ?? this.#lineContext;
    if (context?.quiet) return [];
    if (context?.verb === "CHATHISTORY") {
      // No such room, or not in it: the target is not one the client may read.
      return [
        line(
          this.server,
          "FAIL",
          "CHATHISTORY",
          "INVALID_TARGET",
          context.sub ?? "*",
          context.target ?? "*",
          error.message,
        ),
      ];
    }
    if (context?.verb === NICKSERV) {
      return textLines(`${NICKSERV}!${NICKSERV}@${USER_HOST}`, "NOTICE", self, error.message);
    }
    if (context?.verb === "AUTHENTICATE") {
      this.sasl = undefined;
      if (context.token === true) return this.#tokenRefused(error.message);
      return [this.numeric(self, N.ERR_SASLFAIL, `SASL authentication failed: ${error.message}`)];
    }
    const verb = context?.verb ?? "*";
    const target = context?.target ?? "*";
    const text = error.message;
    const num = (code: string, ...params: string[]) => [this.numeric(self, code, ...params)];
    switch (error.code) {
      case "nick_taken":
      case "nick_registered":
        return num(N.ERR_NICKNAMEINUSE, target, text);
      case "login_failed":
        return num(N.ERR_PASSWDMISMATCH, text);
      case "banned":
        return verb === "JOIN"
          ? num(N.ERR_BANNEDFROMCHAN, target, text)
          : num(N.ERR_YOUREBANNEDCREEP, text);
      case "muted":
        return target.startsWith("#")
          ? num(N.ERR_CANNOTSENDTOCHAN, target, text)
          : num(N.ERR_UNKNOWNERROR, verb, text);
      case "not_logged_in":
        return num(N.ERR_UNKNOWNERROR, verb, text);
      case "nick_invalid":
        return num(N.ERR_ERRONEUSNICKNAME, target, text);
      case "not_registered":
        return num(N.ERR_NOTREGISTERED, "You have not registered");
      case "already_registered":
        return num(N.ERR_ALREADYREGISTERED, "You may not reregister");
      case "no_such_room":
        return num(N.ERR_NOSUCHCHANNEL, target, text);
      case "room_invalid":
        if (verb === "MODE") {
          return num(
            N.ERR_INVALIDMODEPARAM,
            target,
            context?.mode ?? "*",
            context?.value ?? "*",
            text,
          );
        }
        return num(N.ERR_NOSUCHCHANNEL, target, text);
      case "not_in_room":
        if (verb === "PRIVMSG" || verb === "NOTICE") {
          return num(N.ERR_CANNOTSENDTOCHAN, target, text);
        }
        if (
          (verb === "KICK" || verb === "MODE" || verb === "INVITE") &&
          context?.nick !== undefined &&
          text.startsWith(context.nick)
        ) {
          return num(N.ERR_USERNOTINCHANNEL, context.nick, target, text);
        }
        return num(N.ERR_NOTONCHANNEL, target, text);
      case "room_full":
        return num(N.ERR_CHANNELISFULL, target, text);
      case "wrong_password":
        return num(N.ERR_BADCHANNELKEY, target, text);
      case "invite_only":
        return num(N.ERR_INVITEONLYCHAN, target, text);
      case "not_allowed":
        if (verb === "KILL" || verb === "WALLOPS") return num(N.ERR_NOPRIVILEGES, text);
        if (verb === "OPER") return num(N.ERR_NOOPERHOST, text);
        if (verb === "MODE" && context?.mode === "b" && context.value === undefined) {
          // Only owners and operators see a room's bans: to others the list is empty.
          return num(N.RPL_ENDOFBANLIST, target, "End of channel ban list");
        }
        return num(N.ERR_CHANOPRIVSNEEDED, target, text);
      case "no_such_nick":
        if (verb === "WHOIS") {
          return [
            ...num(N.ERR_NOSUCHNICK, target, text),
            ...num(N.RPL_ENDOFWHOIS, target, "End of /WHOIS list"),
          ];
        }
        return num(N.ERR_NOSUCHNICK, context?.nick ?? target, text);
      case "text_invalid":
        if (target.startsWith("#")) return num(N.ERR_CANNOTSENDTOCHAN, target, text);
        return num(N.ERR_UNKNOWNERROR, verb, text);
      case "unknown_command":
        return num(N.ERR_UNKNOWNCOMMAND, verb, text);
      case "bad_arguments":
        // Lifting a ban that is not there changes nothing, as on other servers.
        if (verb === "MODE" && context?.mode === "b") return [];
        return num(N.ERR_NEEDMOREPARAMS, verb, text);
      case "frame_too_large":
        return num(N.ERR_INPUTTOOLONG, "Input line was too long");
      case "password_required":
      case "bad_server_password":
        return num(N.ERR_PASSWDMISMATCH, text);
      case "already_in_room":
        if (verb === "INVITE") return num(N.ERR_USERONCHANNEL, context?.nick ?? "*", target, text);
        return [];
      case "room_exists":
        return [];
      case "rate_limited":
        if (verb === "OPER") return num(N.ERR_PASSWDMISMATCH, text);
        return num(N.ERR_UNKNOWNERROR, verb, text);
      case "last_room":
      case "rooms_disabled":
      case "too_many_rooms":
      case "server_full":
      case "bad_frame":
      case "bad_version":
      case "file_refused":
      case "no_such_transfer":
      case "unavailable":
        return num(N.ERR_UNKNOWNERROR, verb, text);
      default:
        return unreachableCode(error.code);
    }
  }
}

// ---- the command table -------------------------------------------------------------------------

/** A channel parameter's room name, or undefined when it is not a channel (no `#`). */
function roomOf(channel: string): string | undefined {
  return channel.startsWith("#") && channel.length > 1 ? channel.slice(1) : undefined;
}

function join(dialect: IrcDialect, params: string[], view: DialectView): Intent[] {
  const [channels = "", keys = ""] = params;
  if (channels === "0") return partAll(dialect, view);
  const keyList = keys === "" ? [] : keys.split(",");
  const intents: Intent[] = [];
  channels.split(",").forEach((channel, index) => {
    if (channel === "") return;
    const room = roomOf(channel);
    if (room === undefined) {
      intents.push(dialect.numerics(view, [N.ERR_NOSUCHCHANNEL, channel, "No such channel"]));
      return;
    }
    const known = dialect.channels.get(roomKey(room));
    if (known !== undefined) {
      if (!known.shown) {
        known.shown = true;
        intents.push(dialect.raw(dialect.joinLines(known, view.nick ?? "*")));
      }
      return;
    }
    const key = keyList[index];
    intents.push(
      dialect.join(room, key === "" ? undefined : key, { verb: "JOIN", target: channel }),
    );
  });
  return intents;
}

function partAll(dialect: IrcDialect, view: DialectView): Intent[] {
  return [...dialect.channels.values()].filter((channel) => channel.shown).flatMap((channel) =>
    part(dialect, ["#" + channel.name], view)
  );
}

function part(dialect: IrcDialect, params: string[], view: DialectView): Intent[] {
  const [channels = "", reason] = params;
  const self = view.nick ?? "*";
  return channels.split(",").filter((channel) => channel !== "").map((channel) => {
    const shown = dialect.shownChannel(channel.replace(/^#/, ""));
    if (roomOf(channel) === undefined || shown === undefined) {
      const code = dialect.channels.has(roomKey(channel)) || roomOf(channel) !== undefined
        ? N.ERR_NOTONCHANNEL
        : N.ERR_NOSUCHCHANNEL;
      return dialect.numerics(view, [code, channel, "You're not on that channel"]);
    }
    const key = roomKey(shown.name);
    if (key === roomKey(LOBBY)) {
      // The lobby is only hidden: the user stays in it, as every user does.
      shown.shown = false;
      const name = "#" + shown.name;
      return dialect.raw([
        reason === undefined || reason === ""
          ? line(dialect.prefix(self), "PART", name)
          : line(dialect.prefix(self), "PART", name, cleanReason(reason)),
      ]);
    }
    const why = reason === undefined ? "" : cleanReason(stripFormatting(reason));
    return dialect.command(`/leave ${shown.name} ${why}`.trimEnd(), shown.name, {
      verb: "PART",
      target: channel,
    });
  });
}

function message(
  dialect: IrcDialect,
  params: string[],
  view: DialectView,
  notice: boolean,
): Intent[] {
  const verb = notice ? "NOTICE" : "PRIVMSG";
  const [targets = "", raw = ""] = params;
  if (targets === "") {
    return notice
      ? []
      : [dialect.numerics(view, [N.ERR_NORECIPIENT, `No recipient given (${verb})`])];
  }
  if (params.length < 2 || raw === "") {
    return notice ? [] : [dialect.numerics(view, [N.ERR_NOTEXTTOSEND, "No text to send"])];
  }
  const ctcp = parseCtcp(raw);
  // Other CTCP requests (VERSION, PING, DCC) are not passed on: our other clients have none.
  if (ctcp !== undefined && ctcp.command !== "ACTION") return [];
  const action = ctcp !== undefined;
  // One rule for formatting codes: bold, colours and the like are stripped from what IRC
  // clients send (our other clients show plain text); other control characters are refused.
  const text = stripFormatting(action ? ctcp.args : raw);
  const intents: Intent[] = [];
  for (const target of targets.split(",")) {
    if (target === "") continue;
    if (ircLower(target) === ircLower(NICKSERV)) {
      // Never passed on (a password may be in it), not even to someone who took that nick.
      if (!notice && !action) intents.push(...nickserv(dialect, text, view));
      continue;
    }
    if (!fitsRelayed(dialect.prefix(view.nick ?? "*"), verb, target, text, action)) {
      // Split or cut, it would reach IRC clients other than as typed: refused, as IRCv3 allows.
      intents.push(dialect.numerics(view, [
        N.ERR_INPUTTOOLONG,
        "Input line was too long: with your nick in front it would not fit one line for the " +
        "others; send it in parts",
      ]));
      continue;
    }
    const context: Context = { verb, target, quiet: notice };
    const room = roomOf(target);
    if (room !== undefined) {
      const channel = dialect.channels.get(roomKey(room));
      if (channel !== undefined && !channel.shown) {
        if (!notice) {
          intents.push(
            dialect.numerics(view, [N.ERR_CANNOTSENDTOCHAN, target, "Cannot send to channel"]),
          );
        }
        continue;
      }
      // With echo-message, the hub's ack (which carries the message's time) is worded as the
      // echo.
      const tags = dialect.clientTags;
      const echo = tags === undefined ? { text, action } : { text, action, tags };
      intents.push(dialect.say(room, text, { ...context, echo }, { action, notice, tags }));
    } else {
      intents.push(
        dialect.tell(target, text, context, { action, notice, tags: dialect.clientTags }),
      );
    }
  }
  return intents;
}

function mode(dialect: IrcDialect, params: string[], view: DialectView): Intent[] {
  const [target = "", modes, ...args] = params;
  const self = view.nick ?? "*";
  const room = roomOf(target);
  if (room === undefined) {
    if (ircLower(target) !== ircLower(self)) {
      return [dialect.numerics(view, [N.ERR_USERSDONTMATCH, "Cannot change mode for other users"])];
    }
    // Everyone is invisible (+i): WHO masks show only who shares a channel with you. Bot mode
    // (+B) and wallops (+w) are the user modes that change (user_modes.ts).
    if (modes === undefined) {
      return [dialect.numerics(view, [N.RPL_UMODEIS, userModeString(view.user(self) ?? {})])];
    }
    const { changes, applied } = parseUserModes(modes);
    if (changes.length === 0) return [];
    return [...changes, dialect.raw([line(self, "MODE", self, applied)])];
  }
  if (modes === undefined) {
    dialect.expect({ kind: "mode", channel: room });
    return [dialect.command("/rooms", LOBBY, { verb: "MODE", target })];
  }
  const intents: Intent[] = [];
  let sign = "+";
  const context: Context = { verb: "MODE", target };
  // Flags and roles go to the hub as one /mode, all or none, shown as one MODE line.
  let flags = "";
  const nicks: string[] = [];
  for (const char of modes) {
    if (char === "+" || char === "-") {
      sign = char;
      continue;
    }
    const set = sign === "+";
    switch (char) {
      case "l":
        if (set) {
          const limit = args.shift();
          if (limit === undefined) {
            intents.push(
              dialect.numerics(view, [N.ERR_NEEDMOREPARAMS, "MODE", "Not enough parameters"]),
            );
          } else {
            intents.push(
              dialect.command(`/limit ${limit}`, room, { ...context, mode: "l", value: limit }),
            );
          }
        } else {
          intents.push(dialect.command("/limit off", room, context));
        }
        break;
      case "k": {
        const key = args.shift();
        if (set && (key === undefined || key === "" || /\s/.test(key))) {
          intents.push(
            dialect.numerics(view, [N.ERR_INVALIDKEY, target, "Key is not well-formed"]),
          );
        } else {
          intents.push(
            dialect.command(set ? `/password ${key}` : "/password off", room, {
              ...context,
              mode: "k",
            }),
          );
        }
        break;
      }
      case "s":
      case "p":
        intents.push(dialect.command(set ? "/private on" : "/private off", room, context));
        break;
      case "b": {
        const mask = args.shift();
        if (mask === undefined) {
          intents.push(dialect.command(`/bans #${room}`, room, { ...context, mode: "b" }));
          break;
        }
        const banned = nickOfMask(mask);
        if (banned === undefined) {
          intents.push(dialect.numerics(view, [
            N.ERR_INVALIDMODEPARAM,
            target,
            "b",
            mask,
            "Only nick bans are supported: nick!*@*",
          ]));
          break;
        }
        const verb = set ? "/ban" : "/unban";
        intents.push(
          dialect.command(`${verb} #${room} ${banned}`, room, {
            ...context,
            mode: "b",
            value: mask,
          }),
        );
        break;
      }
      case "o":
      case "v": {
        const nick = args.shift();
        const refused = roleRefused(dialect, view, target, nick);
        if (refused !== undefined) {
          intents.push(refused);
        } else if (nick !== undefined) {
          flags += sign + char;
          nicks.push(nick);
        }
        break;
      }
      case "i":
      case "m":
      case "n":
      case "t":
        flags += sign + char;
        break;
      default:
        intents.push(
          dialect.numerics(view, [N.ERR_UNKNOWNMODE, char, "is unknown mode char to me"]),
        );
    }
  }
  if (flags !== "") {
    const nick = nicks.length === 1 ? { nick: nicks[0] } : {};
    intents.push(
      dialect.command(`/mode ${[flags, ...nicks].join(" ")}`, room, { ...context, ...nick }),
    );
  }
  return intents;
}

function names(dialect: IrcDialect, params: string[], view: DialectView): Intent[] {
  const self = view.nick ?? "*";
  const [channels = ""] = params;
  if (channels === "") {
    return [dialect.numerics(view, [N.RPL_ENDOFNAMES, "*", "End of /NAMES list"])];
  }
  // Several channels: their 353s, then one 366 naming the list (RFC 2812).
  const list = channels.split(",").filter((each) => each !== "");
  const lines = list.flatMap((channel) => {
    const shown = dialect.shownChannel(channel.replace(/^#/, ""));
    if (roomOf(channel) === undefined || shown === undefined) return [];
    return dialect.namesLines(shown, self).slice(0, -1);
  });
  lines.push(dialect.numeric(self, N.RPL_ENDOFNAMES, list.join(","), "End of /NAMES list"));
  return [dialect.raw(lines)];
}

function who(dialect: IrcDialect, params: string[], view: DialectView): Intent[] {
  const self = view.nick ?? "*";
  const [mask = "*", options] = params;
  const whox = options?.startsWith("%") ? parseWhox(options) : undefined;
  const room = roomOf(mask);
  const end = dialect.numeric(self, N.RPL_ENDOFWHO, mask, "End of WHO list");
  if (room !== undefined) {
    const shown = dialect.shownChannel(room);
    return [
      dialect.raw([...(shown === undefined ? [] : dialect.whoLines(shown, self, whox)), end]),
    ];
  }
  // A nick, or a mask (`*`, `0`, `ana*`) matched against the nick, user name and real name of
  // the people the viewer can see (itself, and who shares a channel with it).
  const pattern = mask === "0" ? "*" : mask;
  const candidates = new Map(knownNicks(dialect, view));
  const exact = view.user(mask);
  if (exact !== undefined) candidates.set(ircLower(exact.nick), exact.nick);
  const lines = [...candidates.values()].flatMap((nick) => {
    const info = view.user(nick);
    if (info === undefined) return [];
    const fields = [info.nick, info.user, info.realName, `${info.nick}!${info.user}@${USER_HOST}`];
    return fields.some((field) => matchMask(pattern, field))
      ? [dialect.whoLine(self, "*", info, "", whox)]
      : [];
  });
  return [dialect.raw([...lines, end])];
}

/**
 * NickServ, for clients and scripts that log in that way (`/msg NickServ IDENTIFY`, `NS`,
 * `NICKSERV`): IDENTIFY is `/login`, REGISTER is `/register`. Its answers and errors are
 * notices from NickServ.
 */
function nickserv(dialect: IrcDialect, text: string, view: DialectView): Intent[] {
  const [sub = "", ...args] = text.trim().split(/\s+/);
  const context: Context = { verb: NICKSERV };
  const say = (reply: string) =>
    dialect.raw(
      textLines(`${NICKSERV}!${NICKSERV}@${USER_HOST}`, "NOTICE", view.nick ?? "*", reply),
    );
  switch (sub.toUpperCase()) {
    case "IDENTIFY":
    case "LOGIN": {
      // IDENTIFY password (the current nick's account) or IDENTIFY account password.
      const [first = "", second] = args;
      if (first === "" || args.length > 2) return [say("Usage: IDENTIFY [account] password")];
      const [account, password] = second === undefined ? [view.nick ?? "", first] : [first, second];
      return [dialect.command(`/login ${account} ${password}`, LOBBY, context)];
    }
    case "REGISTER": {
      // REGISTER password [email]: the email is not kept.
      const [password = ""] = args;
      if (password === "") return [say("Usage: REGISTER password")];
      return [dialect.command(`/register ${password}`, LOBBY, context)];
    }
    case "LOGOUT":
      return [dialect.command("/logout", LOBBY, context)];
    default:
      return [say("Commands: IDENTIFY [account] password, REGISTER password, LOGOUT")];
  }
}

/**
 * SASL (IRCv3): `AUTHENTICATE mechanism`, then the response in base64 chunks of 400 (`+` for an
 * empty one), or `*` to abort. The login is checked off the hub; registration waits for it.
 */
function authenticate(dialect: IrcDialect, [arg = ""]: string[], view: DialectView): Intent[] {
  const fail = (code: string, text: string) => [dialect.numerics(view, [code, text])];
  const refused = dialect.saslRefused;
  dialect.saslRefused = undefined;
  if (arg === "*") {
    const under = dialect.sasl !== undefined || refused !== undefined;
    dialect.sasl = undefined;
    return under
      ? fail(N.ERR_SASLABORTED, "SASL authentication aborted")
      : fail(N.ERR_SASLFAIL, "SASL authentication failed: nothing to abort");
  }
  // The client's answer to a token's failure challenge (a single ^A, `AQ==`) ends the exchange.
  if (refused !== undefined) return fail(N.ERR_SASLFAIL, `SASL authentication failed: ${refused}`);
  const exchange = dialect.sasl;
  if (exchange === undefined) {
    if (dialect.saslAccount !== undefined) {
      return fail(N.ERR_SASLALREADY, "You have already authenticated using SASL");
    }
    const mechanism = dialect.mechanisms[arg.toUpperCase()];
    if (mechanism === undefined) {
      return [
        dialect.numerics(
          view,
          [
            N.RPL_SASLMECHS,
            Object.keys(dialect.mechanisms).join(","),
            "are available SASL mechanisms",
          ],
          [N.ERR_SASLFAIL, "SASL authentication failed: unknown mechanism"],
        ),
      ];
    }
    dialect.sasl = { mechanism, response: new SaslResponse() };
    return [dialect.raw([line(undefined, "AUTHENTICATE", "+")])];
  }
  const chunk = exchange.response.add(arg);
  if (chunk.kind === "more") return [];
  dialect.sasl = undefined;
  if (chunk.kind === "too_long") return fail(N.ERR_SASLTOOLONG, "SASL message too long");
  if (chunk.kind === "invalid") {
    return fail(N.ERR_SASLFAIL, "SASL authentication failed: the response is not base64");
  }
  const outcome = exchange.mechanism.login(chunk.response);
  if (!outcome.ok) return fail(N.ERR_SASLFAIL, `SASL authentication failed: ${outcome.reason}`);
  return [dialect.saslLogin(outcome)];
}

/**
 * A member's status prefixes in a channel, highest first: `@` for its owner and operators, `+`
 * for voice.
 */
function channelStatus(channel: Channel, nick: string): string {
  const op = channel.owner === nick || channel.operators.has(nick);
  return (op ? "@" : "") + (channel.voiced.has(nick) ? "+" : "");
}

/** A member left the channel: gone from its roles (its members are the hub's). */
function forget(channel: Channel, nick: string): void {
  channel.operators.delete(nick);
  channel.voiced.delete(nick);
}

/** Whether `nick` is the channel's owner. */
function isOwner(channel: Channel, nick: string): boolean {
  return channel.owner !== undefined && ircLower(channel.owner) === ircLower(nick);
}

/** WHOX's fields, in the order a 354 gives them. */
const WHOX_FIELDS = "tcuihsnfdlaor";

/** What a WHOX request (`%fields[,token]`) asks for. */
interface Whox {
  readonly fields: string;
  readonly token: string;
}

function parseWhox(options: string): Whox {
  const [fields = "", token = "0"] = options.slice(1).split(",", 2);
  return { fields, token: /^\d{1,3}$/.test(token) ? token : "0" };
}

function topic(dialect: IrcDialect, params: string[], view: DialectView): Intent[] {
  const self = view.nick ?? "*";
  const [channel = "", text] = params;
  const room = roomOf(channel);
  const shown = room === undefined ? undefined : dialect.shownChannel(room);
  if (room === undefined || shown === undefined) {
    // Whether it exists is known from the last room list (joining refreshes it).
    const exists = room !== undefined && dialect.directory.has(roomKey(room));
    return [
      exists
        ? dialect.numerics(view, [N.ERR_NOTONCHANNEL, channel, "You're not on that channel"])
        : dialect.numerics(view, [N.ERR_NOSUCHCHANNEL, channel, "No such channel"]),
    ];
  }
  if (text === undefined) {
    return [
      dialect.raw(dialect.topicLines(shown, self, true)),
    ];
  }
  return [
    dialect.command(`/topic ${stripFormatting(text)}`, shown.name, {
      verb: "TOPIC",
      target: channel,
    }),
  ];
}

function cap(dialect: IrcDialect, params: string[], view: DialectView): Intent[] {
  const [sub = "", arg = ""] = params;
  const nick = view.nick ?? "*";
  const reply = (...rest: string[]) => dialect.raw([line(dialect.server, "CAP", nick, ...rest)]);
  switch (sub.toUpperCase()) {
    case "LS": {
      if (view.nick === undefined) dialect.capState = "ls";
      // Version 302 and later get capability values (`sasl=PLAIN`).
      const values = /^\d+$/.test(arg) && Number(arg) >= 302;
      const offered = CAPABILITIES.map((name) => {
        const value = dialect.capabilityValue(name);
        return values && value !== undefined ? `${name}=${value}` : name;
      });
      return [reply("LS", offered.join(" "))];
    }
    case "LIST":
      return [reply("LIST", [...dialect.caps].join(" "))];
    case "REQ": {
      if (view.nick === undefined) dialect.capState = "ls";
      const wanted = arg.split(" ").filter((each) => each !== "");
      const ok = wanted.every((each) => CAPABILITIES.includes(each.replace(/^-/, "")));
      if (!ok) return [reply("NAK", arg)];
      dialect.changeCaps(wanted);
      return [reply("ACK", arg)];
    }
    case "END":
      if (dialect.capState !== "ls") return [];
      dialect.capState = "done";
      return dialect.tryRegister(view);
    default:
      return [dialect.numerics(view, [N.ERR_INVALIDCAPCMD, sub, "Invalid CAP command"])];
  }
}

function nick(dialect: IrcDialect, params: string[], view: DialectView): Intent[] {
  const [wanted = ""] = params;
  if (wanted === "") return [dialect.numerics(view, [N.ERR_NONICKNAMEGIVEN, "No nickname given"])];
  if (view.nick === undefined) {
    dialect.nickWanted = wanted;
    return dialect.tryRegister(view);
  }
  return [dialect.command(`/nick ${wanted}`, LOBBY, { verb: "NICK", target: wanted })];
}

/** TAGMSG: client tags without a message, for clients that speak message-tags. */
function tagmsg(dialect: IrcDialect, params: string[]): Intent[] {
  const tags = dialect.clientTags;
  if (!dialect.caps.has("message-tags") || tags === undefined) return [];
  return (params[0] ?? "").split(",").filter((target) => target !== "").map((target) => {
    const room = roomOf(target);
    const context: Context = { verb: "TAGMSG", target };
    return dialect.tag(room === undefined ? { nick: target } : { room }, tags, context);
  });
}

/**
 * CHATHISTORY (IRCv3 draft): LATEST, BEFORE, AFTER, AROUND, BETWEEN a channel's history, by
 * msgid or timestamp; TARGETS is answered with an empty batch (no private history is kept).
 */
function chathistory(dialect: IrcDialect, params: string[], view: DialectView): Intent[] {
  const [raw = "", target = "", ...rest] = params;
  const sub = raw.toUpperCase();
  const fail = (code: string, text: string, ...more: string[]) => [
    dialect.raw([line(dialect.server, "FAIL", "CHATHISTORY", code, sub || "*", ...more, text)]),
  ];
  if (sub === "TARGETS") {
    if (!dialect.caps.has("batch")) return [];
    const batch = "targets";
    return [
      dialect.raw([
        line(dialect.server, "BATCH", "+" + batch, "draft/chathistory-targets"),
        line(dialect.server, "BATCH", "-" + batch),
      ]),
    ];
  }
  const room = roomOf(target);
  const context: Context = { verb: "CHATHISTORY", target, sub };
  if (room === undefined) {
    // A nick: private messages are not kept, so their history is empty.
    if (view.user(target) === undefined) return fail("INVALID_TARGET", "No such target", target);
    return [dialect.raw(emptyBatch(dialect, target))];
  }
  const request = parseHistoryRequest(sub, rest);
  if (typeof request === "string") return fail("INVALID_PARAMS", request);
  return [dialect.history(room, request, context)];
}

/** An empty `chathistory` batch for a target with nothing kept. */
function emptyBatch(dialect: IrcDialect, target: string): string[] {
  if (!dialect.caps.has("batch")) return [];
  return [
    line(dialect.server, "BATCH", "+empty", "chathistory", target),
    line(dialect.server, "BATCH", "-empty"),
  ];
}

/**
 * MONITOR (IRCv3): `+ nicks` watches (730 for those online, 731 for the rest), `- nicks` stops,
 * `C` clears, `L` lists (732, 733), `S` gives each one's status. Masks are refused (432).
 */
function monitor(dialect: IrcDialect, params: string[], view: DialectView): Intent[] {
  const [sub = "", targets = ""] = params;
  const list = targets.split(",").filter((each) => each !== "");
  const status = (nicks: string[]): string[][] => {
    const online = nicks.flatMap((nick) => {
      const info = view.user(nick);
      return info === undefined ? [] : [`${info.nick}!${info.user}@${USER_HOST}`];
    });
    const offline = nicks.filter((nick) => view.user(nick) === undefined);
    return [
      ...(online.length === 0 ? [] : [[N.RPL_MONONLINE, online.join(",")]]),
      ...(offline.length === 0 ? [] : [[N.RPL_MONOFFLINE, offline.join(",")]]),
    ];
  };
  switch (sub.toUpperCase()) {
    case "+": {
      const replies: string[][] = [];
      const added: string[] = [];
      for (const nick of list) {
        if (/[!@*?,\s]/.test(nick)) {
          replies.push([N.ERR_ERRONEUSNICKNAME, nick, "Not a nick: masks cannot be monitored"]);
          continue;
        }
        if (dialect.monitored.has(ircLower(nick))) continue;
        if (dialect.monitored.size >= MAX_WATCHED) {
          replies.push([N.ERR_MONLISTFULL, String(MAX_WATCHED), nick, "Monitor list is full"]);
          continue;
        }
        dialect.monitored.set(ircLower(nick), nick);
        added.push(nick);
      }
      replies.push(...status(added));
      return [
        ...(added.length === 0 ? [] : [{ kind: "watch" as const, nicks: added, watch: true }]),
        ...(replies.length === 0 ? [] : [dialect.numerics(view, ...replies)]),
      ];
    }
    case "-": {
      const removed = list.filter((nick) => dialect.monitored.delete(ircLower(nick)));
      return removed.length === 0 ? [] : [{ kind: "watch", nicks: removed, watch: false }];
    }
    case "C": {
      const all = [...dialect.monitored.values()];
      dialect.monitored.clear();
      return all.length === 0 ? [] : [{ kind: "watch", nicks: all, watch: false }];
    }
    case "L":
      return [
        dialect.numerics(
          view,
          ...(dialect.monitored.size === 0
            ? []
            : [[N.RPL_MONLIST, [...dialect.monitored.values()].join(",")]]),
          [N.RPL_ENDOFMONLIST, "End of MONITOR list"],
        ),
      ];
    case "S": {
      const replies = status([...dialect.monitored.values()]);
      return replies.length === 0 ? [] : [dialect.numerics(view, ...replies)];
    }
    default:
      return [dialect.numerics(view, [N.ERR_NEEDMOREPARAMS, "MONITOR", "Not enough parameters"])];
  }
}

/** ISUPPORT as 005 replies of at most 12 tokens each (a line holds 15 parameters). */
function isupportReplies(): string[][] {
  const replies: string[][] = [];
  for (let i = 0; i < ISUPPORT.length; i += 12) {
    replies.push([N.RPL_ISUPPORT, ...ISUPPORT.slice(i, i + 12), "are supported by this server"]);
  }
  return replies;
}

/** Every IRC command the dialect understands; anything else is 421. */
const VERBS: Readonly<Record<string, Verb>> = {
  CAP: { minParams: 1, registered: false, run: cap },
  PASS: {
    minParams: 1,
    registered: false,
    // The server's password, on a private server: it goes with the registration.
    run: (dialect, params, view) => {
      if (view.nick !== undefined) {
        return [dialect.numerics(view, [N.ERR_ALREADYREGISTERED, "You may not reregister"])];
      }
      dialect.password = params[0];
      return [];
    },
  },
  NICK: { minParams: 0, registered: false, run: nick },
  USER: {
    minParams: 4,
    registered: false,
    run: (dialect, params, view) => {
      if (view.nick !== undefined || dialect.user !== undefined) {
        return [dialect.numerics(view, [N.ERR_ALREADYREGISTERED, "You may not reregister"])];
      }
      if (params[3] === "" || params[0] === "") {
        return [dialect.numerics(view, [N.ERR_NEEDMOREPARAMS, "USER", "Not enough parameters"])];
      }
      dialect.user = params[0] ?? "";
      dialect.realName = params[3] ?? "";
      return dialect.tryRegister(view);
    },
  },
  PING: {
    minParams: 1,
    registered: false,
    run: (dialect, params) => [
      dialect.raw([line(dialect.server, "PONG", dialect.server, params[0] ?? "")]),
    ],
  },
  PONG: { minParams: 0, registered: false, run: () => [] },
  QUIT: {
    minParams: 0,
    registered: false,
    run: (_dialect, [reason = ""]) => {
      const cleaned = cleanReason(stripFormatting(reason));
      return [{
        kind: "end",
        reason: cleaned === "" ? "Quit" : `Quit: ${cleaned}`,
        bye: cleaned === "" ? "Quit" : `Quit: ${cleaned}`,
      }];
    },
  },
  JOIN: { minParams: 1, registered: true, run: join },
  TAGMSG: { minParams: 1, registered: true, run: tagmsg },
  MONITOR: { minParams: 1, registered: true, run: monitor },
  SETNAME: {
    minParams: 1,
    registered: true,
    run: (dialect, [text = ""], view) => {
      const realName = stripFormatting(text).trim();
      if (realName === "" || [...realName].length > MAX_REAL_NAME_CHARS) {
        return [
          dialect.raw([
            line(
              dialect.server,
              "FAIL",
              "SETNAME",
              "INVALID_REALNAME",
              `Real name must be 1 to ${MAX_REAL_NAME_CHARS} characters`,
            ),
          ]),
        ];
      }
      return view.nick === undefined ? [] : [{ kind: "real_name", realName }];
    },
  },
  CHATHISTORY: { minParams: 2, registered: true, run: chathistory },
  PART: { minParams: 1, registered: true, run: part },
  PRIVMSG: { minParams: 0, registered: true, run: (d, p, v) => message(d, p, v, false) },
  NOTICE: { minParams: 0, registered: true, run: (d, p, v) => message(d, p, v, true) },
  TOPIC: { minParams: 1, registered: true, run: topic },
  NAMES: { minParams: 0, registered: true, run: names },
  LIST: {
    minParams: 0,
    registered: true,
    run: (dialect, [param = ""], view) => {
      // Names, masks and member counts (ELIST=MNU): elist.ts.
      const filter = parseListFilter(param);
      if ("reason" in filter) {
        return [
          dialect.numerics(
            view,
            [N.ERR_UNKNOWNERROR, "LIST", `${filter.condition}: ${filter.reason}`],
            [N.RPL_LISTEND, "End of /LIST"],
          ),
        ];
      }
      dialect.expect({ kind: "list", filter });
      return [dialect.command("/rooms", LOBBY, { verb: "LIST" })];
    },
  },
  LUSERS: {
    minParams: 0,
    registered: true,
    run: (dialect) => {
      dialect.expect({ kind: "lusers" });
      return [dialect.command("/rooms", LOBBY, { verb: "LUSERS" })];
    },
  },
  MOTD: {
    minParams: 0,
    registered: true,
    run: (
      dialect,
      _params,
      view,
    ) => [dialect.numerics(view, [N.ERR_NOMOTD, "MOTD File is missing"])],
  },
  VERSION: {
    minParams: 0,
    registered: true,
    run: (dialect, _params, view) => [
      dialect.numerics(
        view,
        [N.RPL_VERSION, `chat-${VERSION}`, dialect.server, "IRC front end of chat"],
        ...isupportReplies(),
      ),
    ],
  },
  WHO: { minParams: 0, registered: true, run: who },
  WHOIS: {
    minParams: 1,
    registered: true,
    run: (dialect, params) => {
      const target = params[params.length - 1] ?? "";
      dialect.expect({ kind: "whois", nick: target });
      return [dialect.command(`/whois ${target}`, LOBBY, { verb: "WHOIS", target })];
    },
  },
  MODE: { minParams: 1, registered: true, run: mode },
  KICK: {
    minParams: 2,
    registered: true,
    run: (dialect, [channel = "", nicks = "", reason = ""], view) => {
      // One channel and several nicks, or channels and nicks in pairs.
      const channelList = channel.split(",");
      const nickList = nicks.split(",");
      // No reason: the kicker's nick, as IRC servers do.
      const why = cleanReason(stripFormatting(reason)) || (view.nick ?? "");
      return nickList.flatMap((each, index) => {
        const target = channelList.length === 1 ? channel : channelList[index];
        if (each === "" || target === undefined) return [];
        const room = roomOf(target);
        if (room === undefined) {
          return [dialect.numerics(view, [N.ERR_NOSUCHCHANNEL, target, "No such channel"])];
        }
        const known = dialect.channels.get(roomKey(room));
        if (known !== undefined && !known.shown) {
          return [
            dialect.numerics(view, [N.ERR_NOTONCHANNEL, target, "You're not on that channel"]),
          ];
        }
        // The hub says whether the channel exists (403), whether the kicker is in it (442)
        // and the kicked is (441).
        return [
          dialect.command(`/kick ${each} ${why}`.trimEnd(), room, {
            verb: "KICK",
            target,
            nick: each,
          }),
        ];
      });
    },
  },
  INVITE: {
    minParams: 0,
    registered: true,
    run: (dialect, params, view) => {
      const [nick, channel] = params;
      if (nick === undefined) return [dialect.command("/invite", LOBBY, { verb: "INVITE" })];
      if (channel === undefined) {
        return [dialect.numerics(view, [N.ERR_NEEDMOREPARAMS, "INVITE", "Not enough parameters"])];
      }
      const room = roomOf(channel);
      if (room === undefined) {
        return [dialect.numerics(view, [N.ERR_NOSUCHCHANNEL, channel, "No such channel"])];
      }
      if (view.user(nick) === undefined) {
        return [dialect.numerics(view, [N.ERR_NOSUCHNICK, nick, "No such nick"])];
      }
      const known = dialect.channels.get(roomKey(room));
      if (known !== undefined && !known.shown) {
        return [
          dialect.numerics(view, [N.ERR_NOTONCHANNEL, channel, "You're not on that channel"]),
        ];
      }
      return [
        dialect.command(`/invite ${nick} #${room}`, room, {
          verb: "INVITE",
          target: channel,
          nick,
        }),
      ];
    },
  },
  AWAY: {
    minParams: 0,
    registered: true,
    run: (dialect, [text = ""]) => [
      dialect.command(text.trim() === "" ? "/back" : `/away ${stripFormatting(text)}`, LOBBY, {
        verb: "AWAY",
      }),
    ],
  },
  ISON: {
    minParams: 1,
    registered: true,
    run: (dialect, params, view) => {
      const online = params.join(" ").split(" ").flatMap((each) => {
        const info = each === "" ? undefined : view.user(each);
        return info === undefined ? [] : [info.nick];
      });
      return [dialect.numerics(view, [N.RPL_ISON, online.join(" ")])];
    },
  },
  USERHOST: {
    minParams: 1,
    registered: true,
    run: (dialect, params, view) => {
      const found = params.slice(0, 5).flatMap((each) => {
        const info = view.user(each);
        if (info === undefined) return [];
        return [`${info.nick}=${info.away === undefined ? "+" : "-"}${info.user}@${USER_HOST}`];
      });
      return [dialect.numerics(view, [N.RPL_USERHOST, found.join(" ")])];
    },
  },
  INFO: {
    minParams: 0,
    registered: true,
    run: (dialect, [target], view) => {
      if (target !== undefined && target !== "" && !matchMask(target, dialect.server)) {
        return [dialect.numerics(view, [N.ERR_NOSUCHSERVER, target, "No such server"])];
      }
      return [
        dialect.numerics(
          view,
          [N.RPL_INFO, `chat ${VERSION}: rooms and people for chat join, browsers, nc and IRC`],
          [N.RPL_INFO, "See README.md and docs/IRC.md"],
          [N.RPL_ENDOFINFO, "End of INFO list"],
        ),
      ];
    },
  },
  TIME: {
    minParams: 0,
    registered: true,
    run: (dialect, _params, view) => [
      dialect.numerics(view, [
        N.RPL_TIME,
        dialect.server,
        "Time is kept by each client: ask yours",
      ]),
    ],
  },
  HELP: {
    minParams: 0,
    registered: true,
    run: (dialect, [subject], view) => {
      if (subject !== undefined && subject !== "") {
        const verb = subject.toUpperCase();
        if (VERBS[verb] === undefined) {
          return [
            dialect.numerics(view, [N.ERR_HELPNOTFOUND, subject, "No help for that subject"]),
          ];
        }
        return [
          dialect.numerics(
            view,
            [N.RPL_HELPSTART, verb, `${verb} is supported`],
            [N.RPL_HELPTXT, verb, "See docs/IRC.md for how it maps to chat's rooms"],
            [N.RPL_ENDOFHELP, verb, "End of /HELP"],
          ),
        ];
      }
      dialect.expect({ kind: "help" });
      return [dialect.command("/help", LOBBY, { verb: "HELP" })];
    },
  },
  // An operator's message to the operators and those with +w (the hub's /wallops).
  WALLOPS: {
    minParams: 1,
    registered: true,
    run: (dialect, [text = ""]) => [
      dialect.command(`/wallops ${stripFormatting(text)}`, LOBBY, { verb: "WALLOPS" }),
    ],
  },
  // HELPOP is HELP's other name on many servers.
  HELPOP: { minParams: 0, registered: true, run: (d, p, v) => VERBS.HELP?.run(d, p, v) ?? [] },
  // One server, no links: itself, at 0 hops.
  LINKS: {
    minParams: 0,
    registered: true,
    run: (dialect, _params, view) => [
      dialect.numerics(
        view,
        [N.RPL_LINKS, dialect.server, dialect.server, `0 ${dialect.serverInfo}`],
        [N.RPL_ENDOFLINKS, "*", "End of /LINKS list"],
      ),
    ],
  },
  AUTHENTICATE: { minParams: 1, registered: false, run: authenticate },
  OPER: {
    minParams: 2,
    registered: true,
    // The name and password of an account that is one of the server's operators.
    run: (dialect, [name = "", password = ""]) => [
      dialect.authenticate(name, password, "oper", { verb: "OPER" }),
    ],
  },
  KILL: {
    minParams: 1,
    registered: true,
    run: (dialect, [nick = "", reason = ""]) => [
      dialect.command(`/kill ${nick} ${stripFormatting(reason)}`.trimEnd(), LOBBY, {
        verb: "KILL",
        target: nick,
        nick,
      }),
    ],
  },
  NICKSERV: {
    minParams: 0,
    registered: true,
    run: (dialect, params, view) => nickserv(dialect, params.join(" "), view),
  },
  NS: {
    minParams: 0,
    registered: true,
    run: (dialect, params, view) => nickserv(dialect, params.join(" "), view),
  },
  WHOWAS: {
    minParams: 0,
    registered: true,
    run: (dialect, [nicks = "", count = ""], view) => [
      dialect.numerics(
        view,
        ...whowasReplies(nicks, count, (...each) => view.departed(...each), {
          host: USER_HOST,
          server: dialect.server,
          serverInfo: dialect.serverInfo,
        }),
      ),
    ],
  },
};

/**
 * Why MODE +o/-o or +v/-v on `nick` is refused before the hub is asked, as other servers check
 * (461, 401, 441); undefined when it may go on. A channel the user is not in is left to the hub
 * (403 or 482).
 */
function roleRefused(
  dialect: IrcDialect,
  view: DialectView,
  channel: string,
  nick: string | undefined,
): Intent | undefined {
  if (nick === undefined) {
    return dialect.numerics(view, [N.ERR_NEEDMOREPARAMS, "MODE", "Not enough parameters"]);
  }
  const shown = dialect.shownChannel(channel.slice(1));
  if (shown === undefined) return undefined;
  if (view.user(nick) === undefined) {
    return dialect.numerics(view, [N.ERR_NOSUCHNICK, nick, "No such nick"]);
  }
  if (!view.roomKeysOf(nick).includes(shown.key)) {
    return dialect.numerics(view, [
      N.ERR_USERNOTINCHANNEL,
      nick,
      channel,
      "They aren't on that channel",
    ]);
  }
  return undefined;
}

/**
 * Nicks the viewer can see: itself and the members of every channel it sees. WHO masks match
 * them only (everyone is invisible, +i, to the rest).
 */
function knownNicks(dialect: IrcDialect, view: DialectView): Map<string, string> {
  const known = new Map<string, string>();
  if (view.nick !== undefined) known.set(ircLower(view.nick), view.nick);
  for (const channel of dialect.channels.values()) {
    // A hidden lobby is not shared as far as the IRC user knows: everyone is invisible (+i)
    // to WHO masks but for who shares a channel the user sees.
    if (!channel.shown) continue;
    for (const spelled of view.members(channel.key)) known.set(ircLower(spelled), spelled);
  }
  return known;
}

// ---- lines -------------------------------------------------------------------------------------

function line(from: string | undefined, command: string, ...params: string[]): string {
  const message: IrcMessageInit = from === undefined
    ? { command, params: params.map(oneLine) }
    : { source: from, command, params: params.map(oneLine) };
  return formatMessage(message);
}

/** Text for a parameter: never a CR, LF or NUL (they would end the line). */
function oneLine(text: string): string {
  return text.replace(/[\0\r\n]/g, " ");
}

/**
 * A PRIVMSG or NOTICE of any length: split into lines that each fit 512 bytes with the prefix,
 * nothing lost.
 */
function textLines(
  from: string,
  command: string,
  target: string,
  text: string,
  options: { action?: boolean; tags?: Record<string, string> } = {},
): string[] {
  const head = `:${from} ${command} ${target} :`;
  const wrap = options.action ? utf8Length(formatAction("")) : 0;
  const room = Math.max(MIN_SPLIT_BYTES, MAX_BODY_BYTES - utf8Length(head) - wrap);
  const tags = options.tags === undefined || Object.keys(options.tags).length === 0
    ? undefined
    : options.tags;
  const whole = oneLine(text);
  // Split only what does not fit (the head above counts a colon a short text may not need).
  const fits = fitsRelayed(from, command, target, whole, options.action === true);
  return (fits ? [whole] : splitText(whole, room)).map((piece) => {
    const message: IrcMessageInit = {
      source: from,
      command,
      params: [target, options.action ? formatAction(piece) : piece],
    };
    if (tags !== undefined) message.tags = tags;
    return formatMessage(message);
  });
}

/**
 * Whether a PRIVMSG or NOTICE from an IRC client fits one line when relayed with its sender's
 * prefix (`:nick!user@host`), tags aside. Longer text from other clients is split for IRC
 * clients (textLines); an IRC client's own line is refused instead (417), so what it sent is
 * never shown to others differently from what its user saw.
 */
function fitsRelayed(
  from: string,
  verb: string,
  target: string,
  text: string,
  action: boolean,
): boolean {
  return utf8Length(line(from, verb, target, action ? formatAction(text) : text)) <=
    MAX_BODY_BYTES;
}

/** A formatted line with one more tag in front. */
function withTag(formatted: string, key: string, value: string): string {
  const tag = `${key}=${escapeTagValue(value)}`;
  return formatted.startsWith("@") ? `@${tag};${formatted.slice(1)}` : `@${tag} ${formatted}`;
}

function toBytes(lines: string[]): Uint8Array {
  return lines.length === 0 ? NOTHING : encoder.encode(lines.join("\r\n") + "\r\n");
}

function unreachableEvent(event: never): never {
  throw new TypeError(`Unexpected event: ${JSON.stringify(event)}`);
}

function unreachableCode(code: never): never {
  throw new TypeError(`Unexpected error code: ${String(code)}`);
}
