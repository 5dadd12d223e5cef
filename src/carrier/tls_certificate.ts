/**
 * The server's TLS certificate: read from files the operator gives, or made on first start
 * (self-signed ECDSA P-256 with SHA-256, not a CA, naming this host's names and addresses) and
 * kept in a folder, so its fingerprint stays the same from one start to the next.
 */
import { ChatError } from "../errors.ts";
import { readTextFile } from "../read_text_file.ts";
import { formatFingerprint, pemToDer } from "../fingerprint.ts";

/** A certificate chain and its key, as PEM, with the fingerprint of the first certificate. */
export interface TlsIdentity {
  readonly cert: string;
  readonly key: string;
  /** `SHA256:...` of the leaf certificate. */
  readonly fingerprint: string;
  /** Whether it was made here (self-signed) rather than given. */
  readonly selfSigned: boolean;
}

/** File names of a made certificate inside its folder. */
export const CERT_FILE = "cert.pem";
export const KEY_FILE = "key.pem";

/** How long a made certificate is valid: ten years (it is pinned, not trusted through a CA). */
const VALID_DAYS = 3650;

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };

/** The fingerprint of the first certificate in a PEM text. Throws `ChatError` when there is none. */
export async function fingerprintOfPem(pem: string): Promise<string> {
  const der = pemToDer(pem);
  if (der === undefined) throw new ChatError("bad_arguments", "No certificate in the PEM text");
  return formatFingerprint(new Uint8Array(await crypto.subtle.digest("SHA-256", der)));
}

/**
 * Reads a certificate (chain) and key the operator gave. Throws `ChatError` with a message that
 * names the file for a missing or unreadable file or one without a certificate or key.
 */
export async function readTlsIdentity(certFile: string, keyFile: string): Promise<TlsIdentity> {
  const cert = await readText(certFile, "certificate");
  const key = await readText(keyFile, "key");
  if (!/-----BEGIN CERTIFICATE-----/.test(cert)) {
    throw new ChatError("bad_arguments", `No certificate in ${certFile} (expected PEM)`);
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) {
    throw new ChatError("bad_arguments", `No private key in ${keyFile} (expected PEM)`);
  }
  return { cert, key, fingerprint: await fingerprintOfPem(cert), selfSigned: false };
}

/**
 * The certificate kept in `folder`, made (with `names`: host names and IP addresses) when the
 * folder has none. The key file is readable by its owner only.
 */
export async function loadOrCreateTlsIdentity(
  folder: string,
  names: readonly string[],
): Promise<TlsIdentity> {
  const certFile = `${folder}/${CERT_FILE}`;
  const keyFile = `${folder}/${KEY_FILE}`;
  if (await exists(certFile) && await exists(keyFile)) {
    return { ...await readTlsIdentity(certFile, keyFile), selfSigned: true };
  }
  const { cert, key } = await makeSelfSigned(names);
  try {
    await Deno.mkdir(folder, { recursive: true, mode: 0o700 });
    await Deno.writeTextFile(keyFile, key, { mode: 0o600 });
    await Deno.writeTextFile(certFile, cert, { mode: 0o644 });
  } catch (error) {
    throw new ChatError(
      "bad_arguments",
      `Cannot keep the TLS certificate in ${folder}: ${
        error instanceof Error ? error.message : error
      }`,
    );
  }
  return { cert, key, fingerprint: await fingerprintOfPem(cert), selfSigned: true };
}

/**
 * Loads the certificate library on first use: it (with its dependencies) costs every process
 * that loads it about 4 MB of JavaScript heap and 19 MB of RSS, and only a server making its
 * own certificate needs it (docs/BENCHMARKS.md, "Where the memory goes").
 */
async function loadX509(): Promise<typeof import("@peculiar/x509")> {
  await import("reflect-metadata");
  return await import("@peculiar/x509");
}

/** Makes a self-signed server certificate for `names` (host names and IP addresses). */
export async function makeSelfSigned(
  names: readonly string[],
  now: Date = new Date(),
): Promise<{ cert: string; key: string }> {
  const x509 = await loadX509();
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const serial = crypto.getRandomValues(new Uint8Array(16));
  serial[0] = (serial[0] ?? 0) & 0x7f; // a positive serial number
  const unique = [...new Set(names)];
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: [...serial].map((byte) => byte.toString(16).padStart(2, "0")).join(""),
    name: `CN=${cnSafe(unique[0] ?? "chat")}, O=chat`,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + VALID_DAYS * 86_400_000),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        unique.map((name) => ({
          type: isIpAddress(name) ? "ip" as const : "dns" as const,
          value: name,
        })),
      ),
    ],
  });
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", keys.privateKey);
  return {
    cert: certificate.toString("pem") + "\n",
    key: x509.PemConverter.encode(pkcs8, "PRIVATE KEY") + "\n",
  };
}

function isIpAddress(name: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || name.includes(":");
}

/** A name fit for a certificate's common name (no separators that would start a new part). */
function cnSafe(name: string): string {
  return name.replace(/[,=+<>#;"\\]/g, "_");
}

function readText(file: string, what: string): Promise<string> {
  return readTextFile(file, `the TLS ${what} ${file}`);
}

async function exists(file: string): Promise<boolean> {
  try {
    await Deno.stat(file);
    return true;
  } catch {
    return false;
  }
}
