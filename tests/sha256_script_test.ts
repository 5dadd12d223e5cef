import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { SHA256_SCRIPT } from "../src/web/sha256_script.ts";

/** The page's fallback SHA-256, run here as the browser would run it. */
const sha256Hex = new Function(`${SHA256_SCRIPT}\nreturn sha256Hex;`)() as (
  bytes: Uint8Array,
) => string;

function expected(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

Deno.test("sha256Hex() gives the standard test vectors", () => {
  const encoder = new TextEncoder();
  assert.equal(
    sha256Hex(new Uint8Array(0)),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  assert.equal(
    sha256Hex(encoder.encode("abc")),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(
    sha256Hex(encoder.encode("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
});

Deno.test("sha256Hex() matches node:crypto at every length around the block edges", () => {
  const data = new Uint8Array(300);
  for (let i = 0; i < data.length; i++) data[i] = (i * 131 + 7) & 0xff;
  for (let length = 0; length <= 300; length++) {
    const bytes = data.subarray(0, length);
    assert.equal(sha256Hex(bytes), expected(bytes), `length ${length}`);
  }
  // A view that does not start at its buffer's beginning.
  const offset = data.subarray(3, 200);
  assert.equal(sha256Hex(offset), expected(offset));
  const big = new Uint8Array(1_000_003);
  for (let i = 0; i < big.length; i += 65536) crypto.getRandomValues(big.subarray(i, i + 65536));
  assert.equal(sha256Hex(big), expected(big));
});
