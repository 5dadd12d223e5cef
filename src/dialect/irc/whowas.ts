/**
 * IRC's `WHOWAS nick[,nick...] [count]`: who went by those nicks lately, as numeric replies.
 * Pure: the caller gives the departed users (newest first, from the hub) and sends the replies.
 *
 * Several targets give one list, newest first across them (RFC 2812 3.6.3, as irctest's
 * multi-target test wants), then one `369` naming the targets as given. `count` limits the
 * entries of each nick; one that is not a positive number means all of them.
 */
import type { UserInfo } from "../dialect.ts";
import { nickKey } from "../../nick.ts";
import * as N from "./numerics.ts";

/** What the replies show besides the users: the host part and the server. */
export interface WhowasOptions {
  /** The host in every `nick!user@host` (a fixed cloak). */
  readonly host: string;
  /** The server's name (`312`). */
  readonly server: string;
  /** The server's description (`312`). */
  readonly serverInfo: string;
}

/**
 * The numeric replies (code first, without the client's nick) to `WHOWAS targets count`.
 * `departed` answers who went by any of the nicks, newest first.
 *
 * @example
 * ```ts
 * import { whowasReplies } from "./whowas.ts";
 * const replies = whowasReplies("bea", "", () => [], {
 *   host: "chat",
 *   server: "chat",
 *   serverInfo: "chat",
 * });
 * console.assert(replies[0]?.[0] === "406" && replies[1]?.[0] === "369");
 * ```
 */
export function whowasReplies(
  targets: string,
  count: string,
  departed: (...nicks: string[]) => readonly UserInfo[],
  options: WhowasOptions,
): string[][] {
  const nicks = targets.split(",").filter((nick) => nick !== "");
  if (nicks.length === 0) return [[N.ERR_NONICKNAMEGIVEN, "No nickname given"]];
  const wanted = /^\d+$/.test(count) && Number(count) > 0 ? Number(count) : Infinity;
  // Each target's entries, by the hub's nick key, so `count` applies to each nick.
  const left = new Map(nicks.map((nick) => [nickKey(nick), wanted]));
  const found = departed(...nicks).filter((info) => {
    const key = nickKey(info.nick);
    const room = left.get(key) ?? 0;
    if (room <= 0) return false;
    left.set(key, room - 1);
    return true;
  });
  const seen = new Set(found.map((info) => nickKey(info.nick)));
  return [
    ...found.flatMap((info) => [
      [
        N.RPL_WHOWASUSER,
        info.nick,
        info.user,
        options.host,
        "*",
        info.realName === "" ? info.nick : info.realName,
      ],
      [N.RPL_WHOISSERVER, info.nick, options.server, options.serverInfo],
    ]),
    ...nicks.filter((nick) => !seen.has(nickKey(nick))).map((nick) => [
      N.ERR_WASNOSUCHNICK,
      nick,
      "There was no such nickname",
    ]),
    [N.RPL_ENDOFWHOWAS, targets, "End of WHOWAS"],
  ];
}
