/**
 * Addresses for bans: the host part of a connection's `remote` (`127.0.0.1:5000`,
 * `[::1]:5000`), and whether an address falls in a ban's address or CIDR block (IPv4 and IPv6,
 * IPv4-mapped IPv6 seen as IPv4). Pure.
 *
 * @example
 * ```ts
 * import { addressMatches, hostOf } from "./address_match.ts";
 * hostOf("[::1]:5000"); // "::1"
 * addressMatches("10.1.2.3", "10.1.0.0/16"); // true
 * addressMatches("10.2.0.1", "10.1.0.0/16"); // false
 * ```
 */

/** The host of `host:port` (`[v6]:port` too); anything else as it is. */
export function hostOf(remote: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(remote);
  if (bracketed !== null) return bracketed[1] ?? remote;
  const v4 = /^([^:]+):\d+$/.exec(remote);
  return v4 === null ? remote : v4[1] ?? remote;
}

/** Whether `text` is an IP address or a CIDR block (`10.0.0.0/8`, `2001:db8::/32`). */
export function isAddressPattern(text: string): boolean {
  return parsePattern(text) !== undefined;
}

/** Whether the address `host` is `pattern` (an address) or inside it (a CIDR block). */
export function addressMatches(host: string, pattern: string): boolean {
  const address = parseAddress(host);
  const block = parsePattern(pattern);
  if (address === undefined || block === undefined) return false;
  if (address.bits !== block.bits) return false;
  const shift = BigInt(block.bits - block.prefix);
  return address.value >> shift === block.value >> shift;
}

interface Parsed {
  readonly value: bigint;
  /** 32 for IPv4, 128 for IPv6. */
  readonly bits: number;
}

function parsePattern(text: string): (Parsed & { prefix: number }) | undefined {
  const [head = "", prefixText, extra] = text.trim().split("/");
  if (extra !== undefined) return undefined;
  const address = parseAddress(head);
  if (address === undefined) return undefined;
  if (prefixText === undefined) return { ...address, prefix: address.bits };
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  // An IPv4 block written as mapped IPv6 (`::ffff:10.0.0.0/104`) is an IPv4 block.
  const mapped = address.bits === 32 && head.includes(":");
  const adjusted = mapped ? prefix - 96 : prefix;
  if (adjusted < 0 || adjusted > address.bits) return undefined;
  return { ...address, prefix: adjusted };
}

function parseAddress(text: string): Parsed | undefined {
  const host = text.trim().replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return parseV4(host);
  if (!host.includes(":")) return undefined;
  return parseV6(host);
}

function parseV4(host: string): Parsed | undefined {
  let value = 0n;
  for (const part of host.split(".")) {
    const n = Number(part);
    if (n > 255 || (part.length > 1 && part.startsWith("0"))) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return { value, bits: 32 };
}

function parseV6(host: string): Parsed | undefined {
  let text = host.toLowerCase();
  let tail: bigint[] = [];
  const lastColon = text.lastIndexOf(":");
  const v4 = text.slice(lastColon + 1);
  if (v4.includes(".")) {
    const parsed = parseV4(v4);
    if (parsed === undefined) return undefined;
    tail = [parsed.value >> 16n, parsed.value & 0xffffn];
    text = text.slice(0, lastColon + 1) + "0:0";
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const group = (part: string) => part === "" ? [] : part.split(":");
  const head = group(halves[0] ?? "");
  const rest = halves.length === 2 ? group(halves[1] ?? "") : [];
  const missing = 8 - head.length - rest.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...head, ...Array<string>(missing).fill("0"), ...rest];
  if (groups.some((each) => !/^[0-9a-f]{1,4}$/.test(each))) return undefined;
  const words = groups.map((each) => BigInt(parseInt(each, 16)));
  if (tail.length === 2) words.splice(6, 2, ...tail);
  let value = 0n;
  for (const word of words) value = (value << 16n) | word;
  // IPv4-mapped (::ffff:a.b.c.d): the IPv4 address it carries.
  if (value >> 32n === 0xffffn) return { value: value & 0xffffffffn, bits: 32 };
  return { value, bits: 128 };
}
