/**
 * Writes one received file into the download folder so that a file under its final name is
 * always complete and verified.
 *
 * Bytes go to `NAME.part` (created new, never truncating or following anything already there),
 * their count and SHA-256 are checked at the end, and only then does the file get its final
 * name, which is never one that is already taken: the `.part` is hard-linked to the final name
 * (the link fails if the name exists, so nothing is ever overwritten) and then removed. A failed
 * or cancelled download removes its `.part` and never makes a final file. Nothing written here is
 * opened or executed, and files are created without execute permission.
 *
 * On a file system without hard links (FAT, some network shares) the final name is checked and
 * then the `.part` renamed: a file made under that very name by another program between the
 * check and the rename could be replaced. That window is a few microseconds, and only on such
 * file systems.
 */
import { createHash, type Hash } from "node:crypto";
import { basename, dirname, join, resolve, sep } from "node:path";
import { safeFileName, uniqueName } from "../file_name.ts";
import { writeAll } from "../pump.ts";

/** Why a download failed: each is an expected event, reported to the user, never a bug. */
export type TransferErrorCode =
  | "too_large" // the sender sent more bytes than it declared
  | "size_mismatch" // the download ended before every declared byte came
  | "hash_mismatch" // the bytes do not have the declared SHA-256
  | "disk" // the download folder or file could not be created or written
  | "cancelled"; // the download was aborted

/** A download that failed for a reason to tell the user; its `.part` is already gone. */
export class TransferError extends Error {
  /** What went wrong, for code to act on. */
  readonly code: TransferErrorCode;

  constructor(code: TransferErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TransferError";
    this.code = code;
  }
}

/** Options for {@linkcode DownloadWriter.open}. */
export interface DownloadWriterOptions {
  /** Download folder; created (mode 0o700) if missing. */
  dir: string;
  /** File name as received; it goes through `safeFileName` and never leaves `dir`. */
  name: string;
  /** Size the sender declared, in bytes. */
  size: number;
  /**
   * SHA-256 the sender declared, as 64 hexadecimal digits (either case); when it is only known
   * at the end (declared after the upload), pass it to `finish()` instead.
   */
  sha256?: string;
}

const PART_SUFFIX = ".part";
/** Times a name is picked again because another writer took it between check and create. */
const MAX_NAME_TRIES = 100;
const DEFAULT_ABORT_REASON = "Download was cancelled";
const SHA256_HEX = /^[0-9a-f]{64}$/i;

type WriterState = "open" | "finishing" | "finished" | "aborted";

/**
 * Turns a failed file-system call into a {@linkcode TransferError} with code `disk`: "Disk is
 * full" when the device is out of space, `CONTEXT: MESSAGE` otherwise. A `TransferError` passes
 * through unchanged.
 *
 * @example
 * ```ts
 * import { toTransferError } from "./download_writer.ts";
 * const error = Object.assign(new Error("No space left on device (os error 28)"), { code: "ENOSPC" });
 * toTransferError(error, 'Cannot write "a.part"').message; // "Disk is full"
 * ```
 */
export function toTransferError(error: unknown, context: string): TransferError {
  if (error instanceof TransferError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = typeof error === "object" && error !== null && "code" in error
    ? error.code
    : undefined;
  if (code === "ENOSPC" || /No space left on device|os error 28\b/.test(message)) {
    return new TransferError("disk", "Disk is full", { cause: error });
  }
  return new TransferError("disk", `${context}: ${message}`, { cause: error });
}

/** Whether anything (a file, a folder, a symlink, even a dangling one) has that path. */
function taken(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch (error) {
    // Anything but "not found" (no permission to look, say) counts as taken: never overwrite.
    return !(error instanceof Deno.errors.NotFound);
  }
}

/**
 * The absolute path of `name` in `dir`, after checking that it is a direct child of `dir`. A
 * safe file name always is; anything else is a bug, so this throws a plain `Error`.
 */
function pathInside(dir: string, name: string): string {
  const path = resolve(dir, name);
  const prefix = dir.endsWith(sep) ? dir : dir + sep;
  if (!path.startsWith(prefix) || dirname(path) !== dir || basename(path) !== name) {
    throw new Error(`Download path leaves the download folder: "${name}" in "${dir}"`);
  }
  return path;
}

/**
 * A free final name in `dir` for a safe base name: neither it nor its `.part` exists (except the
 * `.part` named `ownPart`, which belongs to the caller).
 */
function freeName(dir: string, base: string, ownPart?: string): string {
  const busy = (candidate: string) => {
    const part = candidate + PART_SUFFIX;
    return taken(join(dir, candidate)) || (part !== ownPart && taken(join(dir, part)));
  };
  try {
    return uniqueName(base, busy);
  } catch (error) {
    if (error instanceof RangeError) {
      throw new TransferError("disk", `Cannot name the download in "${dir}": ${error.message}`);
    }
    throw error;
  }
}

/**
 * One download in progress. Open it with {@linkcode DownloadWriter.open}, `write()` the chunks in
 * order (awaiting each), then `finish()`; or `abort()` at any time.
 *
 * Every failure (too many bytes, wrong size or hash, a disk error) removes the `.part` before the
 * `TransferError` is thrown, so the caller only reports it. Calls out of order (a write while
 * another is pending, a write after `finish()`) are bugs and throw a `TypeError`.
 *
 * @example
 * ```ts ignore
 * import { DownloadWriter } from "./download_writer.ts";
 * const writer = await DownloadWriter.open({ dir: "downloads", name: "notes.pdf", size, sha256 });
 * try {
 *   for await (const chunk of chunks) await writer.write(chunk);
 *   const path = await writer.finish(); // "/home/me/downloads/notes.pdf"
 * } catch (error) {
 *   await writer.abort("Connection lost");
 *   throw error;
 * }
 * ```
 */
export class DownloadWriter {
  /** The download folder, as an absolute path. */
  readonly dir: string;
  /** Size the sender declared, in bytes. */
  readonly size: number;
  #sha256: string | undefined;
  /** The received name made safe; the final name is this or `this (N)`. */
  readonly #base: string;
  readonly #partName: string;
  readonly #file: Deno.FsFile;
  readonly #hash: Hash = createHash("sha256");
  #name: string;
  #received = 0;
  #state: WriterState = "open";
  /** The write or finish under way, if any. */
  #busy: Promise<unknown> | undefined;
  /** Set once the download is to be thrown away (aborted or failed); later calls throw it. */
  #failure: TransferError | undefined;
  #cleanup: Promise<void> | undefined;

  private constructor(
    fields: { dir: string; size: number; sha256?: string; base: string; name: string },
    file: Deno.FsFile,
  ) {
    this.dir = fields.dir;
    this.size = fields.size;
    this.#sha256 = fields.sha256;
    this.#base = fields.base;
    this.#name = fields.name;
    this.#partName = fields.name + PART_SUFFIX;
    this.#file = file;
  }

  /**
   * Creates the download folder if needed, picks a free final name (the received name made
   * safe, or `name (N).ext`) and creates its `.part`. Throws a `TransferError` with code `disk`
   * when the folder or file cannot be created, and a `RangeError` or `TypeError` for a size or
   * hash that is not one (frames are checked before they get here).
   */
  static async open(options: DownloadWriterOptions): Promise<DownloadWriter> {
    if (!Number.isSafeInteger(options.size) || options.size < 0) {
      throw new RangeError(`Invalid size: ${options.size} is not a whole number of bytes`);
    }
    if (options.sha256 !== undefined) checkSha256(options.sha256);
    const dir = resolve(options.dir);
    try {
      await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw toTransferError(error, `Cannot create the download folder "${dir}"`);
    }
    const base = safeFileName(options.name);
    for (let attempt = 0; attempt < MAX_NAME_TRIES; attempt++) {
      const name = freeName(dir, base);
      pathInside(dir, name);
      const partPath = pathInside(dir, name + PART_SUFFIX);
      let file: Deno.FsFile;
      try {
        // createNew: fails on anything already there, symlinks included, so nothing is followed.
        file = await Deno.open(partPath, { write: true, createNew: true, mode: 0o600 });
      } catch (error) {
        if (error instanceof Deno.errors.AlreadyExists) continue; // taken meanwhile: pick again
        throw toTransferError(error, `Cannot create "${partPath}"`);
      }
      const sha256 = options.sha256?.toLowerCase();
      return new DownloadWriter({ dir, size: options.size, sha256, base, name }, file);
    }
    throw new TransferError("disk", `Cannot create a file in "${dir}": every name tried was taken`);
  }

  /** The final base name picked so far; `finish()` picks another if it is taken meanwhile. */
  get name(): string {
    return this.#name;
  }

  /** Where the file will be (or is, once finished), as an absolute path. */
  get path(): string {
    return join(this.dir, this.#name);
  }

  /** Where the bytes are written until the download is finished, as an absolute path. */
  get partPath(): string {
    return join(this.dir, this.#partName);
  }

  /** Bytes written so far. */
  get received(): number {
    return this.#received;
  }

  /**
   * Appends a chunk, all of it, and adds it to the hash. Throws a `TransferError`: `too_large`
   * when the chunk would take the file past its declared size (nothing of it is written),
   * `disk` when writing fails ("Disk is full" when out of space), `cancelled` after `abort()`;
   * each removes the `.part` first.
   */
  async write(chunk: Uint8Array): Promise<void> {
    this.#checkUsable("write");
    const total = this.#received + chunk.length;
    if (total > this.size) {
      throw await this.#fail(
        new TransferError(
          "too_large",
          `Sender sent more than it declared: at least ${total} bytes, declared ${this.size}`,
        ),
      );
    }
    const writing = writeAll(this.#file, chunk);
    this.#busy = writing;
    try {
      await writing;
    } catch (error) {
      throw await this.#fail(toTransferError(error, `Cannot write "${this.partPath}"`));
    } finally {
      this.#busy = undefined;
    }
    this.#throwIfFailed();
    this.#hash.update(chunk);
    this.#received = total;
  }

  /**
   * Checks the byte count and SHA-256, flushes the file to disk, and gives it its final name
   * without overwriting anything (a name taken meanwhile gives way to `name (N).ext`). Returns the
   * final absolute path. Throws a `TransferError` (`size_mismatch`, `hash_mismatch`, `disk`, or
   * `cancelled` if `abort()` came first) after removing the `.part`.
   */
  async finish(sha256?: string): Promise<string> {
    this.#checkUsable("finish");
    if (sha256 !== undefined) {
      checkSha256(sha256);
      this.#sha256 = sha256.toLowerCase();
    }
    if (this.#sha256 === undefined) {
      throw new TypeError("No SHA-256 to check the file against: pass it to finish()");
    }
    this.#state = "finishing";
    const finishing = this.#publish();
    this.#busy = finishing;
    try {
      return await finishing;
    } catch (error) {
      throw await this.#fail(toTransferError(error, `Cannot save "${this.path}"`));
    } finally {
      this.#busy = undefined;
    }
  }

  /**
   * Throws the download away: closes and removes the `.part`. Does nothing if it has already
   * been aborted, or failed; after a successful `finish()` the file is complete and stays. If
   * `finish()` is under way, the one that gets there first wins: abort until the file is given
   * its final name, finish after. Never throws; a `.part` that cannot be removed is left behind
   * (it never has a final name).
   */
  async abort(reason: string = DEFAULT_ABORT_REASON): Promise<void> {
    if (this.#finished()) return;
    this.#failure ??= new TransferError("cancelled", reason);
    await this.#busy?.catch(() => undefined);
    if (this.#finished()) return; // finish() got there first
    await this.#discard();
  }

  /** Read through a method: the state may change while `abort()` awaits. */
  #finished(): boolean {
    return this.#state === "finished";
  }

  /** The checks and renaming of `finish()`; throws on any failure, the caller cleans up. */
  async #publish(): Promise<string> {
    if (this.#received !== this.size) {
      throw new TransferError(
        "size_mismatch",
        `File is incomplete: received ${this.#received} of ${this.size} bytes`,
      );
    }
    const digest = this.#hash.digest("hex");
    if (digest !== this.#sha256) {
      throw new TransferError(
        "hash_mismatch",
        `File is corrupt: its SHA-256 is ${digest}, the sender declared ${this.#sha256}`,
      );
    }
    await this.#file.syncData();
    this.#file.close();
    const partPath = this.partPath;
    for (let attempt = 0; attempt < MAX_NAME_TRIES; attempt++) {
      this.#throwIfFailed();
      if (taken(this.path)) this.#name = freeName(this.dir, this.#base, this.#partName);
      const path = pathInside(this.dir, this.#name);
      try {
        // A hard link is made only if nothing has that name: nothing is ever overwritten.
        await Deno.link(partPath, path);
      } catch (error) {
        if (error instanceof Deno.errors.AlreadyExists) continue;
        // No hard links here (FAT, some shares): check, then rename; see the module comment.
        if (taken(path)) continue;
        await Deno.rename(partPath, path);
        this.#state = "finished";
        return path;
      }
      this.#state = "finished";
      await removeQuietly(partPath);
      return path;
    }
    throw new TransferError("disk", `Cannot save "${this.#base}": every name tried was taken`);
  }

  /** Throws unless a write or finish may start now. */
  #checkUsable(action: "write" | "finish"): void {
    this.#throwIfFailed();
    if (this.#state !== "open") {
      throw new TypeError(`Cannot ${action}: the download is already ${this.#state}`);
    }
    if (this.#busy !== undefined) {
      throw new TypeError(`Cannot ${action}: the previous write has not finished`);
    }
  }

  /** Throws the failure or cancellation that ended the download, if one did. */
  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }

  /**
   * Removes the `.part` after a failure, and returns the error to throw: the first one (an
   * abort that came while a write was under way wins over what that write then hit).
   */
  async #fail(error: TransferError): Promise<TransferError> {
    this.#failure ??= error;
    await this.#discard();
    return this.#failure;
  }

  /** Closes and removes the `.part`, once however often it is called. */
  #discard(): Promise<void> {
    this.#cleanup ??= (async () => {
      this.#state = "aborted";
      try {
        this.#file.close();
      } catch {
        // Already closed.
      }
      await removeQuietly(this.partPath);
    })();
    return this.#cleanup;
  }
}

/** Removes a file, ignoring any failure: the caller has nothing better to do about it. */
async function removeQuietly(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch {
    // Gone already, or cannot be removed: either way it carries no final name.
  }
}

function checkSha256(sha256: string): void {
  if (!SHA256_HEX.test(sha256)) {
    throw new TypeError(`Invalid SHA-256: expected 64 hexadecimal digits, got "${sha256}"`);
  }
}
