/**
 * The client's side of file sharing: `/send` hashes the file, offers it on the chat connection,
 * and uploads it on a transfer connection of its own; offered files are fetched (automatically,
 * or with `/accept`) into the download folder through a `.part` file that is checked for size
 * and SHA-256 before it gets its final, never-overwriting name. Nothing received is opened.
 */
import { createHash } from "node:crypto";
import { basename, isAbsolute } from "node:path";
import { FILE_CHUNK_BYTES } from "../limits.ts";
import { pump } from "../pump.ts";
import {
  type ClientFrame,
  type ErrorFrame,
  type FileFrame,
  type OfferOkFrame,
  type TransferFrame,
  unreachable,
} from "../protocol.ts";
import type { Line } from "../render.ts";
import { formatBytes } from "../units.ts";
import { safeText } from "../text.ts";
import { progressBar } from "../terminal/progress.ts";
import type { ChatUi } from "../terminal/ui.ts";
import type { DataLink } from "./data_link.ts";
import { DownloadWriter, TransferError } from "./download_writer.ts";
import { waitOrTimeout } from "./wait.ts";

/** What file transfers need from the session. */
export interface FileTransferIo {
  ui: ChatUi;
  /** Shows transfer progress on the status row (shared with the connection's status). */
  setStatus(text: string | undefined): void;
  /** Sends a frame on the chat connection; false when not connected. */
  send(frame: ClientFrame): Promise<boolean>;
  /** Opens a transfer connection to the server. */
  openData(): Promise<DataLink>;
  /** Where received files go. */
  downloads: string;
  /** Fetch offered files without asking. */
  autoReceive: boolean;
  now(): number;
}

/** A file offered, waiting for the server's answer. */
interface Offer {
  path: string;
  name: string;
  size: number;
  /** Whom it is for: a nick, or a room's name. */
  to: string;
}

interface Progress {
  label: string;
  done: number;
  total: number;
  started: number;
}

const system = (text: string): Line => ({ spans: [{ text, style: "system" }] });
const errorLine = (text: string): Line => ({ spans: [{ text, style: "error" }] });

/** How long a complete download waits for a checksum declared after the upload, in ms. */
const CHECKSUM_WAIT_MS = 60_000;

/** How long a cut-short download waits to hear why from the server, in ms. */
const WHY_WAIT_MS = 2000;

/** How often the progress line is redrawn, in ms. */
const PROGRESS_EVERY_MS = 100;

/** Sending and receiving files for one chat session. */
export class FileTransfers {
  readonly #io: FileTransferIo;
  /** Offers waiting for the server's answer, by ref. */
  readonly #offers = new Map<string, Offer>();
  /** Files offered to us and not fetched (auto-receive off), by transfer id. */
  readonly #waiting = new Map<string, FileFrame>();
  /** Downloads under way, by transfer id: what the server says of them is kept until they end. */
  readonly #downloading = new Set<string>();
  /** Downloads under way that the server said failed, with why. */
  readonly #failed = new Map<string, string>();
  /**
   * Checksums declared after the upload, for downloads under way or waiting for `/accept`, by
   * transfer id; and downloads waiting for them.
   */
  readonly #checksums = new Map<string, string>();
  readonly #checksumWaiters = new Map<string, () => void>();
  /** Downloads that ended short, waiting to hear why from the server. */
  readonly #whyWaiters = new Map<string, (reason: string) => void>();
  readonly #progress = new Map<string, Progress>();
  #nextRef = 1;
  /** Transfers we are the sender of and that have not ended (delivered or failed), by id. */
  readonly #mine = new Set<string>();
  #lastDrawn = 0;

  constructor(io: FileTransferIo) {
    this.#io = io;
  }

  /** `/send PATH` to a room, or to one person with `to`. */
  async send(path: string, target: { room?: string; to?: string }): Promise<void> {
    const ui = this.#io.ui;
    let size: number;
    try {
      const info = await Deno.stat(path);
      if (!info.isFile) {
        ui.show([errorLine(`! Cannot send ${safeText(path)}: it is not a file`)]);
        return;
      }
      size = info.size;
    } catch (error) {
      let why = describeFsError(error);
      // A relative path is looked for from where chat runs: say where that is.
      if (error instanceof Deno.errors.NotFound && !isAbsolute(path)) why += ` in ${workingDir()}`;
      ui.show([errorLine(`! Cannot send ${safeText(path)}: ${safeText(why)}`)]);
      return;
    }
    const name = basename(path);
    const ref = `f${this.#nextRef++}`;
    const to = target.to ?? target.room ?? "the room";
    this.#offers.set(ref, { path, name, size, to });
    // The SHA-256 is computed while uploading and declared after the data: one read of the file.
    const offer: ClientFrame = { type: "offer", ref, name, size };
    if (target.to !== undefined) offer.to = target.to;
    else if (target.room !== undefined) offer.room = target.room;
    if (!(await this.#io.send(offer))) {
      this.#offers.delete(ref);
      ui.show([errorLine("! Not connected: send the file again once reconnected")]);
    }
    // "Offering" is said once the server has taken the offer (it may refuse it).
  }

  /** The server refused an offer. Returns whether the error was about one. */
  onError(frame: ErrorFrame): boolean {
    if (frame.id === undefined || !this.#offers.has(frame.id)) return false;
    const offer = this.#offers.get(frame.id);
    this.#offers.delete(frame.id);
    this.#io.ui.show([
      errorLine(`! Cannot send ${safeText(offer?.name ?? "the file")}: ${safeText(frame.message)}`),
    ]);
    return true;
  }

  /** The server took an offer: upload the file. */
  onOfferOk(frame: OfferOkFrame): void {
    const offer = this.#offers.get(frame.ref);
    if (offer === undefined) return;
    this.#offers.delete(frame.ref);
    this.#mine.add(frame.id);
    this.#io.ui.show([
      system(
        `* Offering ${safeText(offer.name)} (${formatBytes(offer.size)}) to ${safeText(offer.to)}`,
      ),
    ]);
    void this.#upload(frame, offer);
  }

  /** Someone sends us a file. */
  onFile(frame: FileFrame): void {
    if (this.#io.autoReceive) {
      void this.#download(frame);
      return;
    }
    this.#waiting.set(frame.id, frame);
    this.#io.ui.show([
      system(`* Type /accept ${frame.id} to receive it (or /files to list offers)`),
    ]);
  }

  /** A transfer's outcome from the server; returns whether the user should see it. */
  onTransfer(frame: TransferFrame): boolean {
    const { id } = frame;
    switch (frame.state) {
      case "uploaded":
        if (frame.sha256 !== undefined && (this.#downloading.has(id) || this.#waiting.has(id))) {
          this.#checksums.set(id, frame.sha256);
          this.#checksumWaiters.get(id)?.();
        }
        return this.#mine.has(id);
      case "delivered":
        // The end of one of ours: shown, and forgotten (`delete` says whether it was there).
        return this.#mine.delete(id);
      case "failed": {
        this.#mine.delete(id);
        this.#waiting.delete(id);
        if (!this.#downloading.has(id)) {
          this.#checksums.delete(id);
          return true;
        }
        const reason = frame.reason ?? "the transfer failed";
        this.#failed.set(id, reason);
        this.#checksumWaiters.get(id)?.();
        this.#whyWaiters.get(id)?.(reason);
        return true;
      }
      default:
        // A state this client does not know (from a newer server): ignored, as the protocol asks.
        return false;
    }
  }

  /** The chat connection dropped: offers still waiting for an answer are lost with it. */
  connectionLost(): void {
    for (const offer of this.#offers.values()) {
      this.#io.ui.show([
        errorLine(
          `! The offer of ${safeText(offer.name)} was lost with the connection: /send it again`,
        ),
      ]);
    }
    this.#offers.clear();
  }

  /** `/accept ID`: fetch a file offered while auto-receive is off. */
  accept(id: string): void {
    const frame = this.#waiting.get(id);
    if (frame === undefined) {
      this.#io.ui.show([errorLine(`! No file offer ${safeText(id)}: /files lists them`)]);
      return;
    }
    this.#waiting.delete(id);
    void this.#download(frame);
  }

  /** `/files`: the offers waiting for `/accept`. */
  list(): void {
    const lines = [...this.#waiting.values()].map((file) =>
      system(
        `*   ${file.id}  ${safeText(file.name)} (${formatBytes(file.size)}) from ${
          safeText(file.from)
        }`,
      )
    );
    this.#io.ui.show(
      lines.length === 0 ? [system("* No files waiting")] : [
        system("* Files offered to you (/accept ID):"),
        ...lines,
      ],
    );
  }

  async #upload(frame: OfferOkFrame, offer: Offer): Promise<void> {
    const key = `up${frame.id}`;
    let link: DataLink | undefined;
    let file: Deno.FsFile | undefined;
    try {
      link = await this.#io.openData();
      await link.writeFrame({ type: "upload", id: frame.id, token: frame.token });
      const answer = await link.readFrame();
      if (answer?.type !== "ready") {
        throw new Error(answer?.type === "error" ? answer.message : "the server did not answer");
      }
      const source = await Deno.open(offer.path, { read: true });
      file = source;
      this.#track(key, `sending ${offer.name}`, offer.size);
      let sent = 0;
      const hash = createHash("sha256");
      await pump((buffer) => source.read(buffer), async (chunk) => {
        hash.update(chunk);
        await link?.write(chunk);
        sent += chunk.length;
        this.#advance(key, sent);
      }, { chunkBytes: FILE_CHUNK_BYTES, limit: offer.size });
      if (sent < offer.size) throw new Error("the file got shorter while it was being sent");
      await link.writeFrame({ type: "checksum", sha256: hash.digest("hex") });
      // The outcome also comes on the chat connection, where it is shown.
      await link.readFrame();
    } catch (error) {
      this.#io.ui.show([
        errorLine(`! Sending ${safeText(offer.name)} failed: ${describeFsError(error)}`),
      ]);
    } finally {
      file?.close();
      link?.close();
      this.#untrack(key);
    }
  }

  async #download(frame: FileFrame): Promise<void> {
    this.#downloading.add(frame.id);
    const key = `down${frame.id}`;
    const ui = this.#io.ui;
    const what = `${safeText(frame.name)} from ${safeText(frame.from)}`;
    let writer: DownloadWriter | undefined;
    let link: DataLink | undefined;
    try {
      writer = await DownloadWriter.open({
        dir: this.#io.downloads,
        name: frame.name,
        size: frame.size,
        sha256: frame.sha256,
      });
      link = await this.#io.openData();
      await link.writeFrame({ type: "download", id: frame.id, token: frame.token });
      const answer = await link.readFrame();
      if (answer?.type !== "data") {
        throw new Error(answer?.type === "error" ? answer.message : "the server did not answer");
      }
      this.#track(key, `receiving ${frame.name}`, frame.size);
      const from = link;
      const into = writer;
      let received = 0;
      // The next socket read overlaps writing (and hashing) the last chunk.
      await pump((buffer) => from.read(buffer), async (chunk) => {
        await into.write(chunk);
        received += chunk.length;
        this.#advance(key, received);
      }, { chunkBytes: FILE_CHUNK_BYTES, limit: frame.size });
      if (received < frame.size) {
        const short = `the transfer was cut short (${formatBytes(received)} of ` +
          `${formatBytes(frame.size)})`;
        throw new Error(await this.#whyFailed(frame.id, short));
      }
      const sha256 = frame.sha256 ?? await this.#checksumFor(frame.id);
      const path = await writer.finish(sha256);
      writer = undefined;
      ui.show([
        system(`* Saved ${what} (${formatBytes(frame.size)}, verified) to ${safeText(path)}`),
      ]);
      void this.#io.send({ type: "saved", id: frame.id });
    } catch (error) {
      const serverSaid = this.#failed.get(frame.id);
      const reason = serverSaid ?? describeFsError(error);
      await writer?.abort(reason);
      ui.show([errorLine(`! Could not receive ${what}: ${reason}`)]);
      // The sender hears why, in words without our paths (a failure the server reported, it
      // knows already).
      if (serverSaid === undefined) {
        void this.#io.send({ type: "saved", id: frame.id, error: whyNotSaved(error) });
      }
    } finally {
      link?.close();
      this.#untrack(key);
      this.#downloading.delete(frame.id);
      this.#checksums.delete(frame.id);
      this.#failed.delete(frame.id);
    }
  }

  /**
   * The SHA-256 the sender declared after the upload, once the server has verified it; waits for
   * it (or for the transfer to fail) up to CHECKSUM_WAIT_MS.
   */
  async #checksumFor(id: string): Promise<string> {
    if (!this.#checksums.has(id) && !this.#failed.has(id)) {
      await waitOrTimeout(CHECKSUM_WAIT_MS, undefined, (wake) => {
        this.#checksumWaiters.set(id, () => wake(undefined));
      });
      this.#checksumWaiters.delete(id);
    }
    const known = this.#checksums.get(id);
    if (known !== undefined) return known;
    const failed = this.#failed.get(id);
    if (failed !== undefined) throw new Error(failed);
    throw new Error("the sender's checksum never arrived");
  }

  /** The server's reason for a failed transfer, waiting briefly for it to arrive. */
  async #whyFailed(id: string, fallback: string): Promise<string> {
    const known = this.#failed.get(id);
    if (known !== undefined) return known;
    const reason = await waitOrTimeout(WHY_WAIT_MS, fallback, (wake) => {
      this.#whyWaiters.set(id, wake);
    });
    this.#whyWaiters.delete(id);
    return reason;
  }

  #track(key: string, label: string, total: number): void {
    this.#progress.set(key, { label, done: 0, total, started: this.#io.now() });
    this.#draw(true);
  }

  #advance(key: string, done: number): void {
    const progress = this.#progress.get(key);
    if (progress === undefined) return;
    progress.done = done;
    this.#draw(false);
  }

  #untrack(key: string): void {
    this.#progress.delete(key);
    this.#draw(true);
  }

  /** Redraws the progress line, at most every PROGRESS_EVERY_MS unless forced. */
  #draw(force: boolean): void {
    const now = this.#io.now();
    if (!force && now - this.#lastDrawn < PROGRESS_EVERY_MS) return;
    this.#lastDrawn = now;
    if (this.#progress.size === 0) {
      this.#io.setStatus(undefined);
      return;
    }
    const bars = [...this.#progress.values()].map((progress) =>
      progressBar({
        label: progress.label,
        done: progress.done,
        total: progress.total,
        elapsedMs: now - progress.started,
        width: 78,
      })
    );
    this.#io.setStatus(bars.join("  |  "));
  }
}

/**
 * Why a download could not be saved, for the sender: a few words, never a path or anything else
 * about the receiver's machine.
 */
function whyNotSaved(error: unknown): string {
  if (!(error instanceof TransferError)) return "the download failed";
  switch (error.code) {
    case "disk": {
      if (error.message === "Disk is full") return "their disk is full";
      const cause = error.cause;
      if (
        cause instanceof Deno.errors.PermissionDenied || cause instanceof Deno.errors.NotCapable
      ) {
        return "they may not write to their download folder";
      }
      return "it could not be written to their disk";
    }
    case "hash_mismatch":
      return "what arrived did not match the file's checksum";
    case "size_mismatch":
      return "the transfer was cut short";
    case "too_large":
      return "more data came than the file's size";
    case "cancelled":
      return "the download was cancelled";
    default:
      return unreachable(error.code);
  }
}

/** The folder relative paths start from, or a description of it when it cannot be read. */
function workingDir(): string {
  try {
    return Deno.cwd();
  } catch {
    return "the folder chat was started in";
  }
}

function describeFsError(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "no such file";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.NotCapable) return "this program may not read it";
  if (error instanceof Deno.errors.IsADirectory) return "it is a directory";
  const message = error instanceof Error ? error.message : String(error);
  if (/no space/i.test(message)) return "disk is full";
  return message.split("\n")[0] ?? "failed";
}
