/**
 * The `Content-Disposition` header of a file download: always `attachment` (a browser saves it,
 * never shows it), with the name made safe first. Pure.
 *
 * @example
 * ```ts
 * import { attachment } from "./content_disposition.ts";
 *
 * attachment("../../etc/passwd"); // 'attachment; filename="passwd"; filename*=UTF-8\'\'passwd'
 * attachment("r\u00e9sum\u00e9.pdf");
 * // 'attachment; filename="r_sum_.pdf"; filename*=UTF-8\'\'r%C3%A9sum%C3%A9.pdf'
 * ```
 */
import { safeFileName } from "./file_name.ts";

/**
 * `attachment` with the safe form of `name` twice (RFC 6266): `filename` in printable ASCII
 * (anything else, and `"`, `\` and `%`, as `_`) for old clients, and `filename*` in UTF-8,
 * percent-encoded, which current browsers, `curl -J` and `wget` prefer.
 */
export function attachment(name: string): string {
  const safe = safeFileName(name);
  const ascii = safe.replace(/[^\x20-\x7e]|["\\%]/gu, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeRfc5987(safe)}`;
}

/** Percent-encodes all but RFC 5987's attr-char (letters, digits, ``!#$&+-.^_`|~``). */
function encodeRfc5987(text: string): string {
  return encodeURIComponent(text).replace(
    /['()*]/g,
    (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase(),
  );
}
