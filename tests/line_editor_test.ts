import { deepStrictEqual, equal } from "node:assert/strict";
import { fit, graphemeWidth, LineEditor, textWidth } from "../src/terminal/line_editor.ts";

/** An editor holding `text`, with the cursor at the end. */
function editorWith(text: string): LineEditor {
  const editor = new LineEditor();
  editor.insert(text);
  return editor;
}

Deno.test("LineEditor.insert() inserts at the cursor", () => {
  const editor = editorWith("hllo");
  editor.moveHome();
  editor.moveRight();
  editor.insert("e");
  equal(editor.text, "hello");
  equal(editor.cursor, 2);
});

Deno.test("LineEditor.insert() turns tabs into spaces and drops controls", () => {
  equal(editorWith("a\tb\x1b[31mc\r\n\u009bd\u202ee\u061cf").text, "a b[31mcdef");
});

Deno.test("LineEditor.insert() cuts text at maxLength on a character boundary", () => {
  const editor = new LineEditor({ maxLength: 5 });
  equal(editor.insert("abc"), true);
  equal(editor.insert("d\u{1F600}e"), false);
  equal(editor.text, "abcd");
  equal(editor.insert(""), true);
});

Deno.test("LineEditor moves and deletes whole grapheme clusters", () => {
  const flag = "\u{1F1EB}\u{1F1F7}";
  const accented = "e\u0301";
  const family = "\u{1F468}\u200d\u{1F469}\u200d\u{1F467}";
  const editor = editorWith(`a${flag}${accented}${family}`);
  equal(editor.cursor, 4);
  editor.deleteBackward();
  equal(editor.text, `a${flag}${accented}`);
  editor.moveLeft();
  equal(editor.cursor, 2);
  editor.deleteBackward();
  equal(editor.text, `a${accented}`);
  editor.deleteForward();
  equal(editor.text, "a");
});

Deno.test("LineEditor.insert() joins a combining mark to the character before it", () => {
  const editor = editorWith("e");
  editor.insert("\u0301");
  equal(editor.cursor, 1);
  editor.deleteBackward();
  equal(editor.text, "");
});

Deno.test("LineEditor stays put at the ends of the line", () => {
  const editor = editorWith("ab");
  editor.moveRight();
  editor.deleteForward();
  equal(editor.cursor, 2);
  editor.moveHome();
  editor.moveLeft();
  editor.deleteBackward();
  equal(editor.cursor, 0);
  equal(editor.text, "ab");
  editor.moveEnd();
  equal(editor.cursor, 2);
});

Deno.test("LineEditor moves by words", () => {
  const editor = editorWith("one two  three");
  editor.moveWordLeft();
  equal(editor.cursor, 9);
  editor.moveWordLeft();
  equal(editor.cursor, 4);
  editor.moveWordLeft();
  equal(editor.cursor, 0);
  editor.moveWordRight();
  equal(editor.cursor, 3);
  editor.moveWordRight();
  equal(editor.cursor, 7);
});

Deno.test("LineEditor.killToStart() and killToEnd() cut, and yank() pastes back", () => {
  const editor = editorWith("hello world");
  editor.moveWordLeft();
  editor.killToStart();
  equal(editor.text, "world");
  equal(editor.cursor, 0);
  editor.moveEnd();
  editor.yank();
  equal(editor.text, "worldhello ");
  editor.moveHome();
  editor.moveRight();
  editor.killToEnd();
  equal(editor.text, "w");
  editor.yank();
  equal(editor.text, "worldhello ");
});

Deno.test("LineEditor.deleteWordBackward() deletes the word and the spaces after it", () => {
  const editor = editorWith("say hello   ");
  editor.deleteWordBackward();
  equal(editor.text, "say ");
  editor.deleteWordBackward();
  equal(editor.text, "");
  editor.deleteWordBackward();
  equal(editor.text, "");
});

Deno.test("LineEditor history goes back and forth, keeping the line being typed", () => {
  const editor = new LineEditor();
  for (const line of ["first", "second"]) {
    editor.insert(line);
    equal(editor.submit(), line);
  }
  editor.insert("draft");
  editor.historyPrevious();
  equal(editor.text, "second");
  equal(editor.cursor, 6);
  editor.historyPrevious();
  equal(editor.text, "first");
  editor.historyPrevious();
  equal(editor.text, "first");
  editor.historyNext();
  editor.historyNext();
  equal(editor.text, "draft");
  editor.historyNext();
  equal(editor.text, "draft");
});

Deno.test("LineEditor history keeps changes to entries until a line is submitted", () => {
  const editor = new LineEditor();
  editor.insert("one");
  editor.submit();
  editor.historyPrevious();
  editor.insert("!");
  editor.historyNext();
  equal(editor.text, "");
  editor.historyPrevious();
  equal(editor.text, "one!");
  equal(editor.submit(), "one!");
  deepStrictEqual(editor.history, ["one", "one!"]);
  editor.historyPrevious();
  editor.historyPrevious();
  equal(editor.text, "one", "the edit is forgotten once a line is sent");
});

Deno.test("LineEditor.submit() skips blank and repeated lines in history", () => {
  const editor = new LineEditor({ historySize: 2 });
  for (const line of ["a", "  ", "b", "b", "c"]) {
    editor.insert(line);
    editor.submit();
  }
  deepStrictEqual(editor.history, ["b", "c"]);
  equal(editor.text, "");
  equal(editor.cursor, 0);
});

Deno.test("LineEditor.complete() completes a unique nick with a colon on the first word", () => {
  const editor = editorWith("AL");
  deepStrictEqual(editor.complete(["alice", "bob"]), { matches: ["alice"], changed: true });
  equal(editor.text, "alice: ");
});

Deno.test("LineEditor.complete() completes later words and commands with a space", () => {
  const editor = editorWith("hi b");
  editor.complete(["alice", "bob"]);
  equal(editor.text, "hi bob ");
  const command = editorWith("/jo");
  command.complete(["/join", "/nick"]);
  equal(command.text, "/join ");
});

Deno.test("LineEditor.complete() completes /commands only as the first word", () => {
  const editor = editorWith("  /jo");
  editor.complete(["/join", "/nick", "joe"]);
  equal(editor.text, "  /join ");
  const later = editorWith("see /jo");
  deepStrictEqual(later.complete(["/join", "/nick"]), { matches: [], changed: false });
  equal(later.text, "see /jo");
});

Deno.test("LineEditor.complete() completes the word before the cursor, mid-line", () => {
  const editor = editorWith("x bo there");
  for (let i = 0; i < 6; i++) editor.moveLeft();
  editor.complete(["bob"]);
  equal(editor.text, "x bob there");
  equal(editor.cursor, 5);
});

Deno.test("LineEditor.complete() fills in the common prefix of several matches", () => {
  const editor = editorWith("a");
  deepStrictEqual(editor.complete(["Alice", "alicia", "bob"]), {
    matches: ["Alice", "alicia"],
    changed: true,
  });
  equal(editor.text, "Alic");
  deepStrictEqual(editor.complete(["Alice", "alicia"]), {
    matches: ["Alice", "alicia"],
    changed: false,
  });
  equal(editor.text, "Alic");
});

Deno.test("LineEditor.complete() does nothing without a word or a match", () => {
  const editor = editorWith("hi ");
  deepStrictEqual(editor.complete(["alice"]), { matches: [], changed: false });
  editor.insert("zz");
  deepStrictEqual(editor.complete(["alice"]), { matches: [], changed: false });
  equal(editor.text, "hi zz");
});

Deno.test("graphemeWidth() counts wide, narrow and zero-width characters", () => {
  equal(graphemeWidth("a"), 1);
  equal(graphemeWidth("\u00e9"), 1);
  equal(graphemeWidth("\u4e2d"), 2);
  equal(graphemeWidth("\uac00"), 2);
  equal(graphemeWidth("\uff21"), 2);
  equal(graphemeWidth("\u{1F600}"), 2);
  equal(graphemeWidth("\u{1F44D}\u{1F3FD}"), 2);
  equal(graphemeWidth("\u2764\ufe0f"), 2);
  equal(graphemeWidth("\u0301"), 0);
  equal(graphemeWidth("\u200b"), 0);
  equal(textWidth("a\u4e2de\u0301"), 4);
});

Deno.test("fit() cuts text to a number of columns between grapheme clusters", () => {
  deepStrictEqual(fit("hello", 10), ["hello", 5]);
  deepStrictEqual(fit("hello", 3), ["hel", 3]);
  deepStrictEqual(fit("\u4e2d\u6587", 3), ["\u4e2d", 2]);
  deepStrictEqual(fit("e\u0301x", 1), ["e\u0301", 1]);
  deepStrictEqual(fit("\u{1F44D}\u{1F3FD}!", 2), ["\u{1F44D}\u{1F3FD}", 2]);
  deepStrictEqual(fit("abc", 0), ["", 0]);
});

Deno.test("LineEditor.render() shows prompt and line with the cursor after the prompt", () => {
  const editor = editorWith("hello");
  deepStrictEqual(editor.render("> ", 80), { text: "> hello", cursor: 7 });
  editor.moveHome();
  deepStrictEqual(editor.render("> ", 80), { text: "> hello", cursor: 2 });
});

Deno.test("LineEditor.render() counts wide characters as two columns", () => {
  const editor = editorWith("\u4e2d\u6587x");
  editor.moveLeft();
  deepStrictEqual(editor.render("> ", 80), { text: "> \u4e2d\u6587x", cursor: 6 });
});

Deno.test("LineEditor.render() scrolls sideways to keep the cursor in view, marking hidden text", () => {
  const editor = editorWith("abcdefghijklmnopqrstuvwxyz");
  // 30 columns: 29 usable, 2 for the prompt, 27 for the input.
  deepStrictEqual(editor.render("> ", 30), {
    text: "> abcdefghijklmnopqrstuvwxyz",
    cursor: 28,
  });
  editor.insert("0123456789");
  // Text hidden on the left: a `<` takes the first input column.
  deepStrictEqual(editor.render("> ", 30), {
    text: "> <lmnopqrstuvwxyz0123456789",
    cursor: 28,
  });
  for (let i = 0; i < 20; i++) editor.moveLeft();
  deepStrictEqual(editor.render("> ", 30), {
    text: "> <lmnopqrstuvwxyz0123456789",
    cursor: 8,
  }, "the view does not move while the cursor stays in it");
  editor.moveHome();
  // Text going on past the right edge: a `>` takes the last input column.
  deepStrictEqual(editor.render("> ", 30), { text: "> abcdefghijklmnopqrstuvwxyz>", cursor: 2 });
  for (let i = 0; i < 30; i++) editor.moveRight();
  // Both ends hidden: `<` and `>`, the cursor still in view.
  const middle = editor.render("> ", 30);
  deepStrictEqual(middle, { text: "> <ghijklmnopqrstuvwxyz01234>", cursor: 27 });
  equal(middle.text.length, 29, "the last column stays free");
});

Deno.test("LineEditor.render() never shows half a wide character", () => {
  const wide = "\u4e2d";
  const editor = editorWith("a" + wide.repeat(20));
  // 41 columns of input in 27, after a `<`: the view starts at column 16, in the middle of a
  // wide character, whose visible half is shown as a space.
  deepStrictEqual(editor.render("> ", 30), {
    text: "> <" + " " + wide.repeat(12),
    cursor: 28,
  });
  editor.moveHome();
  // "a" and 12 wide characters fill 25 of the 26 columns before the `>`; the 13th would need
  // columns 26 and 27, so is left out and a space pads the gap.
  deepStrictEqual(editor.render("> ", 30), { text: "> a" + wide.repeat(12) + " >", cursor: 2 });
});

Deno.test("LineEditor.render() cuts the start of a long prompt, keeping its end, and drops its controls", () => {
  const editor = editorWith("hi");
  const rendered = editor.render("[a very long room name] \x1b[1mnick> ", 30);
  // 29 usable columns, 16 kept for the input: 13 for the prompt, "\u2026" and its last 12.
  deepStrictEqual(rendered, { text: "\u2026e] [1mnick> hi", cursor: 15 });
});

Deno.test("LineEditor.render() keeps the end of the prompt at 20 columns", () => {
  const editor = editorWith("abcdefghijklmnopqrst");
  // 19 usable columns: 3 for the prompt ("\u2026> "), 16 for the input (a `<` and 15).
  deepStrictEqual(editor.render("[lobby] ana> ", 20), {
    text: "\u2026> <ghijklmnopqrst",
    cursor: 18,
  });
});

Deno.test("LineEditor.setText() replaces the line, the cursor at its end", () => {
  const editor = editorWith("draft");
  editor.moveHome();
  editor.setText("given\tback\x1b");
  equal(editor.text, "given back");
  equal(editor.cursor, 10);
  equal(editor.submit(), "given back");
});

Deno.test("LineEditor.render() handles a terminal too narrow for anything", () => {
  const editor = editorWith("hello");
  deepStrictEqual(editor.render("> ", 1), { text: "", cursor: 0 });
  deepStrictEqual(editor.render("> ", 2), { text: "", cursor: 0 });
});
