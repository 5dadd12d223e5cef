/**
 * A test helper: the hub's side of `DialectView` for dialect unit tests. It follows the events a
 * test shows a dialect (room frames, joins, leaves, quits, renames) and answers who is in which
 * room as the hub would when those events are encoded; a quit gets the rooms it left.
 */
import type { HubEvent } from "../src/server/events.ts";
import { roomKey } from "../src/room_name.ts";

export class FollowingRooms {
  readonly #rooms = new Map<string, string[]>();

  /** Forgets every room (a new test). */
  reset(): void {
    this.#rooms.clear();
  }

  members(key: string): readonly string[] {
    return this.#rooms.get(key) ?? [];
  }

  roomKeysOf(nick: string): readonly string[] {
    const lower = nick.toLowerCase();
    return [...this.#rooms].filter(([, nicks]) =>
      nicks.some((each) => each.toLowerCase() === lower)
    )
      .map(([key]) => key);
  }

  /** Applies what an event says about membership; returns the event as the hub would send it. */
  follow(event: HubEvent): HubEvent {
    switch (event.type) {
      case "room":
        this.#rooms.set(roomKey(event.room), [...event.members]);
        return event;
      case "join": {
        const nicks = this.#rooms.get(roomKey(event.room));
        if (nicks !== undefined && !nicks.includes(event.nick)) nicks.push(event.nick);
        return event;
      }
      case "leave":
        this.#remove(event.nick, [roomKey(event.room)]);
        return event;
      case "quit": {
        const roomKeys = event.roomKeys ?? [...this.roomKeysOf(event.nick)];
        this.#remove(event.nick, roomKeys);
        return { ...event, roomKeys };
      }
      case "nick":
        for (const nicks of this.#rooms.values()) {
          const at = nicks.findIndex((each) => each.toLowerCase() === event.old.toLowerCase());
          if (at !== -1) nicks[at] = event.new;
        }
        return event;
      default:
        return event;
    }
  }

  #remove(nick: string, keys: readonly string[]): void {
    for (const key of keys) {
      const nicks = this.#rooms.get(key);
      if (nicks === undefined) continue;
      this.#rooms.set(key, nicks.filter((each) => each.toLowerCase() !== nick.toLowerCase()));
    }
  }
}
