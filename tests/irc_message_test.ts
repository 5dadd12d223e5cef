/** Unit tests of the IRC message codec (src/dialect/irc/message.ts). */
import assert from "node:assert/strict";
import {
  escapeTagValue,
  formatMessage,
  type IrcMessage,
  type IrcParseErrorReason,
  MAX_BODY_BYTES,
  MAX_CLIENT_LINE_BYTES,
  MAX_CLIENT_TAG_BYTES,
  MAX_LINE_BYTES,
  MAX_TAG_SECTION_BYTES,
  parseMessage,
  unescapeTagValue,
  utf8Length,
} from "../src/dialect/irc/message.ts";

/** Parses a line that must parse, and returns the message. */
function parsed(line: string): IrcMessage {
  const result = parseMessage(line);
  if (!result.ok) assert.fail(`${JSON.stringify(line)} did not parse: ${result.error.message}`);
  return result.message;
}

/** Asserts a line does not parse, for `reason`, and returns the error's message. */
function refused(line: string, reason: IrcParseErrorReason): string {
  const result = parseMessage(line);
  if (result.ok) assert.fail(`${JSON.stringify(line.slice(0, 60))} parsed`);
  assert.equal(result.error.reason, reason);
  return result.error.message;
}

Deno.test("parseMessage() reads a bare command and uppercases its ASCII letters", () => {
  assert.deepEqual(parsed("PING"), { tags: new Map(), command: "PING", params: [] });
  assert.deepEqual(parsed("privMsg #a hi").command, "PRIVMSG");
  assert.deepEqual(parsed("cap ls 302"), {
    tags: new Map(),
    command: "CAP",
    params: ["ls", "302"],
  });
});

Deno.test("parseMessage() reads a numeric command", () => {
  assert.deepEqual(parsed(":chat.local 001 ana :Welcome to chat, ana"), {
    tags: new Map(),
    source: "chat.local",
    command: "001",
    params: ["ana", "Welcome to chat, ana"],
  });
});

Deno.test("parseMessage() reads the source without its colon", () => {
  const message = parsed(":ana!a@192.0.2.1 PRIVMSG #games :gg");
  assert.equal(message.source, "ana!a@192.0.2.1");
  assert.equal(message.command, "PRIVMSG");
  assert.deepEqual(message.params, ["#games", "gg"]);
  assert.equal("source" in parsed("PRIVMSG #games gg"), false);
});

Deno.test("parseMessage() reads middle and trailing parameters", () => {
  assert.deepEqual(parsed("USER ana 0 * :Ana Lima").params, ["ana", "0", "*", "Ana Lima"]);
  assert.deepEqual(parsed("PRIVMSG #a hi").params, ["#a", "hi"]);
  assert.deepEqual(parsed("PRIVMSG #a :").params, ["#a", ""]);
  assert.deepEqual(parsed("PRIVMSG #a ::-)").params, ["#a", ":-)"]);
  assert.deepEqual(parsed("PRIVMSG #a :a :b  c ").params, ["#a", "a :b  c "]);
  assert.deepEqual(parsed("TOPIC #a :").params, ["#a", ""]);
  assert.deepEqual(parsed("JOIN #a,#b key1,key2").params, ["#a,#b", "key1,key2"]);
  // A colon inside a middle parameter does not start the trailing one.
  assert.deepEqual(parsed("PRIVMSG a:b :c").params, ["a:b", "c"]);
});

Deno.test("parseMessage() takes several spaces between parts as one", () => {
  assert.deepEqual(parsed(":ana   PRIVMSG    #a     :hi  there"), {
    tags: new Map(),
    source: "ana",
    command: "PRIVMSG",
    params: ["#a", "hi  there"],
  });
  assert.deepEqual(parsed("MODE #a +o ana   ").params, ["#a", "+o", "ana"]);
  assert.deepEqual(parsed("   PING x").params, ["x"]);
  assert.deepEqual(parsed("@a=1    PING").tags, new Map([["a", "1"]]));
});

Deno.test("parseMessage() unescapes every tag escape", () => {
  const message = parsed(String.raw`@a=semi\:space\sback\\cr\rlf\n;b=x PING`);
  assert.equal(message.tags.get("a"), "semi;space back\\cr\rlf\n");
  assert.equal(message.tags.get("b"), "x");
});

Deno.test("parseMessage() drops a trailing lone backslash and the backslash of invalid escapes", () => {
  const message = parsed(String.raw`@a=end\;b=\b\x\0;c=\\\;d=\ PING`);
  assert.equal(message.tags.get("a"), "end");
  assert.equal(message.tags.get("b"), "bx0");
  assert.equal(message.tags.get("c"), "\\");
  assert.equal(message.tags.get("d"), "");
});

Deno.test('parseMessage() gives tags without a value the value ""', () => {
  const message = parsed("@draft/bot;empty=;x=1 PRIVMSG #a hi");
  assert.deepEqual(message.tags, new Map([["draft/bot", ""], ["empty", ""], ["x", "1"]]));
});

Deno.test("parseMessage() keeps client-only and vendor tags with their prefix", () => {
  const message = parsed("@+typing=active;+example.com/tag=v;example.com/srv=1 TAGMSG #a");
  assert.deepEqual(
    message.tags,
    new Map([["+typing", "active"], ["+example.com/tag", "v"], ["example.com/srv", "1"]]),
  );
  assert.equal(message.command, "TAGMSG");
});

Deno.test("parseMessage() skips tags with invalid keys, keeping the message", () => {
  const message = parsed("@ok=1;/x=2;\u00e9=3;a+b=4;;+=5;=6;ok2 PING");
  assert.deepEqual(message.tags, new Map([["ok", "1"], ["ok2", ""]]));
  assert.equal(message.command, "PING");
});

Deno.test("parseMessage() lets the last of repeated tags win", () => {
  assert.deepEqual(parsed("@a=1;b=2;a=3 PING").tags, new Map([["b", "2"], ["a", "3"]]));
});

Deno.test("parseMessage() reports an empty line or one of only spaces as empty", () => {
  assert.equal(refused("", "empty"), "Line is empty");
  assert.equal(refused(" ", "empty"), "Line is empty");
  assert.equal(refused("      ", "empty"), "Line is empty");
});

Deno.test("parseMessage() reports tags or a source without a command", () => {
  assert.equal(refused("@a=b", "no_command"), "Line has tags but no command");
  assert.equal(refused("@a=b ", "no_command"), "Line has no command");
  assert.equal(refused("@a=b     ", "no_command"), "Line has no command");
  assert.equal(refused("@", "no_command"), "Line has tags but no command");
  assert.equal(refused(":ana", "no_command"), "Line has a source but no command");
  assert.equal(refused(":ana   ", "no_command"), "Line has no command");
  assert.equal(refused("@a :ana ", "no_command"), "Line has no command");
  assert.equal(refused(": ", "no_command"), "Line has no command");
});

Deno.test("parseMessage() refuses NUL, CR and LF anywhere", () => {
  for (const line of ["PRIVMSG #a :a\0b", "PRIVMSG #a :a\rb", "PING\n", "@a=\0 PING"]) {
    assert.equal(refused(line, "bad_character"), "Line contains a NUL, CR or LF character");
  }
});

Deno.test("parseMessage() takes an empty source as none", () => {
  assert.deepEqual(parsed(": PING"), { tags: new Map(), command: "PING", params: [] });
});

Deno.test("parseMessage() accepts exactly 510 bytes after the tags and refuses 511", () => {
  assert.equal(MAX_LINE_BYTES, 512);
  assert.equal(MAX_BODY_BYTES, 510);
  const atLimit = "PING " + "x".repeat(505); // 510 bytes, 512 with CRLF (as irctest sends)
  assert.equal(atLimit.length, 510);
  assert.deepEqual(parsed(atLimit).params, ["x".repeat(505)]);
  const over = atLimit + "x";
  assert.equal(
    refused(over, "line_too_long"),
    "Line is too long: 511 bytes, at most 510 without tags",
  );
});

Deno.test("parseMessage() counts the line limit in UTF-8 bytes, not characters", () => {
  const prefix = "PRIVMSG #a :";
  const fits = prefix + "\u00e9".repeat((510 - prefix.length) / 2); // 2 bytes each
  assert.equal(utf8Length(fits), 510);
  assert.ok(parsed(fits));
  refused(fits + "a", "line_too_long");
  // Astral characters: 4 bytes from 2 UTF-16 code units.
  refused(prefix + "\u{1F600}".repeat(125), "line_too_long"); // 12 + 500 bytes
  assert.ok(parsed(prefix + "\u{1F600}".repeat(124) + "ab"));
});

Deno.test("parseMessage() counts the line limit after the tags and the space after them", () => {
  const body = "PING " + "x".repeat(505);
  assert.ok(parsed("@a=1 " + body));
  const spaced = "@a=1    PING " + "x".repeat(502); // 3 extra spaces + 507 bytes
  assert.deepEqual(parsed(spaced).params, ["x".repeat(502)], "extra spaces count toward the body");
  refused(spaced + "x", "line_too_long");
  refused("@a=1  " + body, "line_too_long");
});

Deno.test("parseMessage() accepts 4094 bytes of tag data and refuses 4095", () => {
  assert.equal(MAX_CLIENT_TAG_BYTES, 4094);
  // As irctest's message-tags test sends: the command starts at byte 4096.
  const atLimit = `@foo=bar;+baz=${"a".repeat(4081)} TAGMSG #test`;
  assert.equal(atLimit.indexOf("TAGMSG"), 4096);
  assert.equal(parsed(atLimit).tags.get("+baz"), "a".repeat(4081));
  const over = `@foo=bar;+baz=${"a".repeat(4082)} TAGMSG #test`;
  assert.equal(
    refused(over, "tags_too_long"),
    "Message tags are too long: 4095 bytes, at most 4094",
  );
  refused(`@+x=${"a".repeat(5000)}`, "tags_too_long");
});

Deno.test("parseMessage() accepts a client's longest line, MAX_CLIENT_LINE_BYTES", () => {
  assert.equal(MAX_CLIENT_LINE_BYTES, 4096 + 510);
  const line = `@foo=bar;+baz=${"a".repeat(4081)} PRIVMSG #test ${"b".repeat(496)}`;
  assert.equal(line.length, MAX_CLIENT_LINE_BYTES);
  assert.deepEqual(parsed(line).params, ["#test", "b".repeat(496)]);
});

Deno.test("parseMessage() takes other limits as options, as for lines from a server", () => {
  const tags = `@+x=${"a".repeat(6000)}`;
  const result = parseMessage(`${tags} PING`, { maxTagBytes: MAX_TAG_SECTION_BYTES - 2 });
  assert.ok(result.ok);
  assert.equal(parseMessage("PING abc", { maxBodyBytes: 7 }).ok, false);
  assert.equal(parseMessage("PING abc", { maxBodyBytes: 8 }).ok, true);
});

Deno.test("formatMessage() puts a colon before the last parameter only when needed", () => {
  assert.equal(formatMessage({ command: "PING" }), "PING");
  assert.equal(formatMessage({ command: "PING", params: [] }), "PING");
  assert.equal(formatMessage({ command: "PRIVMSG", params: ["#a", "gg"] }), "PRIVMSG #a gg");
  assert.equal(formatMessage({ command: "PRIVMSG", params: ["#a", "g g"] }), "PRIVMSG #a :g g");
  assert.equal(formatMessage({ command: "PRIVMSG", params: ["#a", ""] }), "PRIVMSG #a :");
  assert.equal(formatMessage({ command: "PRIVMSG", params: ["#a", ":)"] }), "PRIVMSG #a ::)");
  assert.equal(formatMessage({ command: "PRIVMSG", params: ["#a", "a:b"] }), "PRIVMSG #a a:b");
});

Deno.test("formatMessage() writes the source and numerics", () => {
  assert.equal(
    formatMessage({
      source: "chat.local",
      command: "433",
      params: ["*", "ana", "Nickname is already in use"],
    }),
    ":chat.local 433 * ana :Nickname is already in use",
  );
});

Deno.test("formatMessage() escapes tag values and takes a map or a record", () => {
  const value = "semi;space back\\cr\rlf\n";
  const escaped = String.raw`semi\:space\sback\\cr\rlf\n`;
  assert.equal(
    formatMessage({ tags: new Map([["a", value], ["+b", ""]]), command: "TAGMSG", params: ["#a"] }),
    `@a=${escaped};+b TAGMSG #a`,
  );
  assert.equal(
    formatMessage({ tags: { msgid: "x1", time: "2024-01-01T00:00:00.000Z" }, command: "PING" }),
    "@msgid=x1;time=2024-01-01T00:00:00.000Z PING",
  );
  assert.equal(formatMessage({ tags: {}, command: "PING" }), "PING");
});

Deno.test("formatMessage() throws TypeError for CR, LF or NUL in any parameter", () => {
  for (const bad of ["a\rb", "a\nb", "a\0b"]) {
    assert.throws(() => formatMessage({ command: "PRIVMSG", params: ["#a", bad] }), TypeError);
    assert.throws(() => formatMessage({ command: "PRIVMSG", params: [bad, "x"] }), TypeError);
  }
});

Deno.test("formatMessage() throws TypeError for a middle parameter with a space, a colon first or empty", () => {
  for (const bad of ["a b", ":a", ""]) {
    assert.throws(
      () => formatMessage({ command: "PRIVMSG", params: [bad, "x"] }),
      (error: unknown) =>
        error instanceof TypeError &&
        error.message ===
          'Cannot format parameter 0 of 2: only the last may be empty, start with ":" or hold a space',
    );
  }
});

Deno.test("formatMessage() throws TypeError for a bad command, source or tag", () => {
  for (const command of ["", "PRIV MSG", "01", "0001", "1A", "PRIV\u00c9"]) {
    assert.throws(() => formatMessage({ command }), TypeError, command);
  }
  for (const source of ["", "a b", "a\rb"]) {
    assert.throws(() => formatMessage({ source, command: "PING" }), TypeError);
  }
  for (const key of ["", "a b", "a;b", "/x", "+", "\u00e9"]) {
    assert.throws(() => formatMessage({ tags: { [key]: "v" }, command: "PING" }), TypeError);
  }
  assert.throws(() => formatMessage({ tags: { a: "\0" }, command: "PING" }), TypeError);
});

Deno.test("formatMessage() output parses back to the same message", () => {
  const message: IrcMessage = {
    tags: new Map([["+draft/reply", "a b;c"], ["time", "2024-01-01T00:00:00.000Z"], ["bot", ""]]),
    source: "ana!a@host",
    command: "PRIVMSG",
    params: ["#games", ":) well played  "],
  };
  assert.deepEqual(parsed(formatMessage(message)), message);
});

Deno.test("escapeTagValue() and unescapeTagValue() undo each other", () => {
  for (const value of ["", "plain", "; \\\r\n", "\\s", "\\:", "a\\", "\u{1F600} x;y"]) {
    assert.equal(unescapeTagValue(escapeTagValue(value)), value);
  }
  assert.equal(escapeTagValue("a b;c\\"), String.raw`a\sb\:c\\`);
  assert.equal(unescapeTagValue(String.raw`\\s`), "\\s");
  assert.equal(
    unescapeTagValue("\\\u{1F600}"),
    "\u{1F600}",
    "an invalid escape keeps a whole code point",
  );
});

Deno.test("utf8Length() counts bytes as TextEncoder writes them", () => {
  const encoder = new TextEncoder();
  for (
    const text of [
      "",
      "a",
      "\u00e9",
      "\u20ac",
      "\u{1F600}",
      "a\u{1F600}b",
      "\ud800",
      "x\udc00y",
      "\ud83d",
    ]
  ) {
    assert.equal(utf8Length(text), encoder.encode(text).length, JSON.stringify(text));
  }
});

Deno.test("a latin-1 line fails strict UTF-8 decoding before it could reach parseMessage()", () => {
  // The carrier decodes each line with a fatal decoder; the dialect refuses a line that fails
  // with FAIL <command> INVALID_UTF8 instead of guessing its charset.
  const strict = new TextDecoder("utf-8", { fatal: true });
  const latin1 = new Uint8Array([...new TextEncoder().encode("PRIVMSG #a :caf"), 0xe9]);
  assert.throws(() => strict.decode(latin1), TypeError);
  const utf8 = new TextEncoder().encode("PRIVMSG #a :caf\u00e9");
  assert.deepEqual(parsed(strict.decode(utf8)).params, ["#a", "caf\u00e9"]);
});
