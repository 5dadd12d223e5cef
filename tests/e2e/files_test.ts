/**
 * End-to-end file sharing with real processes: `chat join` clients send and receive through a
 * real server; a raw uploader controlled by the test stands in for a sender killed midway.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  ChatProcess,
  DEADLINE_MS,
  nativeClient,
  RawClient,
  startClient,
  type Track,
  withServer,
} from "./harness.ts";

const MiB = 1024 * 1024;

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  using file = await Deno.open(path, { read: true });
  const buffer = new Uint8Array(1 << 20);
  while (true) {
    const n = await file.read(buffer);
    if (n === null) break;
    hash.update(buffer.subarray(0, n));
  }
  return hash.digest("hex");
}

/** Writes `size` random bytes to a file in `dir`. */
async function randomFile(dir: string, name: string, size: number): Promise<string> {
  const path = `${dir}/${name}`;
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  const chunk = new Uint8Array(MiB);
  for (let written = 0; written < size; written += chunk.length) {
    for (let i = 0; i < chunk.length; i += 65536) {
      crypto.getRandomValues(chunk.subarray(i, i + 65536));
    }
    const part = chunk.subarray(0, Math.min(chunk.length, size - written));
    let offset = 0;
    while (offset < part.length) offset += await file.write(part.subarray(offset));
  }
  return path;
}

/** A line-mode client with its own download folder, in the lobby. */
async function receiver(
  server: { host: string; port: number },
  track: Track,
  nick: string,
  downloads: string,
  extra: string[] = [],
): Promise<ChatProcess> {
  const client = track(startClient(server, nick, ["--downloads", downloads, ...extra]));
  await client.stdout.waitFor(/^\* You are in lobby/);
  return client;
}

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names.sort();
}

/** Polls `dir` until something is in it (or the deadline passes); returns what is there. */
async function waitForEntries(dir: string): Promise<string[]> {
  const deadline = Date.now() + DEADLINE_MS;
  while (true) {
    const names = await listDir(dir);
    if (names.length > 0 || Date.now() > deadline) return names;
    await new Promise((resolve) => setTimeout(resolve, 20)); // poll interval, not a sync sleep
  }
}

Deno.test("a 50 MiB file reaches two receivers byte-identical, and a same-named one gets a new name", async () => {
  const dir = await Deno.makeTempDir({ prefix: "chat-files-test-" });
  try {
    await withServer({}, async (server, track) => {
      const source = await randomFile(dir, "big.bin", 50 * MiB);
      const expected = await sha256File(source);
      const ana = await receiver(server, track, "ana", `${dir}/ana`);
      const bob = await receiver(server, track, "bob", `${dir}/bob`);
      const sender = await receiver(server, track, "sender", `${dir}/sender`);
      await ana.stdout.waitFor("* sender joined");
      await sender.send(`/send ${source}`);
      await sender.stdout.waitFor("* Offering big.bin (50.0 MiB) to lobby");
      for (const client of [ana, bob]) {
        await client.stdout.waitFor("* sender is sending big.bin (50.0 MiB)");
        await client.stdout.waitFor(/^\* Saved big\.bin from sender \(50\.0 MiB, verified\) to /, {
          timeoutMs: 60_000,
        });
      }
      await sender.stdout.waitFor("* big.bin uploaded and verified: shared in lobby");
      await sender.stdout.waitFor(/^\* big\.bin delivered: saved by (ana and bob|bob and ana)$/);
      for (const who of ["ana", "bob"]) {
        assert.deepEqual(await listDir(`${dir}/${who}`), ["big.bin"]);
        assert.equal(await sha256File(`${dir}/${who}/big.bin`), expected);
      }
      // The same name again: a new name, the first file untouched.
      const small = `${dir}/again`;
      await Deno.mkdir(small);
      await Deno.writeTextFile(`${small}/big.bin`, "second file with the same name\n");
      await sender.send(`/send ${small}/big.bin`);
      await ana.stdout.waitFor(
        /^\* Saved big\.bin from sender \(31 B, verified\) to .*big \(1\)\.bin$/,
      );
      assert.deepEqual(await listDir(`${dir}/ana`), ["big (1).bin", "big.bin"]);
      assert.equal(await sha256File(`${dir}/ana/big.bin`), expected);
      assert.equal(
        await Deno.readTextFile(`${dir}/ana/big (1).bin`),
        "second file with the same name\n",
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a file over the server's limit is refused before any data moves", async () => {
  const dir = await Deno.makeTempDir({ prefix: "chat-files-test-" });
  try {
    await withServer({ args: ["--max-file-size", "1"] }, async (server, track) => {
      const ana = await receiver(server, track, "ana", `${dir}/ana`);
      const sender = await receiver(server, track, "sender", `${dir}/sender`);
      await ana.stdout.waitFor("* sender joined");
      const path = await randomFile(dir, "huge.bin", 2 * MiB);
      await sender.send(`/send ${path}`);
      await sender.stdout.waitFor(
        "! Cannot send huge.bin: File is too large: 2.0 MiB, this server takes at most 1.0 MiB",
      );
      await sender.send("/send nowhere.bin");
      await sender.stdout.waitFor("! Cannot send nowhere.bin: no such file");
      // Ana never heard of either.
      await sender.send("done");
      await ana.stdout.waitFor("<sender> done");
      assert.ok(!ana.stdout.lines.some((line) => line.includes("huge.bin")), ana.stdout.text());
      assert.deepEqual(await listDir(`${dir}/ana`), []);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a sender that dies midway leaves no file on receivers, who are told why; chat flows meanwhile", async () => {
  const dir = await Deno.makeTempDir({ prefix: "chat-files-test-" });
  try {
    await withServer({}, async (server, track) => {
      const ana = await receiver(server, track, "ana", `${dir}/ana`);
      const talker = track(await nativeClient(server.port, "talker"));
      const sender = track(await nativeClient(server.port, "sender"));
      await ana.stdout.waitFor("* sender joined");
      const size = 20 * MiB;
      const sha256 = "0".repeat(64);
      await sender.sendFrame({ type: "offer", ref: "r1", name: "doomed.bin", size, sha256 });
      const ok = JSON.parse(
        sender.lines.lines[await sender.lines.waitFor('"type":"offer_ok"')] ?? "",
      );
      // Upload the first half, then pause: the transfer is in flight.
      const upload = await RawClient.connect(server.port);
      await upload.sendFrame({ type: "upload", id: ok.id, token: ok.token });
      await upload.lines.waitFor('{"type":"ready"}');
      const half = new Uint8Array(size / 2).fill(7);
      await upload.write(half);
      await ana.stdout.waitFor("* sender is sending doomed.bin (20.0 MiB)");
      // Chat is not held up by the file: a message goes through while the transfer is open.
      await talker.sendFrame({ type: "say", room: "lobby", text: "still chatting" });
      await ana.stdout.waitFor("<talker> still chatting");
      // Only the download's .part is there (the client makes it just before it asks for the data).
      const inFlight = await waitForEntries(`${dir}/ana`);
      assert.equal(inFlight.length, 1, inFlight.join(", "));
      assert.match(inFlight[0] ?? "", /^doomed\.bin\.part$/);
      // The sender dies.
      upload.close();
      sender.close();
      await ana.stdout.waitFor(
        /^! Could not receive doomed\.bin from sender: The sender disconnected midway \(10\.0 MiB of 20\.0 MiB\)$/,
      );
      await upload.lines.done;
      assert.deepEqual(await listDir(`${dir}/ana`), []);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a file sent to one person reaches only them; with auto-receive off it waits for /accept", async () => {
  const dir = await Deno.makeTempDir({ prefix: "chat-files-test-" });
  try {
    await withServer({}, async (server, track) => {
      const ana = await receiver(server, track, "ana", `${dir}/ana`, ["--no-auto-receive"]);
      const eve = await receiver(server, track, "eve", `${dir}/eve`);
      const sender = await receiver(server, track, "sender", `${dir}/sender`);
      await ana.stdout.waitFor("* sender joined");
      const path = `${dir}/note.txt`;
      await Deno.writeTextFile(path, "for ana only\n");
      await sender.send(`/send ${path} ana`);
      await ana.stdout.waitFor("[private] * sender is sending you note.txt (13 B)");
      const offer = await ana.stdout.waitFor(/^\* Type \/accept \S+ to receive it/);
      const id = /\/accept (\S+)/.exec(ana.stdout.lines[offer] ?? "")?.[1] ?? "";
      assert.deepEqual(await listDir(`${dir}/ana`), []);
      await ana.send("/files");
      await ana.stdout.waitFor(`*   ${id}  note.txt (13 B) from sender`);
      await ana.send(`/accept ${id}`);
      await ana.stdout.waitFor(/^\* Saved note\.txt from sender \(13 B, verified\) to /);
      assert.equal(await Deno.readTextFile(`${dir}/ana/note.txt`), "for ana only\n");
      await sender.stdout.waitFor("* note.txt delivered: saved by ana");
      await sender.send("/send nope.txt nobody");
      await sender.send("marker");
      await eve.stdout.waitFor("<sender> marker");
      assert.ok(!eve.stdout.lines.some((line) => line.includes("note.txt")), eve.stdout.text());
      assert.deepEqual(await listDir(`${dir}/eve`), []);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an empty file arrives verified, though its download ends before the upload's checksum", async () => {
  const dir = await Deno.makeTempDir({ prefix: "chat-files-test-" });
  try {
    await withServer({}, async (server, track) => {
      const ana = await receiver(server, track, "ana", `${dir}/ana`);
      const sender = await receiver(server, track, "sender", `${dir}/sender`);
      await ana.stdout.waitFor("* sender joined");
      await Deno.writeTextFile(`${dir}/empty.txt`, "");
      await sender.send(`/send ${dir}/empty.txt`);
      await ana.stdout.waitFor(/^\* Saved empty\.txt from sender \(0 B, verified\) to /);
      await sender.stdout.waitFor("* empty.txt delivered: saved by ana");
      assert.deepEqual(await listDir(`${dir}/ana`), ["empty.txt"]);
      // The receiver is not shown the sender's "uploaded" line.
      assert.ok(!ana.stdout.lines.some((line) => line.includes("uploaded")), ana.stdout.text());
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the sender hears who saved a file and who could not, and why; ~ is the home folder", async () => {
  const dir = await Deno.makeTempDir({ prefix: "chat-files-test-" });
  try {
    await withServer({}, async (server, track) => {
      const bob = await receiver(server, track, "bob", `${dir}/bob`);
      // Fay's download folder cannot be made: a file is where its parent should be.
      await Deno.writeTextFile(`${dir}/not-a-folder`, "");
      const fay = await receiver(server, track, "fay", `${dir}/not-a-folder/downloads`);
      const home = `${dir}/home`;
      await Deno.mkdir(home);
      await Deno.writeTextFile(`${home}/small.txt`, "0123456789");
      const sender = track(
        new ChatProcess(
          ["join", `${server.host}:${server.port}`, "--nick", "sender", "--downloads", dir],
          { stdin: true, env: { HOME: home } },
        ),
      );
      await sender.stdout.waitFor(/^\* You are in lobby/);
      await fay.stdout.waitFor("* sender joined");
      // To nobody: the server refuses, and nothing says it was offered.
      await sender.send("/send ~/small.txt zed");
      await sender.stdout.waitFor(/^! Cannot send small\.txt: .*zed/);
      await sender.send("/send ~/small.txt");
      await sender.stdout.waitFor("* Offering small.txt (10 B) to lobby");
      const offered = sender.stdout.lines.findIndex((line) => line.startsWith("* Offering"));
      const refused = sender.stdout.lines.findIndex((line) => line.startsWith("! Cannot send"));
      assert.ok(refused < offered, sender.stdout.text());
      assert.equal(
        sender.stdout.lines.filter((line) => line.startsWith("* Offering")).length,
        1,
        sender.stdout.text(),
      );
      await bob.stdout.waitFor(/^\* Saved small\.txt from sender \(10 B, verified\) to /);
      await fay.stdout.waitFor(/^! Could not receive small\.txt from sender: /);
      await sender.stdout.waitFor(
        "* small.txt delivered: saved by bob; fay could not save it " +
          "(it could not be written to their disk)",
      );
      // A relative path that is not there: where it was looked for.
      await sender.send("/send missing.txt");
      await sender.stdout.waitFor(`! Cannot send missing.txt: no such file in ${Deno.cwd()}`);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
