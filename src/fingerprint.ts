/**
 * Certificate fingerprints as people see them: `SHA256:` and the unpadded base64 of the SHA-256
 * of the certificate's DER bytes, as ssh shows host keys. Pure.
 */

/** The text of a SHA-256 digest of a certificate: `SHA256:` and unpadded base64. */
export function formatFingerprint(digest: Uint8Array): string {
  let binary = "";
  for (const byte of digest) binary += String.fromCharCode(byte);
  return "SHA256:" + btoa(binary).replace(/=+$/, "");
}

/**
 * Reads a fingerprint as a person may give it: `SHA256:` and base64 (as we print it), or 64 hex
 * digits with or without colons (as browsers and openssl print it). Returns it in our form, or
 * undefined when it is neither.
 */
export function parseFingerprint(text: string): string | undefined {
  const trimmed = text.trim();
  const hex = trimmed.replace(/^sha-?256[:=]?/i, "").replaceAll(":", "");
  if (/^[0-9a-f]{64}$/i.test(hex)) {
    const bytes = new Uint8Array(32);
    for (let i = 0; i < 32; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
    return formatFingerprint(bytes);
  }
  const match = /^SHA256:([A-Za-z0-9+/]{43})=?$/i.exec(trimmed);
  if (match === null) return undefined;
  try {
    const binary = atob((match[1] ?? "") + "=");
    return binary.length === 32
      ? formatFingerprint(Uint8Array.from(binary, (c) => c.charCodeAt(0)))
      : undefined;
  } catch {
    return undefined;
  }
}

/** The DER bytes inside a PEM certificate (the first one), or undefined when there is none. */
export function pemToDer(pem: string): Uint8Array<ArrayBuffer> | undefined {
  const match = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem);
  if (match === null) return undefined;
  try {
    return Uint8Array.from(atob((match[1] ?? "").replace(/\s+/g, "")), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** A PEM certificate around DER bytes. */
export function derToPem(der: Uint8Array): string {
  let binary = "";
  for (const byte of der) binary += String.fromCharCode(byte);
  const lines = btoa(binary).match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
}
