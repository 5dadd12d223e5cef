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
  const salt = randomBytes(SALT_BYTES);
  const hash = derive(password, salt, COST, BLOCK_SIZE, PARALLEL);
  return [PREFIX, COST, BLOCK_SIZE, PARALLEL, salt.toString("base64"), hash.toString("base64")]
    .join("$");
}

/** Whether `given` is the password `stored` (from {@linkcode hashPassword}) was made from. */
export function passwordMatches(stored: string, given: string): boolean {
  const [prefix, cost, blockSize, parallel, salt, hash] = stored.split("$");
  if (prefix !== PREFIX || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, "base64");
  const actual = derive(
    given,
    Buffer.from(salt, "base64"),
    Number(cost),
    Number(blockSize),
    Number(parallel),
    expected.length,
  );
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function derive(
  password: string,
  salt: Buffer,
  cost: number,
  blockSize: number,
  parallel: number,
  bytes = KEY_BYTES,
): Buffer {
  return scryptSync(password, salt, bytes, {
    N: cost,
    r: blockSize,
    p: parallel,
  });
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
  const salt = randomBytes(SALT_BYTES);
  const hash = await deriveAsync(password, salt, cost, BLOCK_SIZE, PARALLEL, KEY_BYTES);
  return [PREFIX, cost, BLOCK_SIZE, PARALLEL, salt.toString("base64"), hash.toString("base64")]
    .join("$");
}

/**
 * Like {@linkcode passwordMatches}, on a worker thread; the hashes are compared in constant
 * time.
 */
export async function passwordMatchesAsync(stored: string, given: string): Promise<boolean> {
  const [prefix, cost, blockSize, parallel, salt, hash] = stored.split("$");
  if (prefix !== PREFIX || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, "base64");
  const actual = await deriveAsync(
    given,
    Buffer.from(salt, "base64"),
    Number(cost),
    Number(blockSize),
    Number(parallel),
    expected.length,
  );
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function deriveAsync(
  password: string,
  salt: Buffer,
  cost: number,
  blockSize: number,
  parallel: number,
  bytes: number,
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
