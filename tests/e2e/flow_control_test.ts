/**
 * Flow control against a real server: a fast sender is slowed (its socket is not read while a
 * recipient's queue is above its high-water mark), every reader that keeps reading gets every
 * message in order, and only a reader that takes no data for the stall timeout is dropped.
 */
import assert from "node:assert/strict";
import { memory } from "../../scripts/bench/procfs.ts";
import { LineCollector, ncUser, type Server, withServer } from "./harness.ts";

/** Flood control off (a trusted network), and a short stall timeout so the test ends soon. */
const ARGS = ["--flood-rate", "0", "--stall-timeout", "3"];

/** Lines of about 3 KB: `NNNN xxx...`. */
function burst(count: number, tag: string): string {
  const filler = "x".repeat(3000);
  let text = "";
  for (let i = 0; i < count; i++) text += `${tag}${String(i).padStart(4, "0")} ${filler}\n`;
  return text;
}

/** Waits for line `tag` + `count - 1`, then checks that every line `tag0000`... came, in order. */
async function assertAllInOrder(lines: LineCollector, tag: string, count: number): Promise<void> {
  const pattern = new RegExp(`> ${tag}(\\d{4}) x`);
  await lines.waitFor((line) => line.includes(`${tag}${String(count - 1).padStart(4, "0")}`), {
    timeoutMs: 60_000,
  });
  const seen = lines.lines.flatMap((line) => {
    const match = pattern.exec(line);
    return match ? [Number(match[1])] : [];
  });
  assert.deepEqual(
    seen,
    Array.from({ length: count }, (_, i) => i),
    `${tag}: every line, in order`,
  );
}

/** A plain-text user who never reads: it connects and registers, then leaves its socket alone. */
async function stuckUser(server: Server, nick: string): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  const bytes = new TextEncoder().encode(nick + "\n");
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
  return conn;
}

/** Runs `work`, then reads the server's peak resident memory (VmHWM: the kernel keeps the peak). */
async function peakDuring(server: Server, work: () => Promise<void>): Promise<number> {
  await work();
  return (await memory(server.child.pid)).peakKiB;
}

Deno.test("flow control: 2,000 lines of 3 KB reach a healthy reader while a stuck one is dropped", async () => {
  await withServer({ args: ARGS }, async (server, track) => {
    const reader = track(await ncUser(server, "reader"));
    const stuck = await stuckUser(server, "stuck");
    try {
      await reader.lines.waitFor("* stuck joined");
      const sender = track(await ncUser(server, "sender"));
      const peak = await peakDuring(server, async () => {
        await sender.write(burst(2000, "m"));
        await assertAllInOrder(reader.lines, "m", 2000);
        // The stuck reader is dropped for taking no data, with its reason, not for the queue.
        await reader.lines.waitFor(/^\* stuck left \(Too slow: no data taken for \d+ s\)$/, {
          timeoutMs: 20_000,
        });
      });
      assert.ok(!reader.lines.ended, "the healthy reader is still connected");
      assert.ok(peak < 400 * 1024, `server peak RSS ${peak} KiB`);
      console.log(`server peak RSS: ${Math.round(peak / 1024)} MiB`);
    } finally {
      stuck.close();
    }
  });
});

/** A plain-text user whose reading the test pauses and resumes. */
class PausingReader {
  readonly lines: LineCollector;
  readonly #conn: Deno.TcpConn;
  #paused: Promise<void> | undefined;
  #resume: (() => void) | undefined;

  constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
    const buffer = new Uint8Array(16 * 1024);
    this.lines = new LineCollector(
      new ReadableStream<Uint8Array>({
        pull: async (controller) => {
          await this.#paused;
          const n = await conn.read(buffer).catch(() => null);
          if (n === null) controller.close();
          else controller.enqueue(buffer.slice(0, n));
        },
      }),
    );
  }

  pause(): void {
    this.#paused ??= new Promise((resolve) => this.#resume = resolve);
  }

  resume(): void {
    this.#resume?.();
    this.#paused = undefined;
  }

  async close(): Promise<void> {
    this.resume();
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
    await this.lines.done;
  }
}

Deno.test("flow control: several senders in several rooms, and a reader that pauses", async () => {
  await withServer({ args: ARGS }, async (server, track) => {
    const reader = track(await ncUser(server, "reader"));
    const gamer = track(await ncUser(server, "gamer"));
    await gamer.sendLine("/create games");
    await gamer.lines.waitFor("* You are in games");
    const pauser = new PausingReader(await stuckUser(server, "pauser"));
    try {
      await reader.lines.waitFor("* pauser joined");
      const a = track(await ncUser(server, "senda"));
      const b = track(await ncUser(server, "sendb"));
      const c = track(await ncUser(server, "sendc"));
      await c.sendLine("/join games");
      await c.lines.waitFor("* You are in games");
      const peak = await peakDuring(server, async () => {
        // The pauser stops reading for less than the stall timeout (3 s), then reads on: the
        // pause is what is tested, not a way to wait for something.
        pauser.pause();
        const writes = Promise.all([
          a.write(burst(1000, "a")),
          b.write(burst(1000, "b")),
          c.write(burst(300, "c")),
        ]);
        await new Promise((resolve) => setTimeout(resolve, 1500));
        pauser.resume();
        await writes;
        await assertAllInOrder(reader.lines, "a", 1000);
        await assertAllInOrder(reader.lines, "b", 1000);
        await assertAllInOrder(gamer.lines, "c", 300);
        await assertAllInOrder(pauser.lines, "a", 1000);
        await assertAllInOrder(pauser.lines, "b", 1000);
      });
      assert.ok(!reader.lines.ended && !gamer.lines.ended && !pauser.lines.ended, "nobody dropped");
      assert.ok(peak < 400 * 1024, `server peak RSS ${peak} KiB`);
      console.log(`server peak RSS: ${Math.round(peak / 1024)} MiB`);
    } finally {
      await pauser.close();
    }
  });
});
