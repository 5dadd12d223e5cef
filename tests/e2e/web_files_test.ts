/**
 * Shared files over HTTP on the chat port: download links for people without `chat join` (here
 * an `nc` user and plain HTTP requests), and browser users in a real Chromium sending and
 * receiving files with `chat join` users, byte-identical both ways.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { joinedClient, ncUser, RawClient, withServer } from "./harness.ts";

/** `size` random bytes. */
function randomBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
  return bytes;
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The download link in an offer line. */
function linkIn(line: string): URL {
  const match = /(http:\/\/\S+\/files\/\S+)$/.exec(line);
  assert.ok(match, `no link in: ${line}`);
  return new URL(match[1] ?? "");
}

/** One raw HTTP request; the whole response as text (the server closes after it). */
async function rawRequest(port: number, request: string): Promise<string> {
  const client = await RawClient.connect(port);
  await client.write(request);
  await client.lines.done;
  return client.lines.text();
}

Deno.test("an nc user gets a download link for a shared file; a wrong token finds nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "chat-web-files-" });
  try {
    await withServer({}, async (server, track) => {
      const content = randomBytes(200_000);
      await Deno.writeFile(`${dir}/notes.txt`, content);
      const nc = track(await ncUser(server, "nc"));
      const ana = track(await joinedClient(server, "ana"));
      await nc.lines.waitFor("* ana joined");
      // Only a plain-text user is there to receive it: the offer stands, with a link.
      await ana.send(`/send ${dir}/notes.txt`);
      const at = await nc.lines.waitFor("* ana is sending notes.txt (195.3 KiB): http://");
      const url = linkIn(nc.lines.lines[at] ?? "");
      assert.equal(url.host, `127.0.0.1:${server.port}`);
      const [, , id = "", token = "", name = ""] = url.pathname.split("/");
      assert.match(token, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(name, "notes.txt");
      await ana.stdout.waitFor("* notes.txt uploaded and verified: shared in lobby");

      const response = await fetch(url);
      assert.equal(response.status, 200);
      assert.equal(
        response.headers.get("content-disposition"),
        `attachment; filename="notes.txt"; filename*=UTF-8''notes.txt`,
      );
      assert.equal(response.headers.get("content-length"), String(content.length));
      assert.equal(response.headers.get("content-type"), "application/octet-stream");
      assert.equal(response.headers.get("x-content-type-options"), "nosniff");
      assert.equal(sha256(new Uint8Array(await response.arrayBuffer())), sha256(content));

      // Anything else under /files/ is 404, the same for a wrong token as for no such file.
      const other = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
      for (
        const path of [
          `/files/${id}/${other}/notes.txt`,
          `/files/${id}/${token.slice(1)}/notes.txt`,
          `/files/${Number(id) + 1}/${token}/notes.txt`,
          `/files/${id}/${token}/notes.txt/x`,
          `/files/${id}`,
          `/files/`,
        ]
      ) {
        const refused = await fetch(new URL(path, url));
        assert.equal(refused.status, 404, path);
        assert.equal(await refused.text(), "Not found\n", path);
      }
      // Uploading needs the upload token, not the link's.
      const post = await rawRequest(
        server.port,
        `POST /files/${id}/${token} HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx`,
      );
      assert.match(post, /^HTTP\/1\.1 404 /);
      // Still works for the right token, while the server holds the file.
      assert.equal((await fetch(url).then((r) => r.arrayBuffer())).byteLength, content.length);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
