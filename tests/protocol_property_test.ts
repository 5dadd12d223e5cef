/**
 * Property-based tests of the wire codec (src/protocol.ts) with fast-check.
 *
 * The frame arbitraries are built from SPEC below, a copy of the protocol's field table written
 * from docs/PROTOCOL.md: it is typed by frame type, so a new frame type fails `deno check` here
 * until it is described (and so gets generated and checked).
 *
 * Equality after a round trip is exact (`deepStrictEqual`) with one documented exception: JSON has
 * no negative zero, so `-0` comes back as `0`. Lone surrogates need no exception: `JSON.stringify`
 * writes them as `\uD800`-style escapes (ES2019 well-formed stringify), so the encoded line is
 * valid UTF-8 and `JSON.parse` gives back the same UTF-16 code unit.
 *
 * Failures print fast-check's seed and shrunk counterexample; rerun one with
 * `fc.assert(..., { seed, path })`.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { ChatError, ERROR_CODES, type ErrorCode } from "../src/errors.ts";
import { LineSplitter } from "../src/line_splitter.ts";
import { MAX_LINE_BYTES, MAX_SERVER_LINE_BYTES } from "../src/limits.ts";
import {
  type ClientFrame,
  decodeClientFrame,
  decodeServerFrame,
  decodeUtf8,
  encodeFrame,
  type ServerFrame,
} from "../src/protocol.ts";

// ---- the protocol, as the tests understand it ----------------------------------------------

/**
 * Field kinds: `s` string, `n` finite number, `b` boolean, `ss` array of strings, `code` an error
 * code and `state` a transfer state (strings on the wire), `rooms` room-list rows, `help` help
 * rows, `resume` a resume request.
 * A trailing `?` marks an optional field (absent, or `null` on the wire).
 */
type Kind = "s" | "n" | "b" | "ss" | "code" | "state" | "rooms" | "help" | "resume";
type FieldSpec = Kind | `${Kind}?`;
type FrameSpec = Record<string, FieldSpec>;

const CLIENT_SPEC: Record<ClientFrame["type"], FrameSpec> = {
  hello: { version: "n", nick: "s", client: "s?", resume: "resume?" },
  say: { room: "s", text: "s", id: "s?" },
  command: { line: "s", room: "s?", id: "s?" },
  ping: { token: "s?" },
  pong: { token: "s?" },
  offer: { ref: "s", name: "s", size: "n", sha256: "s?", room: "s?", to: "s?" },
  upload: { id: "s", token: "s" },
  download: { id: "s", token: "s" },
  checksum: { sha256: "s" },
  saved: { id: "s", error: "s?" },
};

const SERVER_SPEC: Record<ServerFrame["type"], FrameSpec> = {
  welcome: {
    version: "n",
    server: "s",
    nick: "s",
    token: "s?",
    floodBurst: "n?",
    floodRate: "n?",
  },
  ack: { id: "s", room: "s", seq: "n" },
  offer_ok: { ref: "s", id: "s", token: "s" },
  file: {
    id: "s",
    from: "s",
    name: "s",
    size: "n",
    sha256: "s?",
    room: "s?",
    to: "s?",
    token: "s",
    time: "n",
  },
  transfer: { id: "s", name: "s", state: "state", reason: "s?", sha256: "s?" },
  ready: {},
  data: { size: "n" },
  room: {
    room: "s",
    members: "ss",
    topic: "s?",
    limit: "n?",
    owner: "s?",
    history: "n?",
    seq: "n?",
    since: "n?",
    gap: "b?",
  },
  left: { room: "s", reason: "s?" },
  rooms: { rooms: "rooms" },
  topic: { room: "s", topic: "s", nick: "s", time: "n" },
  private: { from: "s", to: "s", text: "s", time: "n", action: "b?" },
  whois: { nick: "s", rooms: "ss", idle: "n", since: "n", away: "s?" },
  announce: { text: "s", room: "s?", time: "n" },
  join: { room: "s", nick: "s", time: "n" },
  leave: { room: "s", nick: "s", reason: "s?", kickedBy: "s?", time: "n" },
  quit: { nick: "s", reason: "s?", time: "n" },
  nick: { old: "s", new: "s", time: "n" },
  message: {
    room: "s",
    nick: "s",
    text: "s",
    time: "n",
    seq: "n",
    action: "b?",
    history: "b?",
  },
  users: { room: "s", nicks: "ss" },
  help: { commands: "help" },
  notice: { text: "s", room: "s?" },
  error: { code: "code", message: "s", id: "s?" },
  ping: { token: "s?" },
  pong: { token: "s?" },
  bye: { reason: "s" },
};

function parseField(spec: FieldSpec): { kind: Kind; optional: boolean } {
  return spec.endsWith("?")
    ? { kind: spec.slice(0, -1) as Kind, optional: true }
    : { kind: spec as Kind, optional: false };
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isFinite(value: unknown): boolean {
  return typeof value === "number" && Number.isFinite(value);
}

function isStrings(value: unknown): boolean {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/** Nested optional fields (room rows) must be absent, not null. */
function optionalFits(value: Json, name: string, check: (v: unknown) => boolean): boolean {
  return !Object.hasOwn(value, name) || value[name] === undefined || check(value[name]);
}

function kindFits(kind: Kind, value: unknown): boolean {
  switch (kind) {
    case "s":
    case "code":
    case "state":
      return typeof value === "string";
    case "n":
      return isFinite(value);
    case "b":
      return typeof value === "boolean";
    case "ss":
      return isStrings(value);
    case "rooms":
      return Array.isArray(value) &&
        value.every((row) =>
          typeof row === "object" && row !== null && !Array.isArray(row) &&
          typeof (row as Json).name === "string" && isFinite((row as Json).members) &&
          optionalFits(row as Json, "limit", isFinite) &&
          optionalFits(row as Json, "topic", (v) => typeof v === "string") &&
          optionalFits(row as Json, "private", (v) => typeof v === "boolean") &&
          optionalFits(row as Json, "password", (v) => typeof v === "boolean")
        );
    case "help":
      return Array.isArray(value) &&
        value.every((row) =>
          typeof row === "object" && row !== null && !Array.isArray(row) &&
          typeof (row as Json).usage === "string" && typeof (row as Json).summary === "string" &&
          isStrings((row as Json).aliases)
        );
    case "resume":
      return isObject(value) && typeof value.token === "string" && Array.isArray(value.rooms) &&
        value.rooms.every((entry) =>
          typeof entry === "object" && entry !== null && !Array.isArray(entry) &&
          typeof (entry as Json).room === "string" &&
          Number.isInteger((entry as Json).seq) && ((entry as Json).seq as number) >= 0
        );
  }
}

/**
 * What decoding `line` must give according to the spec: the frame (the type plus the declared
 * fields that are present and not null, nothing else), or the error code.
 */
function expectedDecode(
  specs: Record<string, FrameSpec>,
  line: string,
  maxBytes: number,
): { frame: Json } | { code: ErrorCode } {
  // The decoder's own guard counts UTF-16 units (fewer than bytes); the line splitter in front
  // of it enforces the byte limit exactly.
  if (line.length > maxBytes) return { code: "frame_too_large" };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { code: "bad_frame" };
  }
  if (!isObject(value)) return { code: "bad_frame" };
  const type = Object.hasOwn(value, "type") ? value.type : undefined;
  if (typeof type !== "string" || !Object.hasOwn(specs, type)) return { code: "bad_frame" };
  const frame: Json = { type };
  for (const [name, fieldSpec] of Object.entries(specs[type] ?? {})) {
    const { kind, optional } = parseField(fieldSpec);
    const field = Object.hasOwn(value, name) ? value[name] : undefined;
    if (field === undefined || field === null) {
      if (optional) continue;
      return { code: "bad_frame" };
    }
    if (!kindFits(kind, field)) return { code: "bad_frame" };
    frame[name] = declaredOnly(kind, field);
  }
  return { frame };
}

/** Nested rows keep only their declared keys (present and not undefined), like the frame. */
function declaredOnly(kind: Kind, value: unknown): unknown {
  const pick = (row: unknown, keys: readonly string[]) => {
    const out: Json = {};
    for (const key of keys) {
      if (Object.hasOwn(row as Json, key) && (row as Json)[key] !== undefined) {
        out[key] = (row as Json)[key];
      }
    }
    return out;
  };
  switch (kind) {
    case "rooms":
      return (value as unknown[]).map((row) =>
        pick(row, ["name", "members", "limit", "topic", "private", "password"])
      );
    case "help":
      return (value as unknown[]).map((row) => pick(row, ["usage", "summary", "aliases"]));
    case "resume": {
      const resume = value as Json;
      return {
        token: resume.token,
        rooms: (resume.rooms as unknown[]).map((entry) => pick(entry, ["room", "seq"])),
      };
    }
    default:
      return value;
  }
}

/** The value with every `-0` turned into `0`: the one change a JSON round trip makes. */
function withoutNegativeZero<T>(value: T): T {
  if (Object.is(value, -0)) return 0 as T;
  if (Array.isArray(value)) return value.map(withoutNegativeZero) as T;
  if (typeof value === "object" && value !== null) {
    const copy: Json = {};
    for (const [key, field] of Object.entries(value)) {
      Object.defineProperty(copy, key, {
        value: withoutNegativeZero(field),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return copy as T;
  }
  return value;
}

// ---- arbitraries -----------------------------------------------------------------------------

/** Pieces that trouble encoders: controls, separators, quotes, escapes, surrogates, bidi. */
const SPECIAL_PIECES = [
  "\n",
  "\r",
  "\r\n",
  "\t",
  "\u0000",
  "\u001b[2J",
  "\u007f",
  "\u0085",
  "\u009b",
  "\u00a0",
  "\u2028",
  "\u2029",
  "\u200b",
  "\u202e",
  "\u2066",
  "\ufeff",
  "\ufffd",
  "\uffff",
  '"',
  "\\",
  "\\n",
  "\\u0000",
  "\\ud800",
  "/",
  "</script>",
  "{",
  "}",
  "[",
  "]",
  ":",
  ",",
  "__proto__",
  "constructor",
  "\u{1f600}",
  "e\u0301",
  "\ud800",
  "\udbff",
  "\udc00",
  "\udfff",
];

const hostileUnit: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...SPECIAL_PIECES),
  // Any code point (surrogate pairs included).
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  // A lone surrogate half.
  fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit)),
  // ASCII, C0 and C1 controls.
  fc.integer({ min: 0, max: 0xa0 }).map((unit) => String.fromCharCode(unit)),
);

/** Short strings of arbitrary UTF-16, biased to the pieces above. */
const hostileString: fc.Arbitrary<string> = fc.string({ unit: hostileUnit, maxLength: 16 });

const finiteNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, Number.MAX_SAFE_INTEGER, Number.MAX_VALUE, Number.MIN_VALUE, 1e21, -1),
);

function kindArbitrary(kind: Kind): fc.Arbitrary<unknown> {
  switch (kind) {
    case "s":
      return hostileString;
    case "code":
      return fc.constantFrom(...ERROR_CODES);
    case "state":
      return fc.constantFrom("uploaded", "delivered", "failed");
    case "n":
      return finiteNumber;
    case "b":
      return fc.boolean();
    case "ss":
      return fc.array(hostileString, { maxLength: 4 });
    case "rooms":
      return fc.array(
        fc.record({
          name: hostileString,
          members: finiteNumber,
          limit: finiteNumber,
          topic: hostileString,
          private: fc.boolean(),
          password: fc.boolean(),
        }, { requiredKeys: ["name", "members"] }),
        { maxLength: 3 },
      );
    case "help":
      return fc.array(
        fc.record({
          usage: hostileString,
          summary: hostileString,
          aliases: fc.array(hostileString, { maxLength: 3 }),
        }),
        { maxLength: 3 },
      );
    case "resume":
      return fc.record({
        token: hostileString,
        rooms: fc.array(fc.record({ room: hostileString, seq: fc.nat() }), { maxLength: 3 }),
      });
  }
}

/** Arbitrary valid frames of one type, fields in spec order, optional fields absent or present. */
function frameArbitrary(type: string, spec: FrameSpec): fc.Arbitrary<Json> {
  const fields: Record<string, fc.Arbitrary<unknown>> = { type: fc.constant(type) };
  const required = ["type"];
  for (const [name, fieldSpec] of Object.entries(spec)) {
    const { kind, optional } = parseField(fieldSpec);
    fields[name] = kindArbitrary(kind);
    if (!optional) required.push(name);
  }
  return fc.record(fields, { requiredKeys: required });
}

function framesOf(specs: Record<string, FrameSpec>): fc.Arbitrary<Json> {
  return fc.oneof(
    ...Object.entries(specs).map(([type, spec]) => frameArbitrary(type, spec)),
  );
}

const clientFrame = framesOf(CLIENT_SPEC).map((frame) => frame as unknown as ClientFrame);
const serverFrame = framesOf(SERVER_SPEC).map((frame) => frame as unknown as ServerFrame);

/** Keys that have tripped decoders before: prototype names, and the declared ones. */
const TRICKY_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "polluted",
  "type",
  "room",
  "text",
  "nick",
  "name",
  "rooms",
  "members",
  "commands",
  "resume",
  "seq",
];

const TRICKY_TYPES = [
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "Hello",
  "say ",
  "",
  ...Object.keys(CLIENT_SPEC),
  ...Object.keys(SERVER_SPEC),
];

/** JSON values, including the ones that carry a pollution attempt. */
const anyJsonValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constant(null),
  fc.constant({ polluted: true, type: "say", room: "lobby", text: "x" }),
  fc.constant([{ polluted: true }]),
  fc.constant([{ name: "r", members: 1, limit: null }]),
  fc.constant([{ usage: "u", summary: "s", aliases: [1] }]),
  fc.constant({ token: "t", rooms: [{ room: "r", seq: -1 }] }),
  fc.constant({ token: "t", rooms: [{ room: "r", seq: 1.5 }] }),
  hostileString,
  finiteNumber,
);

type Mutation =
  | { op: "drop"; index: number }
  | { op: "replace"; index: number; value: unknown }
  | { op: "add"; key: string; value: unknown }
  | { op: "type"; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant("drop" as const), index: fc.nat() }),
  fc.record({ op: fc.constant("replace" as const), index: fc.nat(), value: anyJsonValue }),
  fc.record({
    op: fc.constant("add" as const),
    key: fc.oneof(fc.constantFrom(...TRICKY_KEYS), hostileString),
    value: anyJsonValue,
  }),
  fc.record({
    op: fc.constant("type" as const),
    value: fc.oneof(fc.constantFrom<unknown>(...TRICKY_TYPES), anyJsonValue),
  }),
);

/** JSON text written as is: for numbers JSON.stringify cannot write, such as `1e400`. */
class RawJson {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** JSON.stringify, but with RawJson pieces written verbatim. */
function jsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(jsonText).join(",")}]`;
  if (typeof value === "object" && value !== null) return objectText(Object.entries(value));
  return JSON.stringify(value);
}

/**
 * JSON text of an object with these entries, in order. Written by hand so that `__proto__` becomes
 * a real key in the text (an object literal would set the prototype instead) and keys may repeat.
 */
function objectText(entries: [string, unknown][]): string {
  const fields = entries.map(([key, value]) => `${JSON.stringify(key)}:${jsonText(value)}`);
  return `{${fields.join(",")}}`;
}

/** Values that are wrong somewhere: null, other types, numbers JSON.parse makes infinite. */
const WEIRD_VALUES: unknown[] = [
  null,
  new RawJson("1e400"),
  new RawJson("-1e400"),
  new RawJson("-0"),
  new RawJson('{"__proto__":{"polluted":true}}'),
  "1",
  "",
  1,
  -1,
  1.5,
  true,
  [],
  {},
  [null],
  [1],
];

/** Every place in a value where another value could go, as paths of keys and indexes. */
function pathsOf(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  const children: [string | number, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : typeof value === "object" && value !== null
    ? Object.entries(value)
    : [];
  return [path, ...children.flatMap(([key, child]) => pathsOf(child, [...path, key]))];
}

/** A copy of `value` with the thing at `path` replaced (or, with `undefined`, removed). */
function replaceAt(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return replacement;
  if (Array.isArray(value)) {
    const copy = [...value];
    if (replacement === undefined && rest.length === 0) copy.splice(Number(head), 1);
    else copy[Number(head)] = replaceAt(value[Number(head)], rest, replacement);
    return copy;
  }
  const entries = Object.entries(value as Json).flatMap(([key, field]): [string, unknown][] => {
    if (key !== String(head)) return [[key, field]];
    if (replacement === undefined && rest.length === 0) return [];
    return [[key, replaceAt(field, rest, replacement)]];
  });
  return Object.fromEntries(entries);
}

/**
 * A valid frame with one value anywhere inside it (a field, a row of a list, a field of a row)
 * replaced by a weird one or removed: reaches the nested checks of room rows, help rows and
 * resume requests.
 */
const deepMutatedLine: fc.Arbitrary<string> = fc.tuple(
  fc.oneof(
    framesOf(CLIENT_SPEC),
    framesOf(SERVER_SPEC),
    // The frames with nested rows, with at least one row each.
    framesOf({ rooms: SERVER_SPEC.rooms, help: SERVER_SPEC.help, hello: CLIENT_SPEC.hello })
      .filter((frame) => pathsOf(frame).length > 8),
  ),
  fc.nat(),
  fc.oneof(
    fc.constantFrom(...WEIRD_VALUES, undefined),
    fc.constantFrom(null, new RawJson("1e400"), new RawJson("-1e999")),
    anyJsonValue,
  ),
).map(([frame, at, replacement]) => {
  const paths = pathsOf(frame).slice(1);
  const path = paths[at % Math.max(paths.length, 1)] ?? [];
  return jsonText(replaceAt(frame, path, replacement));
});

/** A valid frame of either direction, damaged by a few mutations, as JSON text. */
const mutatedFrameLine: fc.Arbitrary<string> = fc.tuple(
  fc.oneof(framesOf(CLIENT_SPEC), framesOf(SERVER_SPEC)),
  fc.array(mutation, { maxLength: 4 }),
).map(([frame, mutations]) => {
  const entries: [string, unknown][] = Object.entries(frame);
  for (const change of mutations) {
    switch (change.op) {
      case "drop":
        if (entries.length > 0) entries.splice(change.index % entries.length, 1);
        break;
      case "replace": {
        const entry = entries[change.index % Math.max(entries.length, 1)];
        if (entry !== undefined) entry[1] = change.value;
        break;
      }
      case "add":
        entries.push([change.key, change.value]);
        break;
      case "type":
        entries.push(["type", change.value]);
        break;
    }
  }
  return objectText(entries);
});

/** A valid frame with `__proto__` and `constructor` keys (carrying payloads) put in anywhere. */
const pollutingLine: fc.Arbitrary<string> = fc.tuple(
  fc.oneof(framesOf(CLIENT_SPEC), framesOf(SERVER_SPEC)),
  fc.array(
    fc.tuple(
      fc.nat(),
      fc.constantFrom<[string, unknown]>(
        ["__proto__", { polluted: true, type: "say", room: "r", text: "t", nick: "n" }],
        ["__proto__", null],
        ["__proto__", []],
        ["constructor", { prototype: { polluted: true } }],
        ["prototype", { polluted: true }],
      ),
    ),
    { minLength: 1, maxLength: 3 },
  ),
).map(([frame, extras]) => {
  const entries: [string, unknown][] = Object.entries(frame);
  for (const [at, extra] of extras) entries.splice(at % (entries.length + 1), 0, extra);
  return objectText(entries);
});

/** A valid frame's line with a syntax error: cut short, or a character put in. */
const damagedLine: fc.Arbitrary<string> = fc.tuple(
  fc.oneof(framesOf(CLIENT_SPEC), framesOf(SERVER_SPEC)),
  fc.nat(),
  fc.option(hostileUnit, { nil: undefined }),
).map(([frame, at, inserted]) => {
  const text = JSON.stringify(frame);
  const cut = at % (text.length + 1);
  return inserted === undefined
    ? text.slice(0, cut)
    : text.slice(0, cut) + inserted + text.slice(cut);
});

/** Deeply nested JSON, balanced or not, alone or as an extra field. */
const deepLine: fc.Arbitrary<string> = fc.tuple(
  fc.integer({ min: 1, max: 6000 }),
  fc.constantFrom("[", '{"a":'),
  fc.boolean(),
).map(([depth, open, wrapped]) => {
  const close = open === "[" ? "]" : "}";
  const deep = open.repeat(depth) + (open === "[" ? "" : "0") + close.repeat(depth);
  return wrapped ? `{"type":"ping","x":${deep}}` : deep;
});

/** Any line at all. */
const anyLine: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: hostileUnit, maxLength: 60 }),
  fc.string({ unit: "binary", maxLength: 60 }),
  fc.json({ maxDepth: 3 }),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  mutatedFrameLine,
  mutatedFrameLine,
  mutatedFrameLine,
  pollutingLine,
  deepMutatedLine,
  deepMutatedLine,
  damagedLine,
  deepLine,
);

// ---- helpers ---------------------------------------------------------------------------------

const LF = 0x0a;

/** Checks an encoded frame is one line: printable-ASCII-safe JSON, one LF, at the end. */
function assertOneLine(bytes: Uint8Array): string {
  assert.equal(bytes[bytes.length - 1], LF, "ends with LF");
  assert.equal(bytes.indexOf(LF), bytes.length - 1, "no LF before the end");
  // JSON.stringify escapes every C0 control, so none can reach the wire raw.
  assert.ok(bytes.subarray(0, -1).every((byte) => byte >= 0x20), "no raw C0 control");
  return decodeUtf8(bytes.subarray(0, -1));
}

function prototypeNames(): string[] {
  return [
    ...Object.getOwnPropertyNames(Object.prototype),
    ...Object.getOwnPropertyNames(Array.prototype),
  ].sort();
}

/**
 * Decodes `line` and checks the result against the spec: the same frame, or a ChatError with the
 * expected code; never another exception, never a key outside the spec, never pollution.
 */
function checkDecode(
  decode: (line: string) => ClientFrame | ServerFrame,
  specs: Record<string, FrameSpec>,
  line: string,
  maxBytes: number,
): void {
  const expected = expectedDecode(specs, line, maxBytes);
  let frame: ClientFrame | ServerFrame;
  try {
    frame = decode(line);
  } catch (error) {
    assert.ok(error instanceof ChatError, `expected a ChatError, got ${String(error)}`);
    assert.ok((ERROR_CODES as readonly string[]).includes(error.code), error.code);
    assert.ok("code" in expected, `refused a frame the spec accepts: ${error.message}`);
    assert.equal(error.code, expected.code, error.message);
    return;
  }
  assert.ok("frame" in expected, `accepted a frame the spec refuses: ${JSON.stringify(frame)}`);
  assert.deepEqual(frame, expected.frame);
  assert.equal(Object.getPrototypeOf(frame), Object.prototype);
  const allowed = ["type", ...Object.keys(specs[frame.type] ?? {})];
  for (const key of Reflect.ownKeys(frame)) {
    assert.ok(typeof key === "string" && allowed.includes(key), `unexpected key ${String(key)}`);
  }
  // What was accepted survives another round trip (up to -0).
  assert.deepEqual(
    decode(decodeUtf8(encodeFrame(frame).subarray(0, -1))),
    withoutNegativeZero(frame),
  );
}

// ---- properties ------------------------------------------------------------------------------

Deno.test("encodeFrame() then decodeClientFrame() gives back any client frame", () => {
  fc.assert(
    fc.property(clientFrame, (frame) => {
      const bytes = encodeFrame(frame);
      const line = assertOneLine(bytes);
      const decoded = decodeClientFrame(line);
      assert.deepEqual(decoded, withoutNegativeZero(frame));
      // Fields come back in a canonical order, so encoding is stable.
      assert.deepEqual(encodeFrame(decoded), bytes);
    }),
    { numRuns: 300 },
  );
});

Deno.test("encodeFrame() then decodeServerFrame() gives back any server frame", () => {
  fc.assert(
    fc.property(serverFrame, (frame) => {
      const bytes = encodeFrame(frame);
      const line = assertOneLine(bytes);
      const decoded = decodeServerFrame(line);
      assert.deepEqual(decoded, withoutNegativeZero(frame));
      assert.deepEqual(encodeFrame(decoded), bytes);
    }),
    { numRuns: 300 },
  );
});

Deno.test("decodeClientFrame() on any line returns what the spec says or a ChatError", () => {
  const before = prototypeNames();
  fc.assert(
    fc.property(anyLine, (line) => {
      checkDecode(decodeClientFrame, CLIENT_SPEC, line, MAX_LINE_BYTES);
      assert.equal(Object.hasOwn(Object.prototype, "polluted"), false);
      assert.deepEqual(prototypeNames(), before);
    }),
    { numRuns: 300 },
  );
});

Deno.test("decodeServerFrame() on any line returns what the spec says or a ChatError", () => {
  const before = prototypeNames();
  fc.assert(
    fc.property(anyLine, (line) => {
      checkDecode(decodeServerFrame, SERVER_SPEC, line, MAX_SERVER_LINE_BYTES);
      assert.equal(Object.hasOwn(Object.prototype, "polluted"), false);
      assert.deepEqual(prototypeNames(), before);
    }),
    { numRuns: 300 },
  );
});

Deno.test("both decoders judge a frame with one value replaced anywhere as the spec does", () => {
  fc.assert(
    fc.property(deepMutatedLine, (line) => {
      checkDecode(decodeClientFrame, CLIENT_SPEC, line, MAX_LINE_BYTES);
      checkDecode(decodeServerFrame, SERVER_SPEC, line, MAX_SERVER_LINE_BYTES);
      assert.equal(Object.hasOwn(Object.prototype, "polluted"), false);
    }),
    { numRuns: 400 },
  );
});

Deno.test("decodeClientFrame() refuses a line over MAX_LINE_BYTES whatever it holds", () => {
  fc.assert(
    fc.property(
      fc.oneof(clientFrame.map((frame) => JSON.stringify(frame)), anyLine),
      fc.integer({ min: -8, max: 8 }),
      (line, offset) => {
        // Whitespace padding keeps valid JSON valid; the length lands around the limit.
        const padded = " ".repeat(Math.max(0, MAX_LINE_BYTES + offset - line.length)) + line;
        checkDecode(decodeClientFrame, CLIENT_SPEC, padded, MAX_LINE_BYTES);
      },
    ),
    { numRuns: 100 },
  );
});

Deno.test("client frames survive encoding, arbitrary chunking and the line splitter", () => {
  fc.assert(
    fc.property(
      fc.array(clientFrame, { maxLength: 8 }),
      fc.array(fc.nat(), { maxLength: 12 }),
      (frames, cuts) => {
        const lines = frames.map(encodeFrame);
        const stream = new Uint8Array(lines.reduce((sum, line) => sum + line.length, 0));
        let offset = 0;
        for (const line of lines) {
          stream.set(line, offset);
          offset += line.length;
        }
        const points = [...new Set(cuts.map((cut) => cut % (stream.length + 1)))]
          .sort((a, b) => a - b);
        const splitter = new LineSplitter({ maxLineBytes: MAX_LINE_BYTES });
        const out: (Uint8Array | null)[] = [];
        let start = 0;
        for (const point of [...points, stream.length]) {
          out.push(...splitter.push(stream.slice(start, point)));
          start = point;
        }
        assert.equal(splitter.end(), undefined);
        const decoded = out.map((line) => {
          assert.ok(line !== null, "no frame is over the cap");
          return decodeClientFrame(decodeUtf8(line));
        });
        assert.deepEqual(decoded, frames.map(withoutNegativeZero));
      },
    ),
    { numRuns: 150 },
  );
});
