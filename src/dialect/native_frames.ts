/**
 * Words the hub's events that have no frame of their own as native frames (mostly notices), for
 * the native and plain-text dialects; wire frames pass through as they are. Slash-command hints
 * belong here, with the dialects that have slash commands. Pure.
 */
import { withHint } from "../errors.ts";
import type { ServerFrame } from "../protocol.ts";
import type { HubEvent, RoomChange } from "../server/events.ts";
import type { RoomFlag } from "../store/room_directory.ts";

/** The native frame for an event; undefined for events native clients are not shown. */
export function nativeFrame(event: HubEvent): ServerFrame | undefined {
  switch (event.type) {
    case "user_away":
    case "account":
    case "real_name":
    case "presence":
    case "tags":
    case "history":
      // Others' away changes and logins are in /whois; tags and history queries are IRC's.
      return undefined;
    case "mode":
      return {
        type: "notice",
        room: event.room,
        text: `${event.by} ` +
          event.changes.map((change) => changeText(change, event.by)).join(", "),
      };
    case "invite":
      // The invited member and the one who invited see the same words.
      return {
        type: "notice",
        text: `${event.by} invited ${event.nick} to ${event.room} (/join ${event.room})`,
      };
    case "invitations":
      return {
        type: "notice",
        text: event.rooms.length === 0
          ? "You have no invitations"
          : `You are invited to: ${event.rooms.join(", ")}`,
      };
    case "quit": {
      // The rooms they were in are the dialects' business, not the wire's.
      const { roomKeys: _, ...frame } = event;
      return frame;
    }
    case "wallops":
      // Only operators (and IRC users with +w) get them: a notice saying whose it is.
      return { type: "notice", text: `Wallops from ${event.from}: ${event.text}` };
    case "away":
      return {
        type: "notice",
        text: event.text === undefined ? "You are back" : `You are away: ${event.text}`,
      };
    case "away_reply":
      return { type: "notice", text: `${event.nick} is away: ${event.text}` };
    case "same_nick":
      return { type: "notice", text: `You are already known as ${event.nick}` };
    case "rejoin_failed":
      return { type: "notice", text: `Could not rejoin ${event.room}: ${rejoinText(event)}` };
    case "ownership":
      return {
        type: "notice",
        text: event.given
          ? `${event.by} made you the owner of ${event.room}: /join ${event.room} to run it`
          : `${event.by} took away your ownership of ${event.room}`,
      };
    case "search_results":
      return { type: "notice", room: event.room, text: searchText(event) };
    case "history_page":
      return { type: "notice", room: event.room, text: historyText(event) };
    case "room_bans": {
      const list = event.bans.map((ban) => `${ban.nick} (by ${ban.by})`);
      return {
        type: "notice",
        room: event.room,
        text: list.length === 0 ? "No bans" : `Bans (${list.length}): ${list.join("; ")}`,
      };
    }
    case "logged_in":
      return { type: "notice", text: `Logged in as ${event.account}` };
    case "failure": {
      const frame: ServerFrame = {
        type: "error",
        code: event.error.code,
        message: withHint(event.error),
      };
      if (event.ref !== undefined) frame.id = event.ref;
      return frame;
    }
    default:
      return event;
  }
}

function searchText(event: Extract<HubEvent, { type: "search_results" }>): string {
  const words = JSON.stringify(event.words);
  if (event.count === 0) return `No message in ${event.room} has ${words}`;
  const what = event.count === 1 ? "1 message" : `${event.count} messages`;
  return `${what} in ${event.room} with ${words}, newest first` +
    (event.count === event.limit
      ? ` (the newest ${event.limit}: add words to find older ones)`
      : "") +
    ":";
}

function historyText(event: Extract<HubEvent, { type: "history_page" }>): string {
  if (event.count === 0) return `No older messages in ${event.room}`;
  const what = event.count === 1 ? "1 older message" : `${event.count} older messages`;
  return `${what} in ${event.room}:` +
    (event.more ? ` /history ${event.count} ${event.first} shows the ones before` : "");
}

function changeText(change: RoomChange, by: string): string {
  switch (change.kind) {
    case "limit":
      return change.limit === undefined ? "removed the limit" : `set the limit to ${change.limit}`;
    case "password":
      return change.set ? "set a password" : "removed the password";
    case "listed":
      return change.listed ? "made the room public" : "made the room private (unlisted)";
    case "persistent":
      return change.persistent
        ? "made the room stay when empty"
        : "made the room go when its last member leaves";
    case "owner":
      return change.owner === undefined
        ? "removed the room's owner" + (change.was === undefined ? "" : ` (was ${change.was})`)
        : `made ${change.owner} the owner of the room`;
    case "ban":
      return change.set ? `banned ${change.nick} from the room` : `let ${change.nick} in again`;
    case "flag":
      return FLAG_TEXT[change.flag][change.set ? 0 : 1];
    case "role":
      if (change.role === "voice") {
        return change.set ? `gave ${change.nick} voice` : `took ${change.nick}'s voice away`;
      }
      if (change.set) return `made ${change.nick} an operator`;
      return change.nick === by
        ? "is no longer an operator of the room"
        : `made ${change.nick} a member only (no longer an operator)`;
  }
}

/** How a flag's change reads: turned on, turned off. */
const FLAG_TEXT: Readonly<Record<RoomFlag, readonly [string, string]>> = {
  inviteOnly: ["made the room invite-only", "opened the room to everyone"],
  moderated: [
    "moderated the room: only operators and voiced members talk",
    "let everyone in the room talk",
  ],
  openTopic: ["let every member set the topic", "let only operators set the topic"],
  outsiders: ["let people outside the room send to it", "let only members send to the room"],
};

function rejoinText(event: Extract<HubEvent, { type: "rejoin_failed" }>): string {
  switch (event.why) {
    case "gone":
      return "it no longer exists";
    case "password":
      return `it needs a password (/join ${event.room} PASSWORD)`;
    case "full":
      return `it is full (${event.limit ?? "?"}/${event.limit ?? "?"})`;
    case "banned":
      return "you are banned from it";
    case "invite_only":
      return "it is invite-only (ask one of its operators to /invite you)";
  }
}
