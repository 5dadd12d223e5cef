/** A test helper shared by the unit tests: asserts that a call throws a given `ChatError`. */
import assert from "node:assert/strict";
import { ChatError, type ErrorCode } from "../src/errors.ts";

/** Asserts `fn` throws a `ChatError` with `code`, and with `message` (exact, or matching) if given. */
export function assertChatError(
  fn: () => unknown,
  code: ErrorCode,
  message?: string | RegExp,
): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ChatError, `expected ChatError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (typeof message === "string") assert.equal(error.message, message);
    else if (message !== undefined) assert.match(error.message, message);
    return true;
  });
}
