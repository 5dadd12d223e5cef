/**
 * Room passwords kept as salted scrypt hashes, never as themselves: whoever reads a database file
 * learns no password. Pure (node:crypto computes; nothing is read or written).
 */
import { randomBytes, scrypt, scryptSync, timingSafeEqual } from "node:crypto";

/**
 * scrypt's cost. 2^12 with r = 8 takes a few milliseconds: the hub is synchronous, so a join
 * with a wrong password must not hold up everyone else for long, and a room password is a
 * shared, low-value secret (the join allowance limits guessing anyway).
 */
const COST = 4096;
const BLOCK_SIZE = 8;
const PARALLEL = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
const PREFIX = "scrypt";

/** What a hash is made with: scrypt's parameters, the salt and the key length. */
interface Params {
  readonly cost: number;
  readonly blockSize: number;
  readonly parallel: number;
  readonly salt: Buffer;
  readonly bytes: number;
}

/** Fresh parameters (a new salt) for a password hashed with `cost` as scrypt's N. */
function fresh(cost: number): Params {
  return {
    cost,
    blockSize: BLOCK_SIZE,
    parallel: PARALLEL,
    salt: randomBytes(SALT_BYTES),
    bytes: KEY_BYTES,
  };
}

/** `scrypt$N$r$p$SALT$HASH` (base64). */
function format(params: Params, hash: Buffer): string {
  const { cost, blockSize, parallel, salt } = params;
  return [PREFIX, cost, blockSize, parallel, salt.toString("base64"), hash.toString("base64")]
    .join("$");
}

/** The parameters and hash a stored text holds, or undefined when it is not one of ours. */
function parse(stored: string): { params: Params; expected: Buffer } | undefined {
  const [prefix, cost, blockSize, parallel, salt, hash] = stored.split("$");
  if (prefix !== PREFIX || salt === undefined || hash === undefined) return undefined;
  const expected = Buffer.from(hash, "base64");
  return {
    params: {
      cost: Number(cost),
      blockSize: Number(blockSize),
      parallel: Number(parallel),
      salt: Buffer.from(salt, "base64"),
      bytes: expected.length,
    },
    expected,
  };
}

/** Whether two hashes are the same, compared in constant time. */
function same(actual: Buffer, expected: Buffer): boolean {
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * A salted hash of a password, with its parameters: `scrypt$N$r$p$SALT$HASH` (base64).
 *
 * @example
 * ```ts
 * import { hashPassword, passwordMatches } from "./password_hash.ts";
 * const stored = hashPassword("secret");
 * passwordMatches(stored, "secret"); // true
 * passwordMatches(stored, "Secret"); // false
 * ```
 */
export function hashPassword(password: string): string {
  const params = fresh(COST);
  return format(params, derive(password, params));
}

/** Whether `given` is the password `stored` (from {@linkcode hashPassword}) was made from. */
export function passwordMatches(stored: string, given: string): boolean {
  const parsed = parse(stored);
  return parsed !== undefined && same(derive(given, parsed.params), parsed.expected);
}

function derive(password: string, { salt, bytes, cost, blockSize, parallel }: Params): Buffer {
  return scryptSync(password, salt, bytes, { N: cost, r: blockSize, p: parallel });
}

/**
 * scrypt's cost for account passwords: 2^14 with r = 8 (16 MiB, tens of milliseconds). Slow on
 * purpose, so it runs off the event loop ({@linkcode hashPasswordAsync}), never in the hub.
 */
export const ACCOUNT_COST = 16384;

/**
 * Like {@linkcode hashPassword}, computed on a worker thread (node:crypto's `scrypt`), with
 * `cost` (a power of two) as scrypt's N.
 */
export async function hashPasswordAsync(password: string, cost = ACCOUNT_COST): Promise<string> {
  const params = fresh(cost);
  return format(params, await deriveAsync(password, params));
}

/**
 * Like {@linkcode passwordMatches}, on a worker thread; the hashes are compared in constant
 * time.
 */
export async function passwordMatchesAsync(stored: string, given: string): Promise<boolean> {
  const parsed = parse(stored);
  return parsed !== undefined && same(await deriveAsync(given, parsed.params), parsed.expected);
}

function deriveAsync(
  password: string,
  { salt, bytes, cost, blockSize, parallel }: Params,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password,
      salt,
      bytes,
      { N: cost, r: blockSize, p: parallel, maxmem: 256 * cost * blockSize },
      (error, key) => error === null ? resolve(key) : reject(error),
    );
  });
}
