/**
 * A room's settings and changes as IRC channel modes: the MODE line a change is shown as, the
 * 324 reply's modes, and ban masks (bans are by nick). Pure.
 */
import type { RoomInfo } from "../../protocol.ts";
import type { RoomChange } from "../../server/events.ts";
import { flagLetter, roleLetter } from "../../server/room_modes.ts";

/**
 * The nick a ban mask names: `nick`, `nick!*` or `nick!*@*` (bans are by nick: nobody's address
 * is shown, so masks on user or host cannot be matched). Undefined for any other mask.
 */
export function nickOfMask(mask: string): string | undefined {
  const match = /^([^!@*?]+)(?:!\*(?:@\*)?)?$/.exec(mask);
  return match?.[1];
}

/** The mask a banned nick is shown as. */
export function banMask(nick: string): string {
  return `${nick}!*@*`;
}

/**
 * Changes as a MODE line's parameters: the signed letters, each sign written once per run,
 * then their arguments in order. Empty when none is a mode (a room that stays when empty is
 * not one).
 *
 * @example
 * ```ts
 * modeChanges([
 *   { kind: "flag", flag: "moderated", set: true },
 *   { kind: "role", role: "voice", nick: "ana", set: true },
 *   { kind: "limit" },
 * ]);
 * // ["+mv-l", "ana"]
 * ```
 */
export function modeChanges(changes: readonly RoomChange[]): string[] {
  const signed: string[] = [];
  const args: string[] = [];
  const add = (mode: string, arg?: string) => {
    signed.push(mode);
    if (arg !== undefined) args.push(arg);
  };
  for (const change of changes) {
    switch (change.kind) {
      case "limit":
        if (change.limit === undefined) add("-l");
        else add("+l", String(change.limit));
        break;
      case "password":
        add(change.set ? "+k" : "-k", "*");
        break;
      case "listed":
        add(change.listed ? "-s" : "+s");
        break;
      case "persistent":
        break;
      case "owner":
        if (change.was !== undefined) add("-o", change.was);
        if (change.owner !== undefined) add("+o", change.owner);
        break;
      case "ban":
        add(change.set ? "+b" : "-b", banMask(change.nick));
        break;
      case "flag":
        add(flagLetter(change.flag, change.set));
        break;
      case "role":
        add((change.set ? "+" : "-") + roleLetter(change.role), change.nick);
        break;
    }
  }
  if (signed.length === 0) return [];
  let letters = "";
  let sign = "";
  for (const mode of signed) {
    if (mode[0] !== sign) letters += mode[0];
    sign = mode[0] ?? "";
    letters += mode.slice(1);
  }
  return [letters, ...args];
}

/**
 * A room's modes as 324 gives them: the letters, then the limit. `+n` and `+t` unless the room
 * lets outsiders send or every member set the topic.
 *
 * @example
 * ```ts
 * channelModeIs({ name: "games", members: 2, limit: 5, moderated: true }); // ["+mntl", "5"]
 * ```
 */
export function channelModeIs(room: RoomInfo): string[] {
  let letters = "+";
  const args: string[] = [];
  if (room.inviteOnly === true) letters += "i";
  if (room.password === true) letters += "k";
  if (room.limit !== undefined) {
    letters += "l";
    args.push(String(room.limit));
  }
  if (room.moderated === true) letters += "m";
  if (room.outsiders !== true) letters += "n";
  if (room.private === true) letters += "s";
  if (room.openTopic !== true) letters += "t";
  return [letters, ...args];
}
