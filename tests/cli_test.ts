import assert from "node:assert/strict";
import {
  type CliCommand,
  type ExitCommand,
  parseAddress,
  parseCli,
  parseCount,
  parseHistory,
  parseOrigin,
  parsePort,
  parseRoomSpec,
  parseServerInfo,
  parseServerName,
  type ServeCommand,
} from "../src/cli.ts";
import { ChatError, UsageError } from "../src/errors.ts";
import {
  DEFAULT_HISTORY,
  DEFAULT_MAX_CLIENTS,
  DEFAULT_MAX_FILE_BYTES,
  DEFAULT_MAX_OUTBOX_BYTES,
  DEFAULT_MAX_PER_IP,
  DEFAULT_PORT,
  FLOOD_BURST,
  FLOOD_PER_SECOND,
  PING_AFTER_MS,
  REGISTRATION_TIMEOUT_MS,
  RESUME_GRACE_MS,
  WRITE_STALL_MS,
} from "../src/limits.ts";
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
  assertOurWords(first);
}

/** Commander's own phrases, none of which may reach the user: the messages are ours. */
const COMMANDER_WORDING =
  /^chat: error:|command-argument|is invalid\.|argument missing|too many arguments for '|unknown (option|command) '|Allowed choices|Did you mean|Expected \d+ argument/;

function assertOurWords(line: string): void {
  assert.doesNotMatch(line, COMMANDER_WORDING);
  assert.match(line, /^chat: [A-Z-]/, "a sentence, or an option first");
}

/** What `chat serve` gives without options. */
const SERVE_DEFAULTS = {
  kind: "serve",
  hostname: "0.0.0.0",
  port: DEFAULT_PORT,
  logFormat: "text",
  rooms: [],
  history: DEFAULT_HISTORY,
  userRooms: true,
  color: true,
  maxClients: DEFAULT_MAX_CLIENTS,
  maxPerIp: DEFAULT_MAX_PER_IP,
  floodRate: FLOOD_PER_SECOND,
  floodBurst: FLOOD_BURST,
  maxQueueKiB: DEFAULT_MAX_OUTBOX_BYTES / 1024,
  stallTimeout: WRITE_STALL_MS / 1000,
  resumeGrace: RESUME_GRACE_MS / 1000,
  registrationTimeout: REGISTRATION_TIMEOUT_MS / 1000,
  pingInterval: PING_AFTER_MS / 1000,
  maxFileMiB: DEFAULT_MAX_FILE_BYTES / (1024 * 1024),
  tlsPort: undefined,
  tlsCert: undefined,
  tlsKey: undefined,
  tlsOnly: false,
  passwordFile: undefined,
  allowOrigins: [],
  admins: [],
  data: undefined,
  memory: false,
  retainDays: undefined,
  compact: false,
  serverName: "chat",
  redis: undefined,
  redisPasswordFile: undefined,
  node: undefined,
} as const;

/** What `chat join` gives for the options not given. */
const JOIN_DEFAULTS = {
  room: undefined,
  color: true,
  downloads: undefined,
  autoReceive: true,
  tls: false,
  trustOnFirstUse: false,
  fingerprint: undefined,
  serverPasswordFile: undefined,
  passwordFile: undefined,
};

/** The serve options that take a whole number, with their field and accepted range. */
const SERVE_LIMIT_FLAGS: readonly {
  flag: string;
  /** The value's name in the help and in errors. */
  arg: string;
  field: keyof ServeCommand;
  min: number;
  max: number;
}[] = [
  { flag: "--max-clients", arg: "n", field: "maxClients", min: 0, max: 1_000_000 },
  { flag: "--max-per-ip", arg: "n", field: "maxPerIp", min: 0, max: 1_000_000 },
  { flag: "--flood-rate", arg: "n", field: "floodRate", min: 0, max: 1_000_000 },
  { flag: "--flood-burst", arg: "n", field: "floodBurst", min: 1, max: 1_000_000 },
  { flag: "--max-queue", arg: "kib", field: "maxQueueKiB", min: 16, max: 1_048_576 },
  { flag: "--stall-timeout", arg: "seconds", field: "stallTimeout", min: 1, max: 86_400 },
  { flag: "--resume-grace", arg: "seconds", field: "resumeGrace", min: 0, max: 3600 },
  {
    flag: "--registration-timeout",
    arg: "seconds",
    field: "registrationTimeout",
    min: 0,
    max: 86_400,
  },
  { flag: "--ping-interval", arg: "seconds", field: "pingInterval", min: 0, max: 86_400 },
];

Deno.test("parseCli() serve uses the defaults", () => {
  assert.deepEqual(parseCli(["serve"], batch), SERVE_DEFAULTS);
  assert.equal(DEFAULT_PORT, 12345);
  assert.equal(DEFAULT_HISTORY, 50);
  assert.equal(DEFAULT_MAX_CLIENTS, 10_000);
  assert.equal(DEFAULT_MAX_PER_IP, 32);
  assert.equal(FLOOD_PER_SECOND, 5);
  assert.equal(FLOOD_BURST, 10);
  assert.equal(DEFAULT_MAX_OUTBOX_BYTES, 256 * 1024);
  assert.equal(REGISTRATION_TIMEOUT_MS, 60_000);
  assert.equal(PING_AFTER_MS, 60_000);
});

Deno.test("parseCli() serve --allow-origin takes origins (repeatable) or *, and refuses the rest", () => {
  const command = parseCli(
    ["serve", "--allow-origin", "https://Web.Example:443", "--allow-origin", "*"],
    batch,
  ) as ServeCommand;
  assert.deepEqual(command.allowOrigins, ["https://web.example", "*"]);
  assert.equal(parseOrigin("http://192.168.1.5:8080/"), "http://192.168.1.5:8080");
  for (
    const bad of ["web.example", "ftp://x", "https://x/path", "https://u@x", "https://x?q", ""]
  ) {
    assert.throws(() => parseOrigin(bad), UsageError, bad);
  }
});

Deno.test("parseServerInfo() takes a line of text and refuses control characters", () => {
  assert.equal(parseServerInfo("test server"), "test server");
  for (const bad of ["", "  ", "a\nb", "x".repeat(101)]) {
    assert.throws(() => parseServerInfo(bad), UsageError, "--server-info");
  }
  assert.deepEqual(parseCli(["serve", "--server-info", "Our chat"], batch), {
    ...SERVE_DEFAULTS,
    serverInfo: "Our chat",
  });
});

Deno.test("parseServerName() takes host-like names and refuses the rest", () => {
  assert.equal(parseServerName("My.Little.Server"), "My.Little.Server");
  for (const bad of ["", "a b", "-x", "a!b", "x".repeat(64), "caf\u00e9"]) {
    assert.throws(() => parseServerName(bad), UsageError, bad);
  }
  assert.deepEqual(parseCli(["serve", "--server-name", "irc.example"], batch), {
    ...SERVE_DEFAULTS,
    serverName: "irc.example",
  });
});

Deno.test("parseCli() serve accepts --port 0, --host and --log-format json", () => {
  assert.deepEqual(parseCli(["serve", "--port", "0"], batch), { ...SERVE_DEFAULTS, port: 0 });
  assert.deepEqual(
    parseCli(["serve", "--host", "127.0.0.1", "--port=8080", "--log-format", "json"], batch),
    { ...SERVE_DEFAULTS, hostname: "127.0.0.1", port: 8080, logFormat: "json" },
  );
});

Deno.test("parseCli() serve refuses an out-of-range or non-numeric port", () => {
  const cases: [string, RegExp][] = [
    ["70000", /^chat: Port must be a whole number from 0 to 65535: got "70000"$/],
    ["65536", /Port must be a whole number from 0 to 65535: got "65536"$/],
    ["-1", /Port must be a whole number from 0 to 65535: got "-1"$/],
    ["abc", /Port must be a whole number from 0 to 65535: got "abc"$/],
    ["1.5", /Port must be a whole number from 0 to 65535/],
    ["", /Port must be a whole number from 0 to 65535/],
  ];
  for (const [port, message] of cases) {
    assertUsageError(parseCli(["serve", "--port", port], batch), message, "chat serve [options]");
  }
});

Deno.test("parseCli() serve takes a TLS port, and a certificate only with its key", () => {
  assert.deepEqual(parseCli(["serve", "--tls-port", "6697"], batch), {
    ...SERVE_DEFAULTS,
    tlsPort: 6697,
  });
  assert.deepEqual(
    parseCli(["serve", "--tls-port", "0", "--tls-cert", "c.pem", "--tls-key", "k.pem"], batch),
    { ...SERVE_DEFAULTS, tlsPort: 0, tlsCert: "c.pem", tlsKey: "k.pem" },
  );
  assert.deepEqual(parseCli(["serve", "--tls-port", "1", "--tls-only"], batch), {
    ...SERVE_DEFAULTS,
    tlsPort: 1,
    tlsOnly: true,
  });
  assertUsageError(
    parseCli(["serve", "--tls-only"], batch),
    /--tls-only needs --tls-port/,
    "chat serve [options]",
  );
  assertUsageError(
    parseCli(["serve", "--tls-port", "6697", "--tls-cert", "c.pem"], batch),
    /--tls-cert and --tls-key go together/,
    "chat serve [options]",
  );
});

Deno.test("parseCli() join --fingerprint implies --tls and must be a SHA-256 fingerprint", () => {
  const fingerprint = "SHA256:" + "A".repeat(43);
  const parsed = parseCli(["join", "h:1", "--nick", "ana", "--fingerprint", fingerprint], batch);
  assert.ok(parsed.kind === "join" && parsed.tls && parsed.fingerprint === fingerprint);
  assertUsageError(
    parseCli(["join", "h:1", "--nick", "ana", "--fingerprint", "abc"], batch),
    /Not a certificate fingerprint: "abc"/,
    "chat join [options] [address]",
  );
});

Deno.test("parseCli() serve refuses a bad --log-format", () => {
  assertUsageError(
    parseCli(["serve", "--log-format", "xml"], batch),
    'chat: --log-format must be text or json: got "xml"',
    "chat serve [options]",
  );
});

Deno.test("parseCli() refuses an unknown option, suggesting a close one", () => {
  assertUsageError(
    parseCli(["serve", "--bogus"], batch),
    "chat: Unknown option --bogus for chat serve",
    "chat serve [options]",
  );
  assertUsageError(
    parseCli(["--bogus"], batch),
    "chat: Unknown option --bogus for chat",
    "chat [options] [command]",
  );
  assertUsageError(
    parseCli(["serve", "--hots", "0.0.0.0"], batch),
    "chat: Unknown option --hots for chat serve (did you mean --host?)",
    "chat serve [options]",
  );
  assertUsageError(
    parseCli(["join", "h", "-x"], batch),
    "chat: Unknown option -x for chat join",
    "chat join [options] [address]",
  );
});

Deno.test("parseCli() says in its own words when an option is missing its value", () => {
  assertUsageError(
    parseCli(["serve", "--port"], batch),
    "chat: Option --port needs a value: --port <port>",
    "chat serve [options]",
  );
  assertUsageError(
    parseCli(["join", "h", "--nick"], batch),
    "chat: Option --nick needs a value: --nick <nick>",
    "chat join [options] [address]",
  );
});

Deno.test("parseCli() refuses an unknown command and extra arguments", () => {
  assertUsageError(
    parseCli(["frob"], batch),
    'chat: Unknown command "frob": use chat serve or chat join',
    "chat [options] [command]",
  );
  assertUsageError(
    parseCli(["serv"], batch),
    'chat: Unknown command "serv" (did you mean serve?)',
    "chat [options] [command]",
  );
  assertUsageError(
    parseCli(["serve", "extra"], batch),
    "chat: Too many arguments: chat serve takes none, only options: got extra",
    "chat serve [options]",
  );
  assertUsageError(
    parseCli(["join", "a", "b", "--nick", "ana"], batch),
    "chat: Too many arguments: chat join takes one address (HOST[:PORT]): got a, b",
    "chat join [options] [address]",
  );
});

Deno.test("parseCli() join takes HOST:PORT", () => {
  assert.deepEqual(parseCli(["join", "example.org:4000", "--nick", "ana"], batch), {
    kind: "join",
    host: "example.org",
    port: 4000,
    nick: "ana",
    ...JOIN_DEFAULTS,
  });
});

Deno.test("parseCli() join takes [IPV6]:PORT and a bare IPv6 address", () => {
  const bracketed = parseCli(["join", "[::1]:12345", "--nick", "ana"], batch);
  assert.deepEqual(bracketed, {
    kind: "join",
    host: "::1",
    port: 12345,
    nick: "ana",
    ...JOIN_DEFAULTS,
  });
  const bare = parseCli(["join", "::1", "--nick", "ana"], batch);
  assert.deepEqual(bare, {
    kind: "join",
    host: "::1",
    port: DEFAULT_PORT,
    nick: "ana",
    ...JOIN_DEFAULTS,
  });
});

Deno.test("parseCli() join with a host only uses the default port", () => {
  const result = parseCli(["join", "--nick", "ana", "localhost"], batch);
  assert.deepEqual(result, {
    kind: "join",
    host: "localhost",
    port: DEFAULT_PORT,
    nick: "ana",
    ...JOIN_DEFAULTS,
  });
});

Deno.test("parseCli() join --no-color turns colour off", () => {
  const result = parseCli(["join", "h", "--nick", "ana", "--no-color"], batch);
  assert.equal(result.kind === "join" && result.color, false);
});

Deno.test("parseCli() join refuses a bad port in the address", () => {
  assertUsageError(
    parseCli(["join", "127.0.0.1:abc", "--nick", "ana"], batch),
    'chat: Bad address "127.0.0.1:abc": the port must be a whole number from 1 to 65535',
    "chat join [options] [address]",
  );
  assertUsageError(
    parseCli(["join", "host:0", "--nick", "ana"], batch),
    'chat: Bad address "host:0": the port must be a whole number from 1 to 65535',
    "chat join [options] [address]",
  );
  assertUsageError(
    parseCli(["join", ":80", "--nick", "ana"], batch),
    'chat: Bad address ":80": the host is missing',
    "chat join [options] [address]",
  );
});

Deno.test("parseCli() join without a nick is refused when not interactive", () => {
  assertUsageError(
    parseCli(["join", "example.org"], batch),
    "chat: Missing --nick (it can only be asked for when stdin is a terminal)",
    "chat join [options] [address]",
  );
  assertUsageError(
    parseCli(["join", "--nick", "ana"], batch),
    "chat: Missing address (it can only be asked for when stdin is a terminal)",
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
    /^chat: Nick "a b" is not allowed: use 1 to 24 letters/,
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
    assert.match(exit.stdout, /Examples:\n {2}chat serve --port 12345 --room games:8\n/);
    assert.match(exit.stdout, /\n {2}chat join 127\.0\.0\.1:12345 --nick ana --room games\n/);
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
  assert.match(exit.stdout, /--room <name\[:limit\]>/);
  assert.match(exit.stdout, /--history <count>/);
  assert.match(exit.stdout, /--no-user-rooms/);
  for (const { flag, arg } of SERVE_LIMIT_FLAGS) {
    assert.ok(exit.stdout.includes(`${flag} <${arg}>`));
  }
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
  parseCli(["serve", "--port", "1", "--room", "a:2", "--room", "b", "--history", "3"], batch);
  parseCli(["serve", "--no-user-rooms"], batch);
  parseCli(["serve", "--max-clients", "1", "--flood-rate", "0", "--max-queue", "16"], batch);
  assert.deepEqual(parseCli(["serve"], batch), SERVE_DEFAULTS);
  parseCli(["join", "h", "--nick", "ana", "--room", "games"], batch);
  const join = parseCli(["join", "h", "--nick", "ana"], batch);
  assert.equal(join.kind === "join" && join.room, undefined);
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
  assertUsage(() => parseAddress(":80"), 'Bad address ":80": the host is missing');
  assertUsage(() => parseAddress("[]:80"), 'Bad address "[]:80": the host is missing');
  const badPort = (address: string) =>
    `Bad address "${address}": the port must be a whole number from 1 to 65535`;
  for (const address of ["host:", "host:abc", "host:0", "[::1]:99999", "127.0.0.1:abc"]) {
    assertUsage(() => parseAddress(address), badPort(address));
  }
});

Deno.test("parsePort() accepts 1 to 65535, and 0 only when allowed", () => {
  assert.equal(parsePort("1", false), 1);
  assert.equal(parsePort("65535", false), 65535);
  assert.equal(parsePort(" 80 ", false), 80);
  assert.equal(parsePort("0", true), 0);
  assertUsage(() => parsePort("0", false), 'Port must be a whole number from 1 to 65535: got "0"');
  assertUsage(
    () => parsePort("65536", true),
    'Port must be a whole number from 0 to 65535: got "65536"',
  );
});

Deno.test("parsePort() refuses anything but digits", () => {
  for (const text of ["", "-1", "+1", "1e3", "0x10", "12.0", "abc", "123456", "1 2"]) {
    assertUsage(() => parsePort(text, true), /^Port must be a whole number from 0 to 65535: got /);
  }
});

// ---- rooms and history -------------------------------------------------------------------------

Deno.test("parseCli() serve --room is repeatable, with an optional limit", () => {
  assert.deepEqual(
    parseCli(["serve", "--room", "a", "--room", "b:8", "--room=#Games:10000"], batch),
    {
      ...SERVE_DEFAULTS,
      rooms: [{ name: "a" }, { name: "b", limit: 8 }, { name: "Games", limit: 10_000 }],
    },
  );
});

Deno.test("parseCli() serve refuses a bad --room spec with exit 2", () => {
  const cases: [string, RegExp][] = [
    ["b:0", /^chat: Room limit must be a whole number from 1 to 10000: got "0"$/],
    ["b:-1", /Room limit must be a whole number from 1 to 10000: got "-1"$/],
    ["b:x", /Room limit must be a whole number from 1 to 10000: got "x"$/],
    ["b:", /Room limit must be a whole number from 1 to 10000: got ""$/],
    ["b:10001", /Room limit must be a whole number from 1 to 10000: got "10001"$/],
    ["b:1e3", /Room limit must be a whole number from 1 to 10000: got "1e3"$/],
    ["bad room", /^chat: Room name "bad room" is not allowed: use 1 to 32/],
    ["a:1:2", /^chat: Room must be NAME or NAME:LIMIT: got "a:1:2"$/],
    ["", /Room name is empty/],
    [":5", /Room name is empty/],
    ["x".repeat(33), /Room name is too long: 33 characters, at most 32$/],
  ];
  for (const [spec, message] of cases) {
    assertUsageError(parseCli(["serve", "--room", spec], batch), message, "chat serve [options]");
  }
});

Deno.test("parseCli() serve --history takes 0 to 10000", () => {
  assert.deepEqual(parseCli(["serve", "--history", "0"], batch), { ...SERVE_DEFAULTS, history: 0 });
  assert.equal(
    (parseCli(["serve", "--history=10000"], batch) as { history: number }).history,
    10_000,
  );
  for (const bad of ["-1", "abc", "1e3", "10001", "", "2.5", "0x10"]) {
    assertUsageError(
      parseCli(["serve", "--history", bad], batch),
      new RegExp(`History must be a whole number from 0 to 10000: got "${bad}"$`),
      "chat serve [options]",
    );
  }
});

Deno.test("parseCli() serve --no-user-rooms turns user rooms off", () => {
  assert.deepEqual(parseCli(["serve", "--no-user-rooms", "--room", "games"], batch), {
    ...SERVE_DEFAULTS,
    rooms: [{ name: "games" }],
    userRooms: false,
  });
});

Deno.test("parseCli() serve --no-color turns the admin console's colours off", () => {
  assert.deepEqual(parseCli(["serve", "--no-color"], batch), { ...SERVE_DEFAULTS, color: false });
});

Deno.test("parseCli() join --room names a room to join straight away", () => {
  assert.deepEqual(parseCli(["join", "h", "--nick", "ana", "--room", "#games"], batch), {
    kind: "join",
    host: "h",
    port: DEFAULT_PORT,
    nick: "ana",
    ...JOIN_DEFAULTS,
    room: "games",
  });
  assertUsageError(
    parseCli(["join", "h", "--nick", "ana", "--room", "bad room"], batch),
    /^chat: Room name "bad room" is not allowed: use 1 to 32/,
    "chat join [options] [address]",
  );
  assertUsageError(
    parseCli(["join", "h", "--nick", "ana", "--room", "-x"], tty),
    /Room name "-x" is not allowed/,
    "chat join [options] [address]",
  );
});

Deno.test("parseRoomSpec() parses NAME and NAME:LIMIT", () => {
  assert.deepEqual(parseRoomSpec("games"), { name: "games" });
  assert.deepEqual(parseRoomSpec("#games:1"), { name: "games", limit: 1 });
  assertUsage(() => parseRoomSpec("a:1:2"), 'Room must be NAME or NAME:LIMIT: got "a:1:2"');
  assertUsage(
    () => parseRoomSpec("a:08"),
    'Room limit must be a whole number from 1 to 10000: got "08"',
  );
  // A bad name is the room-name rule's own error.
  assert.throws(() => parseRoomSpec("a b:3"), (error: unknown) => {
    assert.ok(error instanceof ChatError);
    assert.equal(error.code, "room_invalid");
    return true;
  });
});

Deno.test("parseHistory() accepts 0 to MAX_HISTORY digits only", () => {
  assert.equal(parseHistory("0"), 0);
  assert.equal(parseHistory("50"), 50);
  assert.equal(parseHistory("10000"), 10_000);
  for (const bad of ["-1", "+1", " 5", "10001", "1e3", "", "five"]) {
    assertUsage(
      () => parseHistory(bad),
      `History must be a whole number from 0 to 10000: got ${JSON.stringify(bad)}`,
    );
  }
});

Deno.test("parseCli() serve refuses a --room given twice, or the lobby, as a usage error", () => {
  const cases: [string[], RegExp][] = [
    [["--room", "games", "--room", "GAMES:4"], /^chat: --room GAMES is given twice\nUsage:/],
    [["--room", "Lobby"], /^chat: --room Lobby: the lobby always exists, no need to create it\n/],
  ];
  for (const [args, message] of cases) {
    const result = parseCli(["serve", ...args], { interactive: false });
    assert.equal(result.kind, "exit");
    if (result.kind !== "exit") return;
    assert.equal(result.code, 2);
    assert.match(result.stderr, message);
  }
});

// ---- connection and flood limits ---------------------------------------------------------------

Deno.test("parseCli() serve takes each limit flag from its minimum to its maximum", () => {
  for (const { flag, field, min, max } of SERVE_LIMIT_FLAGS) {
    for (const value of [min, min + 1, max]) {
      assert.deepEqual(
        parseCli(["serve", flag, String(value)], batch),
        { ...SERVE_DEFAULTS, [field]: value },
        `${flag} ${value}`,
      );
    }
    assert.deepEqual(
      parseCli(["serve", `${flag}=${max}`], batch),
      { ...SERVE_DEFAULTS, [field]: max },
      `${flag}=${max}`,
    );
  }
});

Deno.test("parseCli() serve sets several limit flags together", () => {
  assert.deepEqual(
    parseCli([
      "serve",
      "--max-clients",
      "100",
      "--max-per-ip",
      "0",
      "--flood-rate",
      "0",
      "--flood-burst",
      "3",
      "--max-queue",
      "64",
      "--registration-timeout",
      "0",
      "--ping-interval",
      "30",
    ], batch),
    {
      ...SERVE_DEFAULTS,
      maxClients: 100,
      maxPerIp: 0,
      floodRate: 0,
      floodBurst: 3,
      maxQueueKiB: 64,
      registrationTimeout: 0,
      pingInterval: 30,
    },
  );
});

Deno.test("parseCli() serve refuses a limit flag out of range or not a whole number with exit 2", () => {
  for (const { flag, arg, min, max } of SERVE_LIMIT_FLAGS) {
    const bad = [String(max + 1), "-1", "1.5", "1e3", "abc", "", " 5", "0x10"];
    if (min > 0) bad.push(String(min - 1));
    for (const value of bad) {
      assertUsageError(
        parseCli(["serve", flag, value], batch),
        `chat: ${flag} must be a whole number from ${min} to ${max}: got "${value}"`,
        "chat serve [options]",
      );
    }
    assertUsageError(
      parseCli(["serve", flag], batch),
      `chat: Option ${flag} needs a value: ${flag} <${arg}>`,
      "chat serve [options]",
    );
  }
});

Deno.test("parseCount() accepts whole numbers from min to max", () => {
  assert.equal(parseCount("0", 0, 10, "Count"), 0);
  assert.equal(parseCount("10", 0, 10, "Count"), 10);
  assert.equal(parseCount("16", 16, 32, "Count"), 16);
  assert.equal(parseCount("999999999", 0, 1e9, "Count"), 999_999_999);
});

Deno.test("parseCount() refuses numbers out of range, leading zeros and anything but digits", () => {
  assertUsage(
    () => parseCount("11", 0, 10, "--thing"),
    '--thing must be a whole number from 0 to 10: got "11"',
  );
  assertUsage(
    () => parseCount("15", 16, 32, "--thing"),
    '--thing must be a whole number from 16 to 32: got "15"',
  );
  const refused = [
    "",
    "-1",
    "+1",
    " 1",
    "1 ",
    "1.0",
    "1e1",
    "0x1",
    "ten",
    "1234567890",
    "08",
    "00",
  ];
  for (const bad of refused) {
    assertUsage(
      () => parseCount(bad, 0, 1e10, "--thing"),
      `--thing must be a whole number from 0 to 10000000000: got ${JSON.stringify(bad)}`,
    );
  }
});

Deno.test("parseCli() takes --data DIR or --memory for serve, not both", () => {
  assert.deepEqual(parseCli(["serve", "--data", "/srv/chat"], batch), {
    ...SERVE_DEFAULTS,
    data: "/srv/chat",
  });
  assert.deepEqual(parseCli(["serve", "--memory"], batch), { ...SERVE_DEFAULTS, memory: true });
  assertUsageError(
    parseCli(["serve", "--memory", "--data", "/srv/chat"], batch),
    "chat: --data and --memory do not go together: --memory keeps nothing",
    "chat serve [options]",
  );
  assert.deepEqual(parseCli(["serve", "--retain", "30"], batch), {
    ...SERVE_DEFAULTS,
    retainDays: 30,
  });
  assertUsageError(
    parseCli(["serve", "--retain", "0"], batch),
    'chat: --retain must be a whole number from 1 to 36500: got "0"',
    "chat serve [options]",
  );
  assert.deepEqual(parseCli(["serve", "--compact"], batch), { ...SERVE_DEFAULTS, compact: true });
  assertUsageError(
    parseCli(["serve", "--memory", "--compact"], batch),
    "chat: --compact needs a database: --memory keeps nothing",
    "chat serve [options]",
  );
  assertUsageError(
    parseCli(["serve", "--memory", "--retain", "7"], batch),
    "chat: --retain needs a database: --memory keeps nothing to delete",
    "chat serve [options]",
  );
  assertUsageError(
    parseCli(["serve", "--data", " "], batch),
    "chat: --data needs a folder: got an empty name",
    "chat serve [options]",
  );
});

Deno.test("parseCli() takes chat backup FILE [--data DIR]", () => {
  assert.deepEqual(parseCli(["backup", "copy.db"], batch), {
    kind: "backup",
    file: "copy.db",
    data: undefined,
  });
  assert.deepEqual(parseCli(["backup", "--data", "/srv/chat", "copy.db"], batch), {
    kind: "backup",
    file: "copy.db",
    data: "/srv/chat",
  });
  const missing = parseCli(["backup"], batch) as ExitCommand;
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^chat: .*file/);
  assertUsageError(
    parseCli(["backup", "a.db", "b.db"], batch),
    "chat: Too many arguments: chat backup takes one file: got a.db, b.db",
    "chat backup [options] <file>",
  );
});

Deno.test("parseCli() takes --redis URL with --node and --redis-password-file, not with --data", () => {
  assert.deepEqual(
    parseCli(["serve", "--redis", "redis://10.0.0.5:6379/2", "--node", "east"], batch),
    { ...SERVE_DEFAULTS, redis: "redis://10.0.0.5:6379/2", node: "east" },
  );
  assert.deepEqual(parseCli(["serve", "--redis", "rediss://cache.example"], batch), {
    ...SERVE_DEFAULTS,
    redis: "rediss://cache.example",
  });
  assertUsageError(
    parseCli(["serve", "--redis", "http://10.0.0.5"], batch),
    'chat: Not a Redis address: "http://10.0.0.5" (redis://HOST:PORT, or rediss:// for TLS)',
    "chat serve [options]",
  );
  assertUsageError(
    parseCli(["serve", "--redis", "redis://h", "--data", "/srv/chat"], batch),
    "chat: --data does not go with --redis: a cluster keeps its rooms and history in Redis",
    "chat serve [options]",
  );
  assertUsageError(
    parseCli(["serve", "--node", "east"], batch),
    "chat: --node needs --redis",
    "chat serve [options]",
  );
});

Deno.test("parseCli() join takes a cluster's nodes as HOST:PORT,HOST:PORT", () => {
  const command = parseCli(["join", "east:4000,[::1]:4001,west", "--nick", "ana"], batch);
  assert.equal(command.kind, "join");
  if (command.kind !== "join") return;
  assert.equal(command.host, "east");
  assert.equal(command.port, 4000);
  assert.deepEqual(command.others, [{ host: "::1", port: 4001 }, { host: "west", port: 12345 }]);
  assert.equal(parseCli(["join", "east", "--nick", "ana"], batch).kind, "join");
});
