/**
 * Property-based tests of the IRC message codec (src/dialect/irc/message.ts) with fast-check:
 * formatted messages parse back to themselves, lines written any legal way (extra spaces, escapes
 * good and bad, any letter case) survive parse -> format -> parse, and no string makes
 * `parseMessage` throw. Failures print fast-check's seed and counterexample.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  escapeTagValue,
  formatMessage,
  type IrcMessage,
  parseMessage,
} from "../src/dialect/irc/message.ts";

/** No limits: these properties are about syntax; the limits have their own unit tests. */
const UNLIMITED = { maxTagBytes: Infinity, maxBodyBytes: Infinity };

/** Any text, astral characters and lone surrogates included, often with IRC's special ones. */
function text(constraints: { minLength?: number; maxLength?: number } = {}): fc.Arbitrary<string> {
  const char = fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }) },
    { weight: 2, arbitrary: fc.constantFrom(" ", ":", ";", "\\", "=", "@", "+", "\x01", "\x03") },
    { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  );
  return fc.array(char, constraints).map((chars) => chars.join(""));
}

const noBreaks = (value: string) => !/[\0\r\n]/.test(value);

const tagKey = fc.tuple(
  fc.boolean(),
  fc.option(fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,8}$/), { nil: undefined }),
  fc.stringMatching(/^[A-Za-z0-9-]{1,10}$/),
).map(([clientOnly, vendor, name]) =>
  `${clientOnly ? "+" : ""}${vendor === undefined ? "" : vendor + "/"}${name}`
);

const tagValue = text({ maxLength: 12 }).map((value) => value.replaceAll("\0", ""));

const middle = text({ minLength: 1, maxLength: 10 }).filter((value) =>
  noBreaks(value) && !value.includes(" ") && !value.startsWith(":")
);

const trailing = text({ maxLength: 20 }).filter(noBreaks);

const command = fc.oneof(
  fc.stringMatching(/^[A-Z]{1,10}$/),
  fc.integer({ min: 0, max: 999 }).map((n) => String(n).padStart(3, "0")),
);

const source = text({ minLength: 1, maxLength: 15 }).filter((value) =>
  noBreaks(value) && !value.includes(" ")
);

/** Messages as parseMessage returns them. */
const message: fc.Arbitrary<IrcMessage> = fc.record({
  tags: fc.uniqueArray(fc.tuple(tagKey, tagValue), { selector: ([key]) => key, maxLength: 4 })
    .map((entries) => new Map(entries)),
  source: fc.option(source, { nil: undefined }),
  command,
  middles: fc.array(middle, { maxLength: 5 }),
  last: fc.option(trailing, { nil: undefined }),
}).map(({ tags, source, command, middles, last }) => {
  const result: IrcMessage = {
    tags,
    command,
    params: last === undefined ? middles : [...middles, last],
  };
  if (source !== undefined) result.source = source;
  return result;
});

Deno.test("parseMessage(formatMessage(m)) gives back m for any message", () => {
  fc.assert(
    fc.property(message, (original) => {
      const line = formatMessage(original);
      const result = parseMessage(line, UNLIMITED);
      assert.ok(result.ok, `${JSON.stringify(line)}: ${result.ok ? "" : result.error.message}`);
      assert.deepStrictEqual(result.message, original);
      assert.equal(formatMessage(result.message), line);
    }),
    { numRuns: 500 },
  );
});

/** Writes a tag value escaped, sometimes with needless or invalid escapes and a trailing `\`. */
const wireTagValue = fc.tuple(tagValue, fc.boolean(), fc.boolean()).map(
  ([value, oddEscapes, trailingBackslash]) => {
    let wire = escapeTagValue(value);
    if (oddEscapes) wire = wire.replace(/[a-z]/g, (letter) => "\\" + letter);
    return trailingBackslash ? wire + "\\" : wire;
  },
);

const spaces = fc.integer({ min: 1, max: 3 }).map((n) => " ".repeat(n));

/** Lines as a client might write them: any letter case, extra spaces, odd escapes, bad tags. */
const line = fc.record({
  tags: fc.array(
    fc.oneof(
      fc.tuple(tagKey, fc.option(wireTagValue, { nil: undefined })).map(([key, value]) =>
        value === undefined ? key : `${key}=${value}`
      ),
      // Invalid keys, skipped by the parser.
      fc.constantFrom("", "=x", "/k=v", "\u00e9=1", "a+b"),
    ),
    { maxLength: 4 },
  ),
  source: fc.option(source, { nil: undefined }),
  command: fc.oneof(command, fc.stringMatching(/^[A-Za-z]{1,8}$/)),
  gaps: fc.array(spaces, { minLength: 8, maxLength: 8 }),
  middles: fc.array(middle, { maxLength: 4 }),
  last: fc.option(trailing, { nil: undefined }),
  colonLast: fc.boolean(),
  tail: fc.constantFrom("", " ", "  "),
}).map(({ tags, source, command, gaps, middles, last, colonLast, tail }) => {
  let result = tags.length > 0 ? `@${tags.join(";")}${gaps[0]}` : "";
  if (source !== undefined) result += `:${source}${gaps[1]}`;
  result += command;
  middles.forEach((param, index) => result += `${gaps[2 + index]}${param}`);
  if (last !== undefined) {
    const bare = !colonLast && last !== "" && !last.startsWith(":") && !last.includes(" ");
    result += `${gaps[7]}${bare ? last : ":" + last}`;
  } else result += tail;
  return result;
});

Deno.test("parse -> format -> parse is stable for lines written any legal way", () => {
  fc.assert(
    fc.property(line, (written) => {
      const first = parseMessage(written, UNLIMITED);
      assert.ok(first.ok, `${JSON.stringify(written)}: ${first.ok ? "" : first.error.message}`);
      const again = parseMessage(formatMessage(first.message), UNLIMITED);
      assert.ok(again.ok);
      assert.deepStrictEqual(again.message, first.message);
    }),
    { numRuns: 500 },
  );
});

Deno.test("parseMessage() never throws, and what it parses with a valid command formats", () => {
  const anyLine = fc.oneof(text({ maxLength: 60 }), line, line.map((value) => value + "\0"));
  fc.assert(
    fc.property(anyLine, (input) => {
      const result = parseMessage(input);
      if (!result.ok) {
        assert.ok(result.error.message.length > 0);
        return;
      }
      if (!/^(?:[A-Z]+|[0-9]{3})$/.test(result.message.command)) return;
      const again = parseMessage(formatMessage(result.message), UNLIMITED);
      assert.ok(again.ok);
      assert.deepStrictEqual(again.message, result.message);
    }),
    { numRuns: 1000 },
  );
});
