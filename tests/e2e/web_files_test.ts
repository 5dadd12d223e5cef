/**
 * Shared files over HTTP on the chat port: download links for people without `chat join` (here
 * an `nc` user and plain HTTP requests), and browser users in a real Chromium sending and
 * receiving files with `chat join` users, byte-identical both ways.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import type { Page } from "playwright-core";
import { safeFileName } from "../../src/file_name.ts";
import { TestBrowser } from "./browser.ts";
import {
  type ChatProcess,
  joinedClient,
  nativeClient,
  ncUser,
  RawClient,
  startClient,
  type Track,
  withServer,
} from "./harness.ts";

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

/** Opens the page from the server and enters as `nick`. */
async function enter(browser: TestBrowser, port: number, nick: string): Promise<Page> {
  const page = await browser.newPage();
  const response = await page.goto(`http://127.0.0.1:${port}/`);
  assert.equal(response?.status(), 200);
  await page.getByLabel("Nick").fill(nick);
  await page.getByRole("button", { name: "Enter" }).click();
  await page.getByText(`Welcome, ${nick}!`).waitFor();
  return page;
}

/** A line-mode `chat join` user saving files in `downloads`, in the lobby. */
async function terminalUser(
  server: { host: string; port: number },
  track: Track,
  nick: string,
  downloads: string,
): Promise<ChatProcess> {
  const client = track(startClient(server, nick, ["--downloads", downloads]));
  await client.stdout.waitFor(/^\* You are in lobby/);
  return client;
}

/** Clicks the Download button of the file from `from` and returns what the browser saved. */
async function downloadIn(page: Page, name: string): Promise<{ name: string; bytes: Uint8Array }> {
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: new RegExp(`^Download ${escapeRegExp(name)} from `) })
      .click(),
  ]);
  const path = await download.path();
  return { name: download.suggestedFilename(), bytes: await Deno.readFile(path) };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

Deno.test({
  name: "web: a browser user and a chat join user send each other files, byte-identical",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "chat-web-files-" });
    try {
      await withServer({}, async (server, track) => {
        const browser = await TestBrowser.launch();
        try {
          const ana = await enter(browser, server.port, "ana");
          const term = await terminalUser(server, track, "term", `${dir}/term`);
          await ana.getByText("term joined").waitFor();

          // Browser to terminal: picked with the file input, uploaded over HTTP.
          const up = randomBytes(3 * 1024 * 1024 + 17);
          await ana.locator("#file").setInputFiles({
            name: "from the browser.bin",
            mimeType: "application/octet-stream",
            buffer: Buffer.from(up),
          });
          await term.stdout.waitFor("* ana is sending from the browser.bin (3.0 MiB)");
          await term.stdout.waitFor(
            /^\* Saved from the browser\.bin from ana \(3\.0 MiB, verified\)/,
          );
          assert.equal(sha256(await Deno.readFile(`${dir}/term/from the browser.bin`)), sha256(up));
          await ana.getByText("from the browser.bin uploaded and verified: shared in lobby")
            .waitFor();
          await ana.getByText("from the browser.bin delivered: saved by term").waitFor();

          // Terminal to browser: offered in the room, checked, then offered to save.
          const down = randomBytes(2 * 1024 * 1024 + 5);
          await Deno.writeFile(`${dir}/for the browser.bin`, down);
          await term.send(`/send "${dir}/for the browser.bin"`);
          await ana.getByText("is sending for the browser.bin (2.0 MiB)").waitFor();
          const saved = await downloadIn(ana, "for the browser.bin");
          assert.equal(saved.name, "for the browser.bin");
          assert.equal(sha256(saved.bytes), sha256(down));
          await ana.getByText(/Checked for the browser\.bin from term .*SHA-256 verified/)
            .waitFor();
          await term.stdout.waitFor("* for the browser.bin delivered: saved by ana");

          // `/send NICK` opens the picker for a file to one person.
          const [chooser] = await Promise.all([
            ana.waitForEvent("filechooser"),
            ana.getByLabel("Message", { exact: true }).fill("/send term").then(() =>
              ana.getByLabel("Message", { exact: true }).press("Enter")
            ),
          ]);
          const secret = randomBytes(1234);
          await chooser.setFiles({
            name: "secret.bin",
            mimeType: "application/octet-stream",
            buffer: Buffer.from(secret),
          });
          await term.stdout.waitFor("[private] * ana is sending you secret.bin (1.2 KiB)");
          await term.stdout.waitFor(/^\* Saved secret\.bin from ana/);
          assert.equal(sha256(await Deno.readFile(`${dir}/term/secret.bin`)), sha256(secret));
          assert.deepEqual(browser.errors, []);
        } finally {
          await browser.close();
        }
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** Offers `content` as `name` from a raw native client and uploads it; resolves when uploaded. */
async function rawSend(
  port: number,
  sender: RawClient,
  name: string,
  content: Uint8Array,
  ref: string,
): Promise<void> {
  const from = sender.lines.lines.length;
  await sender.sendFrame({
    type: "offer",
    ref,
    name,
    size: content.length,
    sha256: sha256(content),
    room: "lobby",
  });
  const at = await sender.lines.waitFor(
    (line) => line.includes('"offer_ok"') && line.includes(`"ref":"${ref}"`),
    { from },
  );
  const ok = JSON.parse(sender.lines.lines[at] ?? "{}") as { id: string; token: string };
  const upload = await RawClient.connect(port);
  try {
    await upload.sendFrame({ type: "upload", id: ok.id, token: ok.token });
    await upload.lines.waitFor('"type":"ready"');
    await upload.write(content);
    await upload.lines.waitFor('"state":"uploaded"');
  } finally {
    upload.close();
    await upload.lines.done;
  }
}

Deno.test({
  name: "web: hostile file names arrive in the browser made safe, shown and saved",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withServer({}, async (server, track) => {
      const browser = await TestBrowser.launch();
      try {
        const ana = await enter(browser, server.port, "ana");
        const evil = track(await nativeClient(server.port, "evil"));
        await ana.getByText("evil joined").waitFor();
        const names = [
          "../../etc/passwd",
          "..\\..\\\u202eexe.txt\u0007\u0000\u200b" + "\u00e9".repeat(150) + ".txt",
          "<img src=x onerror=alert(1)>.html",
        ];
        const dialogs: string[] = [];
        ana.on("dialog", (dialog) => {
          dialogs.push(dialog.message());
          void dialog.dismiss();
        });
        for (const [index, name] of names.entries()) {
          const content = randomBytes(1000 + index);
          await rawSend(server.port, evil, name, content, `r${index}`);
          const safe = safeFileName(name);
          await ana.locator("#logs .file-name", { hasText: safe }).waitFor();
          const saved = await downloadIn(ana, safe);
          assert.equal(saved.name, safe);
          assert.equal(sha256(saved.bytes), sha256(content));
        }
        assert.equal(safeFileName(names[0] ?? ""), "passwd");
        const shown = await ana.locator("#logs").innerText();
        // deno-lint-ignore no-control-regex -- BEL is one of the characters that must not show
        assert.doesNotMatch(shown, /[\u202e\u0007\u200b]|\.\.\//);
        assert.equal(await ana.locator("#logs img").count(), 0);
        assert.deepEqual(dialogs, []);
        assert.deepEqual(browser.errors, []);
      } finally {
        await browser.close();
      }
    });
  },
});

Deno.test({
  name: "web: a file over the limit is refused before any bytes move; a dropped file is sent",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "chat-web-files-" });
    try {
      await withServer({ args: ["--max-file-size", "1"] }, async (server, track) => {
        const browser = await TestBrowser.launch();
        try {
          const ana = await enter(browser, server.port, "ana");
          const requests: string[] = [];
          ana.on("request", (request) => requests.push(`${request.method()} ${request.url()}`));
          const term = await terminalUser(server, track, "term", `${dir}/term`);
          await ana.getByText("term joined").waitFor();

          await ana.locator("#file").setInputFiles({
            name: "big.bin",
            mimeType: "application/octet-stream",
            buffer: Buffer.from(randomBytes(2 * 1024 * 1024)),
          });
          await ana.getByText(
            "Cannot send big.bin: File is too large: 2.0 MiB, this server takes at most 1.0 MiB",
          ).waitFor();
          assert.deepEqual(requests.filter((request) => request.includes("/files/")), []);

          // Dropped on the messages: sent to the room.
          const small = randomBytes(4096);
          // Written as text: it runs in the page, where DataTransfer and File exist.
          const transfer = await ana.evaluateHandle(
            `(() => { const data = new DataTransfer(); data.items.add(new File(` +
              `[new Uint8Array(${JSON.stringify([...small])})], "dropped.bin")); return data; })()`,
          );
          await ana.locator("#logs").dispatchEvent("dragover", { dataTransfer: transfer });
          await ana.locator("#logs").dispatchEvent("drop", { dataTransfer: transfer });
          await term.stdout.waitFor(/^\* Saved dropped\.bin from ana \(4\.0 KiB, verified\)/);
          assert.equal(sha256(await Deno.readFile(`${dir}/term/dropped.bin`)), sha256(small));
          assert.equal(term.stdout.lines.some((line) => line.includes("big.bin")), false);
          assert.deepEqual(
            requests.filter((request) => request.includes("/files/")).map((r) => r.split(" ")[0]),
            ["POST"],
          );
          assert.deepEqual(browser.errors, []);
        } finally {
          await browser.close();
        }
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("an HTTP upload must carry exactly the offered size, once, from the page's own origin", async () => {
  await withServer({}, async (server, track) => {
    const ana = track(await nativeClient(server.port, "ana"));
    const bob = track(await nativeClient(server.port, "bob"));
    await ana.lines.waitFor('"type":"join"');
    const content = new TextEncoder().encode("twelve bytes");
    await ana.sendFrame({
      type: "offer",
      ref: "f1",
      name: "a.txt",
      size: content.length,
      sha256: sha256(content),
    });
    const at = await ana.lines.waitFor('"offer_ok"');
    const ok = JSON.parse(ana.lines.lines[at] ?? "{}") as { id: string; token: string };
    const post = (headers: string, body: string) =>
      rawRequest(
        server.port,
        `POST /files/${ok.id}/${ok.token} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n` +
          `${headers}\r\n${body}`,
      );
    assert.match(
      await post("Content-Length: 3\r\n", "abc"),
      /^HTTP\/1\.1 400 [^]*offered size, 12, not 3/,
    );
    assert.match(await post("", ""), /^HTTP\/1\.1 400 [^]*Content-Length is needed/);
    assert.match(
      await post("Origin: http://evil.example\r\nContent-Length: 12\r\n", "twelve bytes"),
      /^HTTP\/1\.1 403 /,
    );
    // Refusals leave the offer open: the right request uploads it.
    assert.match(
      await post("Content-Length: 12\r\nExpect: 100-continue\r\n", "twelve bytes"),
      /^HTTP\/1\.1 100 Continue[^]*HTTP\/1\.1 200 [^]*"state":"uploaded"/,
    );
    assert.match(await post("Content-Length: 12\r\n", "twelve bytes"), /^HTTP\/1\.1 409 /);
    await bob.lines.waitFor('"type":"file"');
    await ana.lines.waitFor('"state":"uploaded"');
  });
});
