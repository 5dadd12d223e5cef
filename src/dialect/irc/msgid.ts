/**
 * IRCv3 msgids (message-tags) for what the server relays: a room message's names its seq, time
 * and room, so CHATHISTORY can find it again; anything else's is a hash, the same for each of its
 * recipients. Pure.
 */
import { roomKey } from "../../room_name.ts";

/**
 * A room message's msgid: its seq, time and room, so it is unique even across a room that was
 * closed and made again, and CHATHISTORY can find it by seq.
 */
export function roomMsgid(message: { room: string; seq: number; time: number }): string {
  return `${message.seq}-${message.time.toString(36)}-${roomKey(message.room)}`;
}

/** The seq a room message's msgid names, if it is one of ours. */
export function seqOfMsgid(msgid: string): number | undefined {
  const match = /^(\d{1,15})-[0-9a-z]+-/.exec(msgid);
  return match === null ? undefined : Number(match[1]);
}

/** A private message's msgid: the same for its sender and receiver. */
export function privateMsgid(
  message: { from: string; to: string; time: number; text: string },
): string {
  return hashMsgid("p", message.time, [message.from, message.to, message.text]);
}

/** A msgid from a time and a hash (FNV-1a) of some strings. */
export function hashMsgid(kind: string, time: number, parts: string[]): string {
  let hash = 0x811c9dc5;
  for (const char of parts.join("\0")) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `${kind}${time.toString(36)}-${hash.toString(36)}`;
}
