/**
 * Which dialect a connection speaks, from its first line. Each dialect is listed once here, in
 * the order they are tried. Pure.
 */
import type { Dialect, DialectOptions } from "./dialect.ts";
import { HTTP_REQUEST, HttpDialect } from "./http.ts";
import { IrcDialect, isIrcRegistration } from "./irc/dialect.ts";
import { NativeDialect } from "./native.ts";
import { PlainDialect } from "./plain.ts";

/** A dialect and how its first line looks. */
interface DialectEntry {
  readonly name: string;
  matches(firstLine: string): boolean;
  create(options: DialectOptions): Dialect;
}

/** Every dialect, tried in order; the last matches any line. */
export const DIALECTS: readonly DialectEntry[] = [
  { name: "http", matches: (line) => HTTP_REQUEST.test(line), create: () => new HttpDialect() },
  {
    name: "native",
    matches: (line) => line.trimStart().startsWith("{"),
    create: () => new NativeDialect(),
  },
  // IRC registration (`CAP LS 302`, `NICK ana`, `USER ...`, `PASS x`): a command and a
  // parameter. A bare `nick` stays a plain-text nick (nicks hold no space).
  { name: "irc", matches: isIrcRegistration, create: (options) => new IrcDialect(options) },
  { name: "plain", matches: () => true, create: () => new PlainDialect() },
];

/** The dialect for a connection whose first line is `firstLine`. */
export function detectDialect(firstLine: string, options: DialectOptions = {}): Dialect {
  const entry = DIALECTS.find((candidate) => candidate.matches(firstLine)) ??
    DIALECTS[DIALECTS.length - 1] as DialectEntry;
  return entry.create(options);
}
