/**
 * File transfers on the server. A sender's offer (on its chat connection) is checked against the
 * limits before any data moves; the bytes then arrive on a separate upload connection and are
 * spooled to a file while being hashed. Each receiver fetches on its own download connection, at
 * its own pace, reading the spool file as it grows: chat connections never carry file data, a
 * slow receiver slows only itself, and the sender uploads once.
 *
 * Deliveries (the `file` announcement, `transfer` outcomes) go through a callback; the data
 * connections are handled here directly.
 */
import { createHash, type Hash } from "node:crypto";
import { ChatError } from "../errors.ts";
import {
  FILE_CHUNK_BYTES,
  MAX_OFFER_NAME_CHARS,
  MAX_SPOOL_BYTES,
  MAX_TRANSFERS_PER_USER,
  TRANSFER_KEEP_MS,
  TRANSFER_STALL_MS,
} from "../limits.ts";
import type { Logger } from "../log.ts";
import { formatBytes } from "../units.ts";
import { decodeClientFrame, decodeUtf8, encodeFrame } from "../protocol.ts";
import { LineSplitter } from "../line_splitter.ts";
import type {
  DownloadFrame,
  OfferFrame,
  SavedFrame,
  ServerFrame,
  TransferFrame,
  UploadFrame,
} from "../protocol.ts";
import { cleanReason } from "../text.ts";
import { pump, writeAll } from "../pump.ts";
import { isFinal, TransferState, type TransferStatus } from "../transfer_state.ts";
import type { Delivery, MemberId } from "./hub.ts";
import type { ByteStream } from "../carrier/connection.ts";
import { encodeToken, fileLinkPath, TOKEN_BYTES } from "../file_link.ts";

/** Limits for file sharing. */
export interface TransferLimits {
  /** Largest file, in bytes; 0 turns file sharing off. */
  maxFileBytes: number;
  /** Uploads one person may have going at once. @default MAX_TRANSFERS_PER_USER */
  maxPerUser?: number;
  /** Bytes held at once, all transfers together. @default MAX_SPOOL_BYTES */
  maxSpoolBytes?: number;
  /** Close a data connection that moves nothing for this long (ms). @default TRANSFER_STALL_MS */
  stallMs?: number;
  /** Keep an uploaded file this long for receivers still to fetch it (ms). @default TRANSFER_KEEP_MS */
  keepMs?: number;
  /**
   * The server's web address (`http://192.168.1.20:12345`): each `file` frame then carries a
   * download link under it (`url`). @default no links
   */
  linkBase?: string;
}

/** Who the offer is for, as the server resolved it. */
export interface OfferTarget {
  senderId: MemberId;
  sender: string;
  /** The room's name, for a room transfer. */
  room?: string;
  /** The recipient's nick, for a private transfer. */
  to?: string;
  recipients: readonly MemberId[];
  /**
   * Those shown only the download link (plain-text users): they fetch it over HTTP if they
   * want, so a file shown to any of them is kept until it expires. @default none
   */
  linkViewers?: readonly MemberId[];
}

/**
 * How one kind of upload connection talks to its uploader: the native protocol (lines on a
 * connection of its own, section 12.3) or HTTP (`src/server/http_files.ts`). The transfer logic
 * (limits, spool, hash, stall, outcome) is the same for both.
 */
export interface UploadReplies {
  /**
   * Refuses before any data moves: no such transfer or a wrong token (`unknown`), or its upload
   * already begun (`busy`); or a request that does not fit the offer (`mismatch`). Then closes.
   */
  refuse(conn: ByteStream, why: "unknown" | "busy" | "mismatch", message: string): Promise<void>;
  /** Why this request cannot upload a file of `size` bytes, or undefined when it can. */
  check?(size: number): string | undefined;
  /** Tells the uploader to send the bytes (the native `ready`; nothing over HTTP). */
  ready(conn: ByteStream): Promise<void>;
  /** Reads the checksum that follows the data, for an offer without one; undefined if none. */
  checksum(conn: ByteStream): Promise<string | undefined>;
  /** Tells the uploader how it went (`uploaded` or `failed`), then closes. Never rejects. */
  outcome(conn: ByteStream, frame: TransferFrame): Promise<void>;
}

/** How one kind of download connection talks to its receiver (native or HTTP). */
export interface DownloadReplies {
  /** Refuses: no such transfer or a wrong or used token (`unknown`), or it failed (`failed`). */
  refuse(conn: ByteStream, why: "unknown" | "failed", message: string): Promise<void>;
  /** Says what comes (the native `data`, or an HTTP head); exactly `size` bytes follow. */
  start(conn: ByteStream, file: { size: number; name: string }): Promise<void>;
}

interface Transfer {
  readonly id: string;
  readonly uploadToken: string;
  /** The token of the download link anyone may use while the file is held. */
  readonly linkToken: string;
  /** How many were shown only the link, and how many fetched all of it through the link. */
  readonly linkViewers: number;
  linkDownloads: number;
  readonly target: OfferTarget;
  readonly name: string;
  readonly size: number;
  /** Declared with the offer, or after the data (a `checksum` line) when the offer had none. */
  sha256: string | undefined;
  /** Whether receivers learn the SHA-256 only from the `uploaded` outcome. */
  readonly lateChecksum: boolean;
  readonly path: string;
  /** Where the upload is: offered, uploading, complete (verified), failed or cancelled. */
  readonly life: TransferState;
  /** Whether the sender and receivers were told it failed. */
  failureTold: boolean;
  /** Whether the sender was told how it ended (delivered, or nobody got it): once only. */
  settled: boolean;
  /** Everyone it was offered to, and those of them who have left since. */
  readonly recipients: readonly MemberId[];
  readonly gone: Set<MemberId>;
  /** Download token -> recipient, for those who have not finished fetching. */
  readonly pending: Map<string, MemberId>;
  /** Recipients that fetched every byte and have not said yet whether they saved it, and when. */
  readonly fetched: Map<MemberId, number>;
  /** Recipients that said whether they saved it (a `saved` frame), each counted once. */
  readonly reported: Set<MemberId>;
  /** Nicks that saved it, and those that could not, with why (from their `saved` frames). */
  readonly saved: string[];
  readonly notSaved: { nick: string; reason: string }[];
  /** Recipients that fetched every byte but never said whether they saved it. */
  delivered: number;
  /** Wakes downloads waiting for more data or an outcome. */
  waiters: (() => void)[];
  uploadedAt?: number;
  /** Open data connections, closed if the transfer fails or stalls. */
  readonly connections: Set<DataConnection>;
}

/** An open upload or download connection, watched for stalls. */
interface DataConnection {
  conn: ByteStream;
  lastProgress: number;
}

/** All the server's transfers, spooled in one directory. */
export class Transfers {
  readonly #dir: string;
  readonly #log: Logger;
  readonly #clock: () => number;
  readonly #deliver: (deliveries: readonly Delivery[]) => void;
  readonly #maxFileBytes: number;
  readonly #maxPerUser: number;
  readonly #maxSpoolBytes: number;
  readonly #stallMs: number;
  readonly #keepMs: number;
  readonly #linkBase: string | undefined;
  readonly #transfers = new Map<string, Transfer>();
  #nextId = 1;

  constructor(
    dir: string,
    limits: TransferLimits,
    options: {
      log: Logger;
      clock: () => number;
      deliver: (deliveries: readonly Delivery[]) => void;
    },
  ) {
    this.#dir = dir;
    this.#log = options.log;
    this.#clock = options.clock;
    this.#deliver = options.deliver;
    this.#maxFileBytes = limits.maxFileBytes;
    this.#maxPerUser = limits.maxPerUser ?? MAX_TRANSFERS_PER_USER;
    this.#maxSpoolBytes = limits.maxSpoolBytes ?? MAX_SPOOL_BYTES;
    this.#stallMs = limits.stallMs ?? TRANSFER_STALL_MS;
    this.#keepMs = limits.keepMs ?? TRANSFER_KEEP_MS;
    this.#linkBase = limits.linkBase;
  }

  /**
   * Checks an offer against the limits and registers it. Returns the deliveries: `offer_ok` to
   * the sender and a `file` announcement (with a token of their own) to each recipient.
   */
  offer(frame: OfferFrame, target: OfferTarget): Delivery[] {
    if (this.#maxFileBytes === 0) {
      throw new ChatError("file_refused", "File sharing is turned off on this server");
    }
    if (!Number.isSafeInteger(frame.size) || frame.size < 0) {
      throw new ChatError("bad_frame", "File size must be a whole number of bytes");
    }
    if (frame.sha256 !== undefined && !SHA256_HEX.test(frame.sha256)) {
      throw new ChatError("bad_frame", "sha256 must be 64 lowercase hex digits");
    }
    if (frame.name === "" || [...frame.name].length > MAX_OFFER_NAME_CHARS) {
      throw new ChatError("bad_frame", `File name must be 1 to ${MAX_OFFER_NAME_CHARS} characters`);
    }
    const largest = Math.min(this.#maxFileBytes, this.#maxSpoolBytes);
    if (frame.size > largest) {
      throw new ChatError(
        "file_refused",
        `File is too large: ${formatBytes(frame.size)}, this server takes at most ` +
          formatBytes(largest),
      );
    }
    const linkViewers = target.linkViewers ?? [];
    if (target.recipients.length === 0 && linkViewers.length === 0) {
      throw new ChatError("file_refused", "Nobody else is here to receive it");
    }
    const mine = [...this.#transfers.values()].filter((t) =>
      t.target.senderId === target.senderId && !isFinal(t.life.status)
    );
    if (mine.length >= this.#maxPerUser) {
      throw new ChatError(
        "file_refused",
        `You are already sending ${mine.length} files: wait for one to finish`,
      );
    }
    const held = [...this.#transfers.values()].reduce((sum, t) => sum + t.size, 0);
    if (held + frame.size > this.#maxSpoolBytes) {
      throw new ChatError("file_refused", "The server holds as many files as it can: try later");
    }
    const id = String(this.#nextId++);
    const transfer: Transfer = {
      id,
      uploadToken: randomToken(),
      linkToken: randomToken(),
      linkViewers: linkViewers.length,
      linkDownloads: 0,
      target,
      name: frame.name,
      size: frame.size,
      sha256: frame.sha256,
      lateChecksum: frame.sha256 === undefined,
      path: `${this.#dir}/${id}.spool`,
      life: new TransferState({ size: frame.size, now: this.#clock() }),
      failureTold: false,
      settled: false,
      recipients: target.recipients,
      gone: new Set(),
      pending: new Map(),
      fetched: new Map(),
      reported: new Set(),
      saved: [],
      notSaved: [],
      delivered: 0,
      waiters: [],
      connections: new Set(),
    };
    const deliveries: Delivery[] = [{
      to: [target.senderId],
      frame: { type: "offer_ok", ref: frame.ref, id, token: transfer.uploadToken },
    }];
    const url = this.#linkBase === undefined
      ? undefined
      : this.#linkBase + fileLinkPath(id, transfer.linkToken, frame.name);
    const audience = [
      ...target.recipients.map((to) => ({ to, token: randomToken() })),
      // Not recipients: no token of their own (their dialect shows only the link).
      ...linkViewers.map((to) => ({ to, token: "" })),
    ];
    for (const { to: recipient, token } of audience) {
      if (token !== "") transfer.pending.set(token, recipient);
      const file: ServerFrame = {
        type: "file",
        id,
        from: target.sender,
        name: frame.name,
        size: frame.size,
        token,
        time: this.#clock(),
      };
      if (frame.sha256 !== undefined) file.sha256 = frame.sha256;
      if (target.room !== undefined) file.room = target.room;
      if (target.to !== undefined) file.to = target.to;
      if (url !== undefined) file.url = url;
      deliveries.push({ to: [recipient], frame: file });
    }
    this.#transfers.set(id, transfer);
    this.#log.info("file_offer", {
      id,
      from: target.sender,
      name: frame.name,
      size: frame.size,
      room: target.room,
      to: target.to,
    });
    return deliveries;
  }

  /** Handles a native upload connection after its first line; resolves when it is over. */
  upload(conn: ByteStream, frame: UploadFrame): Promise<void> {
    return this.receive(frame.id, frame.token, conn, NATIVE_UPLOAD);
  }

  /**
   * Receives the bytes of transfer `id` from `conn` into the spool, if `token` is its upload
   * token and its upload has not begun, speaking to the uploader through `replies`; resolves
   * when it is over (the connection closed).
   */
  async receive(
    id: string,
    token: string,
    conn: ByteStream,
    replies: UploadReplies,
  ): Promise<void> {
    const transfer = this.#transfers.get(id);
    if (transfer === undefined || transfer.uploadToken !== token) {
      await replies.refuse(conn, "unknown", "No such transfer, or a wrong token");
      return;
    }
    if (transfer.life.status !== "offered") {
      await replies.refuse(conn, "busy", "This transfer is already being uploaded");
      return;
    }
    const mismatch = replies.check?.(transfer.size);
    if (mismatch !== undefined) {
      await replies.refuse(conn, "mismatch", mismatch);
      return;
    }
    transfer.life.start(this.#clock());
    const data: DataConnection = { conn, lastProgress: this.#clock() };
    transfer.connections.add(data);
    const hash = createHash("sha256");
    let file: Deno.FsFile | undefined;
    try {
      file = await Deno.open(transfer.path, { write: true, create: true, truncate: true });
      await replies.ready(conn);
      await this.#receive(conn, file, hash, transfer, data);
      if (transfer.sha256 === undefined && transfer.life.received === transfer.size) {
        transfer.sha256 = await replies.checksum(conn);
      }
    } catch (error) {
      this.#fail(transfer, "Upload failed: " + describe(error));
    } finally {
      file?.close();
      transfer.connections.delete(data);
    }
    if (statusOf(transfer) === "uploading") {
      if (transfer.life.received < transfer.size) {
        this.#fail(
          transfer,
          `The sender disconnected midway (${formatBytes(transfer.life.received)} of ` +
            `${formatBytes(transfer.size)})`,
        );
      } else if (transfer.sha256 === undefined) {
        this.#fail(transfer, "The sender never declared the file's checksum");
      } else if (hash.digest("hex") !== transfer.sha256) {
        this.#fail(transfer, "The file's checksum does not match what the sender declared");
      } else if (transfer.life.end().ok) {
        this.#uploaded(transfer);
      }
    }
    this.#tellFailure(transfer);
    const outcome: TransferFrame = statusOf(transfer) === "complete"
      ? { type: "transfer", id: transfer.id, name: transfer.name, state: "uploaded" }
      : {
        type: "transfer",
        id: transfer.id,
        name: transfer.name,
        state: "failed",
        reason: transfer.life.reason ?? "Upload failed",
      };
    await replies.outcome(conn, outcome);
  }

  async #receive(
    conn: ByteStream,
    file: Deno.FsFile,
    hash: Hash,
    transfer: Transfer,
    data: DataConnection,
  ): Promise<void> {
    // Never more than declared is read; the next socket read overlaps the spool write.
    await pump((buffer) => conn.read(buffer), async (chunk) => {
      await writeAll(file, chunk);
      hash.update(chunk);
      // Counted once it is in the spool file, so downloads never read ahead of it.
      if (!transfer.life.receive(chunk.length, this.#clock()).ok) throw new Error("refused");
      data.lastProgress = this.#clock();
      this.#wake(transfer);
    }, { chunkBytes: FILE_CHUNK_BYTES, limit: transfer.size });
  }

  /** Handles a native download connection after its first line; resolves when it is over. */
  download(conn: ByteStream, frame: DownloadFrame): Promise<void> {
    return this.send(frame.id, frame.token, conn, NATIVE_DOWNLOAD);
  }

  /**
   * Sends transfer `id` to `conn`, if `token` is a recipient's download token (used up once
   * every byte is sent) or the transfer's link token, speaking through `replies`; the bytes go
   * as the upload brings them. Resolves when it is over (the connection closed).
   */
  async send(
    id: string,
    token: string,
    conn: ByteStream,
    replies: DownloadReplies,
  ): Promise<void> {
    const transfer = this.#transfers.get(id);
    const recipient = transfer?.pending.get(token);
    const byLink = transfer !== undefined && token === transfer.linkToken;
    if (transfer === undefined || (recipient === undefined && !byLink)) {
      await replies.refuse(conn, "unknown", "No such transfer, or a wrong or used token");
      return;
    }
    if (transfer.life.status === "failed") {
      await replies.refuse(conn, "failed", transfer.life.reason ?? "The transfer failed");
      return;
    }
    const data: DataConnection = { conn, lastProgress: this.#clock() };
    transfer.connections.add(data);
    let file: Deno.FsFile | undefined;
    let sent = 0;
    let read = 0;
    try {
      await replies.start(conn, { size: transfer.size, name: transfer.name });
      // Reads the spool as the upload grows it; the next read overlaps the socket write.
      sent = await pump(async (buffer) => {
        while (true) {
          if (statusOf(transfer) === "failed") return null;
          const available = transfer.life.received - read;
          if (available > 0) {
            // Opened once the spool file exists (the upload creates it); read sequentially.
            file ??= await Deno.open(transfer.path, { read: true });
            const n = await file.read(buffer.subarray(0, Math.min(buffer.length, available)));
            if (n !== null && n > 0) {
              read += n;
              return n;
            }
          }
          await new Promise<void>((resolve) => transfer.waiters.push(resolve));
        }
      }, async (chunk) => {
        await writeAll(conn, chunk);
        data.lastProgress = this.#clock();
      }, { chunkBytes: FILE_CHUNK_BYTES, limit: transfer.size });
    } catch {
      // The receiver went away (or stalled and was cut off): it may try again with its token.
    } finally {
      file?.close();
      transfer.connections.delete(data);
      closeQuietly(conn);
      // The last download of a transfer already settled (or failed) frees its file.
      if (transfer.settled || statusOf(transfer) === "failed") this.#forget(transfer);
    }
    if (sent !== transfer.size) return;
    if (recipient === undefined) {
      transfer.linkDownloads += 1;
      this.#log.info("file_link_download", { id: transfer.id });
    } else if (transfer.pending.delete(token)) {
      // Counted once the receiver says whether it could save it (or goes quiet about it).
      if (!transfer.reported.has(recipient)) transfer.fetched.set(recipient, this.#clock());
      this.#log.info("file_delivered", { id: transfer.id, to: recipient });
      this.#tellSettled(transfer);
    }
  }

  /**
   * A receiver says whether it saved the file (`error`: why not). Counted once per recipient;
   * one that could not save it no longer holds the transfer up. Returns what to deliver: the
   * sender's summary (who saved it, who could not and why), once everyone is accounted for.
   */
  saved(receiverId: MemberId, frame: SavedFrame, nick: string): Delivery[] {
    const transfer = this.#transfers.get(frame.id);
    if (
      transfer === undefined || !transfer.recipients.includes(receiverId) ||
      transfer.reported.has(receiverId) || transfer.settled
    ) {
      return [];
    }
    transfer.reported.add(receiverId);
    transfer.fetched.delete(receiverId);
    for (const [token, recipient] of transfer.pending) {
      if (recipient === receiverId) transfer.pending.delete(token);
    }
    if (frame.error === undefined) {
      transfer.saved.push(nick);
    } else {
      const reason = cleanReason(frame.error) || "no reason given";
      transfer.notSaved.push({ nick, reason });
      this.#log.warn("file_not_saved", { id: transfer.id, by: nick, reason });
    }
    return this.#settle(transfer);
  }

  /**
   * A member left: transfers waiting for them no longer do, and their offers whose upload never
   * started fail (an upload under way goes on: it has a connection of its own).
   */
  left(id: MemberId, nick: string | undefined): void {
    for (const transfer of [...this.#transfers.values()]) {
      if (transfer.target.senderId === id && transfer.life.status === "offered") {
        this.#fail(transfer, `${transfer.target.sender} left before sending it`);
        continue;
      }
      if (!transfer.recipients.includes(id)) continue;
      transfer.gone.add(id);
      for (const [token, recipient] of transfer.pending) {
        if (recipient !== id) continue;
        transfer.pending.delete(token);
        if (transfer.target.to !== undefined) {
          this.#fail(transfer, `${nick ?? "The recipient"} left before receiving it`);
        }
      }
      // Fetched it all, then left without saying whether it was saved.
      if (transfer.fetched.delete(id)) transfer.delivered += 1;
      this.#tellSettled(transfer);
    }
  }

  /** Once a second: stalled connections are closed; old and finished transfers are dropped. */
  sweep(now: number): void {
    for (const transfer of [...this.#transfers.values()]) {
      for (const data of transfer.connections) {
        if (now - data.lastProgress > this.#stallMs) {
          this.#log.warn("file_stall", { id: transfer.id });
          if (transfer.life.status === "uploading") {
            this.#fail(
              transfer,
              `The upload stalled: no data for ${Math.round(this.#stallMs / 1000)} s`,
            );
          }
          closeQuietly(data.conn);
        }
      }
      const waitedTooLong = transfer.life.status === "offered" &&
        transfer.life.stalled(now, this.#stallMs);
      if (waitedTooLong) this.#fail(transfer, "The sender never started the upload");
      // Receivers that fetched it all and never said whether they saved it (a client that does
      // not send `saved`) count as having received it.
      for (const [recipient, at] of transfer.fetched) {
        if (now - at <= SAVED_WAIT_MS) continue;
        transfer.fetched.delete(recipient);
        transfer.delivered += 1;
      }
      if (transfer.uploadedAt !== undefined && now - transfer.uploadedAt > this.#keepMs) {
        this.#tellSettled(transfer, true);
        this.#forget(transfer);
      } else {
        this.#tellSettled(transfer);
      }
    }
  }

  /** Closes every data connection and removes every spooled file. */
  async close(): Promise<void> {
    for (const transfer of this.#transfers.values()) {
      for (const data of transfer.connections) closeQuietly(data.conn);
      this.#wake(transfer);
    }
    if (this.#dir !== "") await Deno.remove(this.#dir, { recursive: true }).catch(() => {});
  }

  #uploaded(transfer: Transfer): void {
    transfer.uploadedAt = this.#clock();
    this.#log.info("file_uploaded", { id: transfer.id, size: transfer.size });
    this.#wake(transfer);
    // Receivers may all have fetched it (or left) already.
    queueMicrotask(() => this.#tellSettled(transfer));
    const uploaded = this.#frame(
      transfer,
      "uploaded",
      transfer.target.room ? `shared in ${transfer.target.room}` : `for ${transfer.target.to}`,
    );
    if (transfer.sha256 !== undefined) uploaded.sha256 = transfer.sha256;
    // Receivers whose `file` frame had no checksum need it to verify what they fetch.
    // Including those who already have every byte: they wait for this to check it.
    const receivers = transfer.lateChecksum ? this.#present(transfer) : [];
    this.#deliver([{ to: [transfer.target.senderId, ...receivers], frame: uploaded }]);
  }

  #fail(transfer: Transfer, reason: string): void {
    transfer.life.fail(reason); // Does nothing if it already ended: the first reason stays.
    this.#tellFailure(transfer);
  }

  /** Once a transfer has failed (here or inside `life`), tells everyone concerned, once. */
  #tellFailure(transfer: Transfer): void {
    if (transfer.life.status !== "failed" || transfer.failureTold) return;
    transfer.failureTold = true;
    const reason = transfer.life.reason ?? "The transfer failed";
    this.#log.warn("file_failed", { id: transfer.id, reason });
    this.#wake(transfer);
    for (const data of transfer.connections) {
      // Downloads end short; the receivers hear why on their chat connections.
      closeQuietly(data.conn);
    }
    const frame = this.#frame(transfer, "failed", reason);
    // Every recipient still here: one may hold every byte and wait for the checksum to check.
    this.#deliver([{ to: [transfer.target.senderId, ...this.#present(transfer)], frame }]);
    transfer.pending.clear();
    this.#forget(transfer);
  }

  /** The recipients who have not left. */
  #present(transfer: Transfer): MemberId[] {
    return transfer.recipients.filter((id) => !transfer.gone.has(id));
  }

  /** Settles a transfer if it can be, and tells the sender. */
  #tellSettled(transfer: Transfer, expired = false): void {
    const deliveries = this.#settle(transfer, expired);
    if (deliveries.length > 0) this.#deliver(deliveries);
  }

  /**
   * Everyone it was for has fetched it and said whether they saved it, or left, or (`expired`)
   * had their time: returns the sender's summary, who saved it and who could not and why, and
   * drops the file.
   */
  #settle(transfer: Transfer, expired = false): Delivery[] {
    if (transfer.life.status !== "complete" || transfer.settled) return [];
    const waiting = transfer.pending.size > 0 || transfer.fetched.size > 0 ||
      transfer.linkViewers > 0;
    if (waiting && !expired) return [];
    transfer.settled = true;
    // Fetched but not (yet) said whether they saved it: received, as far as we know.
    const quiet = transfer.delivered + transfer.fetched.size;
    const parts: string[] = [];
    if (transfer.saved.length > 0) parts.push(`saved by ${nickList(transfer.saved)}`);
    if (quiet > 0) parts.push(`received by ${quiet === 1 ? "1 person" : `${quiet} people`}`);
    const links = transfer.linkDownloads;
    if (links > 0) parts.push(`downloaded ${links === 1 ? "once" : `${links} times`} by link`);
    const failures = transfer.notSaved;
    for (const { nick, reason } of failures.slice(0, MAX_FAILURES_TOLD)) {
      parts.push(`${nick} could not save it (${reason})`);
    }
    if (failures.length > MAX_FAILURES_TOLD) {
      parts.push(`${failures.length - MAX_FAILURES_TOLD} more could not save it`);
    }
    const missed = transfer.pending.size;
    if (missed > 0) parts.push(`${missed} did not fetch it in time`);
    const frame = transfer.saved.length + quiet + links === 0
      ? this.#frame(
        transfer,
        "failed",
        failures.length === 0
          ? "Nobody received it: everyone it was for left or never fetched it"
          : `Nobody saved it: ${parts.join("; ")}`,
      )
      : this.#frame(transfer, "delivered", parts.join("; "));
    this.#forget(transfer);
    return [{ to: [transfer.target.senderId], frame }];
  }

  /** Drops a settled or failed transfer and its file, once its last connection has closed. */
  #forget(transfer: Transfer): void {
    if (transfer.connections.size > 0 && transfer.life.status !== "failed") return;
    this.#transfers.delete(transfer.id);
    void Deno.remove(transfer.path).catch(() => {});
  }

  #frame(transfer: Transfer, state: TransferFrame["state"], reason: string): TransferFrame {
    return { type: "transfer", id: transfer.id, name: transfer.name, state, reason };
  }

  #wake(transfer: Transfer): void {
    const waiters = transfer.waiters;
    transfer.waiters = [];
    for (const wake of waiters) wake();
  }
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The native upload connection: `ready`, the bytes, maybe a `checksum` line, the outcome. */
const NATIVE_UPLOAD: UploadReplies = {
  refuse: (conn, _why, message) => refuse(conn, "no_such_transfer", message),
  ready: (conn) => writeLine(conn, { type: "ready" }),
  checksum: readChecksum,
  async outcome(conn, frame) {
    await writeLine(conn, frame).catch(() => {});
    closeQuietly(conn);
  },
};

/** The native download connection: `data` with the size, then the bytes. */
const NATIVE_DOWNLOAD: DownloadReplies = {
  refuse: (conn, _why, message) => refuse(conn, "no_such_transfer", message),
  start: (conn, { size }) => writeLine(conn, { type: "data", size }),
};

/** A fresh secret: 256 random bits, as 43 characters of base64url. */
function randomToken(): string {
  return encodeToken(crypto.getRandomValues(new Uint8Array(TOKEN_BYTES)));
}
/**
 * How long a receiver that fetched a whole file has to say whether it saved it, in ms; after
 * that it counts as having received it (a client that does not send `saved`).
 */
const SAVED_WAIT_MS = 60_000;
/** Most receivers that could not save a file named in the sender's summary; more are counted. */
const MAX_FAILURES_TOLD = 3;
/** Most nicks named in "saved by"; more are counted. */
const MAX_NICKS_TOLD = 5;

/** `ana`, `ana and bob`, `ana, bob and cy`, `ana, bob, cy, dan, eve and 3 others`. */
function nickList(nicks: readonly string[]): string {
  if (nicks.length > MAX_NICKS_TOLD) {
    const others = nicks.length - MAX_NICKS_TOLD;
    return `${nicks.slice(0, MAX_NICKS_TOLD).join(", ")} and ${others} other${
      others === 1 ? "" : "s"
    }`;
  }
  if (nicks.length === 1) return nicks[0] ?? "";
  return `${nicks.slice(0, -1).join(", ")} and ${nicks.at(-1)}`;
}
/** Longest line a checksum frame takes (it is about 100 bytes). */
const CHECKSUM_LINE_BYTES = 1024;

/** Reads the `checksum` line that follows the data of an upload; undefined if it is not one. */
async function readChecksum(conn: ByteStream): Promise<string | undefined> {
  const splitter = new LineSplitter({ maxLineBytes: CHECKSUM_LINE_BYTES });
  const buffer = new Uint8Array(256);
  while (true) {
    const n = await conn.read(buffer);
    if (n === null) return undefined;
    const [line] = splitter.push(buffer.subarray(0, n));
    if (line === null) return undefined; // Too long to be a checksum.
    if (line === undefined) continue;
    try {
      const frame = decodeClientFrame(decodeUtf8(line));
      return frame.type === "checksum" && SHA256_HEX.test(frame.sha256) ? frame.sha256 : undefined;
    } catch {
      return undefined;
    }
  }
}

/** The status read afresh: it changes while a handler awaits, which narrowing cannot see. */
function statusOf(transfer: Transfer): TransferStatus {
  return transfer.life.status;
}

function writeLine(conn: ByteStream, frame: ServerFrame): Promise<void> {
  return writeAll(conn, encodeFrame(frame));
}

async function refuse(
  conn: ByteStream,
  code: "no_such_transfer",
  message: string,
): Promise<void> {
  await writeLine(conn, { type: "error", code, message }).catch(() => {});
  closeQuietly(conn);
}

function closeQuietly(conn: ByteStream): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

function describe(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "the file vanished";
  const message = error instanceof Error ? error.message : String(error);
  return /no space/i.test(message)
    ? "the server's disk is full"
    : message.split("\n")[0] ?? "error";
}
