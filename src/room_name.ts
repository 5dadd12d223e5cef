/** The room-name rule, shared by server (which enforces it) and client (which explains it). Pure. */
import { ChatError } from "./errors.ts";
import { MAX_ROOM_NAME_CHARS, NICK_REGEXP } from "./limits.ts";
import { checkLookAlikes, nickKey, quote } from "./nick.ts";

/** The rule in words, for error messages and docs. */
export const ROOM_RULE = `1 to ${MAX_ROOM_NAME_CHARS} letters or digits, plus _ - . ` +
  "(not first: - or .); a leading # is ignored";

/**
 * Checks a room name and returns it NFC-normalised, without a leading `#` (so IRC habits work);
 * throws `ChatError("room_invalid")` with the reason otherwise. Room names follow the nick
 * rule's characters, so they cannot carry control, invisible or bidi characters either.
 */
export function validateRoomName(raw: string): string {
  const name = raw.normalize("NFC").replace(/^#/, "");
  const chars = [...name].length;
  if (chars === 0) throw new ChatError("room_invalid", `Room name is empty: use ${ROOM_RULE}`);
  if (chars > MAX_ROOM_NAME_CHARS) {
    throw new ChatError(
      "room_invalid",
      `Room name is too long: ${chars} characters, at most ${MAX_ROOM_NAME_CHARS}`,
    );
  }
  if (!NICK_REGEXP.test(name)) {
    throw new ChatError(
      "room_invalid",
      `Room name ${quote(name)} is not allowed: use ${ROOM_RULE}`,
    );
  }
  checkLookAlikes(name, "Room name", "room_invalid");
  return name;
}

/** Keys already made: folding is costly (two normalisations), and a server has few room names. */
const keys = new Map<string, string>();

/** Most keys remembered; past it the memory starts over (names from hostile input cannot pile up). */
const MAX_REMEMBERED_KEYS = 4096;

/** The key under which a room name is unique: the same folding as nicks. */
export function roomKey(name: string): string {
  let key = keys.get(name);
  if (key === undefined) {
    key = nickKey(name.replace(/^#/, ""));
    if (keys.size >= MAX_REMEMBERED_KEYS) keys.clear();
    keys.set(name, key);
  }
  return key;
}
