import assert from "node:assert/strict";
import { waitOrTimeout } from "../src/client/wait.ts";

Deno.test("waitOrTimeout() resolves with the first value woken with", async () => {
  let wake: (value: string) => void = () => {};
  const waiting = waitOrTimeout(60_000, "timed out", (w) => wake = w);
  wake("woken");
  wake("again");
  // The timer is cleared: the test's sanitizer would fail on a pending one.
  assert.equal(await waiting, "woken");
});

Deno.test("waitOrTimeout() resolves with the fallback once time is up", async () => {
  assert.equal(await waitOrTimeout(1, "timed out", () => {}), "timed out");
});

Deno.test("waitOrTimeout() may be woken at once, from start", async () => {
  assert.equal(await waitOrTimeout(60_000, 0, (wake) => wake(7)), 7);
});
