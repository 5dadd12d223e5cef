/**
 * The letters of `/mode` (IRC's channel modes) for a room's on/off settings and its members'
 * roles, and the reading of `/mode +im-t+o ana`. Pure.
 */
import { ChatError } from "../errors.ts";
import type { RoomFlag } from "../store/room_directory.ts";
import type { ModeRequest, RoomRole } from "./events.ts";

/**
 * Each flag letter: the flag it changes, and whether `+` turns the flag on (`+t` and `+n` turn
 * theirs off: only operators set the topic, only members send).
 */
export const FLAG_LETTERS: Readonly<Record<string, { flag: RoomFlag; plusMeansOn: boolean }>> = {
  i: { flag: "inviteOnly", plusMeansOn: true },
  m: { flag: "moderated", plusMeansOn: true },
  n: { flag: "outsiders", plusMeansOn: false },
  t: { flag: "openTopic", plusMeansOn: false },
};

/** Each role letter, which takes a nick. */
export const ROLE_LETTERS: Readonly<Record<string, RoomRole>> = { o: "operator", v: "voice" };

/** Most changes in one `/mode`. */
export const MAX_MODE_CHANGES = 20;

/**
 * A flag change as a signed letter.
 *
 * @example
 * ```ts
 * flagLetter("openTopic", false); // "+t"
 * ```
 */
export function flagLetter(flag: RoomFlag, on: boolean): string {
  for (const [letter, entry] of Object.entries(FLAG_LETTERS)) {
    if (entry.flag === flag) return (on === entry.plusMeansOn ? "+" : "-") + letter;
  }
  throw new RangeError(`No mode letter for the flag "${flag}"`);
}

/** A role's letter: `o` or `v`. */
export function roleLetter(role: RoomRole): string {
  return role === "operator" ? "o" : "v";
}

/**
 * Reads `/mode` arguments: signed letters, then a nick for each role letter. Throws
 * `bad_arguments` for an unknown letter, a missing or extra nick, or too many changes.
 *
 * @example
 * ```ts
 * parseModes("+m-t+v ana");
 * // [{ kind: "flag", flag: "moderated", set: true },
 * //  { kind: "flag", flag: "openTopic", set: true },
 * //  { kind: "role", role: "voice", nick: "ana", set: true }]
 * ```
 */
export function parseModes(text: string): ModeRequest[] {
  const [letters = "", ...nicks] = text.trim().split(/\s+/);
  if (letters === "") throw usage("Not enough arguments");
  const requests: ModeRequest[] = [];
  let plus = true;
  for (const char of letters) {
    if (char === "+" || char === "-") {
      plus = char === "+";
      continue;
    }
    const flag = FLAG_LETTERS[char];
    const role = ROLE_LETTERS[char];
    if (flag !== undefined) {
      requests.push({ kind: "flag", flag: flag.flag, set: plus === flag.plusMeansOn });
    } else if (role !== undefined) {
      const nick = nicks.shift();
      if (nick === undefined) throw usage(`Mode ${plus ? "+" : "-"}${char} needs a nick`);
      requests.push({ kind: "role", role, nick, set: plus });
    } else {
      throw usage(`Unknown mode "${char}"`);
    }
  }
  if (nicks.length > 0) throw usage(`Too many nicks: ${nicks.join(" ")}`);
  if (requests.length === 0) throw usage("No modes given");
  if (requests.length > MAX_MODE_CHANGES) {
    throw usage(`Too many changes at once: at most ${MAX_MODE_CHANGES}`);
  }
  return requests;
}

function usage(what: string): ChatError {
  return new ChatError(
    "bad_arguments",
    `${what}: /mode +FLAGS or -FLAGS, then a nick for each o or v ` +
      "(i invite only, m moderated, t only operators set the topic, n only members send, " +
      "o operator, v voice)",
  );
}
