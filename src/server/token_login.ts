/**
 * Single sign-on: a signed JWT (an OpenID Connect ID token, or a JWT access token) from the
 * identity provider a server trusts (`chat serve --oidc-issuer URL --oidc-audience ID`) is a
 * login. The token is checked with `jose` against the issuer's published keys: its discovery
 * document names the JWKS, which `jose` caches and fetches again for a key it does not know.
 * Checked: the signature (asymmetric algorithms only: never `none` nor a shared secret), `iss`,
 * `aud`, `exp` and `nbf` (with a minute of tolerance for clocks), and that the name claim is a
 * valid nick. Sessions take a {@linkcode TokenVerifier}; only {@linkcode OidcVerifier} touches
 * the network.
 */
import {
  createRemoteJWKSet,
  errors as jose,
  type JWTPayload,
  jwtVerify,
  type JWTVerifyGetKey,
} from "jose";
import { ChatError } from "../errors.ts";
import { NICK_RULE, validateNick } from "../nick.ts";
import { allowedProviderUrl, DEFAULT_NAME_CLAIM, parseIssuer } from "../oidc_issuer.ts";

/** Who a checked token says its holder is. */
export interface TokenIdentity {
  /** The account's name: the name claim, a valid nick. */
  readonly name: string;
  /** The issuer and subject (`iss`, `sub`): together, the identity provider's stable id. */
  readonly issuer: string;
  readonly subject: string;
}

/**
 * Checks bearer tokens. `verify` resolves with who the token is for, or throws `ChatError`:
 * {@linkcode ProviderUnavailable} when the identity provider could not be asked (not the
 * holder's fault), otherwise `login_failed` saying what is wrong with the token.
 */
export interface TokenVerifier {
  verify(token: string): Promise<TokenIdentity>;
  /** The issuer whose tokens are taken, when known (IRC tells a refused client where it is). */
  readonly issuer?: string;
}

/**
 * The identity provider's discovery document or keys could not be fetched: tokens cannot be
 * checked now. Not counted as a failed login (a school behind one address would be locked out).
 */
export class ProviderUnavailable extends ChatError {
  constructor(why: string) {
    super("login_failed", `Cannot check tokens now: the identity provider ${why}`);
    this.name = "ProviderUnavailable";
  }
}

/** Longest token taken, in characters (a JWT with a few claims is under 2000). */
export const MAX_TOKEN_CHARS = 8192;

/** Seconds a token's `exp` and `nbf` may be off, for clocks that drift. */
export const CLOCK_TOLERANCE_S = 60;

/** How long the identity provider may take to answer, in ms. */
const FETCH_TIMEOUT_MS = 5000;

/** Largest discovery document read, in bytes. */
const MAX_DISCOVERY_BYTES = 64 * 1024;

/** The signature algorithms taken: public-key ones only. */
export const TOKEN_ALGORITHMS: readonly string[] = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
];

/** Options for {@linkcode checkToken} and {@linkcode OidcVerifier}. */
export interface TokenOptions {
  /** The issuer, exactly as in the tokens' `iss` (`https://id.example.org/realms/school`). */
  readonly issuer: string;
  /** The audience the tokens must be for (`aud`): the client id the provider gave this server. */
  readonly audience: string;
  /** The claim whose value is the account's name. @default DEFAULT_NAME_CLAIM */
  readonly claim?: string;
  /** The time, in ms since the epoch. @default Date.now */
  readonly clock?: () => number;
}

/** Options for {@linkcode OidcVerifier}. */
export interface OidcOptions extends TokenOptions {
  /**
   * Least time between two fetches of the key set for a key it does not have, in ms (a token
   * naming a new key after the provider rotated them).
   * @default 30000
   */
  readonly keyCooldownMs?: number;
}

/**
 * Checks `token` with `keys` (a key, or a key set such as `createRemoteJWKSet` makes) and
 * returns who it is for. Throws `ChatError` (see {@linkcode TokenVerifier}).
 */
export async function checkToken(
  token: string,
  keys: JWTVerifyGetKey | CryptoKey,
  options: TokenOptions,
): Promise<TokenIdentity> {
  checkShape(token);
  let payload: JWTPayload;
  try {
    const verifyOptions = {
      issuer: options.issuer,
      audience: options.audience,
      algorithms: [...TOKEN_ALGORITHMS],
      clockTolerance: CLOCK_TOLERANCE_S,
      requiredClaims: ["exp", "sub"],
      currentDate: new Date((options.clock ?? Date.now)()),
    };
    payload = typeof keys === "function"
      ? (await jwtVerify(token, keys, verifyOptions)).payload
      : (await jwtVerify(token, keys, verifyOptions)).payload;
  } catch (error) {
    throw tokenError(error);
  }
  const claim = options.claim ?? DEFAULT_NAME_CLAIM;
  const value = payload[claim];
  if (typeof value !== "string") {
    throw refused(`it has no ${JSON.stringify(claim)} claim to name the account`);
  }
  let name: string;
  try {
    name = validateNick(value);
  } catch (error) {
    if (!(error instanceof ChatError)) throw error;
    throw refused(
      `its name ${JSON.stringify(value.slice(0, 40))} (claim ${claim}) is not a nick here: ` +
        `use ${NICK_RULE}`,
    );
  }
  if (typeof payload.sub !== "string" || payload.sub === "") {
    throw refused('its "sub" claim is not a string');
  }
  return { name, issuer: options.issuer, subject: payload.sub };
}

/** Throws when `token` cannot be a signed JWT at all (no key is needed to tell). */
function checkShape(token: string): void {
  if (token.length > MAX_TOKEN_CHARS) {
    throw refused(`it is too long: at most ${MAX_TOKEN_CHARS} characters`);
  }
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) {
    throw refused("it is not a signed JWT (three base64url parts)");
  }
}

/** A `login_failed` refusal of a token, saying why. */
function refused(why: string): ChatError {
  return new ChatError("login_failed", `Token refused: ${why}`);
}

/** What a `jose` error means for the token's holder. */
function tokenError(error: unknown): ChatError {
  if (error instanceof ChatError) return error;
  if (error instanceof jose.JWTExpired) return refused("it has expired: get a new one");
  if (error instanceof jose.JWTClaimValidationFailed) {
    switch (error.claim) {
      case "iss":
        return refused("it is from another issuer");
      case "aud":
        return refused("it is for another audience (not this server)");
      case "nbf":
        return refused("it is not valid yet");
      default:
        return error.reason === "missing"
          ? refused(`it has no ${JSON.stringify(error.claim)} claim`)
          : refused(`its ${JSON.stringify(error.claim)} claim is not valid`);
    }
  }
  if (error instanceof jose.JOSEAlgNotAllowed || error instanceof jose.JOSENotSupported) {
    return refused("its signing algorithm is not allowed (public-key signatures only)");
  }
  if (
    error instanceof jose.JWSSignatureVerificationFailed ||
    error instanceof jose.JWKSNoMatchingKey ||
    error instanceof jose.JWKSMultipleMatchingKeys
  ) {
    return refused("its signature does not match the issuer's keys");
  }
  if (error instanceof jose.JWKSTimeout) return new ProviderUnavailable("did not answer in time");
  if (error instanceof jose.JWKSInvalid) {
    return new ProviderUnavailable("published keys that cannot be read");
  }
  if (error instanceof jose.JOSEError && error.code === jose.JOSEError.code) {
    // jose's plain error is only for the key set's answer: not 200, or not JSON.
    return new ProviderUnavailable(`did not give its keys: ${error.message}`);
  }
  if (error instanceof jose.JOSEError) return refused("it is not a valid signed JWT");
  if (error instanceof TypeError || error instanceof SyntaxError) {
    // fetch failing, or the keys not being JSON.
    return new ProviderUnavailable(`cannot be reached: ${error.message}`);
  }
  if (error instanceof Error && error.name === "AbortError") {
    return new ProviderUnavailable("did not answer in time");
  }
  throw error;
}

/** Where an issuer's discovery document is (OpenID Connect Discovery, section 4). */
export function discoveryUrl(issuer: string): URL {
  return new URL(issuer.replace(/\/+$/, "") + "/.well-known/openid-configuration");
}

/**
 * A {@linkcode TokenVerifier} for one OpenID Connect issuer. The discovery document is fetched
 * on first use (or by {@linkcode OidcVerifier.ready}) and again after a failure; the key set
 * (JWKS) is cached by `jose` for ten minutes, and fetched again (at most every 30 s) when a token
 * names a key it does not have, so the provider's key rotation needs no restart.
 *
 * @example
 * ```ts ignore
 * import { OidcVerifier } from "./token_login.ts";
 * const verifier = new OidcVerifier({
 *   issuer: "https://id.example.org/realms/school",
 *   audience: "chat",
 * });
 * const { name } = await verifier.verify(token); // "ana"
 * ```
 */
export class OidcVerifier implements TokenVerifier {
  readonly #options: OidcOptions;
  #keys: Promise<JWTVerifyGetKey> | undefined;
  /** Where the keys are, once the discovery document has said. */
  jwksUri: string | undefined;

  constructor(options: OidcOptions) {
    parseIssuer(options.issuer);
    this.#options = options;
  }

  /** The issuer. */
  get issuer(): string {
    return this.#options.issuer;
  }

  /** Fetches the discovery document now (a server checks its setting at start). */
  async ready(): Promise<void> {
    await this.#keySet();
  }

  async verify(token: string): Promise<TokenIdentity> {
    checkShape(token);
    const keys = await this.#keySet();
    return await checkToken(token, keys, this.#options);
  }

  /** The key set, discovering where it is first (again after a failure). */
  #keySet(): Promise<JWTVerifyGetKey> {
    const keys = this.#keys ??= this.#discover();
    keys.catch(() => {
      if (this.#keys === keys) this.#keys = undefined;
    });
    return keys;
  }

  async #discover(): Promise<JWTVerifyGetKey> {
    const issuer = this.#options.issuer;
    const url = discoveryUrl(issuer);
    let document: unknown;
    try {
      const response = await fetch(url, {
        redirect: "error",
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
        headers: { accept: "application/json" },
      });
      if (!response.ok) {
        await response.body?.cancel();
        throw new ProviderUnavailable(`answered ${response.status} for ${url}`);
      }
      const text = await response.text();
      if (text.length > MAX_DISCOVERY_BYTES) {
        throw new ProviderUnavailable(
          `sent a discovery document over ${MAX_DISCOVERY_BYTES} bytes`,
        );
      }
      document = JSON.parse(text);
    } catch (error) {
      if (error instanceof ChatError) throw error;
      const why = error instanceof SyntaxError
        ? `sent a discovery document that is not JSON (${url})`
        : error instanceof Error && error.name === "TimeoutError"
        ? `did not answer in time (${url})`
        : `cannot be reached at ${url}: ${error instanceof Error ? error.message : error}`;
      throw new ProviderUnavailable(why);
    }
    const fields = typeof document === "object" && document !== null
      ? document as Record<string, unknown>
      : {};
    if (fields.issuer !== issuer) {
      throw new ProviderUnavailable(
        `names another issuer in its discovery document: ${JSON.stringify(fields.issuer)}`,
      );
    }
    const jwks = fields.jwks_uri;
    let jwksUrl: URL | undefined;
    try {
      jwksUrl = typeof jwks === "string" ? new URL(jwks) : undefined;
    } catch {
      jwksUrl = undefined;
    }
    if (jwksUrl === undefined || !allowedProviderUrl(jwksUrl)) {
      throw new ProviderUnavailable(
        `gives no usable jwks_uri (https://, or http:// on this machine): ${JSON.stringify(jwks)}`,
      );
    }
    this.jwksUri = jwksUrl.href;
    return createRemoteJWKSet(jwksUrl, {
      timeoutDuration: FETCH_TIMEOUT_MS,
      cooldownDuration: this.#options.keyCooldownMs ?? 30_000,
    });
  }
}
