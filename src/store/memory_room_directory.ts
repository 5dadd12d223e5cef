/** A {@linkcode RoomDirectory} in a map, in creation order. Pure. */
import type { RoomChanges, RoomDirectory, RoomRecord } from "./room_directory.ts";

/**
 * Rooms held in memory; records are frozen and replaced on update.
 *
 * @example
 * ```ts
 * import { MemoryRoomDirectory } from "./memory_room_directory.ts";
 * const rooms = new MemoryRoomDirectory();
 * rooms.create({
 *   name: "Games", key: "games", persistent: false, owner: "m1",
 *   limit: undefined, topic: undefined, password: undefined, listed: true,
 * });
 * console.assert(rooms.update("games", { limit: 8 }).limit === 8);
 * ```
 */
export class MemoryRoomDirectory implements RoomDirectory {
  readonly #rooms = new Map<string, RoomRecord>();

  get size(): number {
    return this.#rooms.size;
  }

  get(key: string): RoomRecord | undefined {
    return this.#rooms.get(key);
  }

  list(): RoomRecord[] {
    return [...this.#rooms.values()];
  }

  create(record: RoomRecord): void {
    if (this.#rooms.has(record.key)) {
      throw new RangeError(`Cannot create room "${record.name}": key "${record.key}" exists`);
    }
    this.#rooms.set(record.key, Object.freeze({ ...record }));
  }

  update(key: string, changes: RoomChanges): RoomRecord {
    const record = this.#rooms.get(key);
    if (record === undefined) throw new RangeError(`Cannot update room "${key}": no such room`);
    const next = Object.freeze({ ...record, ...changes });
    this.#rooms.set(key, next);
    return next;
  }

  remove(key: string): boolean {
    return this.#rooms.delete(key);
  }
}
