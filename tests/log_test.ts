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
