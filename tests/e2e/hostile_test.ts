/**
 * End-to-end: hostile input against a real `chat serve` process.
 *
 * Each case opens raw TCP connections ("probes"), sends something hostile and expects, within a
 * deadline, either a clear error (an `error` frame with a code in native mode, a `! ` line in
 * plain text mode) or a clean close, whichever the case allows; never silence. After every case
 * the server process must still be running with nothing alarming on its stderr, and two
 * bystanders connected before the case (native clients `watcher` and `talker`) must still chat
 * with each other. Each group ends with a brand new `chat join` client chatting with them.
 *
 * The server runs with its default options, flood control included. Flood control lets one
 * connection send a burst of lines, make three nick changes and create two rooms before it is
 * slowed or refused, so long lists of hostile lines are spread over fresh connections (a few
 * lines each, one connection at a time, every answer awaited before the next line) and never meet
 * a limit, except in the case that floods on purpose.
 *
 * Cases marked `ignore` are gaps in the current server, each with a TODO saying what it should
 * do. `HOSTILE_RUN_TODO=1` runs them anyway; `HOSTILE_VERBOSE=1` prints what the server did in
 * the cases that allow more than one outcome.
 */
import assert from "node:assert/strict";
import { isConnectionGone } from "../../src/carrier/tcp.ts";
import {
  DEADLINE_MS,
  joinedClient,
  type LineCollector,
  nativeClient,
  RawClient,
  type Server,
  type Track,
  withServer,
} from "./harness.ts";

/** `chat serve` arguments: the defaults, on purpose (see above). */
/**
 * A probe that closes is gone at once (no grace for a quiet resume): the cases wait for the
 * others to hear it leave, and a look-alike nick is tried once its holder has left.
 */
const SERVER_ARGS: readonly string[] = ["--resume-grace", "0"];
/** Deadline for the server to answer, or cut off, a flood of thousands of lines. */
const FLOOD_MS = 20_000;
const FLOOD_LINES = 5_000;
/** The line limit of docs/PROTOCOL.md, restated so that this file tests the wire only. */
const MAX_LINE_BYTES = 16_384;
/** Hostile lines one probe sends (its setup and a final ping stay under the flood burst, 10). */
const LINES_PER_PROBE = 6;
/** Nick attempts one connection may make at once (`hello`, `/nick` or a plain nick line). */
const NICK_TRIES = 3;
/** Rooms one connection may create at once. */
const CREATES = 2;

const encoder = new TextEncoder();
const GREETING = /^\* Welcome to chat .*Type a nick/;
/** Signs on the server's stderr that something went wrong that nobody caught. */
const ALARMING = /Uncaught|panicked|unhandled|^\s+at .*:\d+:\d+\)?$|^\S+ ERROR /i;
const ENV = (() => {
  try {
    return {
      runTodo: Deno.env.get("HOSTILE_RUN_TODO") === "1",
      verbose: Deno.env.get("HOSTILE_VERBOSE") === "1",
    };
  } catch {
    return { runTodo: false, verbose: false };
  }
})();

type Frame = Record<string, unknown>;
type Data = string | Uint8Array;

// ---- small helpers ------------------------------------------------------------------------

/** Parses a line as a JSON object (a native frame); undefined for anything else. */
function frameOf(line: string): Frame | undefined {
  if (!line.trimStart().startsWith("{")) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? value as Frame
      : undefined;
  } catch {
    return undefined;
  }
}

function hello(nick: string): string {
  return JSON.stringify({ type: "hello", version: 1, nick }) + "\n";
}

function say(text: string, room = "lobby"): string {
  return JSON.stringify({ type: "say", room, text }) + "\n";
}

function command(line: string, room?: string): string {
  const frame = room === undefined ? { type: "command", line } : { type: "command", line, room };
  return JSON.stringify(frame) + "\n";
}

/** Concatenates text (as UTF-8) and raw bytes. */
function bytes(...parts: (string | readonly number[] | Uint8Array)[]): Uint8Array {
  const chunks = parts.map((part) =>
    typeof part === "string" ? encoder.encode(part) : Uint8Array.from(part)
  );
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** A short printable description of what was sent, for assertion messages. */
function show(data: Data): string {
  if (typeof data === "string") {
    const text = JSON.stringify(data);
    return text.length > 120 ? text.slice(0, 120) + `... (${data.length} chars)` : text;
  }
  const hex = [...data.subarray(0, 40)].map((byte) => byte.toString(16).padStart(2, "0"));
  return `bytes ${hex.join(" ")}${data.length > 40 ? ` ... (${data.length} bytes)` : ""}`;
}

function note(text: string): void {
  if (ENV.verbose) console.log(`    [hostile] ${text}`);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves to the promise's value, or to `undefined` once `ms` have passed. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<undefined>((resolve) => timer = setTimeout(() => resolve(undefined), ms)),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Deterministic pseudo-random bytes (mulberry32), without line ends if asked. */
function garbage(length: number, seed: number, newlines: boolean): Uint8Array {
  let state = seed >>> 0;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const byte = (t ^ (t >>> 14)) & 0xff;
    out[i] = !newlines && byte === 0x0a ? 0x0b : byte;
  }
  return out;
}

/**
 * A plausible TLS 1.2/1.3 ClientHello record (about 200 bytes), as a TLS client sends first.
 * It is built without any 0x0a byte on purpose: the server then never sees a line end, which is
 * the hard case (a hello that happens to hold 0x0a gets a "not valid UTF-8" error at least).
 */
function tlsClientHello(): Uint8Array {
  const u16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
  const u24 = (n: number) => [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  const pattern = (length: number, start: number) =>
    Array.from({ length }, (_, i) => (start + i * 7) & 0xff).map((b) => b === 0x0a ? 0x0b : b);
  const ext = (type: number, body: number[]) => [...u16(type), ...u16(body.length), ...body];
  const host = [...encoder.encode("localhost")];
  const extensions = [
    ...ext(0x0000, [...u16(host.length + 3), 0x00, ...u16(host.length), ...host]), // server_name
    ...ext(0x000b, [0x01, 0x00]), // ec_point_formats
    ...ext(0x000d, [...u16(12), 4, 3, 8, 4, 4, 1, 5, 1, 8, 5, 5, 3]), // sig algs
    ...ext(0x002b, [0x04, 0x03, 0x04, 0x03, 0x03]), // supported_versions: 1.3, 1.2
    ...ext(0x0033, [...u16(36), 0x00, 0x1d, ...u16(32), ...pattern(32, 0x51)]), // key_share
    ...ext(0x0015, new Array(12).fill(0)), // padding
  ];
  const suites = [0x13, 0x01, 0x13, 0x02, 0x13, 0x03, 0xc0, 0x2b, 0xc0, 0x2f, 0xc0, 0x2c];
  const body = [
    ...[0x03, 0x03], // client_version: TLS 1.2
    ...pattern(32, 0x21), // random
    ...[32, ...pattern(32, 0x33)], // session id
    ...u16(suites.length),
    ...suites,
    ...[0x01, 0x00], // compression methods: null
    ...u16(extensions.length),
    ...extensions,
  ];
  const handshake = [0x01, ...u24(body.length), ...body];
  const record = Uint8Array.from([0x16, 0x03, 0x01, ...u16(handshake.length), ...handshake]);
  assert.ok(!record.includes(0x0a), "the ClientHello must not contain a line end");
  return record;
}

// ---- the probe: one hostile connection, read in request/answer order ----------------------

/**
 * A raw connection with a read cursor: each expectation consumes the next answer, so an answer
 * can never be taken for the one to a later request. The plain greeting is always skipped.
 */
class Probe {
  readonly client: RawClient;
  /** The nick it registers with (when its start registers it). */
  readonly nick: string;
  #cursor = 0;
  #tokens = 0;
  readonly #writes = new Set<Promise<boolean>>();

  constructor(client: RawClient, nick: string) {
    this.client = client;
    this.nick = nick;
  }

  get lines(): LineCollector {
    return this.client.lines;
  }

  /** Index of the first line no expectation has consumed yet. */
  get cursor(): number {
    return this.#cursor;
  }

  /** Writes everything; false if the server had already closed the connection. */
  write(data: Data): Promise<boolean> {
    const writing = this.client.write(data).then(() => true, (error) => {
      if (isConnectionGone(error)) return false;
      throw error;
    });
    this.#writes.add(writing);
    return writing.finally(() => this.#writes.delete(writing));
  }

  /** Writes one byte at a time, each in its own TCP segment. */
  async trickle(data: Data): Promise<void> {
    this.client.conn.setNoDelay(true);
    const all = typeof data === "string" ? encoder.encode(data) : data;
    for (let i = 0; i < all.length; i++) {
      assert.ok(await this.write(all.subarray(i, i + 1)), "the server closed the connection");
      await delay(2);
    }
  }

  /** The next line that is not the greeting; `what` is for the failure message. */
  async nextLine(what: string, timeoutMs = DEADLINE_MS): Promise<string> {
    const index = await this.lines.waitFor((line) => !GREETING.test(line), {
      from: this.#cursor,
      timeoutMs,
    }).catch((error: Error) => {
      throw new Error(`Waiting for the answer to ${what}: ${error.message}`);
    });
    this.#cursor = index + 1;
    return this.lines.lines[index] ?? "";
  }

  /** The next line, which must be a native frame. */
  async nextFrame(what: string): Promise<Frame> {
    const line = await this.nextLine(what);
    const frame = frameOf(line);
    assert.ok(frame !== undefined, `${what}: expected a JSON frame, got ${JSON.stringify(line)}`);
    return frame;
  }

  /** Sends `data` and returns the next frame. */
  async ask(data: Data): Promise<Frame> {
    assert.ok(await this.write(data), `${show(data)}: the server closed the connection`);
    return await this.nextFrame(show(data));
  }

  /** Sends `data`; the next frame must be an `error` with one of `codes`. */
  async error(data: Data, codes: string | readonly string[], message?: RegExp): Promise<Frame> {
    const allowed = typeof codes === "string" ? [codes] : codes;
    const frame = await this.ask(data);
    assert.ok(
      frame.type === "error" && allowed.includes(String(frame.code)),
      `${show(data)}: expected error ${allowed.join(" or ")}, got ${JSON.stringify(frame)}`,
    );
    if (message !== undefined) assert.match(String(frame.message), message, show(data));
    return frame;
  }

  /** Sends `data`; the next frame must have type `type` (and pass `check`). */
  async expect(data: Data, type: string, check?: (frame: Frame) => boolean): Promise<Frame> {
    const frame = await this.ask(data);
    assert.ok(
      frame.type === type && (check?.(frame) ?? true),
      `${show(data)}: expected a ${type} frame, got ${JSON.stringify(frame)}`,
    );
    return frame;
  }

  /** Native: sends a ping and skips everything up to its pong (the answers to earlier lines). */
  async sync(): Promise<string[]> {
    const token = `sync-${++this.#tokens}`;
    const from = this.#cursor;
    assert.ok(await this.write(`{"type":"ping","token":"${token}"}\n`), "closed before a ping");
    const index = await this.lines.waitFor((line) => {
      const frame = frameOf(line);
      return frame?.type === "pong" && frame.token === token;
    }, { from, timeoutMs: DEADLINE_MS });
    this.#cursor = index + 1;
    return this.lines.lines.slice(from, index);
  }

  /** Native: sends `data`, which must be taken without an answer (a ping right after gets one). */
  async accepted(data: Data): Promise<void> {
    assert.ok(await this.write(data), `${show(data)}: the server closed the connection`);
    const answers = (await this.sync()).filter((line) => !GREETING.test(line));
    assert.deepEqual(answers, [], `${show(data)}: expected no answer`);
  }

  /** Plain text: sends `line`; the next line must be a `! ` error matching `message`. */
  async plainError(line: Data, message?: RegExp): Promise<string> {
    assert.ok(await this.write(line), `${show(line)}: the server closed the connection`);
    const answer = await this.nextLine(show(line));
    assert.ok(answer.startsWith("! "), `${show(line)}: expected a "! " error, got ${answer}`);
    if (message !== undefined) assert.match(answer, message, show(line));
    return answer;
  }

  /** Plain text, registered: skips everything up to the answer to `/back`. */
  async plainSync(): Promise<string[]> {
    const from = this.#cursor;
    assert.ok(await this.write("/back\n"), "closed before /back");
    const index = await this.lines.waitFor("* You are back", { from, timeoutMs: DEADLINE_MS });
    this.#cursor = index + 1;
    return this.lines.lines.slice(from, index);
  }

  /**
   * Sends `data` (if any) and waits for the first line, the greeting aside, that `answers` (an
   * error by default: a `! ` line or an `error` frame), or for the server to close the
   * connection. Never waits past the deadline.
   */
  async answerOrClose(
    data: Data | undefined,
    answers: (line: string) => boolean = isError,
    timeoutMs = DEADLINE_MS,
  ): Promise<{ closed: false; line: string } | { closed: true; line?: undefined }> {
    if (data !== undefined) await this.write(data);
    try {
      const index = await this.lines.waitFor((line) => !GREETING.test(line) && answers(line), {
        from: this.#cursor,
        timeoutMs,
      });
      this.#cursor = index + 1;
      return { closed: false, line: this.lines.lines[index] ?? "" };
    } catch (error) {
      if (this.lines.ended) return { closed: true };
      throw error;
    }
  }

  /** Waits for the server to close the connection. */
  async closedByServer(what: string, timeoutMs = DEADLINE_MS): Promise<void> {
    const ended = await within(this.lines.done.then(() => true), timeoutMs);
    assert.ok(ended, `${what}: the server did not close the connection in ${timeoutMs} ms`);
  }

  /** Closes our side and waits until reading and writing have stopped. Idempotent. */
  async close(): Promise<void> {
    this.client.close();
    await Promise.allSettled([...this.#writes]);
    await this.lines.done;
  }
}

function isError(line: string): boolean {
  return line.startsWith("! ") || frameOf(line)?.type === "error";
}

// ---- groups: one server, two bystanders, a table of cases ---------------------------------

interface Group {
  readonly server: Server;
  readonly track: Track;
  /** Bystanders connected before every case; they take turns to talk to each other. */
  readonly watcher: RawClient;
  readonly talker: RawClient;
  exit?: Deno.CommandStatus;
  probes: number;
  checks: number;
  /** Where the bystanders' lines stood when the current case began. */
  marks: { watcher: number; talker: number };
}

/**
 * How a probe starts: a bare socket; a bare socket put in native mode by a ping; a registered
 * native client; a registered plain text user.
 */
type Start = "raw" | "json" | "native" | "plain";

interface CaseContext {
  readonly group: Group;
  /** Opens a probe; the runner closes every probe of the case. */
  open(start: Start): Promise<Probe>;
}

interface Case {
  readonly name: string;
  /** A gap in the current server; the TODO next to it says what the server should do. */
  readonly ignore?: boolean;
  run(context: CaseContext): Promise<void>;
}

async function startProbe(probe: Probe, start: Start): Promise<void> {
  switch (start) {
    case "raw":
      return;
    case "json":
      await probe.expect('{"type":"ping","token":"native"}\n', "pong");
      return;
    case "native":
      await probe.expect(hello(probe.nick), "welcome");
      await probe.sync();
      return;
    case "plain":
      assert.ok(await probe.write(`${probe.nick}\n`));
      assert.match(await probe.nextLine("a plain nick"), /^\* Welcome, /);
      await probe.plainSync();
      return;
  }
}

/** The server is alive, its stderr is clean, and the bystanders still chat both ways. */
async function assertHealthy(group: Group, after: string): Promise<void> {
  const { server, watcher, talker } = group;
  assert.equal(group.exit, undefined, `The server exited after ${after}:\n${server.stderr.text()}`);
  const alarming = server.stderr.lines.filter((line) => ALARMING.test(line));
  assert.deepEqual(alarming, [], `The server logged trouble after ${after}`);
  for (const [name, client] of [["watcher", watcher], ["talker", talker]] as const) {
    assert.ok(!client.lines.ended, `Bystander ${name} was disconnected by ${after}`);
  }
  await bystandersChat(group, after);
}

/** One bystander says something in the lobby and the other must get it within the deadline. */
async function bystandersChat(group: Group, label: string): Promise<void> {
  const turn = ++group.checks;
  const [from, to] = turn % 2 === 1 ? [group.talker, group.watcher] : [group.watcher, group.talker];
  const text = `bystander check ${turn}`;
  const mark = to.lines.lines.length;
  await from.sendFrame({ type: "say", room: "lobby", text });
  await to.lines.waitFor((line) => {
    const frame = frameOf(line);
    return frame?.type === "message" && frame.text === text;
  }, { from: mark, timeoutMs: DEADLINE_MS }).catch((error: Error) => {
    throw new Error(`A bystander message was not delivered (${label}): ${error.message}`);
  });
}

/** Asserts that the bystanders got no message from any probe during this case. */
function assertNothingFromProbes(group: Group): void {
  for (
    const [name, client, mark] of [
      ["watcher", group.watcher, group.marks.watcher],
      ["talker", group.talker, group.marks.talker],
    ] as const
  ) {
    const leaked = client.lines.lines.slice(mark).filter((line) => {
      const frame = frameOf(line);
      return (frame?.type === "message" && String(frame.nick).startsWith("probe")) ||
        (frame?.type === "private" && String(frame.from).startsWith("probe"));
    });
    assert.deepEqual(leaked, [], `${name} got a message that should have been refused`);
  }
}

/** Runs a table of cases, one test step each, against one server. */
async function runGroup(t: Deno.TestContext, cases: readonly Case[]): Promise<void> {
  await withServer({ args: SERVER_ARGS }, async (server, track) => {
    const group: Group = {
      server,
      track,
      watcher: track(await nativeClient(server.port, "watcher")),
      talker: track(await nativeClient(server.port, "talker")),
      probes: 0,
      checks: 0,
      marks: { watcher: 0, talker: 0 },
    };
    server.child.status.then((status) => group.exit = status);
    await assertHealthy(group, "start-up");
    for (const hostile of cases) {
      await t.step({
        name: hostile.name,
        ignore: (hostile.ignore ?? false) && !ENV.runTodo,
        fn: async () => {
          group.marks = {
            watcher: group.watcher.lines.lines.length,
            talker: group.talker.lines.lines.length,
          };
          const probes: Probe[] = [];
          const open = async (start: Start) => {
            const nick = `probe${++group.probes}`;
            const probe = new Probe(await RawClient.connect(server.port), nick);
            probes.push(probe);
            await startProbe(probe, start);
            return probe;
          };
          try {
            await hostile.run({ group, open });
          } finally {
            for (const probe of probes) await probe.close();
          }
          await assertHealthy(group, `"${hostile.name}"`);
        },
      });
    }
    await t.step("afterwards, a new chat join client chats with the bystanders", async () => {
      const fresh = await joinedClient(server, "fresh");
      try {
        await fresh.send("fresh client says hi");
        await group.watcher.lines.waitFor('"text":"fresh client says hi"', {
          timeoutMs: DEADLINE_MS,
        });
        await group.talker.sendFrame({ type: "say", room: "lobby", text: "hi fresh" });
        await fresh.stdout.waitFor("<talker> hi fresh", { timeoutMs: DEADLINE_MS });
        await fresh.send("/quit");
        await fresh.exit();
      } finally {
        await fresh.stop();
      }
      await assertHealthy(group, "the new client");
    });
  });
}

/**
 * Sends each line on probes started as `start`, `perProbe` lines to a probe (see the module
 * comment), and expects an `error` frame with one of `codes` for each. Each probe then answers a
 * ping, to show that the connection carries on.
 */
async function errorsEach(
  context: CaseContext,
  start: Start,
  lines: readonly Data[],
  codes: string | readonly string[],
  options: { perProbe?: number; message?: RegExp } = {},
): Promise<void> {
  for (const batch of chunks(lines, options.perProbe ?? LINES_PER_PROBE)) {
    const probe = await context.open(start);
    for (const line of batch) await probe.error(line, codes, options.message);
    await probe.sync();
    await probe.close();
  }
}

/** Like `errorsEach` for plain text: each line must get a `! ` line matching `message`. */
async function plainErrorsEach(
  context: CaseContext,
  start: Start,
  lines: readonly Data[],
  message: RegExp,
  perProbe = LINES_PER_PROBE,
): Promise<void> {
  for (const batch of chunks(lines, perProbe)) {
    const probe = await context.open(start);
    for (const line of batch) await probe.plainError(line, message);
    await probe.close();
  }
}

// ---- cases: JSON ---------------------------------------------------------------------------

const MALFORMED_JSON = [
  "{",
  "{}}",
  '{"type":"ping",}',
  '{type:"ping"}',
  "{'type':'ping'}",
  '{"type":"ping" "token":"x"}',
  '{"type":"ping"}}',
  '{"type":"ping"}{"type":"ping"}',
  '{"type":"ping"} trailing',
  '{"type":"ping","token":"\\x"}',
  '{"type":"ping","token":"\\u12"}',
  '{"type":"ping","token":"tab\there"}', // a raw tab inside a JSON string
  '{"type":"ping","token":NaN}',
  '{"type":"ping","token":undefined}',
  '{"type":"ping","token":"x"} // comment',
  '{"type":"ping",/* comment */"token":"x"}',
  "",
  "   ",
].map((line) => line + "\n");

const NOT_OBJECTS = ["[]", '[{"type":"ping"}]', '"ping"', "42", "-1", "1e309", "null", "true"]
  .map((line) => line + "\n");

const JSON_CASES: readonly Case[] = [
  {
    name: "truncated JSON gets bad_frame, then a hello on the same connection works",
    async run({ open }) {
      const probe = await open("raw");
      await probe.error('{"type":"hello","version":1,"nick":"a\n', "bad_frame", /not valid JSON/);
      await probe.expect(hello(probe.nick), "welcome");
    },
  },
  {
    name: "a truncated frame followed by end of input is answered, then closed",
    async run({ open }) {
      const probe = await open("json");
      assert.ok(await probe.write('{"type":"hello","version":1,"nick":"cut'));
      await probe.client.conn.closeWrite();
      const frame = await probe.nextFrame("a truncated last line");
      assert.equal(frame.code, "bad_frame", JSON.stringify(frame));
      await probe.closedByServer("end of input");
    },
  },
  {
    name: "malformed JSON lines each get bad_frame",
    async run(context) {
      await errorsEach(context, "json", MALFORMED_JSON, "bad_frame");
    },
  },
  {
    name: "JSON that is an array, string, number, boolean or null gets bad_frame",
    async run(context) {
      await errorsEach(context, "json", NOT_OBJECTS, "bad_frame", { message: /JSON/ });
    },
  },
  {
    name: "a first line that is a JSON array starts plain text mode and is refused as a nick",
    async run({ open }) {
      const probe = await open("raw");
      await probe.plainError("[1,2]\n", /^! Nick "\[1,2\]" is not allowed/);
      await probe.plainError('"quoted"\n', /^! Nick .* is not allowed/);
    },
  },
  {
    name: "deeply nested JSON within the line limit is answered",
    async run({ open }) {
      const probe = await open("json");
      const arrays = `{"type":"ping","token":"deep","x":${"[".repeat(8000)}${"]".repeat(8000)}}\n`;
      const objects = `{"type":"ping","token":"deep2","x":${'{"a":'.repeat(2500)}1${
        "}".repeat(2500)
      }}\n`;
      for (const line of [arrays, objects]) {
        assert.ok(line.length - 1 <= MAX_LINE_BYTES, `test line too long: ${line.length}`);
        // Either answer will do: unknown fields are ignored (pong), or the depth is refused.
        const frame = await probe.ask(line);
        assert.ok(
          frame.type === "pong" || (frame.type === "error" && frame.code === "bad_frame"),
          JSON.stringify(frame),
        );
        note(`nesting ${show(line).slice(0, 50)}: ${JSON.stringify(frame)}`);
      }
      await probe.error(`{"type":"ping","x":${"[".repeat(16000)}\n`, "bad_frame");
      await probe.error(
        `{"type":"hello","version":1,"nick":${"[".repeat(5000)}${"]".repeat(5000)}}\n`,
        "bad_frame",
      );
      await probe.error(`${"[".repeat(5000)}${"]".repeat(5000)}\n`, "bad_frame");
    },
  },
  {
    name: "nesting past the line limit gets frame_too_large, and the connection goes on",
    async run({ open }) {
      const probe = await open("json");
      await probe.error(`{"x":${"[".repeat(20000)}${"]".repeat(20000)}}\n`, "frame_too_large");
      await probe.expect('{"type":"ping","token":"after"}\n', "pong", (f) => f.token === "after");
    },
  },
  {
    name: "a 100 KB line gets frame_too_large, then goes on or is closed with a reason",
    async run({ open }) {
      const probe = await open("json");
      await probe.error(`${"[".repeat(100_000)}\n`, "frame_too_large");
      const mark = probe.cursor;
      // The server may cut off input that has no line end for this long (64 KiB today).
      const after = await probe.answerOrClose(
        '{"type":"ping","token":"after"}\n',
        (line) => frameOf(line)?.token === "after",
      );
      note(`100 KB line: ${after.closed ? `closed; got ${probe.lines.text()}` : after.line}`);
      if (after.closed) {
        // Closed with a reason: a bye frame (or a plain error or goodbye line) before the close.
        const said = probe.lines.lines.slice(mark);
        assert.ok(
          said.some((line) =>
            frameOf(line)?.type === "bye" || line.startsWith("! ") ||
            line.startsWith("* Disconnected")
          ),
          `closed without a reason; after frame_too_large came:\n${said.join("\n")}`,
        );
      }
    },
  },
  {
    name: "__proto__ and constructor keys are plain data: no pollution, no effect",
    async run({ group, open }) {
      const probe = await open("raw");
      const nick = probe.nick;
      await probe.expect(
        `{"type":"hello","version":1,"nick":"${nick}","__proto__":{"polluted":1},` +
          `"constructor":{"prototype":{"p":1}}}\n`,
        "welcome",
        (frame) => frame.nick === nick,
      );
      await probe.sync();
      // Were `__proto__` merged into the frame, these would read as a ping, a say and a command.
      await probe.error('{"__proto__":{"type":"ping","token":"p"}}\n', "bad_frame");
      await probe.error(
        '{"type":"say","__proto__":{"room":"lobby","text":"polluted say"}}\n',
        "bad_frame",
      );
      await probe.error(
        '{"type":"command","constructor":{"line":"/users"},"__proto__":{"line":"/users"}}\n',
        "bad_frame",
      );
      // Nothing inherited leaks into what the server writes.
      assert.ok(await probe.write('{"type":"ping"}\n'));
      assert.equal(await probe.nextLine("a bare ping"), '{"type":"pong"}');
      assertNothingFromProbes(group);
    },
  },
  {
    name: "frame types named after Object.prototype members are unknown",
    async run(context) {
      const types = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"];
      const lines = types.map((type) => `{"type":"${type}"}\n`);
      await errorsEach(context, "json", lines, "bad_frame", { message: /Unknown frame type/ });
    },
  },
  {
    name: "nicks and rooms named after Object.prototype members are ordinary names",
    async run(context) {
      await errorsEach(context, "native", [
        command("/whois constructor"),
        command("/whois __proto__"),
        command("/msg toString hi"),
      ], "no_such_nick");
      await errorsEach(context, "native", [
        command("/join __proto__"),
        command("/users hasOwnProperty"),
        say("x", "__proto__"),
        say("x", "constructor"),
      ], "no_such_room");
      const probe = await context.open("native");
      await probe.expect(command("/create __proto__"), "room", (f) => f.room === "__proto__");
      await probe.accepted(say("a room like any other", "__proto__"));
      await probe.expect(command("/nick constructor"), "nick", (f) => f.new === "constructor");
      await probe.expect(command("/whois Constructor"), "whois", (f) => f.nick === "constructor");
      await probe.expect(command("/leave __proto__"), "left", (f) => f.room === "__proto__");
    },
  },
];

// ---- cases: field types and numbers --------------------------------------------------------

type FieldKind = "string" | "number" | "resume";

/** Raw JSON values of the wrong type for each kind of field. */
const WRONG: Record<FieldKind, readonly string[]> = {
  string: ["5", "-1", "true", "[]", '["x"]', "{}", '{"x":"y"}'],
  number: ['"1"', '""', '"0x10"', "true", "[1]", "{}", '{"v":1}', "1e309", "-1e309"],
  resume: [
    '"token"',
    "5",
    "[]",
    "{}",
    '{"token":5,"rooms":[]}',
    '{"token":"t"}',
    '{"token":"t","rooms":{}}',
    '{"token":"t","rooms":[null]}',
    '{"token":"t","rooms":[{"room":5,"seq":0}]}',
    '{"token":"t","rooms":[{"room":"lobby","seq":-1}]}',
    '{"token":"t","rooms":[{"room":"lobby","seq":1.5}]}',
    '{"token":"t","rooms":[{"room":"lobby","seq":1e309}]}',
    '{"token":"t","rooms":[{"room":"lobby","seq":"0"}]}',
  ],
};

interface FieldSpec {
  readonly valid: string;
  readonly kind: FieldKind;
  readonly optional?: boolean;
}

/** Every client frame, with a valid raw JSON value for each of its fields. */
const CLIENT_FRAMES: Record<string, Record<string, FieldSpec>> = {
  hello: {
    version: { valid: "1", kind: "number" },
    nick: { valid: '"typed"', kind: "string" },
    client: { valid: '"mychat 1.0"', kind: "string", optional: true },
    resume: { valid: '{"token":"t","rooms":[]}', kind: "resume", optional: true },
  },
  say: {
    room: { valid: '"lobby"', kind: "string" },
    text: { valid: '"hi"', kind: "string" },
    id: { valid: '"m1"', kind: "string", optional: true },
  },
  command: {
    line: { valid: '"/users"', kind: "string" },
    room: { valid: '"lobby"', kind: "string", optional: true },
    id: { valid: '"c1"', kind: "string", optional: true },
  },
  ping: { token: { valid: '"t"', kind: "string", optional: true } },
  pong: { token: { valid: '"t"', kind: "string", optional: true } },
};

/** Frames of `type` with each field in turn given a wrong type (or null, or left out). */
function wrongTypeLines(type: string): string[] {
  const fields = Object.entries(CLIENT_FRAMES[type] ?? {});
  const lines: string[] = [];
  for (const [name, spec] of fields) {
    const values = [...WRONG[spec.kind], ...spec.optional ? [] : ["null", "MISSING"]];
    for (const value of values) {
      const parts = fields
        .filter(([other]) => other !== name || value !== "MISSING")
        .map(([other, { valid }]) => `"${other}":${other === name ? value : valid}`);
      lines.push(`{"type":"${type}",${parts.join(",")}}\n`);
    }
  }
  return lines;
}

const TYPE_CASES: readonly Case[] = [
  {
    name: "hello with a wrong type in each field gets bad_frame and registers nobody",
    async run(context) {
      await errorsEach(context, "raw", wrongTypeLines("hello"), "bad_frame");
      const probe = await context.open("raw");
      await probe.expect('{"type":"hello","version":1,"nick":"typed"}\n', "welcome");
    },
  },
  ...["say", "command", "ping", "pong"].map((type): Case => ({
    name: `${type} with a wrong type in each field gets bad_frame (registered)`,
    async run(context) {
      await errorsEach(context, "native", wrongTypeLines(type), "bad_frame");
      assertNothingFromProbes(context.group);
    },
  })),
  {
    name: "say and command with wrong types get bad_frame before registration too",
    async run(context) {
      const lines = [...wrongTypeLines("say"), ...wrongTypeLines("command")];
      await errorsEach(context, "raw", lines, "bad_frame");
    },
  },
  {
    name: "an empty or overlong message id gets bad_frame",
    async run(context) {
      const lines = [
        '{"type":"say","room":"lobby","text":"hi","id":""}\n',
        `{"type":"say","room":"lobby","text":"hi","id":"${"x".repeat(65)}"}\n`,
        `{"type":"say","room":"lobby","text":"hi","id":"${"x".repeat(10_000)}"}\n`,
      ];
      await errorsEach(context, "native", lines, "bad_frame");
      assertNothingFromProbes(context.group);
    },
  },
  {
    name: "a wrong, missing or unknown type gets bad_frame",
    async run(context) {
      const fields = '"version":1,"nick":"typed"';
      const types = ["5", "true", "null", "[]", '["hello"]', "{}", '""', '"HELLO"', '"hello "'];
      await errorsEach(
        context,
        "raw",
        [
          ...types.map((type) => `{"type":${type},${fields}}\n`),
          `{${fields}}\n`,
          ...["shout", "welcome", "error", "bye", "message", "ack", "hello\\u0000"].map((type) =>
            `{"type":"${type}",${fields}}\n`
          ),
        ],
        "bad_frame",
        { message: /type/ },
      );
    },
  },
  {
    name: "hello versions 1e309, 0x10, empty and other non-numbers get bad_frame; 1.0 is 1",
    async run(context) {
      const line = (version: string) => `{"type":"hello","version":${version},"nick":"vers"}\n`;
      const versions = ["1e309", '"0x10"', '""', "0x10", "01", "+1", ".5", "Infinity", '"1"'];
      await errorsEach(context, "raw", versions.map(line), "bad_frame");
      const probe = await context.open("raw");
      await probe.expect(line("1.0"), "welcome", (frame) => frame.nick === "vers");
    },
  },
  ...["-1", "-0", "2", "1e308", '1,"version":2'].map((version): Case => ({
    name: `hello with version ${version} gets bad_version, bye and a close`,
    async run({ open }) {
      const probe = await open("raw");
      await probe.error(`{"type":"hello","version":${version},"nick":"vers"}\n`, "bad_version");
      assert.equal((await probe.nextFrame("bad_version")).type, "bye");
      await probe.closedByServer("bad_version");
    },
  })),
  {
    name: "a resume with a forged token and hostile room names is welcomed, and rejoins nothing",
    async run({ open }) {
      const probe = await open("raw");
      const rooms = ["__proto__", "constructor", "lobby", "x\u0000", "\u202egames", ""]
        .map((room) => ({ room, seq: 0 }));
      await probe.expect(
        JSON.stringify({
          type: "hello",
          version: 1,
          nick: probe.nick,
          resume: { token: "forged", rooms },
        }) + "\n",
        "welcome",
      );
      await probe.sync();
      await probe.error(command("/users __proto__"), "no_such_room");
      await probe.expect(
        command(`/whois ${probe.nick}`),
        "whois",
        (frame) => JSON.stringify(frame.rooms) === '["lobby"]',
      );
    },
  },
  {
    name: "a resume cannot get into a room with a password",
    async run({ open }) {
      const owner = await open("native");
      await owner.expect(command("/create vault"), "room");
      await owner.expect(command("/password s3cret", "vault"), "notice");
      const probe = await open("raw");
      await probe.expect(
        JSON.stringify({
          type: "hello",
          version: 1,
          nick: probe.nick,
          resume: { token: crypto.randomUUID(), rooms: [{ room: "vault", seq: 0 }] },
        }) + "\n",
        "welcome",
      );
      const welcomeLines = await probe.sync();
      assert.ok(!welcomeLines.some((line) => frameOf(line)?.room === "vault"), "rejoined vault");
      await probe.error(command("/users vault"), "not_in_room");
      await probe.error(say("sneaking in", "vault"), "not_in_room");
    },
  },
  {
    name: "a resume with a huge seq or 100 unknown rooms is welcomed; more rooms are refused",
    async run({ open }) {
      const first = await open("raw");
      await first.expect(
        `{"type":"hello","version":1,"nick":"${first.nick}","resume":{"token":"t1",` +
          `"rooms":[{"room":"lobby","seq":1e300}]}}\n`,
        "welcome",
      );
      await first.sync();
      const second = await open("raw");
      const hello = (count: number) =>
        JSON.stringify({
          type: "hello",
          version: 1,
          nick: second.nick,
          resume: {
            token: "t2",
            rooms: Array.from({ length: count }, (_, i) => ({ room: `gone${i}`, seq: 0 })),
          },
        }) + "\n";
      assert.ok(hello(600).length <= MAX_LINE_BYTES);
      await second.expect(hello(600), "error", (frame) => frame.code === "bad_frame");
      await second.expect(hello(100), "welcome");
      await second.sync();
    },
  },
  {
    name: 'numbers -1, 1e309, 0x10 and "" in /limit and /create get room_invalid',
    async run(context) {
      const numbers = [
        "-1",
        "1e309",
        "0x10",
        '""',
        "0",
        "10001",
        "08",
        "1.5",
        "1e3",
        "Infinity",
        "NaN",
        "\u0663", // ARABIC-INDIC DIGIT THREE
        "99999999999999999999999",
      ];
      const limits = numbers.map((n) => command(`/limit ${n}`));
      await errorsEach(context, "native", limits, "room_invalid", { message: /Limit must be/ });
      const creates = ["-1", "1e309", "0x10", '""'].map((n) => command(`/create r1 ${n}`));
      await errorsEach(context, "native", creates, "room_invalid", {
        perProbe: CREATES,
        message: /Limit must be/,
      });
      const probe = await context.open("native");
      await probe.error(command("/join r1"), "no_such_room");
      await probe.expect(command("/create numbers"), "room");
      await probe.expect(command("/limit 5", "numbers"), "notice");
    },
  },
  {
    name: "commands with missing or extra arguments get bad_arguments with the usage",
    async run(context) {
      const lines = [
        "/nick",
        "/nick a b",
        "/join",
        "/join a b c",
        "/msg",
        "/msg bob",
        "/kick",
        "/limit",
        "/limit 5 6",
        "/whois",
        "/whois a b",
        "/switch",
        "/create",
        "/create a 5 x",
        "/help me",
        "/rooms x",
        "/back now",
        "/password",
        "/users a b",
        "/private on off",
      ];
      await errorsEach(context, "native", lines.map((line) => command(line)), "bad_arguments", {
        message: /arguments: usage: \//,
      });
    },
  },
  {
    name: "unknown commands get unknown_command",
    async run(context) {
      const lines = ["/", "//users", "/nosuchcommand", "/\u0000", "/\u202eyalp", "/users\u200b"];
      await errorsEach(context, "native", lines.map((line) => command(line)), "unknown_command");
    },
  },
  {
    name: "plain text commands with missing or extra arguments get a usage line",
    async run({ open }) {
      const probe = await open("plain");
      await probe.plainError("/nick\n", /^! Not enough arguments: usage: \/nick NEW$/);
      await probe.plainError("/nick a b\n", /^! Too many arguments: usage: \/nick NEW$/);
      await probe.plainError("/limit 0x10\n", /^! Limit must be a whole number/);
      await probe.plainError("/create r2 1e309\n", /^! Limit must be a whole number/);
      const second = await open("plain");
      for (const line of ["/join", "/msg bob", "/kick", "/limit", "/whois"]) {
        await second.plainError(line + "\n", /^! Not enough arguments: usage: \//);
      }
    },
  },
];

// ---- cases: bytes --------------------------------------------------------------------------

const INVALID_UTF8: readonly (readonly number[])[] = [
  [0xff, 0xfe],
  [0xc0, 0xaf], // overlong "/"
  [0xe0, 0x80, 0xaf], // overlong "/"
  [0xf0, 0x80, 0x80, 0xaf], // overlong "/"
  [0xc0, 0x80], // overlong NUL
  [0xed, 0xa0, 0x80], // lone high surrogate
  [0xed, 0xbf, 0xbf], // lone low surrogate
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [0xf8, 0x88, 0x80, 0x80, 0x80], // five-byte form
  [0x80], // lone continuation byte
  [0x61, 0xc3], // truncated two-byte sequence
  [0xe2, 0x82], // truncated three-byte sequence
  [0xfe],
];

const CONTROL_TEXTS = [
  "a\u0000b",
  "\u0000",
  "\u001b[2J\u001b[H",
  "\u001b]0;owned\u0007",
  "bell\u0007",
  "del\u007f",
  "c1\u0085",
  "csi\u009b31m",
  "line1\nline2",
  "a\rb",
  "form\ffeed",
  "\t",
];

const CONTROL_NICKS = [
  "a\u0000b",
  "\u0000",
  "ana\u001b[31m",
  "bell\u0007",
  "del\u007f",
  "c1\u0085",
  "tab\tx",
  "new\nline",
  "cr\rx",
];

const BYTE_CASES: readonly Case[] = [
  {
    name: "invalid UTF-8 as a first line gets a plain error, and the mode stays open",
    async run({ open }) {
      for (const batch of chunks(INVALID_UTF8, LINES_PER_PROBE)) {
        const probe = await open("raw");
        for (const sequence of batch) {
          await probe.plainError(bytes(sequence, "\n"), /^! Line is not valid UTF-8$/);
        }
        await probe.expect('{"type":"ping","token":"after"}\n', "pong");
        await probe.close();
      }
    },
  },
  {
    name: "invalid UTF-8 inside native frames gets bad_frame and reaches nobody",
    async run(context) {
      const lines = INVALID_UTF8.map((sequence) =>
        bytes('{"type":"say","room":"lobby","text":"x', sequence, 'y"}\n')
      );
      await errorsEach(context, "native", lines, "bad_frame", { message: /UTF-8/ });
      await errorsEach(context, "native", [
        bytes('{"type":"ping","tok', [0xff], 'en":"x"}\n'),
        bytes([0xef, 0xbb, 0xbf], '{"type":"ping"}\n'), // a byte order mark
      ], "bad_frame");
      assertNothingFromProbes(context.group);
    },
  },
  {
    name: "invalid UTF-8 in a plain text message gets an error and reaches nobody",
    async run(context) {
      const lines = INVALID_UTF8.map((sequence) => bytes("hello ", sequence, " world\n"));
      await plainErrorsEach(context, "plain", lines, /not valid UTF-8/);
      assertNothingFromProbes(context.group);
    },
  },
  {
    name: "NUL and control characters in a hello nick get nick_invalid",
    async run(context) {
      await errorsEach(context, "raw", CONTROL_NICKS.map(hello), "nick_invalid", {
        perProbe: NICK_TRIES,
      });
      // Raw (unescaped) control bytes inside a JSON string are not JSON at all.
      await errorsEach(context, "raw", [
        '{"type":"hello","version":1,"nick":"a\u0000b"}\n',
        '{"type":"hello","version":1,"nick":"a\u001bb"}\n',
      ], "bad_frame");
    },
  },
  {
    name: "NUL and control characters in message text get text_invalid and reach nobody",
    async run(context) {
      await errorsEach(context, "native", CONTROL_TEXTS.map((text) => say(text)), "text_invalid");
      await errorsEach(context, "native", [
        command("/me waves\u001b[31m"),
        command("/msg watcher a\u0000b"),
        command("/away gone\u0007"),
        command("/topic \u001b[5m"),
      ], ["text_invalid", "not_allowed"]);
      await errorsEach(context, "native", [command("/nick bad\u0000nick")], "nick_invalid");
      assertNothingFromProbes(context.group);
      // A tab is allowed inside text.
      const probe = await context.open("native");
      await probe.accepted(say("tab\tinside"));
    },
  },
  {
    name: "NUL and control characters in plain text nicks and messages get an error",
    async run(context) {
      const nicks = ["ana\u0000", "\u001b[31mred", "bell\u0007", "c1\u0085x"];
      await plainErrorsEach(
        context,
        "raw",
        nicks.map((nick) => `${nick}\n`),
        /^! Nick .* is not allowed/,
        NICK_TRIES,
      );
      const texts = CONTROL_TEXTS.filter((text) => !/[\n\r]|^\t$/.test(text));
      await plainErrorsEach(
        context,
        "plain",
        texts.map((text) => `${text}\n`),
        /^! Message contains control characters$/,
      );
      assertNothingFromProbes(context.group);
    },
  },
  {
    name: "a lone CR is not a line end in native mode",
    async run({ open }) {
      const probe = await open("json");
      // Inside a JSON string a raw CR is invalid; between tokens it is JSON white space.
      await probe.error('{"type":"ping","token":"a\rb"}\n', "bad_frame");
      await probe.expect('{"type":"ping",\r"token":"cr-ws"}\n', "pong", (f) => f.token === "cr-ws");
      // Two frames joined by a lone CR are one line, and not JSON: no pong for either.
      await probe.error(
        '{"type":"ping","token":"one"}\r{"type":"ping","token":"two"}\n',
        "bad_frame",
      );
      await probe.expect('{"type":"ping","token":"crcr"}\r\r\n', "pong", (f) => f.token === "crcr");
      await probe.error("\r\n", "bad_frame");
    },
  },
  {
    name: "a lone CR inside plain text lines gets an error",
    async run({ group, open }) {
      const probe = await open("raw");
      await probe.plainError("ni\rck\r\n", /^! Nick .* is not allowed/);
      assert.ok(await probe.write(`${probe.nick}\r\n`));
      assert.match(await probe.nextLine("a valid nick"), /^\* Welcome, /);
      await probe.plainSync();
      await probe.plainError("left\rright\r\n", /^! Message contains control characters$/);
      await probe.plainError("trailing\r\r\n", /^! Message contains control characters$/);
      assertNothingFromProbes(group);
    },
  },
  {
    name: "a hello sent one byte at a time is welcomed (a multi-byte nick split too)",
    async run({ open }) {
      const probe = await open("raw");
      const nick = `${probe.nick}\u00e9`;
      await probe.trickle(hello(nick));
      const frame = await probe.nextFrame("a trickled hello");
      assert.equal(frame.type, "welcome", JSON.stringify(frame));
      assert.equal(frame.nick, nick);
    },
  },
  {
    name: "a plain text user typing one byte at a time, CR and LF apart, chats",
    async run({ group, open }) {
      const probe = await open("raw");
      await probe.trickle(`${probe.nick}\r\n`);
      assert.match(await probe.nextLine("a trickled nick"), /^\* Welcome, /);
      await probe.trickle("hi one byte at a time\r\n");
      await group.watcher.lines.waitFor((line) => {
        const frame = frameOf(line);
        return frame?.type === "message" && frame.nick === probe.nick &&
          frame.text === "hi one byte at a time";
      }, { from: group.marks.watcher, timeoutMs: DEADLINE_MS });
    },
  },
];

// ---- cases: floods, garbage and other protocols --------------------------------------------

/**
 * Writes a flood without waiting for the write, then waits until the server has answered it all
 * (`done` matches the answer to the last line) or has closed the connection. Returns the answers.
 */
async function flood(
  probe: Probe,
  payload: string,
  done: (line: string) => boolean,
): Promise<{ closed: boolean; answers: string[] }> {
  const from = probe.lines.lines.length;
  const writing = probe.write(payload);
  const end = await probe.answerOrClose(undefined, done, FLOOD_MS);
  await within(writing, DEADLINE_MS);
  const answers = probe.lines.lines.slice(from).filter((line) => !GREETING.test(line));
  return { closed: end.closed, answers };
}

const FLOOD_CASES: readonly Case[] = [
  {
    // Today flood control reads a burst, then 5 lines a second, and after 10 s of that closes
    // the connection with "Disconnected for flooding: slow down" (the rooms hear "Excess flood").
    name: `${FLOOD_LINES} lines in one packet are answered or cut off, and nobody else waits`,
    async run({ group, open }) {
      const users = await open("native");
      const sayer = await open("native");
      await sayer.expect(command("/create floodroom"), "room");
      await sayer.sync();
      const plain = await open("plain");
      const end = '{"type":"ping","token":"end"}\n';
      const isEnd = (line: string) => frameOf(line)?.token === "end";
      const isUsers = (line: string) => /"type":"(users|error)"|^\* In lobby|^! /.test(line);
      // Each probe's flood, and (when it is not cut off) the answers it must get: one to each
      // /users; none to a say (an error at most), since the probe alone is in floodroom.
      const runs = [
        {
          kind: "native /users",
          probe: users,
          outcome: flood(users, command("/users", "lobby").repeat(FLOOD_LINES) + end, isEnd),
          replies: isUsers,
          everyLine: true,
        },
        {
          kind: "native say",
          probe: sayer,
          outcome: flood(sayer, say("flood", "floodroom").repeat(FLOOD_LINES) + end, isEnd),
          replies: isError,
          everyLine: false,
        },
        {
          kind: "plain /users",
          probe: plain,
          outcome: flood(
            plain,
            "/users\n".repeat(FLOOD_LINES) + "/back\n",
            (line) => line === "* You are back",
          ),
          replies: isUsers,
          everyLine: true,
        },
      ];
      // Observed from the start, so that a failed flood is not an unhandled rejection meanwhile.
      const settled = Promise.allSettled(runs.map((run) => run.outcome));
      // The server is not stalled: the bystanders chat while it deals with the floods.
      await bystandersChat(group, "during the floods");
      await bystandersChat(group, "during the floods");
      await settled;
      for (const { kind, probe, outcome, replies, everyLine } of runs) {
        const { closed, answers } = await outcome;
        if (closed) {
          // Cut off: the others must hear why.
          const quit = await group.watcher.lines.waitFor((line) => {
            const frame = frameOf(line);
            return frame?.type === "quit" && frame.nick === probe.nick;
          }, { from: group.marks.watcher });
          const reason = frameOf(group.watcher.lines.lines[quit] ?? "")?.reason;
          assert.ok(typeof reason === "string" && reason !== "", `${kind}: no reason`);
          note(`${kind} flood: closed after ${answers.length} lines; others heard "${reason}"`);
        } else {
          // Answered to the end (its last line got its answer): nothing else in between.
          const answered = answers.filter(replies);
          note(`${kind} flood: answered, ${answered.length} replies`);
          if (everyLine) {
            assert.equal(answered.length, FLOOD_LINES, `${kind}: every line answered once`);
          } else {
            const other = answers.filter((line) => !replies(line) && !isEnd(line));
            assert.deepEqual(other, [], `${kind}: unexpected answers`);
          }
        }
      }
      // None of the flood reached a bystander: none of it was said in a room they are in.
      assertNothingFromProbes(group);
      for (const client of [group.watcher, group.talker]) {
        assert.ok(!client.lines.lines.some((line) => line.includes('"room":"floodroom"')));
      }
    },
  },
  {
    name: "binary garbage with line ends gets errors or a close",
    async run({ open }) {
      const probe = await open("raw");
      const data = garbage(8192, 7, true);
      assert.ok(data.includes(0x0a));
      const outcome = await probe.answerOrClose(data);
      note(`garbage with line ends: ${outcome.closed ? "closed" : outcome.line}`);
    },
  },
  {
    name: "40 KB of binary garbage without a line end gets frame_too_large, then goes on",
    async run({ open }) {
      const probe = await open("raw");
      const data = garbage(40_000, 11, false);
      assert.ok(!data.includes(0x0a));
      const outcome = await probe.answerOrClose(data);
      assert.ok(!outcome.closed, "closed");
      assert.match(outcome.line, /^! Line is too long: over 16384 bytes$/);
      await probe.expect('\n{"type":"ping","token":"g"}\n', "pong");
    },
  },
  {
    name: "200 KB of binary garbage without a line end gets an error or a close",
    async run({ open }) {
      const probe = await open("raw");
      const outcome = await probe.answerOrClose(garbage(200_000, 13, false));
      note(`200 KB garbage: ${outcome.closed ? "closed" : outcome.line}`);
      // Either way the server must not keep reading forever: it closes, or it goes on with lines.
      if (!outcome.closed) await probe.answerOrClose("\n{}\n");
    },
  },
  {
    name: "a line of NUL bytes gets an error",
    async run({ open }) {
      const probe = await open("raw");
      await probe.plainError(bytes(new Array(1000).fill(0), "\n"), /^! Nick is too long/);
    },
  },
  ...[
    ["an HTTP GET", "GET /admin HTTP/1.1\r\nHost: x\r\nUser-Agent: curl/8.0\r\n\r\n"],
    [
      "an HTTP POST with a body",
      'POST /chat HTTP/1.1\r\nHost: x\r\nContent-Length: 15\r\n\r\n{"type":"ping"}',
    ],
    ["an HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"],
    ["an HTTP CONNECT", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"],
  ].map(([what = "", request = ""]): Case => ({
    // The web front answers what it does not serve with an error status and a close (404, 405,
    // 501 for CONNECT, 505 for HTTP/2; GET / is the page: tests/e2e/web_test.ts).
    name: `${what} to the chat port gets an HTTP error reply (4xx, 5xx) or a close`,
    async run({ open }) {
      const probe = await open("raw");
      // The first thing said (the greeting aside) must be the HTTP status line.
      const outcome = await probe.answerOrClose(request, () => true);
      note(`${what}: ${outcome.closed ? "closed" : outcome.line}`);
      if (!outcome.closed) {
        assert.match(outcome.line, /^HTTP\/1\.[01] [45]\d\d /, `${what}: ${probe.lines.text()}`);
        await probe.closedByServer("an HTTP reply");
      }
    },
  })),
  {
    // Today the server sees 0x16 0x03 as the first bytes and closes the connection at once,
    // without a word (a TLS client could not read one).
    name: "a TLS ClientHello is closed or refused in time",
    async run({ open }) {
      const probe = await open("raw");
      const outcome = await probe.answerOrClose(tlsClientHello());
      note(`TLS ClientHello: ${outcome.closed ? "closed" : outcome.line}`);
    },
  },
  {
    // A close (FIN), not a reset: Deno cannot set SO_LINGER to 0 to send an RST.
    name: "a connection closed in the middle of a frame leaves no trace",
    async run({ group, open }) {
      const probe = await open("native");
      assert.ok(await probe.write('{"type":"say","room":"lobby","text":"cut sh'));
      await probe.close();
      // Once the others hear that it left, its half frame must not have reached them.
      await group.watcher.lines.waitFor((line) => {
        const frame = frameOf(line);
        return frame?.type === "quit" && frame.nick === probe.nick;
      }, { from: group.marks.watcher });
      assertNothingFromProbes(group);
    },
  },
];

// ---- cases: control, invisible and look-alike characters in names -------------------------

const INVISIBLE_NICKS = [
  "ana\u202e", // RIGHT-TO-LEFT OVERRIDE
  "\u202eana",
  "\u202dana", // LEFT-TO-RIGHT OVERRIDE
  "\u2066ana\u2069", // isolates
  "\u061cana", // ARABIC LETTER MARK
  "ana\u200f", // RIGHT-TO-LEFT MARK
  "an\u200ba", // ZERO WIDTH SPACE
  "\u200b",
  "ana\u200d", // ZERO WIDTH JOINER
  "ana\u2060", // WORD JOINER
  "\ufeffana", // BYTE ORDER MARK
  "ana\u00ad", // SOFT HYPHEN
  "ana\u2028", // LINE SEPARATOR
  "\u0301ana", // a combining mark first
  "ana\u034f", // COMBINING GRAPHEME JOINER
  " ana",
  "a na",
  "ana\u3000", // IDEOGRAPHIC SPACE
];

const ROOM_NAMES_REFUSED = [
  "room\u202e",
  "\u202eroom",
  "ro\u200bom",
  "room\u0000",
  "room\u001b[31m",
  "room\u00ad",
  "#",
  "##x",
];

/** Connects native clients with the given nicks for a case, and closes them afterwards. */
async function withNicks(
  group: Group,
  nicks: readonly string[],
  body: () => Promise<void>,
): Promise<void> {
  const clients: RawClient[] = [];
  try {
    for (const nick of nicks) clients.push(await nativeClient(group.server.port, nick));
    await body();
  } finally {
    for (const client of clients) {
      client.close();
      await client.lines.done;
    }
  }
}

const NAME_CASES: readonly Case[] = [
  {
    name: "hello nicks with bidi, zero-width, invisible or space characters get nick_invalid",
    async run(context) {
      await errorsEach(context, "raw", INVISIBLE_NICKS.map(hello), "nick_invalid", {
        perProbe: NICK_TRIES,
      });
    },
  },
  {
    name: "/nick with bidi, zero-width or control characters gets nick_invalid",
    async run(context) {
      // White space (U+FEFF and U+2028 included) would split the argument or be trimmed.
      const nicks = [...INVISIBLE_NICKS, ...CONTROL_NICKS].filter((nick) => !/\s/.test(nick));
      const lines = nicks.map((nick) => command(`/nick ${nick}`));
      // The hello took one of the three nick attempts.
      await errorsEach(context, "native", lines, "nick_invalid", { perProbe: NICK_TRIES - 1 });
    },
  },
  {
    name: "plain text nicks with bidi or zero-width characters are refused",
    async run(context) {
      // Plain text trims the nick line, so nicks that start or end with white space are left out.
      const nicks = INVISIBLE_NICKS.filter((nick) => !/^\s|\s$/.test(nick));
      await plainErrorsEach(
        context,
        "raw",
        nicks.map((nick) => `${nick}\n`),
        /^! Nick .* is not allowed/,
        NICK_TRIES,
      );
    },
  },
  {
    name: "case, full-width, mathematical and Cyrillic forms of a nick in use are refused",
    async run(context) {
      await withNicks(context.group, ["ana", "eco"], async () => {
        const taken = [
          "ANA",
          "\uff41\uff4e\uff41", // FULLWIDTH a n a
          "\u{1d41a}\u{1d427}\u{1d41a}", // MATHEMATICAL BOLD a n a
          "\u1d2c\u1d3a\u1d2c", // MODIFIER LETTER CAPITAL A N A
          "\u0435\u0441\u043e", // Cyrillic ie es o, like "eco"
        ];
        await errorsEach(context, "raw", taken.map(hello), "nick_taken", { perProbe: NICK_TRIES });
        const mixed = ["\u0430na", "\u0430n\u0430", "\u03b1na", "ec\u043e"]; // Cyrillic or Greek
        await errorsEach(context, "raw", mixed.map(hello), ["nick_taken", "nick_invalid"], {
          perProbe: NICK_TRIES,
        });
      });
    },
  },
  {
    // "an\u0251" (LATIN SMALL LETTER ALPHA) and "\u0131na" (dotless i) fold to "ana" and "ina".
    name: "Latin look-alike letters in a nick in use are refused",
    async run(context) {
      await withNicks(context.group, ["ana", "ina"], async () => {
        const lines = ["an\u0251", "\u0251na", "\u0131na"].map(hello);
        await errorsEach(context, "raw", lines, ["nick_taken", "nick_invalid"], {
          perProbe: NICK_TRIES,
        });
      });
    },
  },
  {
    // HANGUL FILLER (U+3164) and HALFWIDTH HANGUL FILLER (U+FFA0) are letters by category but
    // Default_Ignorable_Code_Points: a nick or room that shows as blank is refused.
    name: "invisible letters (Hangul fillers) are refused in nicks and room names",
    async run(context) {
      const nicks = ["\u3164", "\uffa0", "\u3164\u3164"];
      await errorsEach(context, "raw", nicks.map(hello), "nick_invalid", { perProbe: NICK_TRIES });
      await errorsEach(context, "native", [command("/create \u3164")], "room_invalid");
    },
  },
  {
    name: "room names with bidi, zero-width or control characters are refused",
    async run(context) {
      const creates = ROOM_NAMES_REFUSED.map((name) => command(`/create ${name}`));
      await errorsEach(context, "native", creates, "room_invalid", { perProbe: CREATES });
      const lines = ["lobby\u200b", "lobby\u202e", "lobby\u0000", "\u202elobby"].flatMap((name) => [
        command(`/join ${name}`),
        command(`/users ${name}`),
        say("x", name),
      ]);
      await errorsEach(context, "native", lines, ["no_such_room", "room_invalid"]);
    },
  },
  {
    name: "full-width and Cyrillic forms of an existing room name are refused",
    async run(context) {
      const lines = ["\uff4c\uff4f\uff42\uff42\uff59", "l\u043ebby", "L\u041e\u0412\u0412Y"]
        .map((name) => command(`/create ${name}`));
      await errorsEach(context, "native", lines, ["room_exists", "room_invalid"], {
        perProbe: CREATES,
      });
    },
  },
  {
    name: "bidi and zero-width text is delivered as sent and escaped for plain text readers",
    async run({ group, open }) {
      const probe = await open("plain");
      const { talker, watcher } = group;
      await talker.sendFrame({ type: "say", room: "lobby", text: "\u202eevil\u001b[2J" });
      await talker.lines.waitFor('"code":"text_invalid"', {
        from: group.marks.talker,
        timeoutMs: DEADLINE_MS,
      });
      const text = "\u202eevil\u200b \u2066x\u2069";
      const mark = watcher.lines.lines.length;
      await talker.sendFrame({ type: "say", room: "lobby", text });
      const index = await watcher.lines.waitFor('"nick":"talker"', {
        from: mark,
        timeoutMs: DEADLINE_MS,
      });
      assert.equal(frameOf(watcher.lines.lines[index] ?? "")?.text, text);
      const line = await probe.nextLine("a message with bidi characters");
      assert.equal(line, "<talker> \\u{202e}evil\\u{200b} \\u{2066}x\\u{2069}");
    },
  },
  {
    name: "a /quit reason with control characters reaches the others cleaned",
    async run({ group, open }) {
      const probe = await open("native");
      await probe.expect(command("/quit bye\u001b[2J\u0007 all"), "bye");
      await probe.closedByServer("/quit");
      const index = await group.watcher.lines.waitFor((line) => {
        const frame = frameOf(line);
        return frame?.type === "quit" && frame.nick === probe.nick;
      }, { from: group.marks.watcher, timeoutMs: DEADLINE_MS });
      const reason = String(frameOf(group.watcher.lines.lines[index] ?? "")?.reason);
      // deno-lint-ignore no-control-regex
      assert.ok(!/[\u0000-\u001f\u007f-\u009f]/.test(reason), JSON.stringify(reason));
    },
  },
];

// ---- the tests -----------------------------------------------------------------------------

Deno.test("hostile input: malformed, nested and prototype-polluting JSON", async (t) => {
  await runGroup(t, JSON_CASES);
});

Deno.test("hostile input: wrong field types, numbers and command arguments", async (t) => {
  await runGroup(t, TYPE_CASES);
});

Deno.test("hostile input: invalid UTF-8, control characters, lone CR, one byte at a time", async (t) => {
  await runGroup(t, BYTE_CASES);
});

Deno.test("hostile input: floods, binary garbage, HTTP and TLS on the chat port", async (t) => {
  await runGroup(t, FLOOD_CASES);
});

Deno.test("hostile input: control, bidi, zero-width and look-alike nicks and room names", async (t) => {
  await runGroup(t, NAME_CASES);
});
