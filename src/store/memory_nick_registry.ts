/** A {@linkcode NickRegistry} in a map keyed by folded nick. Pure. */
import { nickKey } from "../nick.ts";
import type { MemberId } from "./member_id.ts";
import type { NickRegistry } from "./nick_registry.ts";

/**
 * Nicks held in memory.
 *
 * @example
 * ```ts
 * import { MemoryNickRegistry } from "./memory_nick_registry.ts";
 * const nicks = new MemoryNickRegistry();
 * nicks.claim("Ana", "m1");
 * console.assert(nicks.holderOf("ANA") === "m1" && !nicks.claim("ana", "m2"));
 * ```
 */
export class MemoryNickRegistry implements NickRegistry {
  readonly #holders = new Map<string, MemberId>();

  holderOf(nick: string): MemberId | undefined {
    return this.#holders.get(nickKey(nick));
  }

  claim(nick: string, member: MemberId): boolean {
    const key = nickKey(nick);
    const holder = this.#holders.get(key);
    if (holder !== undefined) return holder === member;
    this.#holders.set(key, member);
    return true;
  }

  rename(from: string, to: string, member: MemberId): boolean {
    if (!this.claim(to, member)) return false;
    if (nickKey(from) !== nickKey(to)) this.release(from, member);
    return true;
  }

  release(nick: string, member: MemberId): void {
    const key = nickKey(nick);
    if (this.#holders.get(key) === member) this.#holders.delete(key);
  }
}
