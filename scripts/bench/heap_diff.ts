/**
 * Compares two V8 heap snapshots (`.heapsnapshot`, as `heap_snapshot.ts` writes them): what grew
 * between them, by kind of object (constructor name for objects and closures, else V8's node
 * type), in bytes of self size and in count, optionally per connection (`--per N`).
 *
 * ```sh
 * deno run -A scripts/bench/heap_diff.ts before.heapsnapshot after.heapsnapshot --per 5000
 * ```
 */
import { parseArgs } from "node:util";

/** The parts of a `.heapsnapshot` (Chrome DevTools' format) used here. */
export interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Self size and count of one kind of heap node. */
export interface HeapKind {
  kind: string;
  bytes: number;
  count: number;
}

/** Node types whose name says what they are (a constructor, a closure's function name). */
const NAMED_TYPES = new Set(["object", "closure", "native", "array", "hidden", "code"]);

/** Self size and count per kind of node in a snapshot. */
export function heapKinds(snapshot: HeapSnapshot): Map<string, HeapKind> {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf("type");
  const nameAt = fields.indexOf("name");
  const sizeAt = fields.indexOf("self_size");
  const kinds = new Map<string, HeapKind>();
  for (let index = 0; index < snapshot.nodes.length; index += width) {
    const type = types[snapshot.nodes[index + typeAt] ?? 0] ?? "?";
    const name = snapshot.strings[snapshot.nodes[index + nameAt] ?? 0] ?? "";
    const kind = NAMED_TYPES.has(type) ? `${type} ${name.slice(0, 60)}` : type;
    const entry = kinds.get(kind) ?? { kind, bytes: 0, count: 0 };
    entry.bytes += snapshot.nodes[index + sizeAt] ?? 0;
    entry.count += 1;
    kinds.set(kind, entry);
  }
  return kinds;
}

/** What grew from `before` to `after`, largest growth first. */
export function heapGrowth(before: HeapSnapshot, after: HeapSnapshot): HeapKind[] {
  const old = heapKinds(before);
  return [...heapKinds(after).values()]
    .map((kind) => ({
      kind: kind.kind,
      bytes: kind.bytes - (old.get(kind.kind)?.bytes ?? 0),
      count: kind.count - (old.get(kind.kind)?.count ?? 0),
    }))
    .sort((a, b) => b.bytes - a.bytes);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: { per: { type: "string", default: "1" }, top: { type: "string", default: "30" } },
  });
  const [beforeFile, afterFile] = positionals;
  if (beforeFile === undefined || afterFile === undefined) {
    console.error("usage: heap_diff.ts BEFORE.heapsnapshot AFTER.heapsnapshot [--per N] [--top N]");
    Deno.exit(2);
  }
  const per = Number(values.per);
  const read = async (file: string) => JSON.parse(await Deno.readTextFile(file)) as HeapSnapshot;
  const growth = heapGrowth(await read(beforeFile), await read(afterFile));
  const total = growth.reduce((sum, kind) => sum + kind.bytes, 0);
  console.log(
    `Grew by ${(total / 1e6).toFixed(1)} MB: ${(total / per).toFixed(0)} bytes per ${
      per === 1 ? "run" : "unit"
    }\n`,
  );
  console.log("| kind | bytes each | count each |\n| --- | --- | --- |");
  for (const kind of growth.slice(0, Number(values.top))) {
    console.log(
      `| \`${kind.kind}\` | ${(kind.bytes / per).toFixed(0)} | ${(kind.count / per).toFixed(2)} |`,
    );
  }
}

if (import.meta.main) await main();
