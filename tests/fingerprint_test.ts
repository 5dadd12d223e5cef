import assert from "node:assert/strict";
import { derToPem, formatFingerprint, parseFingerprint, pemToDer } from "../src/fingerprint.ts";
import { findKnownHost, parseKnownHosts, withKnownHost } from "../src/client/known_hosts.ts";

const DIGEST = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
const HEX = [...DIGEST].map((byte) => byte.toString(16).padStart(2, "0"));

Deno.test("formatFingerprint() writes SHA256: and unpadded base64, as ssh does", () => {
  const text = formatFingerprint(DIGEST);
  assert.match(text, /^SHA256:[A-Za-z0-9+/]{43}$/);
});

Deno.test("parseFingerprint() reads our form and hex with or without colons, alike", () => {
  const ours = formatFingerprint(DIGEST);
  assert.equal(parseFingerprint(ours), ours);
  assert.equal(parseFingerprint(` ${ours}= `), ours);
  assert.equal(parseFingerprint(HEX.join(":").toUpperCase()), ours);
  assert.equal(parseFingerprint("sha256:" + HEX.join("")), ours);
  for (const bad of ["", "SHA256:", "SHA256:abc", HEX.slice(1).join(":"), "MD5:" + HEX.join("")]) {
    assert.equal(parseFingerprint(bad), undefined, bad);
  }
});

Deno.test("pemToDer() and derToPem() are inverses; text without a certificate is undefined", () => {
  const der = Uint8Array.from({ length: 300 }, (_, i) => (i * 31) % 256);
  const pem = derToPem(der);
  assert.match(
    pem,
    /^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{1,64}\n)+-----END CERTIFICATE-----\n$/,
  );
  assert.deepEqual(pemToDer(pem), der);
  assert.equal(pemToDer("no certificate here"), undefined);
});

Deno.test("known hosts: one entry per address, replaced in place of the old, junk skipped", () => {
  const a = { address: "10.0.0.1:6697", fingerprint: "SHA256:aaa", certificate: "QUJD" };
  const b = { address: "[::1]:6697", fingerprint: "SHA256:bbb", certificate: "REVG" };
  let text = withKnownHost("# pinned servers\n", a);
  text = withKnownHost(text, b);
  assert.deepEqual(parseKnownHosts(text), [a, b]);
  const a2 = { ...a, fingerprint: "SHA256:ccc" };
  text = withKnownHost(text, a2);
  assert.deepEqual(parseKnownHosts(text), [b, a2]);
  assert.deepEqual(findKnownHost(parseKnownHosts(text), "10.0.0.1:6697"), a2);
  assert.equal(findKnownHost(parseKnownHosts(text), "10.0.0.1:12345"), undefined);
  assert.deepEqual(parseKnownHosts("x\nhost:1 MD5:x QUJD\nhost:1 SHA256:x not-base64!\n"), []);
});
