/**
 * The line being typed: its text, the cursor, editing, history, tab completion, and how it is
 * shown in one terminal row. Pure: it knows nothing of keys or terminals, only of text.
 *
 * The text is kept as grapheme clusters (what a reader sees as one character: `e` plus a
 * combining accent, an emoji with its modifiers, a flag), so the cursor never lands inside one
 * and Backspace removes it whole. Display widths follow the terminal convention: East Asian wide
 * and full-width characters and emoji take two columns, combining and invisible characters none.
 */
import { isSecretCommand } from "../secret_commands.ts";

/** Options for {@linkcode LineEditor}. */
export interface LineEditorOptions {
  /**
   * Most lines kept in history; older ones are forgotten.
   *
   * @default {500}
   */
  historySize?: number;
  /**
   * Longest line, in UTF-16 code units. Insertions beyond it are cut at a character boundary.
   *
   * @default {8192}
   */
  maxLength?: number;
}

/** The prompt and the visible part of the line, ready for one terminal row. */
export interface RenderedLine {
  /** Prompt and input, as wide as the terminal at most (less one column), without controls. */
  text: string;
  /** Column of the cursor in `text`, from 0. */
  cursor: number;
}

/** What a tab completion found and did. */
export interface Completion {
  /** The words that start with the word before the cursor, without duplicates, in given order. */
  matches: string[];
  /** Whether the line changed (a unique match, or a longer common prefix, was filled in). */
  changed: boolean;
}

const DEFAULT_HISTORY_SIZE = 500;
const DEFAULT_MAX_LENGTH = 8192;
/** Columns of input kept visible beside a long prompt, which is cut to leave them. */
const MIN_INPUT_COLUMNS = 16;
/** Narrowest input area that shows `<` and `>` where a line scrolled sideways goes on. */
const MIN_MARKED_COLUMNS = 4;
/** Marks where a prompt too long for the terminal was cut. */
const ELLIPSIS = "\u2026";

/**
 * Characters that never enter the line: controls (tab becomes a space first), line and paragraph
 * separators, bidi embeddings, overrides, isolates and marks, and the byte order mark. They would
 * move the terminal's cursor or reorder what is shown.
 */
const UNWANTED =
  // deno-lint-ignore no-control-regex -- matching controls is the point
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]/gu;
const WHITESPACE = /^\s/u;
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\p{Cc}]/u;
const EMOJI_PRESENTATION = /^\p{Emoji_Presentation}/u;
const EMOJI = /^\p{Emoji}/u;

/** Code point ranges shown two columns wide (East Asian Wide and Fullwidth, emoji aside). */
const WIDE_RANGES: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f], // Hangul Jamo initial consonants
  [0x2329, 0x232a], // angle brackets
  [0x2e80, 0x303e], // CJK radicals, Kangxi, ideographic description, CJK symbols
  [0x3041, 0x33ff], // Hiragana, Katakana, Bopomofo, Hangul compatibility, Kanbun, CJK compat
  [0x3400, 0x4dbf], // CJK extension A
  [0x4e00, 0x9fff], // CJK unified ideographs
  [0xa000, 0xa4cf], // Yi
  [0xa960, 0xa97f], // Hangul Jamo extended A
  [0xac00, 0xd7a3], // Hangul syllables
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xfe10, 0xfe19], // vertical forms
  [0xfe30, 0xfe6f], // CJK compatibility forms, small form variants
  [0xff00, 0xff60], // full-width forms
  [0xffe0, 0xffe6], // full-width signs
  [0x16fe0, 0x16fe4], // ideographic symbols
  [0x17000, 0x18cff], // Tangut
  [0x1b000, 0x1b2ff], // Kana supplement and extensions, Nushu
  [0x1f200, 0x1f265], // enclosed ideographic supplement
  [0x20000, 0x2fffd], // CJK extensions B to F
  [0x30000, 0x3fffd], // CJK extension G and later
];

const segmenter = new Intl.Segmenter("en", { granularity: "grapheme" });

/** Splits text into grapheme clusters. */
function graphemes(text: string): string[] {
  return Array.from(segmenter.segment(text), (part) => part.segment);
}

/**
 * Columns a grapheme cluster takes on a terminal: 0, 1 or 2.
 *
 * @example
 * ```ts
 * import { graphemeWidth } from "./line_editor.ts";
 * graphemeWidth("a"); // 1
 * graphemeWidth("\u4e2d"); // 2
 * graphemeWidth("\u0301"); // 0
 * ```
 */
export function graphemeWidth(grapheme: string): number {
  const codePoint = grapheme.codePointAt(0);
  if (codePoint === undefined || ZERO_WIDTH.test(grapheme)) return 0;
  if (EMOJI_PRESENTATION.test(grapheme)) return 2;
  if (grapheme.includes("\ufe0f") && EMOJI.test(grapheme)) return 2;
  for (const [first, last] of WIDE_RANGES) {
    if (codePoint < first) break;
    if (codePoint <= last) return 2;
  }
  return 1;
}

/** Columns text takes on a terminal, by {@linkcode graphemeWidth}. */
export function textWidth(text: string): number {
  let width = 0;
  for (const grapheme of graphemes(text)) width += graphemeWidth(grapheme);
  return width;
}

/** Text as it may enter the line: tabs become spaces, unwanted characters go. */
function clean(text: string): string {
  return text.replaceAll("\t", " ").replace(UNWANTED, "");
}

/**
 * The input line's state and editing operations.
 *
 * @example
 * ```ts
 * import { LineEditor } from "./line_editor.ts";
 * const editor = new LineEditor();
 * editor.insert("helo");
 * editor.moveLeft();
 * editor.insert("l");
 * editor.submit(); // "hello"
 * editor.historyPrevious();
 * editor.text; // "hello"
 * ```
 */
export class LineEditor {
  readonly #historySize: number;
  readonly #maxLength: number;
  #graphemes: string[] = [];
  /** Cursor position, as a number of graphemes before it. */
  #cursor = 0;
  /** First input column shown by `render` (the input scrolls sideways; the prompt stays). */
  #scroll = 0;
  /** Text removed by the last kill, for `yank`. */
  #killed = "";
  #history: string[] = [];
  /** Which history entry is shown; `#history.length` is the line being typed. */
  #historyIndex = 0;
  /** Entries changed while browsing history, by index, kept until the line is submitted. */
  #edits = new Map<number, string>();

  constructor(options: LineEditorOptions = {}) {
    this.#historySize = options.historySize ?? DEFAULT_HISTORY_SIZE;
    this.#maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  }

  /** The whole line. */
  get text(): string {
    return this.#graphemes.join("");
  }

  /** The cursor position, in grapheme clusters from the start. */
  get cursor(): number {
    return this.#cursor;
  }

  /** The history, oldest first. */
  get history(): readonly string[] {
    return this.#history;
  }

  /**
   * Inserts text at the cursor and moves the cursor after it. Tabs become spaces; controls and
   * bidi controls are dropped. Returns `false` when the text was cut to fit `maxLength`.
   */
  insert(text: string): boolean {
    const wanted = clean(text);
    const room = this.#maxLength - this.text.length;
    let fitted = wanted;
    if (wanted.length > room) {
      fitted = "";
      for (const grapheme of graphemes(wanted)) {
        if (fitted.length + grapheme.length > room) break;
        fitted += grapheme;
      }
    }
    if (fitted !== "") {
      const before = this.#before();
      this.#set(before + fitted + this.#after(), before.length + fitted.length);
    }
    return fitted.length === wanted.length;
  }

  /** Deletes the character before the cursor (Backspace). */
  deleteBackward(): void {
    if (this.#cursor === 0) return;
    const before = this.#graphemes.slice(0, this.#cursor - 1).join("");
    this.#set(before + this.#after(), before.length);
  }

  /** Deletes the character under the cursor (Delete). */
  deleteForward(): void {
    if (this.#cursor === this.#graphemes.length) return;
    const before = this.#before();
    this.#set(before + this.#graphemes.slice(this.#cursor + 1).join(""), before.length);
  }

  /** Moves the cursor one character left. */
  moveLeft(): void {
    this.#cursor = Math.max(0, this.#cursor - 1);
  }

  /** Moves the cursor one character right. */
  moveRight(): void {
    this.#cursor = Math.min(this.#graphemes.length, this.#cursor + 1);
  }

  /** Moves the cursor to the start of the line. */
  moveHome(): void {
    this.#cursor = 0;
  }

  /** Moves the cursor to the end of the line. */
  moveEnd(): void {
    this.#cursor = this.#graphemes.length;
  }

  /** Moves the cursor to the start of this or the previous word (words end at whitespace). */
  moveWordLeft(): void {
    this.#cursor = this.#wordStart();
  }

  /** Moves the cursor to the end of this or the next word. */
  moveWordRight(): void {
    let index = this.#cursor;
    while (index < this.#graphemes.length && this.#isSpace(index)) index++;
    while (index < this.#graphemes.length && !this.#isSpace(index)) index++;
    this.#cursor = index;
  }

  /** Deletes from the start of the line to the cursor (Ctrl-U); `yank` brings it back. */
  killToStart(): void {
    if (this.#cursor === 0) return;
    this.#killed = this.#before();
    this.#set(this.#after(), 0);
  }

  /** Deletes from the cursor to the end of the line (Ctrl-K); `yank` brings it back. */
  killToEnd(): void {
    if (this.#cursor === this.#graphemes.length) return;
    this.#killed = this.#after();
    const before = this.#before();
    this.#set(before, before.length);
  }

  /** Deletes the word before the cursor and the spaces after it (Ctrl-W); `yank` brings it back. */
  deleteWordBackward(): void {
    const start = this.#wordStart();
    if (start === this.#cursor) return;
    this.#killed = this.#graphemes.slice(start, this.#cursor).join("");
    const before = this.#graphemes.slice(0, start).join("");
    this.#set(before + this.#after(), before.length);
  }

  /** Inserts the text removed by the last kill (Ctrl-Y). */
  yank(): void {
    this.insert(this.#killed);
  }

  /**
   * Shows the previous history entry (Up). The line being typed, and any change made to an
   * entry, are kept until the line is submitted.
   */
  historyPrevious(): void {
    if (this.#historyIndex > 0) this.#showHistory(this.#historyIndex - 1);
  }

  /** Shows the next history entry, or at the end the line that was being typed (Down). */
  historyNext(): void {
    if (this.#historyIndex < this.#history.length) this.#showHistory(this.#historyIndex + 1);
  }

  /**
   * Completes the word before the cursor from `words`, ignoring case. A unique match replaces
   * the word and is followed by a space, or by `": "` when it is the first word of the line and
   * not a `/command` (addressing someone by nick). Words starting with `/` (commands) only
   * complete the first word of the line. Several matches fill in their longest common prefix.
   * Returns the matches so that a UI can list them.
   *
   * @example
   * ```ts
   * import { LineEditor } from "./line_editor.ts";
   * const editor = new LineEditor();
   * editor.insert("al");
   * editor.complete(["alice", "bob"]);
   * editor.text; // "alice: "
   * ```
   */
  complete(words: readonly string[]): Completion {
    let start = this.#cursor;
    while (start > 0 && !this.#isSpace(start - 1)) start--;
    const head = this.#graphemes.slice(0, start).join("");
    const word = this.#graphemes.slice(start, this.#cursor).join("");
    if (word === "") return { matches: [], changed: false };
    const lower = word.toLowerCase();
    const firstWord = head.trim() === "";
    const matches = [
      ...new Set(words.filter((candidate) => {
        if (candidate.startsWith("/") && !firstWord) return false;
        return candidate.toLowerCase().startsWith(lower);
      })),
    ];
    const [first] = matches;
    if (first === undefined) return { matches, changed: false };
    let replacement: string;
    if (matches.length === 1) {
      const after = this.#after();
      const colon = firstWord && !first.startsWith("/") ? ":" : "";
      replacement = first + colon + (WHITESPACE.test(after) ? "" : " ");
    } else {
      replacement = commonPrefix(matches);
      if ([...replacement].length <= [...word].length) return { matches, changed: false };
    }
    this.#set(head + replacement + this.#after(), head.length + replacement.length);
    return { matches, changed: true };
  }

  /**
   * Returns the line and starts a new, empty one. A line that is not blank, and not the same as
   * the last one, is added to the history (unless it holds a password: `isSecretCommand`).
   */
  submit(): string {
    const line = this.text;
    // A line with a password (`/login ana ...`) is never kept.
    if (line.trim() !== "" && this.#history.at(-1) !== line && !isSecretCommand(line)) {
      this.#history.push(line);
      if (this.#history.length > this.#historySize) {
        this.#history.splice(0, this.#history.length - this.#historySize);
      }
    }
    this.#edits.clear();
    this.#historyIndex = this.#history.length;
    this.#set("", 0);
    this.#scroll = 0;
    return line;
  }

  /**
   * Replaces the line with `text` (cleaned as by `insert`, cut to `maxLength`), the cursor at its
   * end: a line given back to be edited, such as a message too long to send.
   */
  setText(text: string): void {
    this.#set("", 0);
    this.#scroll = 0;
    this.insert(text);
  }

  /**
   * The prompt and as much of the line as fits in `columns - 1` columns (the last column is
   * left free, so the terminal never wraps), scrolled sideways so the cursor is always visible.
   * A line scrolled sideways is marked: `<` where text is hidden on the left, `>` where it goes
   * on past the right edge. The prompt stays in view; when it would leave less than 16 columns
   * for the input, its start is cut (marked with `\u2026`), keeping the `> ` it ends with.
   * Remembers the scroll position for the next call, so the view does not jump while the
   * cursor stays in it. Control characters in the prompt are dropped.
   *
   * @example
   * ```ts
   * import { LineEditor } from "./line_editor.ts";
   * const editor = new LineEditor();
   * editor.insert("hi");
   * editor.render("> ", 80); // { text: "> hi", cursor: 4 }
   * editor.insert(" there, everyone");
   * editor.render("> ", 20); // { text: "> <there, everyone", cursor: 18 }
   * ```
   */
  render(prompt: string, columns: number): RenderedLine {
    const available = Math.max(1, Math.floor(columns) - 1);
    const [shownPrompt, promptWidth] = fitEnd(
      clean(prompt),
      Math.max(0, available - MIN_INPUT_COLUMNS),
    );
    const area = Math.max(1, available - promptWidth);
    const widths = this.#graphemes.map(graphemeWidth);
    let cursorColumn = 0;
    for (const width of widths.slice(0, this.#cursor)) cursorColumn += width;
    let total = cursorColumn;
    for (const width of widths.slice(this.#cursor)) total += width;
    const cursorWidth = Math.min(area, Math.max(1, widths[this.#cursor] ?? 1));

    // The input columns [scroll, scroll + width) are shown, after a `<` when scroll > 0 and
    // before a `>` when the line (and the cell after it) goes on past them.
    const marked = area >= MIN_MARKED_COLUMNS;
    const view = (scroll: number) => {
      if (!marked) return { left: 0, right: 0, width: area };
      const left = scroll > 0 ? 1 : 0;
      const right = scroll + area - left < total + 1 ? 1 : 0;
      return { left, right, width: area - left - right };
    };
    // No empty room on the right while text is hidden on the left; then bring the cursor into
    // view, with some context when it leaves on the left.
    const widest = total + 1 <= area ? 0 : total + 1 - (area - (marked ? 1 : 0));
    let scroll = Math.min(this.#scroll, Math.max(0, widest));
    if (cursorColumn < scroll) scroll = Math.max(0, cursorColumn - Math.floor(area / 4));
    // A marker appearing narrows the view: at most three steps settle it.
    for (let step = 0; step < 3; step++) {
      const { width } = view(scroll);
      if (cursorColumn + cursorWidth <= scroll + width) break;
      scroll = cursorColumn + cursorWidth - width;
    }
    // A step may overshoot by the `>` that then goes away.
    scroll = Math.min(scroll, Math.max(0, widest));
    this.#scroll = scroll;
    const { left, right, width } = view(scroll);

    let shown = left > 0 ? "<" : "";
    let shownWidth = 0;
    let column = 0;
    for (const [index, grapheme] of this.#graphemes.entries()) {
      const graphemeColumns = widths[index] ?? 0;
      const end = column + graphemeColumns;
      if (column >= scroll + width) break;
      if (column >= scroll && end <= scroll + width) {
        shown += grapheme;
        shownWidth += graphemeColumns;
      } else if (column < scroll && end > scroll) {
        // The visible part of a wide character cut by the left edge.
        shown += " ".repeat(end - scroll);
        shownWidth += end - scroll;
      }
      column = end;
    }
    if (right > 0) shown += " ".repeat(Math.max(0, width - shownWidth)) + ">";
    return { text: shownPrompt + shown, cursor: promptWidth + left + cursorColumn - scroll };
  }

  #before(): string {
    return this.#graphemes.slice(0, this.#cursor).join("");
  }

  #after(): string {
    return this.#graphemes.slice(this.#cursor).join("");
  }

  #isSpace(index: number): boolean {
    return WHITESPACE.test(this.#graphemes[index] ?? "");
  }

  /** Start of the word before the cursor, after skipping the whitespace before the cursor. */
  #wordStart(): number {
    let index = this.#cursor;
    while (index > 0 && this.#isSpace(index - 1)) index--;
    while (index > 0 && !this.#isSpace(index - 1)) index--;
    return index;
  }

  #showHistory(index: number): void {
    this.#edits.set(this.#historyIndex, this.text);
    this.#historyIndex = index;
    const text = this.#edits.get(index) ?? this.#history[index] ?? "";
    this.#set(text, text.length);
  }

  /**
   * Replaces the line, segmenting it anew (an edit can join or split clusters), with the cursor
   * at UTF-16 `offset`, moved forward to a cluster boundary if needed.
   */
  #set(text: string, offset: number): void {
    this.#graphemes = graphemes(text);
    let index = 0;
    let position = 0;
    while (position < offset) {
      const grapheme = this.#graphemes[index];
      if (grapheme === undefined) break;
      position += grapheme.length;
      index++;
    }
    this.#cursor = index;
  }
}

/** The longest common prefix of words, ignoring case, spelled as in the first word. */
function commonPrefix(words: readonly string[]): string {
  const [first = [], ...rest] = words.map((word) => [...word]);
  let length = first.length;
  for (const word of rest) {
    let same = 0;
    while (
      same < length && same < word.length &&
      first[same]?.toLowerCase() === word[same]?.toLowerCase()
    ) same++;
    length = same;
  }
  return first.slice(0, length).join("");
}

/**
 * Text cut to at most `columns` columns (by {@linkcode graphemeWidth}, between grapheme
 * clusters), and its width.
 *
 * @example
 * ```ts
 * import { fit } from "./line_editor.ts";
 * fit("hello", 3); // ["hel", 3]
 * fit("\u4e2d\u6587", 3); // ["\u4e2d", 2]
 * ```
 */
export function fit(text: string, columns: number): [string, number] {
  let fitted = "";
  let width = 0;
  for (const grapheme of graphemes(text)) {
    const next = width + graphemeWidth(grapheme);
    if (next > columns) break;
    fitted += grapheme;
    width = next;
  }
  return [fitted, width];
}

/**
 * Text cut to at most `columns` columns keeping its end: when it does not fit, its start is
 * replaced by `\u2026`. Returns the text and its width.
 */
function fitEnd(text: string, columns: number): [string, number] {
  const width = textWidth(text);
  if (width <= columns) return [text, width];
  if (columns <= 0) return ["", 0];
  let kept = "";
  let keptWidth = 0;
  for (const grapheme of graphemes(text).reverse()) {
    const next = keptWidth + graphemeWidth(grapheme);
    if (next > columns - 1) break;
    kept = grapheme + kept;
    keptWidth = next;
  }
  return [ELLIPSIS + kept, keptWidth + 1];
}
