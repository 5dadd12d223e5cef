/**
 * A transfer's progress as one terminal row, and byte counts and rates in binary units. Pure:
 * elapsed time is passed in.
 *
 * ```
 * notes.pdf  [########------------]  42%  12.3 MiB/29.0 MiB  8.1 MiB/s
 * ```
 */
import { formatBytes, formatRate } from "../units.ts";
import { fit, textWidth } from "./line_editor.ts";

/** Options for {@linkcode progressBar}. */
export interface ProgressBarOptions {
  /** Bytes transferred so far. */
  done: number;
  /** Bytes in all. */
  total: number;
  /** Time since the transfer started, in ms; the rate is left out while it is 0. */
  elapsedMs: number;
  /** Columns the row may take; the result is never wider. */
  width: number;
  /** What is moving, usually the file name; cut with `...` when the row is too narrow. */
  label: string;
}

const MIN_BAR = 10;
const MAX_BAR = 40;
/** Columns a long label keeps before the details are dropped to make room. */
const MIN_LABEL = 8;
const GAP = "  ";
const ELLIPSIS = "...";

/**
 * Characters that must not reach the terminal in a label: controls, line and paragraph
 * separators, bidi controls and the BOM. Labels are normally safe file names already.
 */
const UNSAFE =
  // deno-lint-ignore no-control-regex -- matching controls is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]/gu;

/** Text cut to at most `columns` columns, between grapheme clusters, ending in `...` if cut. */
function truncate(text: string, columns: number): string {
  if (textWidth(text) <= columns) return text;
  const room = columns - ELLIPSIS.length;
  if (room < 0) return ELLIPSIS.slice(0, Math.max(0, columns));
  return fit(text, room)[0] + ELLIPSIS;
}

/**
 * One row showing a transfer: label, bar, percentage, bytes done of total, and rate. As the row
 * narrows, the label is cut with `...`, then the rate goes, then the sizes; below room for a
 * bar, only label and percentage are left, cut to fit. The percentage rounds down, so 100%
 * means every byte is done.
 *
 * @example
 * ```ts
 * import { progressBar } from "./progress.ts";
 * const MiB = 1024 ** 2;
 * progressBar({ done: 12.3 * MiB, total: 29 * MiB, elapsedMs: 1519, width: 80, label: "notes.pdf" });
 * // "notes.pdf  [#############-------------------]  42%  12.3 MiB/29.0 MiB  8.1 MiB/s"
 * ```
 */
export function progressBar(options: ProgressBarOptions): string {
  const { total, elapsedMs, width } = options;
  if (width <= 0) return "";
  const done = Math.max(0, options.done);
  const label = options.label.replace(UNSAFE, "");
  const fraction = total <= 0 ? 1 : Math.min(1, done / total);
  const percent = `${Math.floor(fraction * 100)}%`;
  const sizes = `${formatBytes(done)}/${formatBytes(Math.max(0, total))}`;
  const tries = [[percent, sizes], [percent]];
  if (elapsedMs > 0) tries.unshift([percent, sizes, formatRate(done / elapsedMs * 1000)]);

  const labelWidth = textWidth(label);
  const labelGap = labelWidth > 0 ? GAP.length : 0;
  for (const parts of tries) {
    const stats = parts.join(GAP);
    // label, gap, "[", bar, "]", gap, stats
    const room = width - labelGap - 2 - GAP.length - textWidth(stats);
    if (room < Math.min(labelWidth, MIN_LABEL) + MIN_BAR) continue;
    const bar = Math.min(MAX_BAR, Math.max(MIN_BAR, room - labelWidth));
    const head = labelWidth > 0 ? truncate(label, room - bar) + GAP : "";
    const filled = Math.floor(fraction * bar);
    return `${head}[${"#".repeat(filled)}${"-".repeat(bar - filled)}]${GAP}${stats}`;
  }
  // No room for a bar: the label, cut to fit, and the percentage.
  const labelRoom = width - GAP.length - percent.length;
  if (labelWidth > 0 && labelRoom >= Math.min(labelWidth, ELLIPSIS.length + 1)) {
    return truncate(label, labelRoom) + GAP + percent;
  }
  return percent.length <= width ? percent : "";
}
