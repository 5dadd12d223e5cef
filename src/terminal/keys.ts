/**
 * Raw terminal input (bytes read in raw mode, UTF-8) turned into key events. Pure.
 *
 * Input arrives in arbitrary chunks: an escape sequence, a UTF-8 character or a `\r\n` pair may
 * be split between two reads, so {@linkcode KeyParser} keeps its state from one chunk to the
 * next. Printable text, including pasted runs of it, comes out as `text` events, one per run.
 * Escape sequences that mean nothing here (function keys, mouse reports, focus events) are
 * swallowed whole and never reach the text.
 *
 * Recognised keys:
 * - Enter (`\r`, `\n`, or `\r\n` as one), Tab, Backspace (`0x7f`, `0x08`), Delete (`ESC[3~`)
 * - arrows (`ESC[A`... and `ESCOA`...), Home and End (`ESC[H`, `ESC[F`, `ESC[1~`, `ESC[4~`,
 *   `ESC[7~`, `ESC[8~`, `ESCOH`, `ESCOF`)
 * - word moves: Alt-b and Alt-f, Ctrl or Alt with Left and Right (`ESC[1;5D`..., rxvt `ESCOd`...);
 *   Alt-Backspace deletes the word before the cursor
 * - Ctrl with a letter, as `ctrl_a` ... `ctrl_z` (but Ctrl-H, Ctrl-I, Ctrl-J and Ctrl-M, which are
 *   the same bytes as Backspace, Tab and Enter)
 * - bracketed paste (`ESC[200~` ... `ESC[201~`), as `paste` events
 *
 * A lone Escape key press cannot be told apart from the start of a sequence without a timer, so
 * it waits for the next byte; Escape followed by a printable ASCII character reads as Alt with
 * that character, which is swallowed like any unknown key, as readline does.
 */
import { unreachable } from "../protocol.ts";

/** Letters that can be typed with Ctrl. */
export type Letter =
  | "a"
  | "b"
  | "c"
  | "d"
  | "e"
  | "f"
  | "g"
  | "h"
  | "i"
  | "j"
  | "k"
  | "l"
  | "m"
  | "n"
  | "o"
  | "p"
  | "q"
  | "r"
  | "s"
  | "t"
  | "u"
  | "v"
  | "w"
  | "x"
  | "y"
  | "z";

/** A key that is not text. */
export type KeyName =
  | "enter"
  | "tab"
  | "backspace"
  | "delete"
  | "up"
  | "down"
  | "left"
  | "right"
  | "home"
  | "end"
  | "page_up"
  | "word_left"
  | "word_right"
  | "delete_word"
  | `ctrl_${Letter}`;

/**
 * One input event.
 * - `text`: printable characters typed (or pasted without bracketed paste), never empty, without
 *   control characters.
 * - `paste`: a piece of bracketed paste, never empty; line breaks are `\n`, tabs are kept, other
 *   control characters are removed. A long paste may come as several `paste` events.
 * - `key`: any other key.
 */
export type Key =
  | { readonly type: "text"; readonly text: string }
  | { readonly type: "paste"; readonly text: string }
  | { readonly type: "key"; readonly name: KeyName };

/** What to write to the terminal to turn bracketed paste on. */
export const BRACKETED_PASTE_ON = "\x1b[?2004h";
/** What to write to the terminal to turn bracketed paste off. */
export const BRACKETED_PASTE_OFF = "\x1b[?2004l";

const ESC = 0x1b;
const CR = 0x0d;
const LF = 0x0a;
const TAB = 0x09;
const BS = 0x08;
const DEL = 0x7f;
/** `ESC[201~`, the end of a bracketed paste. */
const PASTE_END = [ESC, 0x5b, 0x32, 0x30, 0x31, 0x7e] as const;
/** Longest parameter string kept for a control sequence; longer ones are swallowed anyway. */
const MAX_PARAMS = 32;
/** C1 control characters, which a terminal would act on, and which are not text. */
const C1_CONTROLS = /[\u0080-\u009f]/gu;

const LETTERS: readonly Letter[] = [
  "a",
  "b",
  "c",
  "d",
  "e",
  "f",
  "g",
  "h",
  "i",
  "j",
  "k",
  "l",
  "m",
  "n",
  "o",
  "p",
  "q",
  "r",
  "s",
  "t",
  "u",
  "v",
  "w",
  "x",
  "y",
  "z",
];

/** Where the parser is: in plain input, after ESC, inside a sequence, or inside a paste. */
type State =
  | "ground"
  | "escape"
  | "csi"
  | "ss3"
  | "skip_one"
  | "paste";

/**
 * Parses raw terminal input into key events, keeping state across chunks.
 *
 * @example Split escape sequence
 * ```ts
 * import { KeyParser } from "./keys.ts";
 * const parser = new KeyParser();
 * parser.feed(new Uint8Array([0x1b, 0x5b])); // []
 * parser.feed(new Uint8Array([0x44])); // [{ type: "key", name: "left" }]
 * ```
 */
export class KeyParser {
  #state: State = "ground";
  /** Parameter and intermediate bytes of the control sequence being read. */
  #params = "";
  /** Text bytes not yet decoded. */
  #text: number[] = [];
  /** Holds an incomplete UTF-8 character between chunks. */
  #decoder = new TextDecoder();
  /** Whether the last byte was `\r`, so that a following `\n` is part of the same Enter. */
  #afterCr = false;
  /** Paste bytes not yet decoded. */
  #paste: number[] = [];
  /** Holds an incomplete UTF-8 character of a paste between chunks. */
  #pasteDecoder = new TextDecoder();
  /** How many bytes of `PASTE_END` have been matched. */
  #pasteEndMatched = 0;

  /** Parses the next chunk of input; returns the events it completes, in order. */
  feed(chunk: Uint8Array): Key[] {
    const keys: Key[] = [];
    for (const byte of chunk) this.#byte(byte, keys);
    this.#flushText(keys, true);
    if (this.#state === "paste") this.#flushPaste(keys, true);
    return keys;
  }

  #byte(byte: number, keys: Key[]): void {
    switch (this.#state) {
      case "ground":
        return this.#ground(byte, keys);
      case "escape":
        return this.#escape(byte, keys);
      case "csi":
        return this.#csi(byte, keys);
      case "ss3":
        return this.#ss3(byte, keys);
      case "skip_one":
        return this.#skipOne(byte, keys);
      case "paste":
        return this.#pasteByte(byte, keys);
      default:
        return unreachable(this.#state);
    }
  }

  #ground(byte: number, keys: Key[]): void {
    const afterCr = this.#afterCr;
    this.#afterCr = false;
    if (byte >= 0x20 && byte !== DEL) {
      this.#text.push(byte);
      return;
    }
    this.#flushText(keys, false);
    if (byte === ESC) {
      this.#state = "escape";
    } else if (byte === CR) {
      this.#afterCr = true;
      keys.push(named("enter"));
    } else if (byte === LF) {
      if (!afterCr) keys.push(named("enter"));
    } else if (byte === TAB) {
      keys.push(named("tab"));
    } else if (byte === DEL || byte === BS) {
      keys.push(named("backspace"));
    } else {
      const letter = byte >= 1 && byte <= 26 ? LETTERS[byte - 1] : undefined;
      if (letter !== undefined) keys.push(named(`ctrl_${letter}`));
      // NUL and Ctrl-\ ] ^ _ mean nothing here.
    }
  }

  #escape(byte: number, keys: Key[]): void {
    this.#state = "ground";
    if (byte === 0x5b) {
      this.#state = "csi";
      this.#params = "";
    } else if (byte === 0x4f) {
      this.#state = "ss3";
      this.#params = "";
    } else if (byte === ESC) {
      // The first ESC was a lone Escape key press.
      this.#state = "escape";
    } else if (byte === DEL || byte === BS) {
      keys.push(named("delete_word"));
    } else if (byte === 0x62 || byte === 0x42) {
      keys.push(named("word_left"));
    } else if (byte === 0x66 || byte === 0x46) {
      keys.push(named("word_right"));
    } else if (byte < 0x20 || byte > DEL) {
      // Escape then a control key or a non-ASCII character: keep that key.
      this.#ground(byte, keys);
    }
    // Alt with any other printable ASCII character is swallowed.
  }

  #csi(byte: number, keys: Key[]): void {
    if (byte === 0x5b && this.#params === "") {
      // Linux console function keys: ESC [ [ A ... ESC [ [ E.
      this.#state = "skip_one";
    } else if (byte >= 0x20 && byte <= 0x3f) {
      if (this.#params.length < MAX_PARAMS) this.#params += String.fromCharCode(byte);
    } else if (byte >= 0x40 && byte <= 0x7e) {
      this.#state = "ground";
      const name = csiKey(this.#params, String.fromCharCode(byte));
      if (name === "paste_start") {
        this.#state = "paste";
        this.#pasteEndMatched = 0;
        this.#afterCr = false;
      } else if (name !== undefined) {
        keys.push(named(name));
      }
    } else {
      // Not part of a sequence: drop the broken sequence, keep the byte.
      this.#state = "ground";
      this.#ground(byte, keys);
    }
  }

  #ss3(byte: number, keys: Key[]): void {
    if (byte >= 0x30 && byte <= 0x3f) {
      if (this.#params.length < MAX_PARAMS) this.#params += String.fromCharCode(byte);
    } else if (byte >= 0x40 && byte <= 0x7e) {
      this.#state = "ground";
      const name = SS3_KEYS[String.fromCharCode(byte)];
      if (name !== undefined) keys.push(named(name));
    } else {
      this.#state = "ground";
      this.#ground(byte, keys);
    }
  }

  #skipOne(byte: number, keys: Key[]): void {
    this.#state = "ground";
    if (byte < 0x20 || byte >= DEL) this.#ground(byte, keys);
  }

  #pasteByte(byte: number, keys: Key[]): void {
    if (byte === PASTE_END[this.#pasteEndMatched]) {
      this.#pasteEndMatched++;
      if (this.#pasteEndMatched === PASTE_END.length) {
        this.#pasteEndMatched = 0;
        this.#flushPaste(keys, false);
        this.#state = "ground";
        this.#afterCr = false;
      }
      return;
    }
    // A partial match that failed was paste content (ESC itself is dropped as a control).
    for (const matched of PASTE_END.slice(0, this.#pasteEndMatched)) this.#pasteContent(matched);
    this.#pasteEndMatched = 0;
    if (byte === ESC) this.#pasteEndMatched = 1;
    else this.#pasteContent(byte);
  }

  /** Keeps a paste byte: line breaks become `\n`, tabs stay, other controls go. */
  #pasteContent(byte: number): void {
    const afterCr = this.#afterCr;
    this.#afterCr = byte === CR;
    if (byte === CR) this.#paste.push(LF);
    else if (byte === LF) {
      if (!afterCr) this.#paste.push(LF);
    } else if (byte === TAB || (byte >= 0x20 && byte !== DEL)) this.#paste.push(byte);
  }

  /** Decodes pending text bytes; `stream` keeps an incomplete character for the next chunk. */
  #flushText(keys: Key[], stream: boolean): void {
    const text = this.#decoder.decode(new Uint8Array(this.#text), { stream })
      .replace(C1_CONTROLS, "");
    this.#text = [];
    if (text === "") return;
    const last = keys.at(-1);
    if (last?.type === "text") keys[keys.length - 1] = { type: "text", text: last.text + text };
    else keys.push({ type: "text", text });
  }

  #flushPaste(keys: Key[], stream: boolean): void {
    const text = this.#pasteDecoder.decode(new Uint8Array(this.#paste), { stream })
      .replace(C1_CONTROLS, "");
    this.#paste = [];
    if (text !== "") keys.push({ type: "paste", text });
  }
}

/**
 * Parses one complete piece of input, with no state kept: a convenience for tests and for input
 * known to be whole. Use {@linkcode KeyParser} for a stream.
 */
export function parseKeys(input: Uint8Array | string): Key[] {
  const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
  return new KeyParser().feed(bytes);
}

/** SS3 finals (`ESC O x`): application-mode cursor keys, keypad Enter, rxvt Ctrl-arrows. */
const SS3_KEYS: Readonly<Record<string, KeyName>> = {
  A: "up",
  B: "down",
  C: "right",
  D: "left",
  H: "home",
  F: "end",
  M: "enter",
  c: "word_right",
  d: "word_left",
};

/** `ESC [ n ~` keys by `n`. */
const TILDE_KEYS: Readonly<Record<string, KeyName | "paste_start">> = {
  "1": "home",
  "7": "home",
  "4": "end",
  "8": "end",
  "3": "delete",
  "5": "page_up",
  "200": "paste_start",
};

/** Modifier bits (value minus one) of Alt, Ctrl and Meta, which make an arrow move by words. */
const WORD_MODIFIERS = 2 | 4 | 8;

/** The key a CSI sequence (`ESC [ params final`) stands for, if any. */
function csiKey(params: string, final: string): KeyName | "paste_start" | undefined {
  if (/^[<=>?]/.test(params)) return undefined; // private sequences: mouse, focus, replies
  const [first = "", modifier = "1"] = params.split(";");
  const wordMove = ((Number(modifier) - 1) & WORD_MODIFIERS) !== 0;
  switch (final) {
    case "A":
      return "up";
    case "B":
      return "down";
    case "C":
      return wordMove ? "word_right" : "right";
    case "D":
      return wordMove ? "word_left" : "left";
    case "H":
      return "home";
    case "F":
      return "end";
    case "~":
      return TILDE_KEYS[first];
    default:
      return undefined;
  }
}

function named(name: KeyName): Key {
  return { type: "key", name };
}
