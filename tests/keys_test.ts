import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { type Key, type KeyName, KeyParser, parseKeys } from "../src/terminal/keys.ts";

const encoder = new TextEncoder();

function key(name: KeyName): Key {
  return { type: "key", name };
}

function text(value: string): Key {
  return { type: "text", text: value };
}

/** Feeds each chunk in turn and returns every key, in order. */
function feedAll(chunks: readonly (string | number[])[]): Key[] {
  const parser = new KeyParser();
  return chunks.flatMap((chunk) => {
    return parser.feed(typeof chunk === "string" ? encoder.encode(chunk) : new Uint8Array(chunk));
  });
}

Deno.test("parseKeys() gives a run of printable text as one event", () => {
  assertEquals(parseKeys("hello world"), [text("hello world")]);
});

Deno.test("parseKeys() reads Enter as \\r, \\n, or \\r\\n once", () => {
  assertEquals(parseKeys("a\rb\nc\r\nd"), [
    text("a"),
    key("enter"),
    text("b"),
    key("enter"),
    text("c"),
    key("enter"),
    text("d"),
  ]);
  assertEquals(parseKeys("\r\r"), [key("enter"), key("enter")]);
  assertEquals(parseKeys("\n\n"), [key("enter"), key("enter")]);
});

Deno.test("parseKeys() reads Backspace as 0x7f and 0x08, and Tab", () => {
  assertEquals(parseKeys("\x7f\x08\t"), [key("backspace"), key("backspace"), key("tab")]);
});

Deno.test("parseKeys() reads Ctrl with a letter", () => {
  assertEquals(parseKeys("\x01\x03\x04\x05\x0b\x0c\x15\x17"), [
    key("ctrl_a"),
    key("ctrl_c"),
    key("ctrl_d"),
    key("ctrl_e"),
    key("ctrl_k"),
    key("ctrl_l"),
    key("ctrl_u"),
    key("ctrl_w"),
  ]);
});

Deno.test("parseKeys() reads arrows in normal and application mode", () => {
  assertEquals(parseKeys("\x1b[A\x1b[B\x1b[C\x1b[D\x1bOA\x1bOB\x1bOC\x1bOD"), [
    key("up"),
    key("down"),
    key("right"),
    key("left"),
    key("up"),
    key("down"),
    key("right"),
    key("left"),
  ]);
});

Deno.test("parseKeys() reads PageUp", () => {
  assertEquals(parseKeys("\x1b[5~a"), [key("page_up"), { type: "text", text: "a" }]);
});

Deno.test("parseKeys() reads every form of Home, End and Delete", () => {
  assertEquals(
    parseKeys("\x1b[H\x1b[1~\x1b[7~\x1bOH\x1b[F\x1b[4~\x1b[8~\x1bOF\x1b[3~"),
    [
      key("home"),
      key("home"),
      key("home"),
      key("home"),
      key("end"),
      key("end"),
      key("end"),
      key("end"),
      key("delete"),
    ],
  );
});

Deno.test("parseKeys() reads word moves and Alt-Backspace", () => {
  assertEquals(parseKeys("\x1bb\x1bf\x1b[1;5D\x1b[1;5C\x1b[1;3D\x1bOd\x1bOc\x1b\x7f"), [
    key("word_left"),
    key("word_right"),
    key("word_left"),
    key("word_right"),
    key("word_left"),
    key("word_left"),
    key("word_right"),
    key("delete_word"),
  ]);
  assertEquals(parseKeys("\x1b[1;2D"), [key("left")], "Shift-Left is Left");
});

Deno.test("parseKeys() swallows unknown escape sequences", () => {
  const unknown = [
    "\x1b[6~", // Page Down
    "\x1b[15;2~", // Shift-F5
    "\x1bOP", // F1
    "\x1b[[A", // F1 on the Linux console
    "\x1b[<0;12;5M", // SGR mouse report
    "\x1b[I", // focus in
    "\x1b[?1;2c", // device attributes reply
    "\x1b[Z", // Shift-Tab
    "\x1bx", // Alt-x
  ];
  for (const sequence of unknown) {
    assertEquals(parseKeys(`a${sequence}b`), [text("ab")], JSON.stringify(sequence));
  }
});

Deno.test("parseKeys() drops a broken sequence but keeps the key that broke it", () => {
  assertEquals(parseKeys("\x1b[1\r"), [key("enter")]);
  assertEquals(parseKeys("\x1b\x1b[D"), [key("left")]);
  assertEquals(parseKeys("\x1b\r"), [key("enter")]);
});

Deno.test("parseKeys() ignores NUL and the other control bytes", () => {
  assertEquals(parseKeys("a\x00\x1c\x1d\x1e\x1fb"), [text("ab")]);
});

Deno.test("parseKeys() decodes UTF-8 and drops C1 controls", () => {
  assertEquals(parseKeys("caf\u00e9 \u4e2d\u6587 \u{1F600}"), [
    text("caf\u00e9 \u4e2d\u6587 \u{1F600}"),
  ]);
  assertEquals(parseKeys("a\u009bb"), [text("ab")]);
  assertEquals(parseKeys(new Uint8Array([0x61, 0xff, 0x62])), [text("a\ufffdb")]);
});

Deno.test("KeyParser.feed() joins a UTF-8 character split across chunks", () => {
  const bytes = [...encoder.encode("\u{1F600}")];
  assertEquals(feedAll(bytes.map((byte) => [byte])), [text("\u{1F600}")]);
  assertEquals(feedAll([[0x61, 0xe4], [0xb8, 0xad, 0x62]]), [text("a"), text("\u4e2db")]);
});

Deno.test("KeyParser.feed() ends an incomplete UTF-8 character at a control key", () => {
  assertEquals(feedAll([[0x61, 0xe4, 0xb8], [0x0d]]), [text("a"), text("\ufffd"), key("enter")]);
});

Deno.test("KeyParser.feed() splits an escape sequence across chunks", () => {
  assertEquals(feedAll(["a\x1b", "[", "3", "~b"]), [text("a"), key("delete"), text("b")]);
  assertEquals(feedAll(["\x1b", "O", "H"]), [key("home")]);
  assertEquals(feedAll(["\x1b[1;", "5C"]), [key("word_right")]);
});

Deno.test("KeyParser.feed() reads \\r\\n split across chunks as one Enter", () => {
  assertEquals(feedAll(["a\r", "\nb"]), [text("a"), key("enter"), text("b")]);
});

Deno.test("parseKeys() reads bracketed paste as paste events", () => {
  assertEquals(parseKeys("\x1b[200~one\r\ntwo\tthree\x1b[201~x"), [
    { type: "paste", text: "one\ntwo\tthree" },
    text("x"),
  ]);
  assertEquals(parseKeys("\x1b[200~a\rb\x03\x1b[Dc\x1b[201~"), [
    { type: "paste", text: "a\nb[Dc" },
  ], "controls in a paste are dropped, not acted on");
});

Deno.test("KeyParser.feed() finds the end of a paste split across chunks", () => {
  assertEquals(feedAll(["\x1b[200~ab", "c\x1b[20", "1~d"]), [
    { type: "paste", text: "ab" },
    { type: "paste", text: "c" },
    text("d"),
  ]);
  const split = [[0xc3], [0xa9, 0x1b, 0x5b, 0x32], [0x30, 0x31, 0x7e]];
  assertEquals(feedAll(["\x1b[200~\u00e9", ...split]), [
    { type: "paste", text: "\u00e9" },
    { type: "paste", text: "\u00e9" },
  ]);
});
