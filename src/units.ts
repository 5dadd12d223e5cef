/** Quantities shown to people: byte counts and transfer rates. Pure. */

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"] as const;

/**
 * A byte count in binary units: whole bytes below 1 KiB, then KiB, MiB, GiB and TiB with one
 * decimal. Throws a `RangeError` for a negative or non-finite count.
 *
 * @example
 * ```ts
 * import { formatBytes } from "./units.ts";
 * formatBytes(512); // "512 B"
 * formatBytes(1536); // "1.5 KiB"
 * formatBytes(29 * 1024 ** 2); // "29.0 MiB"
 * ```
 */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) {
    throw new RangeError(`Invalid byte count: ${n} is not a finite number, 0 or more`);
  }
  if (Math.round(n) < 1024) return `${Math.round(n)} B`;
  let unit = 1;
  let value = n / 1024;
  // Move up while rounding would show 1024.0 of a unit (1023.96 KiB is "1.0 MiB").
  while (unit < UNITS.length - 1 && Number(value.toFixed(1)) >= 1024) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${UNITS[unit]}`;
}

/**
 * A transfer rate: {@linkcode formatBytes} per second.
 *
 * @example
 * ```ts
 * import { formatRate } from "./units.ts";
 * formatRate(8.1 * 1024 ** 2); // "8.1 MiB/s"
 * ```
 */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}
