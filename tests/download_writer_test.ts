import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import {
  DownloadWriter,
  type DownloadWriterOptions,
  toTransferError,
  TransferError,
  type TransferErrorCode,
} from "../src/client/download_writer.ts";

const encoder = new TextEncoder();

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Runs a test in a fresh temporary folder, removed afterwards whatever happens. */
async function inTempDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "chat_download_test_" });
  try {
    await run(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Names in a folder, sorted. */
async function list(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

function optionsFor(dir: string, name: string, content: Uint8Array): DownloadWriterOptions {
  return { dir, name, size: content.length, sha256: sha256(content) };
}

/** Writes a whole download in chunks of `chunkSize` and returns the final path. */
async function download(
  dir: string,
  name: string,
  content: Uint8Array,
  chunkSize = 7,
): Promise<string> {
  const writer = await DownloadWriter.open(optionsFor(dir, name, content));
  for (let offset = 0; offset < content.length; offset += chunkSize) {
    await writer.write(content.subarray(offset, offset + chunkSize));
  }
  return await writer.finish();
}

async function assertTransferError(
  promise: Promise<unknown>,
  code: TransferErrorCode,
  message?: string | RegExp,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof TransferError, `expected TransferError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (typeof message === "string") assert.equal(error.message, message);
    else if (message !== undefined) assert.match(error.message, message);
    return true;
  });
}

Deno.test("DownloadWriter writes a complete file with the exact bytes and no .part", async () => {
  await inTempDir(async (dir) => {
    const content = encoder.encode("hello, file sharing\n".repeat(50));
    const path = await download(dir, "notes.txt", content);
    assert.equal(path, join(dir, "notes.txt"));
    assert.deepEqual(await Deno.readFile(path), content);
    assert.deepEqual(await list(dir), ["notes.txt"]);
    if (Deno.build.os !== "windows") {
      assert.equal(((await Deno.stat(path)).mode ?? 0) & 0o777, 0o600, "not executable, private");
    }
  });
});

Deno.test("DownloadWriter writes to NAME.part until finished", async () => {
  await inTempDir(async (dir) => {
    const content = encoder.encode("abcdef");
    const writer = await DownloadWriter.open(optionsFor(dir, "a.bin", content));
    assert.equal(writer.name, "a.bin");
    assert.equal(writer.partPath, join(dir, "a.bin.part"));
    await writer.write(content.subarray(0, 3));
    assert.equal(writer.received, 3);
    assert.deepEqual(await list(dir), ["a.bin.part"], "no final file before finish()");
    await writer.write(content.subarray(3));
    assert.equal(await writer.finish(), join(dir, "a.bin"));
    assert.deepEqual(await list(dir), ["a.bin"]);
  });
});

Deno.test("DownloadWriter handles an empty file and a large one", async () => {
  await inTempDir(async (dir) => {
    const empty = new Uint8Array(0);
    const emptyPath = await download(dir, "empty", empty);
    assert.deepEqual(await Deno.readFile(emptyPath), empty);
    const big = new Uint8Array(3 * 1024 * 1024 + 5).map((_, i) => (i * 31) % 251);
    const bigPath = await download(dir, "big.bin", big, 64 * 1024);
    assert.deepEqual(await Deno.readFile(bigPath), big);
  });
});

Deno.test("DownloadWriter creates a missing download folder", async () => {
  await inTempDir(async (dir) => {
    const nested = join(dir, "a", "b", "downloads");
    const path = await download(nested, "x.txt", encoder.encode("x"));
    assert.equal(path, join(nested, "x.txt"));
    if (Deno.build.os !== "windows") {
      assert.equal(((await Deno.stat(nested)).mode ?? 0) & 0o777, 0o700);
    }
  });
});

Deno.test("DownloadWriter removes everything on a hash mismatch", async () => {
  await inTempDir(async (dir) => {
    const content = encoder.encode("the real content");
    const writer = await DownloadWriter.open({
      ...optionsFor(dir, "doc.pdf", content),
      sha256: sha256(encoder.encode("something else")),
    });
    await writer.write(content);
    await assertTransferError(
      writer.finish(),
      "hash_mismatch",
      /^File is corrupt: its SHA-256 is [0-9a-f]{64}, the sender declared [0-9a-f]{64}$/,
    );
    assert.deepEqual(await list(dir), [], "no final file and no .part");
    await writer.abort(); // harmless afterwards
    assert.deepEqual(await list(dir), []);
  });
});

Deno.test("DownloadWriter accepts the declared hash in upper case", async () => {
  await inTempDir(async (dir) => {
    const content = encoder.encode("case");
    const writer = await DownloadWriter.open({
      ...optionsFor(dir, "c.txt", content),
      sha256: sha256(content).toUpperCase(),
    });
    await writer.write(content);
    assert.equal(await writer.finish(), join(dir, "c.txt"));
  });
});

Deno.test("DownloadWriter refuses a short file with size_mismatch", async () => {
  await inTempDir(async (dir) => {
    const content = encoder.encode("0123456789");
    const writer = await DownloadWriter.open(optionsFor(dir, "short.bin", content));
    await writer.write(content.subarray(0, 4));
    await assertTransferError(
      writer.finish(),
      "size_mismatch",
      "File is incomplete: received 4 of 10 bytes",
    );
    assert.deepEqual(await list(dir), []);
  });
});

Deno.test("DownloadWriter refuses more bytes than declared, writing none of them", async () => {
  await inTempDir(async (dir) => {
    const content = encoder.encode("0123456789");
    const writer = await DownloadWriter.open(optionsFor(dir, "long.bin", content));
    await writer.write(content.subarray(0, 8));
    await assertTransferError(
      writer.write(encoder.encode("xyz")),
      "too_large",
      "Sender sent more than it declared: at least 11 bytes, declared 10",
    );
    assert.deepEqual(await list(dir), []);
    // Every later call reports the same failure.
    await assertTransferError(writer.write(encoder.encode("9")), "too_large");
    await assertTransferError(writer.finish(), "too_large");
  });
});

Deno.test("DownloadWriter gives a second file of the same name `name (1).ext`", async () => {
  await inTempDir(async (dir) => {
    const first = await download(dir, "photo.jpg", encoder.encode("first"));
    const second = await download(dir, "photo.jpg", encoder.encode("second"));
    const third = await download(dir, "photo.jpg", encoder.encode("third"));
    assert.equal(first, join(dir, "photo.jpg"));
    assert.equal(second, join(dir, "photo (1).jpg"));
    assert.equal(third, join(dir, "photo (2).jpg"));
    assert.equal(await Deno.readTextFile(first), "first");
    assert.equal(await Deno.readTextFile(second), "second");
    assert.deepEqual(await list(dir), ["photo (1).jpg", "photo (2).jpg", "photo.jpg"]);
  });
});

Deno.test("DownloadWriter keeps two downloads of the same name in flight apart", async () => {
  await inTempDir(async (dir) => {
    const a = encoder.encode("aaaa");
    const b = encoder.encode("bbbb");
    const first = await DownloadWriter.open(optionsFor(dir, "same.txt", a));
    const second = await DownloadWriter.open(optionsFor(dir, "same.txt", b));
    assert.equal(first.name, "same.txt");
    assert.equal(second.name, "same (1).txt", "a .part in progress reserves its name");
    await second.write(b);
    await first.write(a);
    assert.equal(await second.finish(), join(dir, "same (1).txt"));
    assert.equal(await first.finish(), join(dir, "same.txt"));
    assert.equal(await Deno.readTextFile(join(dir, "same.txt")), "aaaa");
    assert.equal(await Deno.readTextFile(join(dir, "same (1).txt")), "bbbb");
  });
});

Deno.test("DownloadWriter keeps hostile names inside the download folder", async () => {
  await inTempDir(async (root) => {
    const dir = join(root, "downloads");
    const hostile = [
      ["../../escape.txt", "escape.txt"],
      ["..\\..\\escape2.txt", "escape2.txt"],
      ["/etc/passwd", "passwd"],
      ["..", "file"],
      [".bashrc", "bashrc"],
      ["con.txt", "_con.txt"],
      ["a\u0000b\u202e.txt", "ab.txt"],
    ];
    for (const [name, expected] of hostile) {
      const path = await download(dir, name ?? "", encoder.encode(name ?? ""));
      assert.equal(path, join(dir, expected ?? ""), name);
    }
    assert.deepEqual(await list(root), ["downloads"], "nothing outside the folder");
    assert.deepEqual(await list(dir), [
      "_con.txt",
      "ab.txt",
      "bashrc",
      "escape.txt",
      "escape2.txt",
      "file",
      "passwd",
    ]);
  });
});

Deno.test("DownloadWriter.abort() deletes the .part, is idempotent, and cancels later calls", async () => {
  await inTempDir(async (dir) => {
    const content = encoder.encode("0123456789");
    const writer = await DownloadWriter.open(optionsFor(dir, "big.iso", content));
    await writer.write(content.subarray(0, 5));
    assert.deepEqual(await list(dir), ["big.iso.part"]);
    await writer.abort("Cancelled by bob");
    assert.deepEqual(await list(dir), []);
    await writer.abort("Again");
    await assertTransferError(writer.write(content.subarray(5)), "cancelled", "Cancelled by bob");
    await assertTransferError(writer.finish(), "cancelled", "Cancelled by bob");
    assert.deepEqual(await list(dir), []);
  });
});

Deno.test("DownloadWriter.abort() during a write wins, and leaves nothing behind", async () => {
  await inTempDir(async (dir) => {
    const content = new Uint8Array(1024 * 1024);
    const writer = await DownloadWriter.open(optionsFor(dir, "race.bin", content));
    const writing = writer.write(content);
    const aborting = writer.abort();
    await assertTransferError(writing, "cancelled", "Download was cancelled");
    await aborting;
    assert.deepEqual(await list(dir), []);
  });
});

Deno.test("DownloadWriter.abort() after finish() keeps the finished file", async () => {
  await inTempDir(async (dir) => {
    const content = encoder.encode("done");
    const writer = await DownloadWriter.open(optionsFor(dir, "kept.txt", content));
    await writer.write(content);
    const path = await writer.finish();
    await writer.abort();
    assert.equal(await Deno.readTextFile(path), "done");
  });
});

Deno.test("DownloadWriter.abort() while finish() is under way, before the rename, wins", async () => {
  await inTempDir(async (dir) => {
    const content = encoder.encode("contested");
    const writer = await DownloadWriter.open(optionsFor(dir, "c.txt", content));
    await writer.write(content);
    const finishing = writer.finish(); // now flushing to disk, not yet renamed
    const aborting = writer.abort("Stopped by user");
    await assertTransferError(finishing, "cancelled", "Stopped by user");
    await aborting;
    assert.deepEqual(await list(dir), []);
  });
});

Deno.test("DownloadWriter never overwrites an existing file", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "report.pdf"), "precious");
    await Deno.writeTextFile(join(dir, "report (1).pdf.part"), "someone else's");
    const path = await download(dir, "report.pdf", encoder.encode("new"));
    assert.equal(path, join(dir, "report (2).pdf"));
    assert.equal(await Deno.readTextFile(join(dir, "report.pdf")), "precious");
    assert.equal(await Deno.readTextFile(join(dir, "report (1).pdf.part")), "someone else's");
  });
});

Deno.test("DownloadWriter.finish() picks a new name if the final one was taken meanwhile", async () => {
  await inTempDir(async (dir) => {
    const content = encoder.encode("mine");
    const writer = await DownloadWriter.open(optionsFor(dir, "late.txt", content));
    await writer.write(content);
    await Deno.writeTextFile(join(dir, "late.txt"), "theirs");
    const path = await writer.finish();
    assert.equal(path, join(dir, "late (1).txt"));
    assert.equal(writer.path, path);
    assert.equal(await Deno.readTextFile(join(dir, "late.txt")), "theirs");
    assert.equal(await Deno.readTextFile(path), "mine");
    assert.deepEqual(await list(dir), ["late (1).txt", "late.txt"]);
  });
});

Deno.test({
  name: "DownloadWriter never follows or overwrites a symlink at the target name",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await inTempDir(async (root) => {
      const dir = join(root, "downloads");
      await Deno.mkdir(dir);
      const victim = join(root, "victim.txt");
      await Deno.writeTextFile(victim, "untouched");
      await Deno.symlink(victim, join(dir, "evil.txt"));
      await Deno.symlink(victim, join(dir, "evil (1).txt.part"));
      await Deno.symlink(join(root, "missing"), join(dir, "evil (2).txt")); // dangling

      const path = await download(dir, "evil.txt", encoder.encode("payload"));
      assert.equal(path, join(dir, "evil (3).txt"));
      assert.equal(await Deno.readTextFile(victim), "untouched");
      assert.ok((await Deno.lstat(join(dir, "evil.txt"))).isSymlink);
      assert.ok((await Deno.lstat(join(dir, "evil (1).txt.part"))).isSymlink);
      assert.ok((await Deno.lstat(join(dir, "evil (2).txt"))).isSymlink);
      await assert.rejects(Deno.lstat(join(root, "missing")), Deno.errors.NotFound);

      // A symlink planted at the final name after open() is not followed either.
      const content = encoder.encode("second");
      const writer = await DownloadWriter.open(optionsFor(dir, "later.txt", content));
      await Deno.symlink(victim, join(dir, "later.txt"));
      await writer.write(content);
      assert.equal(await writer.finish(), join(dir, "later (1).txt"));
      assert.equal(await Deno.readTextFile(victim), "untouched");
      assert.equal(await Deno.readTextFile(join(dir, "later (1).txt")), "second");
    });
  },
});

Deno.test("DownloadWriter throws TypeError for calls out of order", async () => {
  await inTempDir(async (dir) => {
    const content = new Uint8Array(1024 * 1024);
    const writer = await DownloadWriter.open(optionsFor(dir, "order.bin", content));
    const first = writer.write(content.subarray(0, 512 * 1024));
    await assert.rejects(writer.write(content.subarray(512 * 1024)), {
      name: "TypeError",
      message: "Cannot write: the previous write has not finished",
    });
    await first;
    await writer.write(content.subarray(512 * 1024));
    await writer.finish();
    await assert.rejects(writer.write(new Uint8Array(0)), {
      name: "TypeError",
      message: "Cannot write: the download is already finished",
    });
    await assert.rejects(writer.finish(), TypeError);
  });
});

Deno.test("DownloadWriter.open() refuses a size or hash that is not one", async () => {
  await inTempDir(async (dir) => {
    const sha = sha256(new Uint8Array(0));
    await assert.rejects(
      DownloadWriter.open({ dir, name: "x", size: -1, sha256: sha }),
      RangeError,
    );
    await assert.rejects(
      DownloadWriter.open({ dir, name: "x", size: 1.5, sha256: sha }),
      RangeError,
    );
    await assert.rejects(DownloadWriter.open({ dir, name: "x", size: 0, sha256: "abc" }), {
      name: "TypeError",
      message: 'Invalid SHA-256: expected 64 hexadecimal digits, got "abc"',
    });
    assert.deepEqual(await list(dir), []);
  });
});

Deno.test("DownloadWriter.open() reports a download folder it cannot create as disk", async () => {
  await inTempDir(async (root) => {
    const file = join(root, "not-a-folder");
    await Deno.writeTextFile(file, "x");
    await assertTransferError(
      DownloadWriter.open({ dir: file, name: "x", size: 0, sha256: sha256(new Uint8Array(0)) }),
      "disk",
      /^Cannot create the download folder ".*not-a-folder": /,
    );
  });
});

Deno.test("toTransferError() maps a full disk to code disk, message 'Disk is full'", async () => {
  const full = Object.assign(new Error("No space left on device (os error 28)"), {
    code: "ENOSPC",
  });
  const error = toTransferError(full, 'Cannot write "a.part"');
  assert.equal(error.code, "disk");
  assert.equal(error.message, "Disk is full");
  assert.equal(error.cause, full);
  assert.equal(toTransferError(new Error("No space left on device"), "x").message, "Disk is full");
  const other = toTransferError(new Error("Permission denied (os error 13)"), 'Cannot write "b"');
  assert.equal(other.message, 'Cannot write "b": Permission denied (os error 13)');
  const passed = new TransferError("too_large", "Too large");
  assert.equal(toTransferError(passed, "x"), passed);
  if (Deno.build.os === "linux") {
    // The real error Deno raises when a device is full.
    const device = await Deno.open("/dev/full", { write: true });
    try {
      await device.write(new Uint8Array(16));
      assert.fail("writing to /dev/full succeeded");
    } catch (real) {
      assert.equal(toTransferError(real, "x").message, "Disk is full");
    } finally {
      device.close();
    }
  }
});

Deno.test("DownloadWriter takes a SHA-256 declared after the data at finish()", async () => {
  await inTempDir(async (dir) => {
    const content = encoder.encode("declared at the end\n");
    const writer = await DownloadWriter.open({ dir, name: "late.txt", size: content.length });
    await writer.write(content);
    const path = await writer.finish(sha256(content));
    assert.equal(await Deno.readTextFile(path), "declared at the end\n");
    assert.deepEqual(await list(dir), ["late.txt"]);
  });
});

Deno.test("DownloadWriter checks a late SHA-256 too, and needs one", async () => {
  await inTempDir(async (dir) => {
    const content = encoder.encode("abc");
    const wrong = await DownloadWriter.open({ dir, name: "wrong.txt", size: 3 });
    await wrong.write(content);
    await assertTransferError(wrong.finish(sha256(encoder.encode("abd"))), "hash_mismatch");
    assert.deepEqual(await list(dir), []);
    const none = await DownloadWriter.open({ dir, name: "none.txt", size: 3 });
    await none.write(content);
    await assert.rejects(none.finish(), TypeError);
    await none.abort();
    assert.deepEqual(await list(dir), []);
  });
});
