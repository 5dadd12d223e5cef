/** Numbers and tables as the benchmark writes them in Markdown. Pure. */

/** A Markdown table (deno fmt aligns it). */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(escapeCell).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

function escapeCell(text: string): string {
  return text.replaceAll("|", "\\|");
}

/** A whole number with thousands separators; "" when not finite. */
export function count(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "";
}

/** A number with `digits` decimals; "" when not finite. */
export function fixed(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "";
}

/** A percentage, rounded; "" when not finite. */
export function percent(value: number): string {
  return Number.isFinite(value) ? `${Math.round(value)}%` : "";
}

/** `value / base` as `1.2x`, with fewer decimals as it grows; "" when it cannot be computed. */
export function ratio(value: number, base: number): string {
  if (!Number.isFinite(value) || !Number.isFinite(base) || base === 0) return "";
  const r = value / base;
  return `${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(1) : r.toFixed(2)}x`;
}
