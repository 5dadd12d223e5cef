/**
 * SASL OAUTHBEARER (RFC 7628), as IRC clients log in with a token: the client's message (the
 * text of its base64 `AUTHENTICATE` lines, decoded) carries the bearer token, which the server
 * checks like `/login --token` (`Accounts.loginWithToken`). Pure.
 *
 * The exchange, on the IRC side: `OAUTHBEARER` is offered in `sasl=` only when the server takes
 * tokens (`DialectOptions.tokens`); on `AUTHENTICATE OAUTHBEARER` the dialect answers
 * `AUTHENTICATE +`, joins the client's base64 pieces, decodes them and reads them with
 * {@linkcode parseOauthBearer} (`OAUTH_BEARER` in `src/dialect/irc/sasl.ts`); the session calls
 * `accounts.loginWithToken(token, remote)` (throttled and logged like any login; an `authzid`
 * must have the account's nick key) and logs the member in as a password login does (takeover,
 * the `login` hub op), answering 900 and 903. When it throws `ChatError`, the dialect sends
 * `AUTHENTICATE BASE64(oauthBearerFailure(discoveryUrl(issuer)))`, waits for the client's
 * `AUTHENTICATE AQ==` (one ^A), then 904 with the error's message.
 *
 * @example
 * ```ts
 * import { parseOauthBearer } from "./sasl_oauthbearer.ts";
 * parseOauthBearer("n,a=ana,\x01host=chat.example.org\x01auth=Bearer eyJ.eyJ.sig\x01\x01");
 * // { token: "eyJ.eyJ.sig", authzid: "ana" }
 * ```
 */
import { ChatError } from "./errors.ts";

/** The mechanism's name, as advertised in `sasl=` and asked for by `AUTHENTICATE`. */
export const OAUTHBEARER = "OAUTHBEARER";

/** What a client's OAUTHBEARER message says. */
export interface OauthBearerMessage {
  /** The bearer token. */
  readonly token: string;
  /** Who the client asks to act as (`a=`), if it says: it must be the token's account. */
  readonly authzid?: string;
}

const SEPARATOR = "\x01";

/**
 * Reads a client's OAUTHBEARER message: `gs2-header ^A key=value ^A ... auth=Bearer TOKEN ^A ^A`.
 * Throws `ChatError("bad_arguments")` saying what is wrong.
 */
export function parseOauthBearer(message: string): OauthBearerMessage {
  const bad = (why: string) => new ChatError("bad_arguments", `Bad OAUTHBEARER message: ${why}`);
  const first = message.indexOf(SEPARATOR);
  if (first === -1) throw bad("no key-value part");
  const header = message.slice(0, first);
  const gs2 = /^([ny]),(?:a=([^,]*))?,$/.exec(header);
  if (gs2 === null) {
    throw header.startsWith("p=")
      ? bad("channel binding is not supported")
      : bad("the header must be n,, or n,a=NAME,");
  }
  if (!message.endsWith(SEPARATOR + SEPARATOR)) throw bad("it must end with two ^A");
  const pairs = message.slice(first + 1, -2).split(SEPARATOR);
  let token: string | undefined;
  for (const pair of pairs) {
    const equals = pair.indexOf("=");
    if (equals <= 0) throw bad("each part must be KEY=VALUE");
    if (pair.slice(0, equals) !== "auth") continue;
    const auth = /^Bearer +(\S+)$/i.exec(pair.slice(equals + 1));
    if (auth === null) throw bad("auth must be Bearer TOKEN");
    token = auth[1];
  }
  if (token === undefined) throw bad("no auth=Bearer TOKEN");
  const raw = gs2[2];
  if (raw === undefined || raw === "") return { token };
  if (/=(?!2C|3D)/.test(raw)) throw bad("the authorization name has a bad escape");
  return { token, authzid: raw.replace(/=2C/g, ",").replace(/=3D/g, "=") };
}

/**
 * The server's challenge after a refused token (RFC 7628 section 3.2.2), before it says the
 * login failed: the client answers it with a single ^A. `configuration` is the identity
 * provider's discovery URL, for clients that fetch a new token themselves.
 */
export function oauthBearerFailure(configuration?: string): string {
  return JSON.stringify(
    configuration === undefined
      ? { status: "invalid_token" }
      : { status: "invalid_token", "openid-configuration": configuration },
  );
}
