/**
 * `LIST`'s parameter with the ELIST extensions we offer (`ELIST=MNU`,
 * https://modern.ircdocs.horse/#elist-parameter): a comma-separated list of
 *
 * - channel names (`#games`), kept when the room is one of them;
 * - masks (`M`: `#g*`, `*mes`), kept when the room's `#name` matches one of them;
 * - negated masks (`N`: `!#g*`), dropped when it matches;
 * - member counts (`U`: `<n`, `>n`), kept when the room has fewer or more than n members.
 *
 * Names and masks are alternatives (any of them keeps a room); the other conditions must all
 * hold. Creation time (`C<n`, `C>n`) and topic time (`T<n`, `T>n`) are not offered: the room
 * list carries neither time. Pure.
 */
import { roomKey } from "../../room_name.ts";
import { matchMask } from "./mask.ts";

/** Which rooms a `LIST` keeps. */
export interface ListFilter {
  /** Room keys named exactly; with `masks`, the rooms to keep (none of either: every room). */
  readonly names: ReadonlySet<string>;
  readonly masks: readonly string[];
  /** Masks of rooms to leave out. */
  readonly excluded: readonly string[];
  /** Keep rooms with more members than this (`>n`). */
  readonly moreThan?: number;
  /** Keep rooms with fewer members than this (`<n`). */
  readonly fewerThan?: number;
}

/** A `LIST` parameter that cannot be served: the condition, and why. */
export interface ListFilterError {
  readonly condition: string;
  readonly reason: string;
}

/** The largest member count a condition may name (more would never matter). */
const MAX_COUNT = 1_000_000_000;

/**
 * Parses `LIST`'s first parameter (empty: every room).
 *
 * @example
 * ```ts
 * import { listKeeps, parseListFilter } from "./elist.ts";
 * const filter = parseListFilter("#g*,>1");
 * console.assert(!("reason" in filter) && listKeeps(filter, { name: "games", members: 2 }));
 * ```
 */
export function parseListFilter(param: string): ListFilter | ListFilterError {
  const names = new Set<string>();
  const masks: string[] = [];
  const excluded: string[] = [];
  let moreThan: number | undefined;
  let fewerThan: number | undefined;
  for (const item of param.split(",")) {
    if (item === "") continue;
    const count = /^([<>])(\d{1,10})$/.exec(item);
    if (count !== null) {
      const value = Math.min(Number(count[2]), MAX_COUNT);
      if (count[1] === ">") moreThan = Math.max(moreThan ?? 0, value);
      else fewerThan = Math.min(fewerThan ?? Infinity, value);
      continue;
    }
    if (/^[<>]/.test(item)) {
      return { condition: item, reason: "A member count is <n or >n, n a whole number" };
    }
    if (/^[CcTt][<>]/.test(item)) {
      return {
        condition: item,
        reason: "Creation and topic times (C, T) are not offered: ELIST is MNU",
      };
    }
    if (item.startsWith("!")) {
      excluded.push(item.slice(1));
    } else if (/[*?]/.test(item)) {
      masks.push(item);
    } else {
      names.add(roomKey(item));
    }
  }
  return {
    names,
    masks,
    excluded,
    ...moreThan === undefined ? {} : { moreThan },
    ...fewerThan === undefined ? {} : { fewerThan },
  };
}

/** Whether `LIST` with `filter` shows a room (`name` without `#`). */
export function listKeeps(filter: ListFilter, room: { name: string; members: number }): boolean {
  const channel = "#" + room.name;
  const wanted = filter.names.size === 0 && filter.masks.length === 0 ||
    filter.names.has(roomKey(room.name)) || filter.masks.some((mask) => matchMask(mask, channel));
  return wanted && !filter.excluded.some((mask) => matchMask(mask, channel)) &&
    (filter.moreThan === undefined || room.members > filter.moreThan) &&
    (filter.fewerThan === undefined || room.members < filter.fewerThan);
}
