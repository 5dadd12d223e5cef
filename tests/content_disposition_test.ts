import assert from "node:assert/strict";
import { attachment } from "../src/content_disposition.ts";

Deno.test("attachment() names the safe file name, in ASCII and in UTF-8", () => {
  assert.equal(
    attachment("notes.pdf"),
    `attachment; filename="notes.pdf"; filename*=UTF-8''notes.pdf`,
  );
  assert.equal(
    attachment("../../etc/passwd"),
    `attachment; filename="passwd"; filename*=UTF-8''passwd`,
  );
  assert.equal(
    attachment("r\u00e9sum\u00e9 (1).pdf"),
    `attachment; filename="r_sum_ (1).pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%281%29.pdf`,
  );
  assert.equal(
    attachment("100%.txt"),
    `attachment; filename="100_.txt"; filename*=UTF-8''100%25.txt`,
  );
});

Deno.test("attachment() never lets a quote, a line end or a control character through", () => {
  for (const name of ['a"b.txt', "a\r\nSet-Cookie: x=1", "a\\b", "\u0000\u007f\u2028x", "x'y"]) {
    const value = attachment(name);
    assert.match(
      value,
      /^attachment; filename="[\x20-\x21\x23-\x5b\x5d-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9!#$&+\-.^_`|~%]+$/,
      name,
    );
  }
});
