/** Waiting for an event that may never come: the event, or a fallback once time is up. */

/**
 * Calls `start` with a `wake` function and resolves with the first value passed to it, or with
 * `fallback` after `ms` milliseconds, whichever comes first. The timer is cleared either way, so
 * nothing is left pending.
 *
 * @example
 * ```ts ignore
 * import { waitOrTimeout } from "./wait.ts";
 * const reason = await waitOrTimeout(2000, "no reason given", (wake) => waiters.set(id, wake));
 * waiters.delete(id);
 * ```
 */
export function waitOrTimeout<T>(
  ms: number,
  fallback: T,
  start: (wake: (value: T) => void) => void,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
    start(resolve);
  }).finally(() => clearTimeout(timer));
}
