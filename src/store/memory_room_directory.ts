/**
 * A {@linkcode RoomDirectory} in a map: what a server without a database forgets on restart. A
 * password is kept as given: it never leaves the process. Pure.
 */
import type { RoomChanges, RoomDirectory, RoomRecord } from "./room_directory.ts";

/**
 * Rooms in a map, which keeps their creation order.
 *
 * @example
 * ```ts
 * import { MemoryRoomDirectory } from "./memory_room_directory.ts";
 * const rooms = new MemoryRoomDirectory();
 * rooms.create({ key: "games", name: "Games", persistent: false, listed: true });
 * rooms.update("games", { topic: "chess" });
 * rooms.find("games")?.topic; // "chess"
 * ```
 */
export class MemoryRoomDirectory implements RoomDirectory {
  readonly #rooms = new Map<string, RoomRecord>();

  get size(): number {
    return this.#rooms.size;
  }

  find(key: string): RoomRecord | undefined {
    return this.#rooms.get(key);
  }

  create(record: RoomRecord): void {
    if (this.#rooms.has(record.key)) {
      throw new RangeError(`Cannot create room "${record.key}": it exists`);
    }
    this.#rooms.set(record.key, withoutUndefined({ ...record }));
  }

  update(key: string, changes: RoomChanges): void {
    const record = this.#rooms.get(key);
    if (record === undefined) {
      throw new RangeError(`Cannot change room "${key}": no such room`);
    }
    this.#rooms.set(key, withoutUndefined({ ...record, ...changes }));
  }

  remove(key: string): boolean {
    return this.#rooms.delete(key);
  }

  list(): RoomRecord[] {
    return [...this.#rooms.values()];
  }

  passwordMatches(key: string, given: string): boolean {
    const password = this.#rooms.get(key)?.password;
    return password !== undefined && password === given;
  }
}

/** The record without fields set to `undefined`, so a cleared setting reads as never set. */
function withoutUndefined(record: RoomRecord): RoomRecord {
  return Object.fromEntries(
    Object.entries(record).filter(([, value]) => value !== undefined),
  ) as unknown as RoomRecord;
}
