import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import fc from "fast-check";
import {
  encodeToken,
  fileLinkPath,
  fileUploadPath,
  parseFilePath,
  TOKEN_BYTES,
  TOKEN_REGEXP,
} from "../src/file_link.ts";

const TOKEN = encodeToken(new Uint8Array(TOKEN_BYTES).fill(0xfb));

Deno.test("encodeToken() gives 43 base64url characters for 32 bytes", () => {
  assert.match(TOKEN, TOKEN_REGEXP);
  const bytes = crypto.getRandomValues(new Uint8Array(TOKEN_BYTES));
  assert.equal(encodeToken(bytes), Buffer.from(bytes).toString("base64url"));
  assert.throws(() => encodeToken(new Uint8Array(16)), RangeError);
});

Deno.test("fileLinkPath() ends in the safe name, percent-encoded", () => {
  assert.equal(fileLinkPath("7", TOKEN, "../../etc/passwd"), `/files/7/${TOKEN}/passwd`);
  assert.equal(fileLinkPath("7", TOKEN, "my notes?.txt"), `/files/7/${TOKEN}/my%20notes_.txt`);
  assert.equal(
    fileLinkPath("12", TOKEN, "\u202egnp.exe"),
    `/files/12/${TOKEN}/gnp.exe`,
  );
  assert.equal(fileUploadPath("3", TOKEN), `/files/3/${TOKEN}`);
});

Deno.test("parseFilePath() reads its own paths back, with or without a name or query", () => {
  for (const path of [fileLinkPath("7", TOKEN, "a b.txt"), fileUploadPath("7", TOKEN)]) {
    assert.deepEqual(parseFilePath(path), { id: "7", token: TOKEN });
    assert.deepEqual(parseFilePath(path + "?x=1"), { id: "7", token: TOKEN });
  }
});

Deno.test("parseFilePath() refuses anything that is not exactly an id and a long token", () => {
  for (
    const path of [
      "/files/",
      "/files/7",
      `/files/7/${TOKEN.slice(1)}/x`,
      `/files/7/${TOKEN}x/x`,
      `/files/07/${TOKEN}/x`,
      `/files/x/${TOKEN}/x`,
      `/files/7/${TOKEN}/x/y`,
      `/files/7/${TOKEN.slice(0, -1)}=/x`,
      `/files/7/${TOKEN.slice(0, -1)}%41`,
      `/file/7/${TOKEN}`,
      `/files/../files/7/${TOKEN}`,
      `//files/7/${TOKEN}`,
    ]
  ) {
    assert.equal(parseFilePath(path), undefined, path);
  }
});

Deno.test("parseFilePath() never throws, and accepts only an id and a 43-character token", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 120 }), (tail) => {
      const parsed = parseFilePath("/files/" + tail);
      if (parsed === undefined) return;
      assert.match(parsed.id, /^[1-9][0-9]*$/);
      assert.match(parsed.token, TOKEN_REGEXP);
    }),
    { numRuns: 2000 },
  );
});
