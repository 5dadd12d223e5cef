import assert from "node:assert/strict";
import { formatTimeLeft, parseDuration } from "../src/duration.ts";

Deno.test("parseDuration() reads 30s, 10m, 2h, 7d, 1w and combinations", () => {
  assert.equal(parseDuration("30s"), 30_000);
  assert.equal(parseDuration("10m"), 600_000);
  assert.equal(parseDuration("2H"), 7_200_000);
  assert.equal(parseDuration("1d12h"), 129_600_000);
  assert.equal(parseDuration("1w"), 604_800_000);
  for (const no of ["", "10", "m", "-1h", "1.5h", "0s", "soon", "1y", "99999999d"]) {
    assert.equal(parseDuration(no), undefined, no);
  }
});

Deno.test("formatTimeLeft() shows the two largest units", () => {
  assert.equal(formatTimeLeft(5_400_000), "1h 30m");
  assert.equal(formatTimeLeft(40_000), "40s");
  assert.equal(formatTimeLeft(183_600_000), "2d 3h");
  assert.equal(formatTimeLeft(10), "1s");
});
