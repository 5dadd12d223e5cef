/**
 * Connects with TLS and decides whether to trust the server, as ssh does: a certificate from a
 * real authority validates normally; otherwise the server's certificate is pinned on first use
 * (asked on a terminal, or accepted with `--trust-on-first-use`) in a known-hosts file, and a
 * later change is refused with both fingerprints. `--fingerprint` pins explicitly.
 *
 * Deno's `connectTls` does not show the peer's certificate, so a first look goes through
 * `node:tls` (which does); the connections themselves are Deno's, verified against the pinned
 * certificate (`caCerts`).
 */
import tls from "node:tls";
import { TLS_HANDSHAKE_TIMEOUT_MS } from "../limits.ts";
import { ConnectError } from "./connection.ts";
import { formatHostPort } from "../carrier/tcp.ts";
import { derToPem, formatFingerprint } from "../fingerprint.ts";
import { findKnownHost, type KnownHost, parseKnownHosts, withKnownHost } from "./known_hosts.ts";

/** How long a TLS handshake may take before the connection is given up. */
const HANDSHAKE_TIMEOUT_MS = TLS_HANDSHAKE_TIMEOUT_MS;

/** How the user wants servers trusted. */
export interface TlsTrust {
  /** Where pinned certificates are kept. */
  readonly knownHostsFile: string;
  /** Accept and pin an unknown certificate without asking. */
  readonly trustOnFirstUse: boolean;
  /** The fingerprint the server must have. */
  readonly fingerprint?: string;
  /**
   * Asks the user whether to trust a certificate (on a terminal); absent where nobody can be
   * asked, and an unknown certificate is refused then.
   */
  readonly ask?: (question: string) => Promise<boolean>;
}

/** A TCP or TLS connection to the server. */
export type Dial = (host: string, port: number) => Promise<Deno.TcpConn | Deno.TlsConn>;

/** Plain TCP. */
export function dialTcp(host: string, port: number): Promise<Deno.TcpConn> {
  return Deno.connect({ hostname: host, port });
}

/** A dialer that connects with TLS and checks the server as `trust` says. */
export function tlsDialer(trust: TlsTrust): Dial {
  return async (host, port) => {
    const address = formatHostPort(host, port);
    if (trust.fingerprint !== undefined) {
      const seen = await peek(host, port);
      if (seen.fingerprint !== trust.fingerprint) {
        throw new ConnectError(
          `The server at ${address} has certificate ${seen.fingerprint}, not ${trust.fingerprint}` +
            ` as --fingerprint says: not connecting`,
        );
      }
      return await pinned(host, port, seen.certificate);
    }
    const known = findKnownHost(parseKnownHosts(await readText(trust.knownHostsFile)), address);
    if (known !== undefined) {
      try {
        return await pinned(host, port, known.certificate);
      } catch (error) {
        if (!(error instanceof ConnectError) || !isCertificateError(error)) throw error;
        const seen = await peek(host, port);
        if (seen.fingerprint === known.fingerprint) throw error;
        throw new ConnectError(
          `WARNING: the certificate of ${address} has changed: it was ${known.fingerprint}, ` +
            `it is now ${seen.fingerprint}. Someone may be in the middle; if the server really ` +
            `has a new certificate, remove the line for ${address} from ${trust.knownHostsFile}`,
        );
      }
    }
    try {
      // A certificate from a real authority needs no pinning.
      return await handshake(Deno.connectTls({ hostname: host, port }), address);
    } catch (error) {
      if (!(error instanceof ConnectError) || !isCertificateError(error)) throw error;
    }
    const seen = await peek(host, port);
    const question = `The server at ${address} has a certificate no authority vouches for ` +
      `(self-signed), fingerprint ${seen.fingerprint}. Compare it with what the server printed. ` +
      `Trust it from now on?`;
    const trusted = trust.trustOnFirstUse || (await trust.ask?.(question) ?? false);
    if (!trusted) {
      throw new ConnectError(
        `The server at ${address} has an unknown certificate ${seen.fingerprint}: not ` +
          `connecting (check it with the server's operator, then use --fingerprint ` +
          `${seen.fingerprint} or --trust-on-first-use)`,
      );
    }
    await remember(trust.knownHostsFile, {
      address,
      fingerprint: seen.fingerprint,
      certificate: seen.certificate,
    });
    return await pinned(host, port, seen.certificate);
  };
}

/** The known-hosts file: `$XDG_CONFIG_HOME/chat/known_hosts` or `~/.config/chat/known_hosts`. */
export function defaultKnownHostsFile(env: (name: string) => string | undefined): string {
  const xdg = env("XDG_CONFIG_HOME");
  if (xdg !== undefined && xdg.startsWith("/")) return `${xdg}/chat/known_hosts`;
  const home = env("HOME") ?? env("USERPROFILE") ?? ".";
  return `${home}/.config/chat/known_hosts`;
}

/** Connects trusting only `certificate` (base64 DER). */
function pinned(host: string, port: number, certificate: string): Promise<Deno.TlsConn> {
  const pem = derToPem(Uint8Array.from(atob(certificate), (c) => c.charCodeAt(0)));
  return handshake(
    Deno.connectTls({ hostname: host, port, caCerts: [pem] }),
    formatHostPort(host, port),
  );
}

/** Finishes the handshake within the deadline; failures become a `ConnectError`. */
async function handshake(
  connecting: Promise<Deno.TlsConn>,
  address: string,
): Promise<Deno.TlsConn> {
  let conn: Deno.TlsConn | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    conn = await connecting;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ConnectError(`TLS handshake with ${address} timed out`)),
        HANDSHAKE_TIMEOUT_MS,
      );
    });
    await Promise.race([conn.handshake(), deadline]);
    return conn;
  } catch (error) {
    try {
      conn?.close();
    } catch {
      // Already closed.
    }
    if (error instanceof ConnectError) throw error;
    throw new ConnectError(`Cannot connect to ${address} with TLS: ${describe(error)}`);
  } finally {
    clearTimeout(timer);
  }
}

/** The server's certificate, looked at without trusting it. */
function peek(host: string, port: number): Promise<{ fingerprint: string; certificate: string }> {
  const address = formatHostPort(host, port);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host,
      port,
      rejectUnauthorized: false,
      servername: /^[\d.]+$|:/.test(host) ? undefined : host,
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ConnectError(`TLS handshake with ${address} timed out`));
    }, HANDSHAKE_TIMEOUT_MS);
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      const raw = socket.getPeerCertificate(false)?.raw;
      socket.destroy();
      if (raw === undefined || raw.length === 0) {
        reject(new ConnectError(`The server at ${address} showed no certificate`));
        return;
      }
      const der = new Uint8Array(raw);
      crypto.subtle.digest("SHA-256", der).then((digest) => {
        let binary = "";
        for (const byte of der) binary += String.fromCharCode(byte);
        resolve({
          fingerprint: formatFingerprint(new Uint8Array(digest)),
          certificate: btoa(binary),
        });
      }, reject);
    });
    socket.once("error", (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new ConnectError(`Cannot connect to ${address} with TLS: ${describe(error)}`));
    });
  });
}

async function remember(file: string, host: KnownHost): Promise<void> {
  try {
    const folder = file.replace(/[/\\][^/\\]*$/, "");
    if (folder !== file) await Deno.mkdir(folder, { recursive: true, mode: 0o700 });
    await Deno.writeTextFile(file, withKnownHost(await readText(file), host), { mode: 0o600 });
  } catch (error) {
    throw new ConnectError(
      `Cannot remember the server's certificate in ${file}: ${describe(error)}`,
    );
  }
}

async function readText(file: string): Promise<string> {
  try {
    return await Deno.readTextFile(file);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "";
    throw new ConnectError(`Cannot read ${file}: ${describe(error)}`);
  }
}

function isCertificateError(error: Error): boolean {
  return /certificate|issuer|UnknownIssuer|NotValidForName|BadSignature|self.signed/i.test(
    error.message,
  );
}

function describe(error: unknown): string {
  if (error instanceof Deno.errors.ConnectionRefused) {
    return "connection refused (is the server's TLS port right?)";
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] ?? "failed";
}
