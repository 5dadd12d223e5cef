import assert from "node:assert/strict";
import { MAX_FILE_NAME_BYTES, safeFileName, uniqueName } from "../src/file_name.ts";

const encoder = new TextEncoder();

function bytes(text: string): number {
  return encoder.encode(text).length;
}

const RESERVED =
  /^(?:CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|CLOCK\$|(?:COM|LPT)[0-9\u00b9\u00b2\u00b3])$/i;
// Everything invisible but the zero-width joiner and variation selectors, which may stay in emoji.
const INVISIBLE_BUT_EMOJI_GLUE =
  /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}\u00ad\u061c\u180e\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2069\ufeff\u{e0000}-\u{e0fff}]/u;
const PICTOGRAPH = /\p{Extended_Pictographic}/u;

/** Every output of safeFileName must pass these, whatever the input. */
function assertSafe(name: string, input: string): void {
  const what = `${JSON.stringify(input)} -> ${JSON.stringify(name)}`;
  assert.notEqual(name, "", what);
  assert.ok(bytes(name) <= MAX_FILE_NAME_BYTES, `too long: ${what}`);
  assert.doesNotMatch(name, /[/\\<>:"|?*]/, `separator or illegal character: ${what}`);
  assert.doesNotMatch(name, INVISIBLE_BUT_EMOJI_GLUE, `invisible character: ${what}`);
  assert.doesNotMatch(name, /^[\s.-]/u, `bad start: ${what}`);
  assert.doesNotMatch(name, /[\s.]$/u, `bad end: ${what}`);
  assert.notEqual(name, ".", what);
  assert.notEqual(name, "..", what);
  const dot = name.indexOf(".");
  const base = (dot === -1 ? name : name.slice(0, dot)).replace(/ +$/, "");
  assert.doesNotMatch(base, RESERVED, `device name: ${what}`);
  assert.equal(name, name.normalize("NFC"), `not NFC: ${what}`);
  const chars = Array.from(name);
  chars.forEach((char, index) => {
    if (char === "\u200d") {
      assert.match(chars[index + 1] ?? "", PICTOGRAPH, `stray zero-width joiner: ${what}`);
    }
  });
  assert.equal(safeFileName(name), name, `not stable: ${what}`);
}

const TABLE: readonly (readonly [string, string])[] = [
  // Paths: only the last component is kept, for both separators and with drive letters.
  ["../../etc/passwd", "passwd"],
  ["..\\x", "x"],
  ["..\\..\\Windows\\System32\\evil.dll", "evil.dll"],
  ["/abs", "abs"],
  ["/", "file"],
  ["C:\\x", "x"],
  ["C:x.txt", "x.txt"],
  ["C:", "file"],
  ["\\\\server\\share\\doc.txt", "doc.txt"],
  ["\\\\?\\C:\\CON", "_CON"],
  ["a/b/c.txt", "c.txt"],
  ["a\\b\\c.txt", "c.txt"],
  ["a/b\\c.txt", "c.txt"],
  ["photos/", "photos"],
  ["photos/..", "file"],
  // Windows device names, with any extension and case.
  ["CON", "_CON"],
  ["con.txt", "_con.txt"],
  ["Nul.tar.gz", "_Nul.tar.gz"],
  ["nul .txt", "_nul .txt"],
  ["LPT9.log", "_LPT9.log"],
  ["com1", "_com1"],
  ["COM\u00b9.txt", "_COM\u00b9.txt"],
  ["aux", "_aux"],
  ["prn.PDF", "_prn.PDF"],
  ["conout$", "_conout$"],
  ["com10.txt", "com10.txt"],
  ["console.txt", "console.txt"],
  ["my con.txt", "my con.txt"],
  // Hidden files and option-looking names.
  [".bashrc", "bashrc"],
  ["..hidden", "hidden"],
  ["-rf", "rf"],
  ["--help", "help"],
  ["-.-x", "x"],
  [". -x", "x"],
  // Controls.
  ["a\u0000b", "ab"],
  ["\u001b[31mred.txt", "[31mred.txt"],
  ["a\r\nb.txt", "ab.txt"],
  ["tab\there", "tabhere"],
  ["del\u007f.txt", "del.txt"],
  ["c1\u0085\u009b.txt", "c1.txt"],
  ["line\u2028break\u2029.txt", "linebreak.txt"],
  // Bidi controls: the classic "invoice\u202Efdp.exe" shows as "invoiceexe.pdf".
  ["invoice\u202efdp.exe", "invoicefdp.exe"],
  ["\u2066x\u2069.pdf", "x.pdf"],
  ["a\u202ab\u202cc\u200e\u200f\u061c.txt", "abc.txt"],
  // Zero-width and other invisible characters.
  ["a\u200bb.txt", "ab.txt"],
  ["\ufeffbom.txt", "bom.txt"],
  ["soft\u00adhyphen", "softhyphen"],
  ["a\u200cb\u2060c\u2063d", "abcd"],
  ["x\ufe0f.txt", "x.txt"],
  ["tag\u{e0041}\u{e007f}.txt", "tag.txt"],
  ["a\u200db", "ab"],
  ["\u200d\u{1f600}", "\u{1f600}"],
  ["\u3164", "file"],
  ["\ud800x.txt", "x.txt"],
  // Empty and dot-only names.
  ["", "file"],
  [".", "file"],
  ["..", "file"],
  ["...", "file"],
  ["\u200b", "file"],
  ["   ", "file"],
  // Spaces and trailing dots.
  ["  spaced name . . ", "spaced name"],
  ["report.", "report"],
  ["report.pdf...", "report.pdf"],
  ["\u3000wide\u3000", "wide"],
  ["\u00a0nbsp", "nbsp"],
  ["two  spaces.txt", "two  spaces.txt"],
  // Characters Windows refuses.
  ['a<b>c:d"e|f?g*h.txt', "a_b_c_d_e_f_g_h.txt"],
  ["file.txt:stream", "file.txt_stream"],
  ["?", "_"],
  // Unicode: NFC, scripts, emoji (with joiners and variation selectors kept in sequences).
  ["cafe\u0301.txt", "caf\u00e9.txt"],
  ["\u0438\u0433\u0440\u044b.txt", "\u0438\u0433\u0440\u044b.txt"],
  ["\u6e38\u620f.pdf", "\u6e38\u620f.pdf"],
  ["\u{1f600}.png", "\u{1f600}.png"],
  ["\u{1f468}\u200d\u{1f469}\u200d\u{1f467}.jpg", "\u{1f468}\u200d\u{1f469}\u200d\u{1f467}.jpg"],
  ["\u{1f44d}\u{1f3fd}\u200d\u{1f525}", "\u{1f44d}\u{1f3fd}\u200d\u{1f525}"],
  ["\u{1f3f3}\ufe0f\u200d\u{1f308}.gif", "\u{1f3f3}\ufe0f\u200d\u{1f308}.gif"],
  ["\u2764\ufe0f.txt", "\u2764\ufe0f.txt"],
  ["\u{1f600}\u200d\u200d\u{1f600}", "\u{1f600}\u200d\u{1f600}"],
  ["x\ufe0f\u200d\u{1f600}", "x\u{1f600}"],
  ["*\ufe0f.txt", "_.txt"],
  ["1\ufe0f\u20e3.txt", "1\u20e3.txt"],
  // Ordinary names pass unchanged.
  ["notes.pdf", "notes.pdf"],
  ["archive.tar.gz", "archive.tar.gz"],
  ["Report (final) v2.docx", "Report (final) v2.docx"],
  ["_underscore", "_underscore"],
];

Deno.test("safeFileName() reduces hostile names to exact safe names", () => {
  for (const [input, expected] of TABLE) {
    const output = safeFileName(input);
    assert.equal(output, expected, `safeFileName(${JSON.stringify(input)})`);
    assertSafe(output, input);
  }
});

Deno.test("safeFileName() caps ASCII names at MAX_FILE_NAME_BYTES, keeping a short extension", () => {
  assert.equal(MAX_FILE_NAME_BYTES, 200);
  assert.equal(safeFileName("a".repeat(300)), "a".repeat(200));
  assert.equal(safeFileName("a".repeat(300) + ".txt"), "a".repeat(196) + ".txt");
  assert.equal(safeFileName("a".repeat(200)), "a".repeat(200));
  assert.equal(safeFileName("a".repeat(196) + ".txt"), "a".repeat(196) + ".txt");
  // An extension of 16 bytes (with the dot) is kept, a longer one is cut with the rest.
  const ext16 = "." + "e".repeat(15);
  assert.equal(safeFileName("a".repeat(300) + ext16), "a".repeat(184) + ext16);
  const ext17 = "." + "e".repeat(16);
  assert.equal(safeFileName("a".repeat(300) + ext17), "a".repeat(200));
  assert.equal(safeFileName("a." + "b".repeat(300)), "a." + "b".repeat(198));
});

Deno.test("safeFileName() never cuts a multi-byte character or grapheme in half", () => {
  // U+00E9 is 2 bytes: 100 fit exactly.
  assert.equal(safeFileName("\u00e9".repeat(300)), "\u00e9".repeat(100));
  assert.equal(safeFileName("\u00e9".repeat(300) + ".pdf"), "\u00e9".repeat(98) + ".pdf");
  // U+4E2D is 3 bytes: 66 fit (198 bytes), a 67th would need 201.
  assert.equal(safeFileName("\u4e2d".repeat(300)), "\u4e2d".repeat(66));
  // An emoji is 4 bytes: 49 fit beside ".png" (196 + 4).
  assert.equal(safeFileName("\u{1f600}".repeat(100) + ".png"), "\u{1f600}".repeat(49) + ".png");
  // A family emoji is one 18-byte grapheme: 11 fit in 200 bytes (198), never a piece of one.
  const family = "\u{1f468}\u200d\u{1f469}\u200d\u{1f467}";
  assert.equal(safeFileName(family.repeat(20)), family.repeat(11));
  // A letter with two accents that NFC cannot compose: one grapheme of 5 bytes.
  const accented = "q\u0323\u0301";
  assert.equal(accented.normalize("NFC"), accented);
  assert.equal(safeFileName(accented.repeat(100)), accented.repeat(40));
  // One grapheme bigger than the cap is cut between code points, never mid-code-point.
  const bomb = "x" + "\u0301".repeat(400);
  assert.equal(safeFileName(bomb), "x" + "\u0301".repeat(99));
});

Deno.test("safeFileName() trims again after cutting, and keeps a cut device name harmless", () => {
  assert.equal(safeFileName("a".repeat(198) + "  bbbb"), "a".repeat(198));
  assert.equal(safeFileName("a".repeat(199) + "." + "b".repeat(20)), "a".repeat(199));
  assert.equal(safeFileName("a".repeat(199) + ". b"), "a".repeat(197) + ". b");
  assert.equal(safeFileName("con." + "x".repeat(300)), "_con." + "x".repeat(195));
  // The oversized grapheme is dropped from the stem, which leaves a device name: it gets "_".
  assert.equal(safeFileName("CON" + "x" + "\u0301".repeat(300) + ".txt"), "_CON.txt");
});

Deno.test("safeFileName() output passes the invariants for long names of every kind", () => {
  const inputs = [
    "a".repeat(300),
    "a".repeat(300) + ".txt",
    "\u00e9".repeat(300),
    "\u00e9".repeat(300) + ".txt",
    "\u{1f600}".repeat(300),
    "\u{1f468}\u200d\u{1f469}\u200d\u{1f467}".repeat(40) + ".jpg",
    "x" + "\u0301".repeat(1000),
    ".".repeat(300),
    " ".repeat(150) + "a".repeat(150) + " ".repeat(150),
    "../".repeat(200) + "x",
    "con." + "\u00e9".repeat(300),
    "\u{1f600}\u200d".repeat(100) + "\u{1f600}",
  ];
  for (const input of inputs) assertSafe(safeFileName(input), input);
});

/** A small deterministic generator (mulberry32), so the fuzz below is repeatable. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE_PIECES = [
  "a",
  "Z",
  "0",
  ".",
  "..",
  "-",
  " ",
  "/",
  "\\",
  ":",
  "C:",
  "CON",
  "nul",
  "com1",
  "LPT9",
  ".txt",
  "*",
  "?",
  "<",
  ">",
  '"',
  "|",
  "\u0000",
  "\u001b",
  "\r",
  "\n",
  "\t",
  "\u007f",
  "\u0085",
  "\u202e",
  "\u2066",
  "\u2069",
  "\u200b",
  "\u200d",
  "\u200e",
  "\ufeff",
  "\u00ad",
  "\ufe0f",
  "\u0301",
  "\u00e9",
  "\u4e2d",
  "\u{1f600}",
  "\u{1f3fd}",
  "\ud800",
  "\udc00",
  "\u3000",
  "\u2028",
  "\u{e0041}",
  "\u3164",
  "e\u0301",
];

Deno.test("safeFileName() output passes the invariants for random hostile names", () => {
  const next = random(20240611);
  for (let i = 0; i < 3000; i++) {
    const length = Math.floor(next() * (i % 10 === 0 ? 200 : 12));
    let input = "";
    for (let j = 0; j < length; j++) {
      input += HOSTILE_PIECES[Math.floor(next() * HOSTILE_PIECES.length)] ?? "";
    }
    assertSafe(safeFileName(input), input);
  }
});

Deno.test("uniqueName() returns the name itself when it is free", () => {
  assert.equal(uniqueName("notes.pdf", () => false), "notes.pdf");
});

Deno.test("uniqueName() counts up before the extension", () => {
  const taken = new Set(["notes.pdf", "notes (1).pdf", "notes (2).pdf"]);
  assert.equal(uniqueName("notes.pdf", (name) => taken.has(name)), "notes (3).pdf");
  const asked: string[] = [];
  uniqueName("a.txt", (name) => {
    asked.push(name);
    return asked.length < 3;
  });
  assert.deepEqual(asked, ["a.txt", "a (1).txt", "a (2).txt"]);
});

Deno.test("uniqueName() splits at the last dot that is not the first character", () => {
  assert.equal(uniqueName("a.tar.gz", (name) => name === "a.tar.gz"), "a.tar (1).gz");
  assert.equal(uniqueName("notes", (name) => name === "notes"), "notes (1)");
  assert.equal(uniqueName(".profile", (name) => name === ".profile"), ".profile (1)");
  assert.equal(uniqueName("x.", (name) => name === "x."), "x (1).");
});

Deno.test("uniqueName() shortens the stem so the suffix fits in MAX_FILE_NAME_BYTES", () => {
  const long = "a".repeat(196) + ".txt";
  const first = uniqueName(long, (name) => name === long);
  assert.equal(first, "a".repeat(192) + " (1).txt");
  assert.equal(bytes(first), MAX_FILE_NAME_BYTES);
  const noExtension = "\u00e9".repeat(100);
  const second = uniqueName(noExtension, (name) => name === noExtension);
  assert.equal(second, "\u00e9".repeat(98) + " (1)");
  const taken = new Set<string>([long]);
  for (let i = 1; i <= 12; i++) taken.add(uniqueName(long, (name) => taken.has(name)));
  const last = uniqueName(long, (name) => taken.has(name));
  assert.equal(last, "a".repeat(191) + " (13).txt");
  assert.equal(bytes(last), MAX_FILE_NAME_BYTES);
  for (const name of taken) assert.ok(bytes(name) <= MAX_FILE_NAME_BYTES, name);
});

Deno.test("uniqueName() keeps emoji whole when shortening", () => {
  const name = "\u{1f600}".repeat(50);
  const result = uniqueName(name, (candidate) => candidate === name);
  assert.equal(result, "\u{1f600}".repeat(49) + " (1)");
});

Deno.test("uniqueName() folds an extension too long for the suffix into the stem", () => {
  const name = "a." + "b".repeat(198);
  const result = uniqueName(name, (candidate) => candidate === name);
  assert.equal(result, "a." + "b".repeat(194) + " (1)");
  assert.equal(bytes(result), MAX_FILE_NAME_BYTES);
});

Deno.test("uniqueName() gives up with a RangeError when every candidate is taken", () => {
  assert.throws(
    () => uniqueName("x.txt", () => true),
    (error: unknown) =>
      error instanceof RangeError &&
      error.message === 'Cannot find a free file name for "x.txt": 10000 candidates are taken',
  );
});

Deno.test("uniqueName() keeps safe names safe", () => {
  const next = random(99);
  for (let i = 0; i < 500; i++) {
    const length = Math.floor(next() * 120);
    let input = "";
    for (let j = 0; j < length; j++) {
      input += HOSTILE_PIECES[Math.floor(next() * HOSTILE_PIECES.length)] ?? "";
    }
    const safe = safeFileName(input);
    const taken = new Set([safe]);
    for (let n = 0; n < 3; n++) {
      const name = uniqueName(safe, (candidate) => taken.has(candidate));
      assert.ok(!taken.has(name));
      assertSafe(name, input);
      taken.add(name);
    }
  }
});
