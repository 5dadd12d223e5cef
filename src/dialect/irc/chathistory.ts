/**
 * CHATHISTORY's references and limits (IRCv3 draft/chathistory) as a history request for the
 * hub: `LATEST * 10`, `BEFORE msgid=... 10`, `AROUND timestamp=... 10`, `BETWEEN a b 10`. Pure.
 */
import { MAX_HISTORY_QUERY } from "../../limits.ts";
import type { HistoryRequest } from "../../server/events.ts";
import type { HistoryBound } from "../../store/room_log.ts";
import { seqOfMsgid } from "./msgid.ts";

/** The subcommands that read a room's history (TARGETS lists targets instead). */
export const HISTORY_SUBCOMMANDS: readonly string[] = [
  "LATEST",
  "BEFORE",
  "AFTER",
  "AROUND",
  "BETWEEN",
];

/**
 * The request a CHATHISTORY subcommand (upper case) and its parameters after the target ask
 * for, or why they cannot be read (a sentence for FAIL INVALID_PARAMS). Limits are capped at
 * MAX_HISTORY_QUERY.
 *
 * @example
 * ```ts
 * import { parseHistoryRequest } from "./chathistory.ts";
 * const request = parseHistoryRequest("LATEST", ["*", "10"]);
 * console.assert(typeof request === "object" && request.limit === 10);
 * ```
 */
export function parseHistoryRequest(
  sub: string,
  params: readonly string[],
): HistoryRequest | string {
  if (!HISTORY_SUBCOMMANDS.includes(sub)) return "Unknown subcommand";
  if (sub === "BETWEEN") {
    const first = bound(params[0]);
    const second = bound(params[1]);
    const limit = limitOf(params[2]);
    if (first === undefined || second === undefined || limit === undefined) {
      return "Expected two msgid= or timestamp= references and a limit";
    }
    return { between: [first, second], limit };
  }
  const limit = limitOf(params[1]);
  if (limit === undefined) return "Expected a limit";
  if (sub === "LATEST" && params[0] === "*") return { limit, from: "newest" };
  const point = bound(params[0]);
  if (point === undefined) return "Expected msgid= or timestamp=";
  switch (sub) {
    case "LATEST":
      return { after: point, limit, from: "newest" };
    case "BEFORE":
      return { before: point, limit, from: "newest" };
    case "AFTER":
      return { after: point, limit, from: "oldest" };
    default:
      return { around: point, limit };
  }
}

function limitOf(text: string | undefined): number | undefined {
  return text !== undefined && /^\d{1,6}$/.test(text)
    ? Math.min(Number(text), MAX_HISTORY_QUERY)
    : undefined;
}

/** A CHATHISTORY reference: `msgid=...` (one of ours) or `timestamp=...` (ISO 8601). */
function bound(reference: string | undefined): HistoryBound | undefined {
  if (reference === undefined) return undefined;
  const [kind, value = ""] = reference.split("=", 2);
  if (kind === "msgid") {
    const seq = seqOfMsgid(value);
    return seq === undefined ? undefined : { seq };
  }
  if (kind === "timestamp") {
    const time = Date.parse(value);
    return Number.isFinite(time) ? { time } : undefined;
  }
  return undefined;
}
