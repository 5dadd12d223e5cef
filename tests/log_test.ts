import assert from "node:assert/strict";
import { Logger, type LoggerOptions } from "../src/log.ts";

const T = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
const ISO = "2024-01-02T03:04:05.678Z";

function capture(options: Omit<LoggerOptions, "sink"> = {}): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = new Logger({ clock: () => T, ...options, sink: (line) => lines.push(line) });
  return { logger, lines };
}

Deno.test("Logger writes text lines by default: time, padded level, event, fields", () => {
  const { logger, lines } = capture();
  logger.info("connect", { id: 1, remote: "127.0.0.1:5000" });
  logger.warn("drop", { id: 2, slow: true });
  logger.error("bug");
  assert.deepEqual(lines, [
    `${ISO} INFO  connect id=1 remote=127.0.0.1:5000`,
    `${ISO} WARN  drop id=2 slow=true`,
    `${ISO} ERROR bug`,
  ]);
});

Deno.test("Logger text format quotes values with spaces or special characters", () => {
  const { logger, lines } = capture({ format: "text" });
  logger.info("leave", {
    nick: "ana",
    reason: "Quit: see you",
    empty: "",
    eq: "a=b",
    quote: 'say "hi"',
    addr: "[::1]:80",
    path: "a/b@c-d.e_f",
  });
  assert.deepEqual(lines, [
    `${ISO} INFO  leave nick=ana reason="Quit: see you" empty="" eq="a=b" ` +
    `quote="say \\"hi\\"" addr=[::1]:80 path=a/b@c-d.e_f`,
  ]);
});

Deno.test("Logger text format keeps one event on one line", () => {
  const { logger, lines } = capture();
  logger.error("bug", { stack: "Error: x\n    at f (a.ts:1:1)\r\n", esc: "\u001b[2J" });
  assert.equal(lines.length, 1);
  assert.ok(!/[\r\n]/.test(lines[0] ?? "") && !(lines[0] ?? "").includes("\u001b"), lines[0]);
  assert.equal(
    lines[0],
    `${ISO} ERROR bug stack="Error: x\\n    at f (a.ts:1:1)\\r\\n" esc="\\u001b[2J"`,
  );
});

Deno.test("Logger text format leaves out undefined fields", () => {
  const { logger, lines } = capture();
  logger.info("nick", { id: 3, old: undefined, new: "bob" });
  assert.deepEqual(lines, [`${ISO} INFO  nick id=3 new=bob`]);
});

Deno.test("Logger json format writes one JSON object per event", () => {
  const { logger, lines } = capture({ format: "json" });
  logger.info("connect", { id: 1, remote: "127.0.0.1:5000", tls: false });
  logger.warn("drop", { reason: "Send queue full", gone: undefined });
  logger.error("bug");
  assert.equal(lines.length, 3);
  const parsed = lines.map((line) => JSON.parse(line));
  assert.deepEqual(parsed, [
    { time: ISO, level: "info", event: "connect", id: 1, remote: "127.0.0.1:5000", tls: false },
    { time: ISO, level: "warn", event: "drop", reason: "Send queue full" },
    { time: ISO, level: "error", event: "bug" },
  ]);
  assert.deepEqual(Object.keys(JSON.parse(lines[0] ?? "{}")).slice(0, 3), [
    "time",
    "level",
    "event",
  ]);
});

Deno.test("Logger json format escapes line breaks inside values", () => {
  const { logger, lines } = capture({ format: "json" });
  logger.error("bug", { stack: "a\nb" });
  assert.equal(lines.length, 1);
  assert.ok(!(lines[0] ?? "").includes("\n"));
  assert.equal(JSON.parse(lines[0] ?? "").stack, "a\nb");
});

Deno.test("Logger reads the injected clock for every event", () => {
  let now = 0;
  const lines: string[] = [];
  const logger = new Logger({ sink: (line) => lines.push(line), clock: () => now });
  logger.info("a");
  now = 86_400_000 + 1;
  logger.info("b");
  assert.deepEqual(lines, [
    "1970-01-01T00:00:00.000Z INFO  a",
    "1970-01-02T00:00:00.001Z INFO  b",
  ]);
});

Deno.test("Logger json keeps its own time, level and event over fields of the same name", () => {
  const lines: string[] = [];
  const log = new Logger({ format: "json", sink: (line) => lines.push(line), clock: () => T });
  log.info("connect", { event: "spoof", level: "error", time: "never", id: 3 });
  assert.deepEqual(JSON.parse(lines[0] ?? ""), {
    time: ISO,
    level: "info",
    event: "connect",
    id: 3,
  });
});

/** The event names of text log lines. */
function events(lines: string[]): string[] {
  return lines.map((line) => line.split(/ +/)[2] ?? "");
}

Deno.test("Logger.recent() returns the last n lines written, oldest first", () => {
  const { logger, lines } = capture();
  for (let i = 1; i <= 5; i++) logger.info(`e${i}`, { i });
  assert.deepEqual(logger.recent(3), lines.slice(2));
  assert.deepEqual(events(logger.recent(3)), ["e3", "e4", "e5"]);
  assert.deepEqual(events(logger.recent(1)), ["e5"]);
  assert.deepEqual(logger.recent(5), lines);
  assert.deepEqual(logger.recent(0), []);
  assert.deepEqual(logger.recent(-1), []);
});

Deno.test("Logger.recent() keeps the same text as the sink, in both formats", () => {
  const { logger, lines } = capture({ format: "json" });
  logger.warn("drop", { id: 2 });
  assert.deepEqual(logger.recent(10), lines);
  assert.deepEqual(JSON.parse(logger.recent(1)[0] ?? ""), {
    time: ISO,
    level: "warn",
    event: "drop",
    id: 2,
  });
});

Deno.test("Logger.recent() returns a copy that later events do not change", () => {
  const { logger } = capture();
  logger.info("a");
  const before = logger.recent(10);
  logger.info("b");
  assert.deepEqual(events(before), ["a"]);
});

Deno.test("Logger keeps the last `keep` lines however many are written", () => {
  const { logger, lines } = capture({ keep: 3 });
  for (let i = 1; i <= 1000; i++) {
    logger.info(`e${i}`);
    const expected = Array.from(
      { length: Math.min(3, i) },
      (_, k) => `e${i - Math.min(3, i) + k + 1}`,
    );
    assert.deepEqual(events(logger.recent(3)), expected, `after ${i}`);
  }
  // The sink still got every line.
  assert.equal(lines.length, 1000);
});

// Known bug (src/log.ts is not this suite's to change): `recent()` trims its buffer in batches but
// does not cap what it returns, so recent(n > keep) can return up to 2 * keep - 1 lines, and with
// `keep: 0` the buffer is never trimmed at all. Un-ignore once recent() caps at `keep`.
Deno.test({
  name: "Logger.recent() never returns more than `keep` lines",
  fn() {
    const { logger } = capture({ keep: 3 });
    for (let i = 1; i <= 10; i++) logger.info(`e${i}`);
    assert.deepEqual(events(logger.recent(100)), ["e8", "e9", "e10"]);
    const none = capture({ keep: 0 });
    for (let i = 1; i <= 10; i++) none.logger.info(`e${i}`);
    assert.deepEqual(none.logger.recent(100), []);
  },
});

Deno.test("Logger.redirect() sends later lines to the new sink only", () => {
  const { logger, lines } = capture();
  logger.info("before");
  const moved: string[] = [];
  logger.redirect((line) => moved.push(line));
  logger.info("after", { id: 1 });
  logger.error("later");
  assert.deepEqual(events(lines), ["before"]);
  assert.deepEqual(moved, [`${ISO} INFO  after id=1`, `${ISO} ERROR later`]);
  // The recent lines span both sinks.
  assert.deepEqual(events(logger.recent(10)), ["before", "after", "later"]);
});
