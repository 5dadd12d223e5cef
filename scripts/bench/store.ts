/**
 * The SQLite store's sustained insert rate and size: appends messages as the hub does (a frame
 * per message, its client id remembered for resends) into a fresh database, committing every
 * `--batch` messages, and reports messages per second and bytes per message.
 *
 * Usage: deno run -A scripts/bench/store.ts [--messages 1000000] [--rooms 10] [--batch 1000]...
 * (`--batch` may be repeated: each value runs on a fresh database).
 */
import { parseArgs } from "node:util";
import { openSqliteStore } from "../../src/store/sqlite_store.ts";
import type { MessageFrame } from "../../src/protocol.ts";
import { formatBytes } from "../../src/units.ts";

/** One run's result. */
export interface StoreBenchResult {
  readonly batch: number;
  readonly messages: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** Database size after the run (checkpointed), in bytes. */
  readonly bytes: number;
  /** Messages indexed for search per second, afterwards (as the server does in the background). */
  readonly indexedPerSecond: number;
  /** Database size with the search index, in bytes. */
  readonly indexedBytes: number;
}

/** Appends `messages` messages over `rooms` rooms, committing every `batch`. */
export function benchStore(messages: number, rooms: number, batch: number): StoreBenchResult {
  const folder = Deno.makeTempDirSync({ prefix: "chat-store-bench-" });
  try {
    const store = openSqliteStore(folder, { historySize: 50, maxBatch: Number.MAX_SAFE_INTEGER });
    const text = "a message of about sixty characters, as people type in chat.";
    const started = performance.now();
    for (let i = 0; i < messages; i++) {
      const room = `room${i % rooms}`;
      const seq = store.roomLog.lastSeq(room) + 1;
      const frame: MessageFrame = {
        type: "message",
        room,
        nick: `user${i % 97}`,
        text,
        time: Date.now(),
        seq,
      };
      store.roomLog.append(room, frame, JSON.stringify(frame).length + 15);
      store.roomLog.markSent(room, `token-${i % 97}:${i}`, seq);
      if ((i + 1) % batch === 0) store.commit();
    }
    store.commit();
    const seconds = (performance.now() - started) / 1000;
    store.close();
    const bytes = Deno.statSync(`${folder}/chat.db`).size;
    const again = openSqliteStore(folder, { historySize: 50 });
    const indexing = performance.now();
    while (again.index(10_000) > 0) again.commit();
    const indexSeconds = (performance.now() - indexing) / 1000;
    again.close();
    return {
      batch,
      messages,
      seconds,
      perSecond: messages / seconds,
      bytes,
      indexedPerSecond: messages / indexSeconds,
      indexedBytes: Deno.statSync(`${folder}/chat.db`).size,
    };
  } finally {
    Deno.removeSync(folder, { recursive: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      messages: { type: "string", default: "1000000" },
      rooms: { type: "string", default: "10" },
      batch: { type: "string", multiple: true },
    },
  });
  const messages = Number(values.messages);
  const rooms = Number(values.rooms);
  const batches = (values.batch ?? ["1000", "100", "1"]).map(Number);
  console.log(`SQLite store: ${messages} messages over ${rooms} rooms, each with its client id`);
  console.log(
    "batch (messages per commit) | messages/s | seconds | database | per message | " +
      "indexed/s | with index | per message",
  );
  for (const batch of batches) {
    // One commit per message is slow: a shorter run says enough.
    const count = batch === 1 ? Math.min(messages, 50_000) : messages;
    const result = benchStore(count, rooms, batch);
    console.log(
      `${String(batch).padStart(27)} | ${Math.round(result.perSecond).toString().padStart(10)} | ` +
        `${result.seconds.toFixed(1).padStart(7)} | ${formatBytes(result.bytes).padStart(8)} | ` +
        `${Math.round(result.bytes / count)} B | ` +
        `${Math.round(result.indexedPerSecond)} | ${formatBytes(result.indexedBytes)} | ` +
        `${Math.round(result.indexedBytes / count)} B`,
    );
  }
}
