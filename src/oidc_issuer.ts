/**
 * Which identity providers a server may trust for single sign-on, and what it reads from their
 * tokens by default. Pure: shared by the command line and the token checker.
 *
 * @example
 * ```ts
 * import { allowedProviderUrl } from "./oidc_issuer.ts";
 * allowedProviderUrl(new URL("https://id.example.org")); // true
 * allowedProviderUrl(new URL("http://127.0.0.1:8080")); // true: this machine
 * allowedProviderUrl(new URL("http://id.example.org")); // false
 * ```
 */

/** The claim that names the account. */
export const DEFAULT_NAME_CLAIM = "preferred_username";

/**
 * Whether a URL may be fetched for keys: `https:`, or `http:` to this machine (loopback) only,
 * where nobody in between can change the keys.
 */
export function allowedProviderUrl(url: URL): boolean {
  if (url.protocol === "https:") return true;
  if (url.protocol !== "http:") return false;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Checks `--oidc-issuer`: an `https:` URL (or `http:` on loopback) without query or fragment.
 * Throws `TypeError` with the reason.
 */
export function parseIssuer(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError(`The issuer must be a URL: got ${JSON.stringify(text)}`);
  }
  if (!allowedProviderUrl(url)) {
    throw new TypeError(
      `The issuer must be an https:// URL (http:// only on this machine): got ${
        JSON.stringify(text)
      }`,
    );
  }
  if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
    throw new TypeError(
      `The issuer must have no query, fragment or user: got ${JSON.stringify(text)}`,
    );
  }
  return url;
}
