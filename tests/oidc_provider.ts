/**
 * A small OpenID Connect provider for tests, on loopback: its discovery document and key set
 * (an ES256 and an RS256 key, made here), and tokens it signs. Keys and tokens are the test's
 * own; nothing is fetched from anywhere else.
 */
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from "jose";

/** How a test token is made. */
export interface TokenSpec {
  /** Claims beside the defaults (`sub`, `preferred_username`); `undefined` removes one. */
  claims?: Record<string, unknown>;
  /** Which key signs it: a published one, or `other` (a key the provider never published). */
  key?: "es" | "rs" | "other" | "rotated";
  /** The `kid` in the header. @default the key's */
  kid?: string;
  /** `iss`. @default the provider's issuer */
  issuer?: string;
  /** `aud`. @default "chat" */
  audience?: string | string[];
  /** Seconds from now the token expires (negative: expired). @default 300 */
  expiresIn?: number;
  /** Seconds from now the token starts being valid. @default none */
  notBefore?: number;
}

interface Signer {
  readonly alg: string;
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
}

async function signer(alg: string, kid: string): Promise<Signer> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...await exportJWK(publicKey), kid, alg, use: "sig" };
  return { alg, kid, privateKey, jwk };
}

/** The provider: `issuer` is `http://127.0.0.1:PORT`; close it after the test. */
export class TestProvider {
  readonly issuer: string;
  readonly audience = "chat";
  /** How many times the key set was fetched. */
  jwksFetches = 0;
  /** How many times the discovery document was fetched. */
  discoveryFetches = 0;
  /** When false, the provider answers 503 to everything (down). */
  up = true;
  /** When false, the key set (only) is answered with 503. */
  keysUp = true;
  readonly #server: Deno.HttpServer;
  readonly #keys: Record<"es" | "rs" | "other" | "rotated", Signer>;
  /** The keys published in the key set. */
  #published: Signer[];

  private constructor(
    server: Deno.HttpServer,
    keys: Record<"es" | "rs" | "other" | "rotated", Signer>,
    issuer: string,
  ) {
    this.#server = server;
    this.#keys = keys;
    this.#published = [keys.es, keys.rs];
    this.issuer = issuer;
  }

  static async start(): Promise<TestProvider> {
    const keys = {
      es: await signer("ES256", "es-1"),
      rs: await signer("RS256", "rs-1"),
      other: await signer("ES256", "es-1"),
      rotated: await signer("ES256", "es-2"),
    };
    // The handler needs the provider, made once the port is known.
    const made: { provider?: TestProvider } = {};
    const ready = Promise.withResolvers<Deno.NetAddr>();
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: (addr) => ready.resolve(addr) },
      (request) =>
        made.provider === undefined
          ? new Response("Not ready", { status: 503 })
          : made.provider.#answer(request),
    );
    const addr = await ready.promise;
    const provider = new TestProvider(server, keys, `http://127.0.0.1:${addr.port}`);
    made.provider = provider;
    return provider;
  }

  /** Publishes the rotated key as well (the provider's key rotation). */
  rotate(): void {
    this.#published = [...this.#published, this.#keys.rotated];
  }

  /** A token signed as `spec` says. */
  async token(spec: TokenSpec = {}): Promise<string> {
    const key = this.#keys[spec.key ?? "es"];
    const now = Math.floor(Date.now() / 1000);
    const claims: JWTPayload = { sub: "subject-ana", preferred_username: "ana", ...spec.claims };
    for (const [name, value] of Object.entries(claims)) {
      if (value === undefined) delete claims[name];
    }
    let jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: key.alg, kid: spec.kid ?? key.kid, typ: "JWT" })
      .setIssuer(spec.issuer ?? this.issuer)
      .setAudience(spec.audience ?? this.audience)
      .setIssuedAt(now)
      .setExpirationTime(now + (spec.expiresIn ?? 300));
    if (spec.notBefore !== undefined) jwt = jwt.setNotBefore(now + spec.notBefore);
    return await jwt.sign(key.privateKey);
  }

  async close(): Promise<void> {
    await this.#server.shutdown();
  }

  #answer(request: Request): Response {
    if (!this.up) return new Response("Down", { status: 503 });
    const path = new URL(request.url).pathname;
    if (path === "/.well-known/openid-configuration") {
      this.discoveryFetches += 1;
      return Response.json({
        issuer: this.issuer,
        jwks_uri: `${this.issuer}/keys`,
        id_token_signing_alg_values_supported: ["ES256", "RS256"],
      });
    }
    if (path === "/keys") {
      this.jwksFetches += 1;
      if (!this.keysUp) return new Response("Down", { status: 503 });
      return Response.json({ keys: this.#published.map((key) => key.jwk) });
    }
    return new Response("Not found", { status: 404 });
  }
}

/** A token with `alg: none` (no signature) for these claims. */
export function unsignedToken(claims: Record<string, unknown>): string {
  const part = (value: unknown) =>
    btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.`;
}

/** A token signed with HS256 and `secret` (a shared secret, which servers must never take). */
export async function hs256Token(claims: JWTPayload, secret: string): Promise<string> {
  return await new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", kid: "es-1" })
    .sign(new TextEncoder().encode(secret));
}
