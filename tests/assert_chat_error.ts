/** A test helper shared by the unit tests: asserts that a call throws a given `ChatError`. */
import assert from "node:assert/strict";
import { ChatError, type ErrorCode, withHint } from "../src/errors.ts";

/**
 * Asserts `fn` throws a `ChatError` with `code`, and with `message` (exact, or matching) if given,
 * its hint included.
 */
export function assertChatError(
  fn: () => unknown,
  code: ErrorCode,
  message?: string | RegExp,
): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ChatError, `expected ChatError, got ${String(error)}`);
    assert.equal(error.code, code);
    // As a client with slash commands shows it: the message and its hint.
    if (typeof message === "string") assert.equal(withHint(error), message);
    else if (message !== undefined) assert.match(withHint(error), message);
    return true;
  });
}
