import assert from "node:assert/strict";
import { progressBar } from "../src/terminal/progress.ts";
import { formatBytes, formatRate } from "../src/units.ts";
import { textWidth } from "../src/terminal/line_editor.ts";

const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

Deno.test("formatBytes() shows whole bytes, then KiB, MiB, GiB and TiB with one decimal", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(1), "1 B");
  assert.equal(formatBytes(1023), "1023 B");
  assert.equal(formatBytes(1024), "1.0 KiB");
  assert.equal(formatBytes(1536), "1.5 KiB");
  assert.equal(formatBytes(12.3 * MiB), "12.3 MiB");
  assert.equal(formatBytes(29 * MiB), "29.0 MiB");
  assert.equal(formatBytes(4.25 * GiB), "4.3 GiB");
  assert.equal(formatBytes(3 * 1024 * GiB), "3.0 TiB");
  assert.equal(formatBytes(5000 * 1024 * GiB), "5000.0 TiB");
});

Deno.test("formatBytes() moves up a unit instead of showing 1024.0", () => {
  assert.equal(formatBytes(1023.6), "1.0 KiB");
  assert.equal(formatBytes(1023.96 * KiB), "1.0 MiB");
  assert.equal(formatBytes(1023.94 * KiB), "1023.9 KiB");
  assert.equal(formatBytes(GiB - 1), "1.0 GiB");
});

Deno.test("formatBytes() throws a RangeError for a negative or non-finite count", () => {
  for (const n of [-1, Number.NaN, Infinity]) {
    assert.throws(() => formatBytes(n), RangeError, String(n));
  }
});

Deno.test("formatRate() is formatBytes() per second", () => {
  assert.equal(formatRate(0), "0 B/s");
  assert.equal(formatRate(512.4), "512 B/s");
  assert.equal(formatRate(8.1 * MiB), "8.1 MiB/s");
});

const EXAMPLE = {
  done: 12.3 * MiB,
  total: 29 * MiB,
  elapsedMs: 1519,
  label: "notes.pdf",
};

Deno.test("progressBar() renders label, bar, percentage, sizes and rate", () => {
  assert.equal(
    progressBar({ ...EXAMPLE, width: 80 }),
    "notes.pdf  [#############-------------------]  42%  12.3 MiB/29.0 MiB  8.1 MiB/s",
  );
  assert.equal(
    progressBar({ ...EXAMPLE, width: 65 }),
    "notes.pdf  [#######----------]  42%  12.3 MiB/29.0 MiB  8.1 MiB/s",
  );
});

Deno.test("progressBar() caps the bar at 40 columns on a wide terminal", () => {
  const line = progressBar({ ...EXAMPLE, width: 200 });
  assert.equal(
    line,
    `notes.pdf  [${"#".repeat(16)}${"-".repeat(24)}]  42%  12.3 MiB/29.0 MiB  8.1 MiB/s`,
  );
});

Deno.test("progressBar() shows 0%, 100%, and rounds the percentage down", () => {
  const base = { total: 1000, elapsedMs: 1000, width: 80, label: "a" };
  assert.match(progressBar({ ...base, done: 0 }), /^a {2}\[-+\] {2}0% {2}0 B\/1000 B {2}0 B\/s$/);
  assert.match(progressBar({ ...base, done: 999 }), /\[#+-\] {2}99% /);
  assert.match(progressBar({ ...base, done: 1000 }), /\[#+\] {2}100% /);
  assert.match(progressBar({ ...base, done: 5000 }), /\[#+\] {2}100% /, "clamped");
  assert.match(progressBar({ ...base, done: 0, total: 0 }), /\[#+\] {2}100% {2}0 B\/0 B/);
});

Deno.test("progressBar() leaves the rate out before any time has passed", () => {
  assert.equal(
    progressBar({ done: 0, total: 2048, elapsedMs: 0, width: 50, label: "x.bin" }),
    `x.bin  [${"-".repeat(24)}]  0%  0 B/2.0 KiB`,
  );
});

Deno.test("progressBar() cuts the label, then drops rate and sizes, as the row narrows", () => {
  const label = "a-very-long-file-name-for-testing.tar.gz";
  const rows = [100, 70, 60, 50, 40, 30, 25, 20, 12, 8, 5, 3, 2, 1, 0].map((width) => ({
    width,
    line: progressBar({ ...EXAMPLE, label, width }),
  }));
  for (const { width, line } of rows) {
    assert.ok(textWidth(line) <= width, `${width}: ${JSON.stringify(line)}`);
  }
  const at = (width: number) => rows.find((row) => row.width === width)?.line;
  assert.equal(
    at(100),
    "a-very-long-file-name-for-testing.tar.gz  [########-------------]  42%  12.3 MiB/29.0 MiB  8.1 MiB/s",
  );
  assert.equal(at(70), "a-very-long-file-n...  [####------]  42%  12.3 MiB/29.0 MiB  8.1 MiB/s");
  assert.equal(at(60), "a-very-l...  [####------]  42%  12.3 MiB/29.0 MiB  8.1 MiB/s");
  assert.equal(at(50), "a-very-lo...  [####------]  42%  12.3 MiB/29.0 MiB");
  assert.equal(at(40), "a-very-long-file-n...  [####------]  42%");
  assert.equal(at(30), "a-very-l...  [####------]  42%");
  assert.equal(at(25), "a-very-long-file-...  42%");
  assert.equal(at(12), "a-ve...  42%");
  assert.equal(at(8), "42%");
  assert.equal(at(3), "42%");
  assert.equal(at(2), "");
  assert.equal(at(0), "");
});

Deno.test("progressBar() measures wide characters and never cuts a grapheme", () => {
  const label = "\u6587\u4ef6".repeat(10) + ".txt"; // 20 wide characters, 40 columns
  for (let width = 0; width <= 100; width++) {
    const line = progressBar({ ...EXAMPLE, label, width });
    assert.ok(textWidth(line) <= width, `${width}: ${line}`);
    assert.ok(!line.includes("\ufffd"));
  }
  assert.equal(
    progressBar({ ...EXAMPLE, label, width: 50 }),
    "\u6587\u4ef6\u6587\u4ef6...  [####------]  42%  12.3 MiB/29.0 MiB",
    "an odd column left over stays empty rather than split a wide character",
  );
  const family = "\u{1f468}\u200d\u{1f469}\u200d\u{1f467}";
  const line = progressBar({ ...EXAMPLE, label: family.repeat(20), width: 40 });
  assert.equal(line, `${family.repeat(9)}...  [####------]  42%`);
});

Deno.test("progressBar() removes control and bidi characters from the label", () => {
  const line = progressBar({ ...EXAMPLE, label: "a\u001b[2Jb\u202ec\r\n", width: 80 });
  assert.ok(line.startsWith("a[2Jbc  ["), line);
  // deno-lint-ignore no-control-regex -- looking for controls is the point
  assert.doesNotMatch(line, /[\u0000-\u001f\u202e]/);
});

Deno.test("progressBar() without a label starts with the bar", () => {
  assert.equal(
    progressBar({ ...EXAMPLE, label: "", width: 60 }),
    "[#########--------------]  42%  12.3 MiB/29.0 MiB  8.1 MiB/s",
  );
});
