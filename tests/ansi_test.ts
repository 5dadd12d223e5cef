import { equal, ok } from "node:assert/strict";
import { formatLine, NICK_COLORS, nickColor } from "../src/terminal/ansi.ts";
import type { Line } from "../src/render.ts";

const message: Line = {
  spans: [{ text: "<" }, { text: "alice", style: "nick" }, { text: "> hi" }],
};

/** `HH:MM` of a time in local time, as the formatter should show it. */
function clock(time: number): string {
  const date = new Date(time);
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

Deno.test("formatLine() without colour gives the plain text", () => {
  equal(formatLine(message, { color: false }), "<alice> hi");
  const styled: Line = {
    spans: [{ text: "* ", style: "system" }, { text: "oops", style: "error" }, {
      text: "x",
      style: "dim",
    }],
  };
  const plain = formatLine(styled, { color: false });
  equal(plain, "* oopsx");
  ok(!plain.includes("\x1b"));
});

Deno.test("formatLine() colours the nick and resets after it", () => {
  const code = nickColor("alice");
  equal(formatLine(message), `<\x1b[38;5;${code}malice\x1b[0m> hi`);
});

Deno.test("formatLine() shows system text grey, dim text faint, errors red", () => {
  const line: Line = {
    spans: [{ text: "* joined", style: "system" }, { text: " (also /j)", style: "dim" }, {
      text: "! no",
      style: "error",
    }],
  };
  equal(
    formatLine(line),
    "\x1b[90m* joined\x1b[0m\x1b[2m (also /j)\x1b[0m\x1b[31m! no\x1b[0m",
  );
});

Deno.test("formatLine() puts the line's time first, dim", () => {
  const time = new Date(2024, 0, 2, 9, 5).getTime();
  equal(formatLine({ ...message, time }, { color: false }), "09:05 <alice> hi");
  equal(formatLine({ ...message, time }), `\x1b[90m09:05 \x1b[0m${formatLine(message)}`);
});

Deno.test("formatLine() uses now for a line without a time, and no time without either", () => {
  const now = Date.UTC(2024, 5, 1, 23, 59);
  const own = Date.UTC(2024, 5, 1, 12, 0);
  equal(formatLine(message, { color: false, now }), `${clock(now)} <alice> hi`);
  equal(formatLine({ ...message, time: own }, { color: false, now }), `${clock(own)} <alice> hi`);
  equal(formatLine(message, { color: false }), "<alice> hi");
  equal(formatLine(message, { color: false, now, timestamps: false }), "<alice> hi");
});

Deno.test("formatLine() adds nothing for empty styled spans", () => {
  equal(formatLine({ spans: [{ text: "", style: "system" }, { text: "a" }] }), "a");
});

Deno.test("nickColor() gives the same nick the same colour, from the palette", () => {
  equal(nickColor("alice"), nickColor("alice"));
  equal(nickColor("Alice"), nickColor("ALICE"), "a nick's case does not change its colour");
  const colors = new Set<number>();
  for (let i = 0; i < 200; i++) {
    const color = nickColor(`user${i}`);
    ok(NICK_COLORS.includes(color));
    colors.add(color);
  }
  equal(colors.size, NICK_COLORS.length, "nicks spread over the whole palette");
});

Deno.test("formatLine() shows a history line faint as a whole, after its original time", () => {
  const time = new Date(2024, 0, 2, 9, 5).getTime();
  const replayed: Line = { ...message, time, history: true };
  equal(formatLine(replayed), "\x1b[90m09:05 \x1b[0m\x1b[2m<alice> hi\x1b[0m");
  equal(formatLine(replayed, { color: false }), "09:05 <alice> hi");
  equal(formatLine(replayed, { color: false, timestamps: false }), "<alice> hi");
  // The nick is not coloured in a replayed line: the whole line is faint.
  ok(!formatLine(replayed).includes("38;5;"));
});

Deno.test("formatLine() shows highlights bold yellow and private tags magenta", () => {
  const line: Line = {
    spans: [{ text: "[private] ", style: "private" }, { text: "ana!", style: "highlight" }],
  };
  equal(formatLine(line), "\x1b[35m[private] \x1b[0m\x1b[1;33mana!\x1b[0m");
  equal(formatLine(line, { color: false }), "[private] ana!");
});
