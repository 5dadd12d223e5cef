/**
 * Shared files over HTTP on the chat port, for browsers and for people without `chat join`:
 * `GET /files/ID/TOKEN/NAME` downloads a file (with a recipient's token or the file's link
 * token) as an attachment, and `POST /files/ID/TOKEN` uploads one (with the upload token from
 * `offer_ok`, the body being exactly the offered bytes). Both go through the same transfers as
 * the native file-transfer connections ({@linkcode Transfers.receive}, {@linkcode Transfers.send}):
 * one spool, the same limits, the same stall timeout; only the replies are HTTP.
 *
 * Anything that does not name a transfer and its token, the wrong token included, is 404, the
 * same answer whatever exists: nothing here can be found by guessing.
 */
import type { ByteStream } from "../carrier/connection.ts";
import {
  DEFAULT_CLOSE_TIMEOUT_MS,
  isSameOrigin,
  plainResponse,
  respondAndClose,
  SECURITY_HEADERS,
} from "../carrier/http_front.ts";
import { formatResponse, type HttpRequest } from "../carrier/http_request.ts";
import { attachment } from "../content_disposition.ts";
import { parseFilePath } from "../file_link.ts";
import { writeAll } from "../pump.ts";
import type { DownloadReplies, Transfers, UploadReplies } from "./transfers.ts";

/** What serving files needs of the transfers. */
export type FileTransfers = Pick<Transfers, "receive" | "send">;

/** Options for {@linkcode serveFileRequest}. */
export interface FileRequestOptions {
  /** Time allowed for writing a short response before the connection is closed anyway. */
  closeTimeoutMs?: number;
}

/** Policy for a downloaded file: nothing in it may run, even if a browser were to show it. */
const DOWNLOAD_CSP = "default-src 'none'; sandbox";

const NOT_FOUND = "Not found\n";

/**
 * Answers one request under `/files/` and closes the connection; resolves when it is over (an
 * upload or download may take as long as the file does, within the stall timeout).
 */
export function serveFileRequest(
  transfers: FileTransfers,
  conn: ByteStream,
  request: HttpRequest,
  options: FileRequestOptions = {},
): Promise<void> {
  const closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
  const host = request.headers.get("host");
  const respond = (status: number, body: string, extra: [string, string][] = []) =>
    respondAndClose(conn, plainResponse(status, body, host, extra), { closeTimeoutMs });
  const place = parseFilePath(request.target);
  if (place === undefined) return respond(404, NOT_FOUND);
  switch (request.method) {
    case "GET":
      return transfers.send(place.id, place.token, conn, httpDownload(respond));
    case "POST": {
      // A token is needed anyway; this also keeps other sites' pages from posting with one.
      const origin = request.headers.get("origin");
      if (origin !== undefined && !isSameOrigin(origin, host)) {
        return respond(403, "Cross-origin upload refused\n");
      }
      const body = new PrefixedStream(conn, request.rest);
      return transfers.receive(place.id, place.token, body, httpUpload(request, respond));
    }
    default:
      return respond(405, `Method not allowed: ${request.method}\n`, [["Allow", "GET, POST"]]);
  }
}

type Respond = (status: number, body: string, extra?: [string, string][]) => Promise<void>;

function httpDownload(respond: Respond): DownloadReplies {
  return {
    refuse: (_conn, why, message) =>
      why === "unknown" ? respond(404, NOT_FOUND) : respond(410, `${message}\n`),
    start: (conn, { size, name }) =>
      writeAll(
        conn,
        formatResponse({
          status: 200,
          headers: [
            ["Content-Type", "application/octet-stream"],
            ["Content-Disposition", attachment(name)],
            ...SECURITY_HEADERS,
            ["Content-Security-Policy", DOWNLOAD_CSP],
          ],
          bodyLength: size,
        }),
      ),
  };
}

function httpUpload(request: HttpRequest, respond: Respond): UploadReplies {
  return {
    refuse(_conn, why, message) {
      if (why === "unknown") return respond(404, NOT_FOUND);
      return respond(why === "busy" ? 409 : 400, `${message}\n`);
    },
    check(size) {
      if (!request.headers.has("content-length")) {
        return `Content-Length is needed: the file's size, ${size}`;
      }
      return request.contentLength === size
        ? undefined
        : `Content-Length must be the offered size, ${size}, not ${request.contentLength}`;
    },
    async ready(conn) {
      // curl asks before sending a large body, and waits a second for this otherwise.
      if (/^100-continue$/i.test(request.headers.get("expect") ?? "")) {
        await writeAll(conn, new TextEncoder().encode("HTTP/1.1 100 Continue\r\n\r\n"));
      }
    },
    // The checksum comes with the offer: nothing follows an HTTP body.
    checksum: () => Promise.resolve(undefined),
    outcome: (_conn, frame) =>
      respond(frame.state === "uploaded" ? 200 : 422, JSON.stringify(frame) + "\n"),
  };
}

/** A byte stream that first gives back bytes already read (the start of a request body). */
class PrefixedStream implements ByteStream {
  readonly #conn: ByteStream;
  #prefix: Uint8Array;

  constructor(conn: ByteStream, prefix: Uint8Array) {
    this.#conn = conn;
    this.#prefix = prefix;
  }

  read(buffer: Uint8Array): Promise<number | null> {
    if (this.#prefix.length === 0) return this.#conn.read(buffer);
    const n = Math.min(buffer.length, this.#prefix.length);
    buffer.set(this.#prefix.subarray(0, n));
    this.#prefix = this.#prefix.subarray(n);
    return Promise.resolve(n);
  }

  write(bytes: Uint8Array): Promise<number> {
    return this.#conn.write(bytes);
  }

  close(): void {
    this.#conn.close();
  }
}
