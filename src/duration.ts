/**
 * Durations typed by people (`30s`, `10m`, `2h`, `7d`, `1w`, or combined: `1h30m`) and shown
 * back (`1h 30m`). Pure.
 *
 * @example
 * ```ts
 * import { formatTimeLeft, parseDuration } from "./duration.ts";
 * parseDuration("1h30m"); // 5400000
 * parseDuration("soon"); // undefined
 * formatTimeLeft(5_400_000); // "1h 30m"
 * ```
 */

const UNITS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Longest duration accepted: ten years. */
export const MAX_DURATION_MS = 10 * 365 * 86_400_000;

/** Milliseconds in a duration such as `10m` or `1d12h`; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (!/^(\d{1,6}[smhdw])+$/.test(trimmed)) return undefined;
  let ms = 0;
  for (const [, count, unit] of trimmed.matchAll(/(\d+)([smhdw])/g)) {
    ms += Number(count) * (UNITS[unit ?? "s"] ?? 0);
  }
  return ms > 0 && ms <= MAX_DURATION_MS ? ms : undefined;
}

/** A time left, to the two largest units (`2d 3h`, `5m 10s`, `40s`); under a second is `1s`. */
export function formatTimeLeft(ms: number): string {
  let left = Math.max(1, Math.ceil(ms / 1000));
  const parts: string[] = [];
  for (const [unit, size] of [["d", 86_400], ["h", 3_600], ["m", 60], ["s", 1]] as const) {
    if (left >= size) {
      parts.push(`${Math.floor(left / size)}${unit}`);
      left %= size;
    }
  }
  return parts.slice(0, 2).join(" ");
}
