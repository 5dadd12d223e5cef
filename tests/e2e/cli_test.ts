/** End-to-end: the command line, its errors and exit codes, run as a real process. */
import assert from "node:assert/strict";
import { reachableAddresses } from "../../src/server/addresses.ts";
import { chatCommand, ChatProcess, startServer } from "./harness.ts";

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const process = new ChatProcess(args, {});
  const status = await process.exit();
  return { code: status.code, stdout: process.stdout.text(), stderr: process.stderr.text() };
}

function assertNoStackTrace(text: string): void {
  assert.ok(!/\n\s+at |Stack backtrace|error: Uncaught/.test(text), text);
}

for (
  const [args, message] of [
    [["serve", "--port", "70000"], /Port must be a whole number from 0 to 65535/],
    [["serve", "--port", "abc"], /Port must be a whole number/],
    [["serve", "--bogus"], /^chat: Unknown option --bogus for chat serve$/],
    [
      ["join", "127.0.0.1:abc", "--nick", "ana"],
      /^chat: Bad address "127\.0\.0\.1:abc": the port must be a whole number from 1 to 65535$/,
    ],
    [["join", "127.0.0.1:12345"], /^chat: Missing --nick/],
    [["join", "127.0.0.1", "--nick", "bad nick"], /^chat: Nick "bad nick" is not allowed/],
    [["frobnicate"], /^chat: Unknown command "frobnicate"/],
    [["serve", "--port"], /^chat: Option --port needs a value: --port <port>$/],
  ] as const
) {
  Deno.test(`chat ${args.join(" ")} is a usage error: one line, usage, exit 2`, async () => {
    const result = await run([...args]);
    assert.equal(result.code, 2, result.stderr);
    const lines = result.stderr.trim().split("\n");
    assert.match(lines[0] ?? "", message);
    assert.match(lines[1] ?? "", /^Usage: chat/);
    assertNoStackTrace(result.stderr);
  });
}

Deno.test("chat --version prints the version and exits 0", async () => {
  const result = await run(["--version"]);
  assert.equal(result.code, 0);
  assert.match(result.stdout.trim(), /^\d+\.\d+\.\d+$/);
});

Deno.test("chat --help and chat join --help describe the commands", async () => {
  const top = await run(["--help"]);
  assert.equal(top.code, 0);
  assert.match(top.stdout, /serve/);
  assert.match(top.stdout, /join/);
  const join = await run(["join", "--help"]);
  assert.equal(join.code, 0);
  assert.match(join.stdout, /--nick <nick>/);
});

Deno.test("chat join to a closed port says connection refused in one line, exit 1", async () => {
  // Find a port nobody listens on: bind, note it, close.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const result = await run(["join", `127.0.0.1:${port}`, "--nick", "ana"]);
  assert.equal(result.code, 1);
  assert.equal(
    result.stderr.trim(),
    `chat: Cannot connect to 127.0.0.1:${port}: connection refused (is the server running?)`,
  );
});

Deno.test("chat join to a port that accepts and never answers gives up after 10 s, saying so", async () => {
  // Something listens, accepts, and says nothing: not a chat server.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  try {
    const started = Date.now();
    const process = new ChatProcess(["join", `127.0.0.1:${port}`, "--nick", "ana"], {});
    const status = await process.exit(30_000);
    assert.equal(status.code, 1);
    assert.equal(
      process.stderr.text().trim(),
      `chat: No chat server answered on 127.0.0.1:${port} (nothing came back within 10 s)`,
    );
    assert.ok(Date.now() - started >= 10_000, "it waited the whole deadline");
  } finally {
    listener.close();
    await accepting;
    for (const conn of held) conn.close();
  }
});

Deno.test("chat join to an unknown host says so in one line, exit 1", async () => {
  const result = await run(["join", "no-such-host.invalid:12345", "--nick", "ana"]);
  assert.equal(result.code, 1);
  assert.equal(
    result.stderr.trim(),
    "chat: Cannot connect to no-such-host.invalid:12345: unknown host",
  );
});

Deno.test("chat serve on a port in use says so in one line, exit 1", async () => {
  const server = await startServer();
  try {
    const result = await run(["serve", "--host", "127.0.0.1", "--port", String(server.port)]);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr.trim(),
      `chat: Cannot listen on port ${server.port}: it is already in use`,
    );
  } finally {
    await server.stop();
  }
});

Deno.test("chat serve prints the address it listens on, with the real port for --port 0", async () => {
  const server = await startServer();
  try {
    assert.match(server.stdout.lines[0] ?? "", /^chat server 127\.0\.0\.1:\d+ is listening/);
    assert.ok(server.port > 0);
    await server.stdout.waitFor(`  chat join 127.0.0.1:${server.port}`);
    await server.stdout.waitFor(`  nc 127.0.0.1 ${server.port}`);
    await server.stdout.waitFor(/^Only this machine can connect/);
  } finally {
    await server.stop();
  }
});

Deno.test("chat serve on 0.0.0.0 names this machine's addresses and what others type", async () => {
  const server = await startServer({ host: "0.0.0.0" });
  try {
    assert.match(server.stdout.lines[0] ?? "", /^chat server 0\.0\.0\.0:\d+ is listening/);
    const first = reachableAddresses(Deno.networkInterfaces(), false)[0];
    if (first === undefined) {
      await server.stdout.waitFor(/only this machine can join/);
    } else {
      await server.stdout.waitFor(/^Others can reach it at/);
      await server.stdout.waitFor(`  chat join ${first.address}:${server.port}`);
      await server.stdout.waitFor(`  nc ${first.address} ${server.port}`);
    }
  } finally {
    await server.stop();
  }
});

Deno.test("chat serve without the permission to list interfaces still starts, quietly", async () => {
  const { command, args } = chatCommand([]);
  const process = new ChatProcess(["serve", "--host", "0.0.0.0", "--port", "0"], {
    launcher: { command, args: args.filter((arg) => !arg.startsWith("--allow-sys")) },
  });
  try {
    await process.stdout.waitFor(/is listening/);
    process.kill("SIGTERM");
    assert.equal((await process.exit()).code, 0);
    // The address, then where data is kept: no list of interfaces.
    assert.equal(process.stdout.lines.length, 2, process.stdout.text());
    assert.match(process.stdout.lines[1] ?? "", /^Rooms and history are kept in memory only/);
    assert.doesNotMatch(process.stderr.text(), /Internal error|PermissionDenied|Requires sys/);
  } finally {
    await process.stop();
  }
});
