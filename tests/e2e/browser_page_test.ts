/**
 * The browser client in a real Chromium, against a small scripted stand-in for the chat server
 * built on serveHttp alone (the real server's wiring is tested elsewhere): the page loads under
 * its Content-Security-Policy, says `hello` over the WebSocket, shows what comes back as text,
 * and resumes after its connection drops.
 */
import assert from "node:assert/strict";
import { serveHttp } from "../../src/carrier/http_front.ts";
import { formatResponse } from "../../src/carrier/http_request.ts";
import type { LineConnection } from "../../src/carrier/connection.ts";
import { PROTOCOL_VERSION } from "../../src/version.ts";
import { TestBrowser } from "./browser.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

type Frame = Record<string, unknown> & { type: string };

/** What the fake serves for any file. */
const FORGED = new TextEncoder().encode("not the declared bytes\n");

/** A fake chat server: answers hello, say and command the way the real one would, roughly. */
class FakeChat {
  readonly listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  /** Every frame the page sent, in order, across connections. */
  readonly received: Frame[] = [];
  readonly connections: LineConnection[] = [];
  readonly #tasks: Promise<void>[] = [];
  #accepting: Promise<void>;
  #seq = 1;
  #waiters: (() => void)[] = [];

  constructor() {
    this.#accepting = this.#accept();
  }

  get port(): number {
    return (this.listener.addr as Deno.NetAddr).port;
  }

  async #accept(): Promise<void> {
    for await (const conn of this.listener) {
      this.#tasks.push(this.#serve(conn));
    }
  }

  async #serve(conn: Deno.Conn): Promise<void> {
    const buffer = new Uint8Array(1024);
    const n = await conn.read(buffer).catch(() => null);
    if (n === null) {
      conn.close();
      return;
    }
    const line = await serveHttp(conn, buffer.slice(0, n), {
      remote: "browser",
      maxLineBytes: 16 * 1024,
      // Every file it offers is this, whatever its checksum says.
      files: async (conn) => {
        await conn.write(formatResponse({ status: 200, body: FORGED })).catch(() => 0);
        conn.close();
      },
    });
    if (line === undefined) return;
    this.connections.push(line);
    try {
      while (true) {
        const lines = await line.readLines();
        if (lines === null) break;
        const replies: Frame[] = [];
        for (const bytes of lines) {
          if (bytes === null) continue;
          const frame = JSON.parse(decoder.decode(bytes)) as Frame;
          this.received.push(frame);
          replies.push(...this.#answer(frame));
        }
        if (replies.length > 0) {
          // All the replies to one read as one write, as the outbox coalesces them.
          await line.write(encoder.encode(replies.map((f) => JSON.stringify(f) + "\n").join("")));
        }
        for (const waiter of this.#waiters.splice(0)) waiter();
      }
    } catch {
      // The page went away.
    } finally {
      line.close();
    }
  }

  #answer(frame: Frame): Frame[] {
    const time = Date.now();
    switch (frame.type) {
      case "hello": {
        const nick = String(frame.nick);
        if (nick === "bob") {
          return [{
            type: "error",
            code: "nick_taken",
            message: 'Nick "bob" is taken: choose another',
          }];
        }
        return [
          { type: "welcome", version: 1, server: "fake 0", nick, token: "token-1" },
          { type: "rooms", rooms: [{ name: "lobby", members: 2 }] },
          { type: "room", room: "lobby", members: [nick, "bob"], seq: 1, history: 1 },
          {
            type: "message",
            room: "lobby",
            nick: "bob",
            text: "morning",
            time,
            seq: 1,
            history: true,
          },
        ];
      }
      case "say":
        this.#seq += 1;
        return [
          { type: "ack", id: frame.id, room: frame.room, seq: this.#seq },
          {
            type: "message",
            room: "lobby",
            nick: "bob",
            text: `echo: ${frame.text}`,
            time,
            seq: ++this.#seq,
          },
        ];
      case "command":
        if (frame.line === "/forge") {
          // A file whose bytes are not what its checksum says.
          return [{
            type: "file",
            id: "9",
            from: "mallory",
            name: "report.pdf",
            size: FORGED.length,
            sha256: "0".repeat(64),
            token: "T".repeat(43),
            time,
            room: "lobby",
            url: `http://x/files/9/${"L".repeat(43)}/report.pdf`,
          }];
        }
        return [{ type: "notice", text: `ran ${frame.line}` }];
      default:
        return [];
    }
  }

  /** Waits until the page has sent a frame matching `test`. */
  async waitFor(test: (frame: Frame) => boolean, timeoutMs = 10_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const found = this.received.find(test);
      if (found !== undefined) return found;
      if (Date.now() > deadline) {
        throw new Error(`No such frame; got ${JSON.stringify(this.received)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    this.listener.close();
    await this.#accepting.catch(() => {});
    for (const line of this.connections) line.close();
    await Promise.all(this.#tasks);
  }
}

Deno.test({
  name: "web client loads, registers, chats and resumes in Chromium",
  // Playwright keeps a child process and pipes of its own between steps.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const chat = new FakeChat();
    const browser = await TestBrowser.launch();
    try {
      const page = await browser.newPage();
      const response = await page.goto(`http://127.0.0.1:${chat.port}/`);
      assert.equal(response?.status(), 200);
      assert.equal(await page.title(), "chat");

      // A taken nick: the form says why, and the next try goes over the same connection.
      await page.getByLabel("Nick").fill("bob");
      await page.getByRole("button", { name: "Enter" }).click();
      await page.getByText('Nick "bob" is taken: choose another').waitFor();
      await page.getByLabel("Nick").fill("ana");
      await page.getByRole("button", { name: "Enter" }).click();
      const hello = await chat.waitFor((frame) => frame.type === "hello" && frame.nick === "ana");
      assert.equal(chat.connections.length, 1);
      assert.equal(hello.version, PROTOCOL_VERSION);
      assert.equal(hello.nick, "ana");
      assert.equal(hello.resume, undefined);

      await page.getByText("Welcome, ana!").waitFor();
      await page.getByText("morning").waitFor();
      assert.match(await page.locator("#status").textContent() ?? "", /Connected as ana/);
      assert.equal(await page.getByRole("button", { name: "#lobby", exact: true }).count(), 1);

      // Text from anyone is shown as text, never as markup.
      const message = page.getByLabel("Message", { exact: true });
      await message.fill("<b>bold</b> & co");
      await message.press("Enter");
      const say = await chat.waitFor((frame) => frame.type === "say");
      assert.deepEqual(
        { room: say.room, text: say.text, id: say.id },
        { room: "lobby", text: "<b>bold</b> & co", id: "1" },
      );
      await page.getByText("echo: <b>bold</b> & co").waitFor();
      assert.equal(await page.locator("#logs b").count(), 0);

      await message.fill("/topic dice");
      await message.press("Enter");
      // (The rooms panel asks for `/rooms` by itself.)
      const command = await chat.waitFor((frame) =>
        frame.type === "command" && frame.line !== "/rooms"
      );
      assert.deepEqual({ line: command.line, room: command.room }, {
        line: "/topic dice",
        room: "lobby",
      });
      await page.getByText("ran /topic dice").waitFor();

      // The connection drops: the page comes back with its token and the rooms it was in.
      chat.connections[0]?.close();
      const resume = await chat.waitFor((frame) =>
        frame.type === "hello" && frame.resume !== undefined
      );
      assert.deepEqual(resume.resume, {
        token: "token-1",
        rooms: [{ room: "lobby", seq: 3 }],
      });
      await page.getByText(/Reconnected \(attempt 1\)/).waitFor();

      // A phone-width screen still shows the input without sideways scrolling.
      await page.setViewportSize({ width: 360, height: 640 });
      assert.ok(await message.isVisible());
      // A string, evaluated in the page (the tests are type-checked without the DOM library).
      const overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth",
      );
      assert.equal(overflow, 0);

      assert.deepEqual(browser.errors, []);
    } finally {
      await browser.close();
      await chat.close();
    }
  },
});

Deno.test({
  name: "web client refuses to save a download that does not match its declared SHA-256",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const chat = new FakeChat();
    const browser = await TestBrowser.launch();
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${chat.port}/`);
      await page.getByLabel("Nick").fill("ana");
      await page.getByRole("button", { name: "Enter" }).click();
      await page.getByText("Welcome, ana!").waitFor();
      let downloads = 0;
      page.on("download", () => downloads++);
      const message = page.getByLabel("Message", { exact: true });
      await message.fill("/forge");
      await message.press("Enter");
      await page.getByRole("button", { name: "Download report.pdf from mallory" }).click();
      await page.getByText(
        "Could not receive report.pdf from mallory: it does not match the checksum its sender " +
          "declared",
      ).waitFor();
      const saved = await chat.waitFor((frame) => frame.type === "saved");
      assert.deepEqual(saved, {
        type: "saved",
        id: "9",
        error: "what arrived did not match the file's checksum",
      });
      assert.equal(downloads, 0);
      assert.deepEqual(browser.errors, []);
    } finally {
      await browser.close();
      await chat.close();
    }
  },
});
