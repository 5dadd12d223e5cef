/**
 * SHA-256 in plain JavaScript, for the browser client's script (`page.ts` puts it inside its
 * own). Browsers give `crypto.subtle.digest` only to secure contexts (HTTPS, or `localhost`),
 * and a classroom server is opened as `http://192.168.1.20:12345/`: there the page hashes with
 * this instead. It defines one function, `sha256Hex(bytes)`, taking a `Uint8Array` and
 * returning 64 lowercase hexadecimal digits. Tested against `node:crypto` in
 * `tests/sha256_script_test.ts`.
 */

/** The script: `function sha256Hex(bytes) { ... }` and its constants, no other names. */
export const SHA256_SCRIPT = String.raw`
  var SHA256_K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2
  ]);

  /** SHA-256 of a Uint8Array, as 64 lowercase hex digits. */
  function sha256Hex(bytes) {
    var h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f,
      0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    var w = new Uint32Array(64);
    var length = bytes.length;
    // The message, a 1 bit, zeros, and the length in bits as 64 bits: whole 64-byte blocks.
    var total = Math.ceil((length + 9) / 64) * 64;
    var tail = new Uint8Array(total - Math.floor(length / 64) * 64);
    var tailStart = length - (length % 64);
    tail.set(bytes.subarray(tailStart));
    tail[length - tailStart] = 0x80;
    var bits = length * 8;
    var view = new DataView(tail.buffer);
    view.setUint32(tail.length - 8, Math.floor(bits / 0x100000000));
    view.setUint32(tail.length - 4, bits >>> 0);
    var whole = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (var offset = 0; offset < total; offset += 64) {
      var source = offset < tailStart ? whole : view;
      var base = offset < tailStart ? offset : offset - tailStart;
      for (var i = 0; i < 16; i++) w[i] = source.getUint32(base + i * 4);
      for (i = 16; i < 64; i++) {
        var x = w[i - 15];
        var y = w[i - 2];
        var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
      for (i = 0; i < 64; i++) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var ch = (e & f) ^ (~e & g);
        var t1 = (k + S1 + ch + SHA256_K[i] + w[i]) >>> 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var maj = (a & b) ^ (a & c) ^ (b & c);
        var t2 = (S0 + maj) >>> 0;
        k = g; g = f; f = e; e = (d + t1) >>> 0; d = c; c = b; b = a; a = (t1 + t2) >>> 0;
      }
      h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
    }
    var hex = "";
    for (i = 0; i < 8; i++) hex += (h[i] + 0x100000000).toString(16).slice(1);
    return hex;
  }
`;
