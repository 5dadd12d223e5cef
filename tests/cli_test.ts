import assert from "node:assert/strict";
import {
  type CliCommand,
  type ExitCommand,
  parseAddress,
  parseCli,
  parsePort,
} from "../src/cli.ts";
import { UsageError } from "../src/errors.ts";
import { DEFAULT_PORT } from "../src/limits.ts";
import { VERSION } from "../src/version.ts";

const batch = { interactive: false };
const tty = { interactive: true };

/** Asserts a usage error: exit 2, nothing on stdout, one message line, a Usage line, no stack. */
function assertUsageError(result: CliCommand, message: string | RegExp, usage: string): void {
  assert.equal(result.kind, "exit");
  const exit = result as ExitCommand;
  assert.equal(exit.code, 2);
  assert.equal(exit.stdout, "");
  const lines = exit.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 3, exit.stderr);
  const [first = "", second, third] = lines;
  if (typeof message === "string") assert.equal(first, message);
  else assert.match(first, message);
  assert.equal(second, `Usage: ${usage}`);
  assert.match(third ?? "", /^Run "chat( \w+)? --help" for more\.$/);
  assert.doesNotMatch(exit.stderr, /\n\s+at /);
  assert.doesNotMatch(exit.stderr, /Error:/);
}

Deno.test("parseCli() serve uses the defaults", () => {
  assert.deepEqual(parseCli(["serve"], batch), {
    kind: "serve",
    hostname: "0.0.0.0",
    port: DEFAULT_PORT,
    logFormat: "text",
  });
  assert.equal(DEFAULT_PORT, 12345);
});

Deno.test("parseCli() serve accepts --port 0, --host and --log-format json", () => {
  assert.deepEqual(parseCli(["serve", "--port", "0"], batch), {
    kind: "serve",
    hostname: "0.0.0.0",
    port: 0,
    logFormat: "text",
  });
  assert.deepEqual(
    parseCli(["serve", "--host", "127.0.0.1", "--port=8080", "--log-format", "json"], batch),
    { kind: "serve", hostname: "127.0.0.1", port: 8080, logFormat: "json" },
  );
});

Deno.test("parseCli() serve refuses an out-of-range or non-numeric port", () => {
  const cases: [string, RegExp][] = [
    ["70000", /^chat: .*'70000' is invalid\. Port must be a number from 0 to 65535: got 70000$/],
    ["65536", /Port must be a number from 0 to 65535: got 65536$/],
    ["-1", /Port must be a number from 0 to 65535: got "-1"$/],
    ["abc", /Port must be a number from 0 to 65535: got "abc"$/],
    ["1.5", /Port must be a number from 0 to 65535/],
    ["", /Port must be a number from 0 to 65535/],
  ];
  for (const [port, message] of cases) {
    assertUsageError(parseCli(["serve", "--port", port], batch), message, "chat serve [options]");
  }
});

Deno.test("parseCli() serve refuses a bad --log-format", () => {
  assertUsageError(
    parseCli(["serve", "--log-format", "xml"], batch),
    /^chat: .*'xml' is invalid\. Allowed choices are text, json\.$/,
    "chat serve [options]",
  );
});

Deno.test("parseCli() refuses an unknown option", () => {
  assertUsageError(
    parseCli(["serve", "--bogus"], batch),
    "chat: unknown option '--bogus'",
    "chat serve [options]",
  );
  assertUsageError(
    parseCli(["--bogus"], batch),
    "chat: unknown option '--bogus'",
    "chat [options] [command]",
  );
});

Deno.test("parseCli() refuses an unknown command and extra arguments", () => {
  assertUsageError(
    parseCli(["frob"], batch),
    "chat: unknown command 'frob'",
    "chat [options] [command]",
  );
  assertUsageError(
    parseCli(["serve", "extra"], batch),
    /^chat: too many arguments for 'serve'/,
    "chat serve [options]",
  );
  assertUsageError(
    parseCli(["join", "a", "b", "--nick", "ana"], batch),
    /^chat: too many arguments for 'join'/,
    "chat join [options] [address]",
  );
});

Deno.test("parseCli() join takes HOST:PORT", () => {
  assert.deepEqual(parseCli(["join", "example.org:4000", "--nick", "ana"], batch), {
    kind: "join",
    host: "example.org",
    port: 4000,
    nick: "ana",
    color: true,
  });
});

Deno.test("parseCli() join takes [IPV6]:PORT and a bare IPv6 address", () => {
  const bracketed = parseCli(["join", "[::1]:12345", "--nick", "ana"], batch);
  assert.deepEqual(bracketed, { kind: "join", host: "::1", port: 12345, nick: "ana", color: true });
  const bare = parseCli(["join", "::1", "--nick", "ana"], batch);
  assert.deepEqual(bare, {
    kind: "join",
    host: "::1",
    port: DEFAULT_PORT,
    nick: "ana",
    color: true,
  });
});

Deno.test("parseCli() join with a host only uses the default port", () => {
  const result = parseCli(["join", "--nick", "ana", "localhost"], batch);
  assert.deepEqual(result, {
    kind: "join",
    host: "localhost",
    port: DEFAULT_PORT,
    nick: "ana",
    color: true,
  });
});

Deno.test("parseCli() join --no-color turns colour off", () => {
  const result = parseCli(["join", "h", "--nick", "ana", "--no-color"], batch);
  assert.equal(result.kind === "join" && result.color, false);
});

Deno.test("parseCli() join refuses a bad port in the address", () => {
  assertUsageError(
    parseCli(["join", "host:abc", "--nick", "ana"], batch),
    /^chat: .*'host:abc' is invalid.*Port must be a number from 1 to 65535: got "abc"$/,
    "chat join [options] [address]",
  );
  assertUsageError(
    parseCli(["join", "host:0", "--nick", "ana"], batch),
    /Port must be a number from 1 to 65535: got 0$/,
    "chat join [options] [address]",
  );
});

Deno.test("parseCli() join without a nick is refused when not interactive", () => {
  assertUsageError(
    parseCli(["join", "example.org"], batch),
    "chat: missing --nick (it can only be asked for when stdin is a terminal)",
    "chat join [options] [address]",
  );
  assertUsageError(
    parseCli(["join", "--nick", "ana"], batch),
    "chat: missing address (it can only be asked for when stdin is a terminal)",
    "chat join [options] [address]",
  );
});

Deno.test("parseCli() join without address or nick is allowed when interactive", () => {
  const bare = parseCli(["join"], tty);
  assert.equal(bare.kind, "join");
  if (bare.kind !== "join") return;
  assert.equal(bare.host, undefined);
  assert.equal(bare.nick, undefined);
  assert.equal(bare.port, DEFAULT_PORT);
  assert.equal(bare.color, true);
  const hostOnly = parseCli(["join", "example.org:99"], tty);
  assert.ok(hostOnly.kind === "join");
  assert.equal(hostOnly.host, "example.org");
  assert.equal(hostOnly.port, 99);
  assert.equal(hostOnly.nick, undefined);
});

Deno.test("parseCli() join refuses an invalid --nick", () => {
  assertUsageError(
    parseCli(["join", "h", "--nick", "a b"], batch),
    /^chat: .*'a b' is invalid\. Nick "a b" is not allowed: use 1 to 24 letters/,
    "chat join [options] [address]",
  );
  assertUsageError(
    parseCli(["join", "h", "--nick", "x".repeat(30)], tty),
    /Nick is too long: 30 characters, at most 24$/,
    "chat join [options] [address]",
  );
});

Deno.test("parseCli() --help prints help on stdout and exits 0", () => {
  for (const flag of ["--help", "-h"]) {
    const result = parseCli([flag], batch);
    assert.equal(result.kind, "exit");
    const exit = result as ExitCommand;
    assert.equal(exit.code, 0);
    assert.equal(exit.stderr, "");
    assert.match(exit.stdout, /^Usage: chat \[options\] \[command\]\n/);
    assert.match(exit.stdout, /\n {2}serve \[options\] +Run a chat server\n/);
    assert.match(exit.stdout, /\n {2}join \[options\] \[address\] +Join a chat server\n/);
    assert.match(exit.stdout, /Examples:\n {2}chat serve --port 12345\n/);
  }
});

Deno.test("parseCli() serve --help prints the serve options on stdout and exits 0", () => {
  const result = parseCli(["serve", "--help"], batch);
  assert.equal(result.kind, "exit");
  const exit = result as ExitCommand;
  assert.equal(exit.code, 0);
  assert.equal(exit.stderr, "");
  assert.match(exit.stdout, /^Usage: chat serve \[options\]\n/);
  assert.match(exit.stdout, /--log-format <format>/);
});

Deno.test("parseCli() --version prints the version on stdout and exits 0", () => {
  for (const flag of ["--version", "-V"]) {
    assert.deepEqual(parseCli([flag], batch), {
      kind: "exit",
      code: 0,
      stdout: `${VERSION}\n`,
      stderr: "",
    });
  }
});

Deno.test("parseCli() with no arguments exits 2 with the help on stderr", () => {
  const result = parseCli([], batch);
  assert.equal(result.kind, "exit");
  const exit = result as ExitCommand;
  assert.equal(exit.code, 2);
  assert.equal(exit.stdout, "");
  assert.match(exit.stderr, /^Usage: chat \[options\] \[command\]\n/);
  assert.match(exit.stderr, /serve \[options\]/);
  assert.match(exit.stderr, /join \[options\] \[address\]/);
});

Deno.test("parseCli() does not keep state between calls", () => {
  parseCli(["serve", "--port", "1"], batch);
  assert.deepEqual(parseCli(["serve"], batch), {
    kind: "serve",
    hostname: "0.0.0.0",
    port: DEFAULT_PORT,
    logFormat: "text",
  });
});

function assertUsage(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof UsageError, `expected UsageError, got ${String(error)}`);
    if (typeof message === "string") assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

Deno.test("parseAddress() parses HOST, HOST:PORT and IPv6 forms", () => {
  assert.deepEqual(parseAddress("example.org"), { host: "example.org" });
  assert.deepEqual(parseAddress("example.org:80"), { host: "example.org", port: 80 });
  assert.deepEqual(parseAddress(" 10.0.0.1:65535 "), { host: "10.0.0.1", port: 65535 });
  assert.deepEqual(parseAddress("[::1]"), { host: "::1" });
  assert.deepEqual(parseAddress("[::1]:12345"), { host: "::1", port: 12345 });
  assert.deepEqual(parseAddress("::1"), { host: "::1" });
  assert.deepEqual(parseAddress("fe80::1:2"), { host: "fe80::1:2" });
});

Deno.test("parseAddress() refuses empty hosts and bad ports", () => {
  assertUsage(() => parseAddress(""), "Address is empty: expected HOST[:PORT]");
  assertUsage(() => parseAddress("   "), "Address is empty: expected HOST[:PORT]");
  assertUsage(() => parseAddress(":80"), "Address has an empty host: :80");
  assertUsage(() => parseAddress("[]:80"), "Address has an empty host: []:80");
  assertUsage(() => parseAddress("host:"), 'Port must be a number from 1 to 65535: got ""');
  assertUsage(() => parseAddress("host:abc"), 'Port must be a number from 1 to 65535: got "abc"');
  assertUsage(() => parseAddress("host:0"), "Port must be a number from 1 to 65535: got 0");
  assertUsage(
    () => parseAddress("[::1]:99999"),
    "Port must be a number from 1 to 65535: got 99999",
  );
});

Deno.test("parsePort() accepts 1 to 65535, and 0 only when allowed", () => {
  assert.equal(parsePort("1", false), 1);
  assert.equal(parsePort("65535", false), 65535);
  assert.equal(parsePort(" 80 ", false), 80);
  assert.equal(parsePort("0", true), 0);
  assertUsage(() => parsePort("0", false), "Port must be a number from 1 to 65535: got 0");
  assertUsage(() => parsePort("65536", true), "Port must be a number from 0 to 65535: got 65536");
});

Deno.test("parsePort() refuses anything but digits", () => {
  for (const text of ["", "-1", "+1", "1e3", "0x10", "12.0", "abc", "123456", "1 2"]) {
    assertUsage(() => parsePort(text, true), /^Port must be a number from 0 to 65535: got /);
  }
});
