/**
 * What `chat serve` tells its host once it listens: the addresses other people can use and the
 * lines they type to join. Pure: the machine's network interfaces are passed in.
 */

/** One address of a network interface, as `Deno.networkInterfaces()` lists it (the fields used). */
export interface InterfaceAddress {
  /** The interface's name, such as `eth0` or `en0`. */
  readonly name: string;
  readonly family: "IPv4" | "IPv6";
  readonly address: string;
}

/** Where the server listens. */
export interface BoundAddress {
  readonly hostname: string;
  readonly port: number;
}

/** Options for {@linkcode joinHints}. */
export interface JoinHintsOptions {
  /**
   * The machine's interface addresses; without them (no permission to list them) a server bound
   * to every address says nothing more. @default undefined
   */
  interfaces?: readonly InterfaceAddress[];
  /** The TLS port, when the server listens for TLS too: its lines follow. @default undefined */
  tlsPort?: number;
  /** Whether TLS is the only way in (`bound` is the TLS port then). @default false */
  tlsOnly?: boolean;
}

/**
 * The lines that follow `chat server ADDR is listening`: for a server bound to every address
 * (`0.0.0.0` or `::`), the addresses of this machine others can use (IPv4 first; loopback and
 * link-local IPv6 left out), then the `chat join` and `nc` lines to type. A server bound to one
 * address gives that one.
 *
 * @example
 * ```ts
 * import { joinHints } from "./addresses.ts";
 * const lines = joinHints({ hostname: "0.0.0.0", port: 12345 }, {
 *   interfaces: [{ name: "eth0", family: "IPv4", address: "192.168.1.20" }],
 * });
 * // lines[2] === "  chat join 192.168.1.20:12345"
 * ```
 */
export function joinHints(bound: BoundAddress, options: JoinHintsOptions = {}): string[] {
  const { hostname, port } = bound;
  if (!isWildcard(hostname)) {
    const lines = commandLines(hostname, port, options);
    if (isLoopback(hostname)) {
      lines.push("Only this machine can connect: serve with --host 0.0.0.0 to let others join");
    }
    return lines;
  }
  if (options.interfaces === undefined) return [];
  const reachable = reachableAddresses(
    options.interfaces,
    hostname === "::" || hostname === "[::]",
  );
  const first = reachable[0];
  if (first === undefined) {
    return [
      "No network address found besides this machine's own: only this machine can join",
      ...commandLines(hostname.includes(":") ? "::1" : "127.0.0.1", port, options),
    ];
  }
  const width = Math.max(...reachable.map((entry) => entry.address.length));
  return [
    reachable.length === 1 ? "Others can reach it at:" : "Others can reach it at any of:",
    ...reachable.map((entry) => `  ${entry.address.padEnd(width)}  (${entry.name})`),
    ...commandLines(first.address, port, options),
  ];
}

/**
 * The web address people are told to open (`http://HOST:PORT`, no final slash): the one of
 * {@linkcode joinHints}'s `http://` line, so download links use the address people already
 * reach the server at. A server bound to every address with none found gives the loopback one.
 *
 * @example
 * ```ts
 * import { webAddress } from "./addresses.ts";
 * webAddress({ hostname: "0.0.0.0", port: 12345 }, {
 *   interfaces: [{ name: "eth0", family: "IPv4", address: "192.168.1.20" }],
 * }); // "http://192.168.1.20:12345"
 * webAddress({ hostname: "::1", port: 8080 }); // "http://[::1]:8080"
 * ```
 */
export function webAddress(bound: BoundAddress, options: JoinHintsOptions = {}): string {
  const scheme = options.tlsOnly ? "https" : "http";
  const { hostname, port } = bound;
  let host = hostname;
  if (isWildcard(hostname)) {
    const ipv6 = hostname === "::" || hostname === "[::]";
    const first = reachableAddresses(options.interfaces ?? [], ipv6)[0];
    host = first?.address ?? (hostname.includes(":") ? "::1" : "127.0.0.1");
  }
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  return `${scheme}://${bare.includes(":") ? `[${bare}]` : bare}:${port}`;
}

/**
 * The addresses others may reach this machine at, IPv4 first, each once: loopback and link-local
 * IPv6 addresses (which need a zone to be used) are left out, and IPv6 only with `ipv6`.
 */
export function reachableAddresses(
  interfaces: readonly InterfaceAddress[],
  ipv6: boolean,
): InterfaceAddress[] {
  const seen = new Set<string>();
  const usable = interfaces.filter((entry) => {
    const key = entry.address.toLowerCase();
    if (seen.has(key) || isLoopback(key) || isLinkLocalV6(key)) return false;
    if (entry.family === "IPv6" && !ipv6) return false;
    seen.add(key);
    return true;
  });
  return [
    ...usable.filter((entry) => entry.family === "IPv4"),
    ...usable.filter((entry) => entry.family === "IPv6"),
  ];
}

/**
 * What to type to join `host` on `port`: with chat, with any TCP client, in a browser; then the
 * same over TLS when there is a TLS port.
 */
function commandLines(host: string, port: number, options: JoinHintsOptions): string[] {
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  const at = (port: number) => bare.includes(":") ? `[${bare}]:${port}` : `${bare}:${port}`;
  const tls = (port: number) => [
    `  chat join --tls ${at(port)}`,
    "or open in a web browser:",
    `  https://${at(port)}/`,
  ];
  if (options.tlsOnly) return ["To join (TLS only), type:", ...tls(port)];
  const lines = [
    "To join, type:",
    `  chat join ${at(port)}`,
    "or, without chat (nc or any plain TCP client):",
    `  nc ${bare} ${port}`,
    "or open in a web browser:",
    `  http://${at(port)}/`,
  ];
  if (options.tlsPort !== undefined) lines.push("or, encrypted:", ...tls(options.tlsPort));
  return lines;
}

function isWildcard(hostname: string): boolean {
  return hostname === "0.0.0.0" || hostname === "::" || hostname === "[::]";
}

function isLoopback(address: string): boolean {
  const bare = address.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return /^127\./.test(bare) || bare === "::1" || bare === "localhost";
}

/** `fe80::/10`: usable only with the interface's zone (`%eth0`), so not worth showing. */
function isLinkLocalV6(address: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(address);
}
