/**
 * What the hub emits: events as data, one union. Most are wire frames of the native protocol
 * (they are data already); the rest carry what changed without words, and each dialect says
 * them in its own way (`src/dialect/native_frames.ts` words them for `chat join` and `nc`). Pure.
 */
import type { ChatError } from "../errors.ts";
import type { MessageFrame, ServerFrame } from "../protocol.ts";
import type { HistoryBound, HistoryQuery } from "../store/room_log.ts";
import type { RoomFlag } from "../store/room_directory.ts";

/**
 * What a member asks of a room's history (IRC's CHATHISTORY): a range; the messages around one
 * point (half before it, the rest from it on); or those between two points in either order
 * (the oldest first when the first point is the earlier, else the newest).
 */
export type HistoryRequest =
  | HistoryQuery
  | { readonly around: HistoryBound; readonly limit: number }
  | { readonly between: readonly [HistoryBound, HistoryBound]; readonly limit: number };

/** A change to a room's settings, like an IRC channel mode. */
export type RoomChange =
  | { readonly kind: "limit"; readonly limit?: number }
  | { readonly kind: "password"; readonly set: boolean }
  | { readonly kind: "listed"; readonly listed: boolean }
  | { readonly kind: "persistent"; readonly persistent: boolean }
  | { readonly kind: "owner"; readonly owner?: string; readonly was?: string }
  /** A nick was banned from the room (`set`), or let in again. */
  | { readonly kind: "ban"; readonly nick: string; readonly set: boolean }
  /** One of the room's on/off settings was turned on (`set`) or off. */
  | { readonly kind: "flag"; readonly flag: RoomFlag; readonly set: boolean }
  /** A member was made one of the room's operators or voiced (`set`), or no longer is. */
  | {
    readonly kind: "role";
    readonly role: RoomRole;
    readonly nick: string;
    readonly set: boolean;
  };

/** What a member may be in a room beyond a member: an operator (`+o`) or voiced (`+v`). */
export type RoomRole = "operator" | "voice";

/** A change a member asks for with `/mode` (and IRC's MODE): a flag, or a member's role. */
export type ModeRequest = Extract<RoomChange, { kind: "flag" | "role" }>;

/**
 * Who did something: a member's nick, or `ADMIN` for the server's operator at the admin console
 * (nicks hold no spaces, so it is never someone's nick).
 */
export const ADMIN = "the server admin";

/** An event the hub emits (or the session, for errors), for one or more viewers. */
export type HubEvent =
  | ServerFrame
  /** A room's settings changed; everyone in it is told. */
  | {
    readonly type: "mode";
    readonly room: string;
    readonly by: string;
    /** In the order they were made (several at once for `/mode +im`). */
    readonly changes: readonly RoomChange[];
  }
  /** An operator's message to the operators and to those who asked for it (IRC's WALLOPS). */
  | { readonly type: "wallops"; readonly from: string; readonly text: string }
  /**
   * `by` invited `nick` to a room; the invited member gets it, and the one who invited as the
   * confirmation.
   */
  | { readonly type: "invite"; readonly room: string; readonly by: string; readonly nick: string }
  /** The rooms you are invited to and have not joined yet (`/invite` alone). */
  | { readonly type: "invitations"; readonly rooms: readonly string[] }
  /** You are now away (with `text`) or back (without). */
  | { readonly type: "away"; readonly text?: string }
  /** The person you wrote to is away. */
  | { readonly type: "away_reply"; readonly nick: string; readonly text: string }
  /** Someone (possibly you) changed their real name (IRC's SETNAME). */
  | { readonly type: "real_name"; readonly nick: string; readonly realName: string }
  /** A nick you watch (IRC's MONITOR) came online (registered, or renamed to it) or went. */
  | { readonly type: "presence"; readonly nick: string; readonly online: boolean }
  /**
   * Someone who shares a room with you, or whom you watch, went away (with `text`) or came back
   * (without).
   */
  | { readonly type: "user_away"; readonly nick: string; readonly text?: string }
  /**
   * Someone who shares a room with you, or whom you watch, logged in to an account (`account`:
   * its name) or out (without); IRC's account-notify.
   */
  | { readonly type: "account"; readonly nick: string; readonly account?: string }
  /**
   * Client tags without a message (IRC's TAGMSG: typing, reactions), to a room (`room`) or one
   * person (`to`); the sender gets it too, to echo it if its dialect does.
   */
  | {
    readonly type: "tags";
    readonly from: string;
    readonly room?: string;
    readonly to?: string;
    readonly tags: Readonly<Record<string, string>>;
    readonly time: number;
  }
  /** Messages from a room's history you asked for, oldest first. */
  | { readonly type: "history"; readonly room: string; readonly messages: readonly MessageFrame[] }
  /** You asked for the nick you have. */
  | { readonly type: "same_nick"; readonly nick: string }
  /** Resuming, you could not be put back in a room. */
  | {
    readonly type: "rejoin_failed";
    readonly room: string;
    readonly why: "gone" | "password" | "full" | "banned" | "invite_only";
    readonly limit?: number;
  }
  /** Someone gave you (`given`) or took away your ownership of a room you are not in. */
  | {
    readonly type: "ownership";
    readonly room: string;
    readonly by: string;
    readonly given: boolean;
  }
  /**
   * The older messages you asked for (`/history`) follow: `count` of them, the oldest numbered
   * `first`; `more` when the room holds older ones still.
   */
  | {
    readonly type: "history_page";
    readonly room: string;
    readonly count: number;
    readonly first?: number;
    readonly more: boolean;
  }
  /**
   * The messages matching your search (`/search`) follow, newest first: `count` of them, and
   * there may be older ones when `count` is the `limit`.
   */
  | {
    readonly type: "search_results";
    readonly room: string;
    readonly words: string;
    readonly count: number;
    readonly limit: number;
  }
  /**
   * A room's bans, for its owner or an operator (`/bans` in the room): each banned nick, who
   * banned it and since when (ms).
   */
  | {
    readonly type: "room_bans";
    readonly room: string;
    readonly bans: readonly {
      readonly nick: string;
      readonly by: string;
      readonly since: number;
    }[];
  }
  /**
   * You logged in to an account without taking its nick (IRC's SASL and OPER: the `authenticate`
   * intent's `purpose`); `operator` when the account is one of the server's operators.
   */
  | {
    readonly type: "logged_in";
    readonly account: string;
    readonly operator: boolean;
    readonly purpose: "sasl" | "oper";
  }
  /** Your last request failed (`ref`: its id). */
  | { readonly type: "failure"; readonly error: ChatError; readonly ref?: string };
