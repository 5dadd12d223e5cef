/**
 * IRCv3 SASL (`AUTHENTICATE`): the client's response arrives base64-encoded in chunks of at most
 * 400 bytes (a chunk of exactly 400 means more follow; `+` alone is an empty chunk), and each
 * mechanism turns the decoded response into a login: an account and its password (PLAIN), or a
 * bearer token (OAUTHBEARER, RFC 7628, offered only on a server that takes tokens). Mechanisms
 * are a table, so another is one more entry. Pure.
 */
import { ChatError } from "../../errors.ts";
import { OAUTHBEARER, parseOauthBearer } from "../../sasl_oauthbearer.ts";

/** The largest chunk of one AUTHENTICATE line; a chunk this long means more follow. */
export const SASL_CHUNK_BYTES = 400;

/** The longest response (base64, all chunks together) a client may send. */
export const MAX_SASL_RESPONSE_BYTES = 8192;

/**
 * What a mechanism makes of a client's response: a login to check (an account and password, or
 * a bearer token with the account the client asks for, if it says), or why it is refused.
 */
export type SaslOutcome =
  | { readonly ok: true; readonly account: string; readonly password: string }
  | { readonly ok: true; readonly token: string; readonly account?: string }
  | { readonly ok: false; readonly reason: string };

/** One SASL mechanism: how its single client response reads. */
export interface SaslMechanism {
  login(response: Uint8Array): SaslOutcome;
}

/**
 * PLAIN (RFC 4616): `authzid NUL authcid NUL password`. The authorization identity must be empty
 * or the account itself: nobody logs in as someone else.
 */
export const PLAIN: SaslMechanism = {
  login(response) {
    const text = new TextDecoder("utf-8", { fatal: false }).decode(response);
    const parts = text.split("\0");
    if (parts.length !== 3) return { ok: false, reason: "Malformed PLAIN response" };
    const [authzid = "", account = "", password = ""] = parts;
    if (account === "" || password === "") {
      return { ok: false, reason: "PLAIN needs an account and a password" };
    }
    if (authzid !== "" && authzid !== account) {
      return { ok: false, reason: "Logging in as another account is not supported" };
    }
    return { ok: true, account, password };
  },
};

/**
 * OAUTHBEARER (RFC 7628): `n,a=NAME,^Aauth=Bearer TOKEN^A^A` (see `sasl_oauthbearer.ts`). The
 * token is checked like `/login --token`; `a=` (optional) must name the token's account.
 */
export const OAUTH_BEARER: SaslMechanism = {
  login(response) {
    const text = new TextDecoder("utf-8", { fatal: false }).decode(response);
    try {
      const { token, authzid } = parseOauthBearer(text);
      return authzid === undefined ? { ok: true, token } : { ok: true, token, account: authzid };
    } catch (error) {
      if (error instanceof ChatError) return { ok: false, reason: error.message };
      throw error;
    }
  },
};

/** Every mechanism known, by name. */
export const SASL_MECHANISMS: Readonly<Record<string, SaslMechanism>> = {
  PLAIN,
  [OAUTHBEARER]: OAUTH_BEARER,
};

/**
 * The mechanisms a server offers, by name (`sasl=PLAIN,OAUTHBEARER` in CAP LS 302, 908
 * RPL_SASLMECHS): PLAIN, and OAUTHBEARER when it takes tokens as logins.
 */
export function offeredMechanisms(tokens: boolean): Readonly<Record<string, SaslMechanism>> {
  return tokens ? SASL_MECHANISMS : { PLAIN };
}

/**
 * A server's challenge as AUTHENTICATE parameters: its base64 in chunks of 400, followed by `+`
 * when the last chunk is exactly 400 long (or the challenge is empty).
 */
export function challengeChunks(challenge: Uint8Array): string[] {
  const base64 = encodeBase64(challenge);
  const chunks: string[] = [];
  for (let at = 0; at < base64.length; at += SASL_CHUNK_BYTES) {
    chunks.push(base64.slice(at, at + SASL_CHUNK_BYTES));
  }
  if (chunks.length === 0 || chunks.at(-1)?.length === SASL_CHUNK_BYTES) chunks.push("+");
  return chunks;
}

/** What one AUTHENTICATE chunk does to the response being gathered. */
export type ChunkResult =
  | { readonly kind: "more" }
  | { readonly kind: "done"; readonly response: Uint8Array }
  | { readonly kind: "too_long" }
  | { readonly kind: "invalid" };

/** Gathers a client's base64 response from its AUTHENTICATE chunks. */
export class SaslResponse {
  #base64 = "";

  /** Adds one chunk (`+` for an empty one). */
  add(chunk: string): ChunkResult {
    if (chunk.length > SASL_CHUNK_BYTES) return { kind: "too_long" };
    if (chunk !== "+") this.#base64 += chunk;
    if (this.#base64.length > MAX_SASL_RESPONSE_BYTES) return { kind: "too_long" };
    if (chunk.length === SASL_CHUNK_BYTES) return { kind: "more" };
    const response = decodeBase64(this.#base64);
    return response === undefined ? { kind: "invalid" } : { kind: "done", response };
  }
}

/** Bytes to standard base64 (with padding). */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Standard base64 (with padding) to bytes; undefined when it is not base64. */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  try {
    return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
  } catch {
    return undefined;
  }
}
