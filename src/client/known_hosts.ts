/**
 * The servers `chat join --tls` has pinned: one line per server, `HOST:PORT SHA256:... CERT`, the
 * certificate as one line of base64 (DER), so a later connection can check it without asking.
 * Like ssh's known_hosts. Pure: the caller reads and writes the file.
 */

/** One pinned server. */
export interface KnownHost {
  /** `host:port` as `formatHostPort` writes it. */
  readonly address: string;
  /** `SHA256:...` of the certificate. */
  readonly fingerprint: string;
  /** The certificate, DER as base64. */
  readonly certificate: string;
}

/** The entries of a known-hosts text; lines that are not entries (comments, blanks) are skipped. */
export function parseKnownHosts(text: string): KnownHost[] {
  const hosts: KnownHost[] = [];
  for (const line of text.split("\n")) {
    const [address, fingerprint, certificate, ...rest] = line.trim().split(/\s+/);
    if (address === undefined || address.startsWith("#") || rest.length > 0) continue;
    if (fingerprint === undefined || !fingerprint.startsWith("SHA256:")) continue;
    if (certificate === undefined || !/^[A-Za-z0-9+/]+=*$/.test(certificate)) continue;
    hosts.push({ address, fingerprint, certificate });
  }
  return hosts;
}

/** The entry for `address`, if any. */
export function findKnownHost(
  hosts: readonly KnownHost[],
  address: string,
): KnownHost | undefined {
  return hosts.find((host) => host.address === address);
}

/** The text with `host` in place of any entry for its address (added at the end otherwise). */
export function withKnownHost(text: string, host: KnownHost): string {
  const line = `${host.address} ${host.fingerprint} ${host.certificate}`;
  const lines = text.split("\n").filter((existing) => existing.trim() !== "");
  const kept = lines.filter((existing) => existing.trim().split(/\s+/)[0] !== host.address);
  return [...kept, line].join("\n") + "\n";
}
