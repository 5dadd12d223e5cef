/** A {@linkcode NickRegistry} in a map: what a server without a database forgets on restart. Pure. */
import { nickKey } from "../nick.ts";
import type { NickHolder, NickRegistry } from "./nick_registry.ts";

/**
 * Nicks in a map from their folded key to their holder.
 *
 * @example
 * ```ts
 * import { MemoryNickRegistry } from "./memory_nick_registry.ts";
 * const nicks = new MemoryNickRegistry();
 * nicks.claim("Ana", 1); // true
 * nicks.claim("ANA", 2); // false: 1 holds it
 * nicks.holder("ana"); // 1
 * ```
 */
export class MemoryNickRegistry implements NickRegistry {
  readonly #byKey = new Map<string, NickHolder>();

  holder(nick: string): NickHolder | undefined {
    return this.#byKey.get(nickKey(nick));
  }

  claim(nick: string, holder: NickHolder): boolean {
    const key = nickKey(nick);
    const current = this.#byKey.get(key);
    if (current !== undefined && current !== holder) return false;
    this.#byKey.set(key, holder);
    return true;
  }

  release(nick: string, holder: NickHolder): boolean {
    const key = nickKey(nick);
    if (this.#byKey.get(key) !== holder) return false;
    this.#byKey.delete(key);
    return true;
  }

  rename(old: string, next: string, holder: NickHolder): boolean {
    const current = this.holder(next);
    if (current !== undefined && current !== holder) return false;
    this.release(old, holder);
    this.#byKey.set(nickKey(next), holder);
    return true;
  }
}
