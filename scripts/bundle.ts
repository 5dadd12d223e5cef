/**
 * `deno task bundle`: build `dist/chat.js`, the whole program in one JavaScript file. npm packages
 * (commander) are inlined; only Node built-ins (`node:*`, part of every Deno) stay as imports, so
 * the file runs with nothing but Deno: no `node_modules`, no cache, no network.
 *
 * Usage: deno run --allow-read --allow-run scripts/bundle.ts [--output FILE]
 */
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/** Where `deno task bundle` writes the bundle. */
export const DEFAULT_OUTPUT: string = join(ROOT, "dist", "chat.js");

/** The `deno` arguments that bundle `main.ts` into `output`. */
export function bundleArgs(output: string): string[] {
  return [
    "bundle",
    "--quiet",
    "--platform",
    "deno",
    "--config",
    join(ROOT, "deno.json"),
    "--output",
    output,
    join(ROOT, "main.ts"),
  ];
}

const IMPORT_PATTERNS = [
  /^\s*(?:import|export)\b[^;"'`]*?\bfrom\s*["']([^"']+)["']/gm, // import x from "m"; export * from "m"
  /^\s*import\s*["']([^"']+)["']/gm, // import "m"
  /\bimport\(\s*["']([^"']+)["']\s*\)/g, // import("m")
  /\b__require\(\s*["']([^"']+)["']\s*\)/g, // esbuild's stand-in for a require() it left alone
];

/**
 * Optional packages of the Redis client (`@redis/client`) that the bundle may name without
 * holding: the client loads each only inside a `try` and only for a feature chat never uses (its
 * `digest` helper; OpenTelemetry metrics), so they are never fetched or needed.
 */
export const UNUSED_OPTIONAL_IMPORTS: readonly string[] = ["@node-rs/xxhash", "@opentelemetry/api"];

/** Imports that break self-containment: all but `node:` built-ins and the unused optional ones. */
export function outsideImports(imports: readonly string[]): string[] {
  return imports.filter((specifier) =>
    !specifier.startsWith("node:") && !UNUSED_OPTIONAL_IMPORTS.includes(specifier)
  );
}

/** The module specifiers a bundle still imports, sorted and without repeats. */
export function bundleImports(source: string): string[] {
  const found = new Set<string>();
  for (const pattern of IMPORT_PATTERNS) {
    for (const match of source.matchAll(pattern)) {
      if (match[1] !== undefined) found.add(match[1]);
    }
  }
  return [...found].sort();
}

/**
 * Bundles `main.ts` into `output` and checks that the result imports nothing but `node:` built-ins.
 * Throws an `Error` saying what went wrong.
 */
export async function bundle(output: string = DEFAULT_OUTPUT): Promise<void> {
  const result = await new Deno.Command(Deno.execPath(), {
    args: bundleArgs(output),
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!result.success) {
    const decoder = new TextDecoder();
    const details = (decoder.decode(result.stderr) + decoder.decode(result.stdout)).trim();
    throw new Error(`deno bundle failed (exit ${result.code}):\n${details}`);
  }
  const outside = outsideImports(bundleImports(await Deno.readTextFile(output)));
  if (outside.length > 0) {
    throw new Error(`Bundle is not self-contained: it imports ${outside.join(", ")}`);
  }
}

function parseOutput(args: readonly string[]): string {
  if (args.length === 0) return DEFAULT_OUTPUT;
  if (args.length === 2 && args[0] === "--output" && args[1]) return args[1];
  throw new TypeError(`Unknown arguments: ${args.join(" ")} (usage: bundle.ts [--output FILE])`);
}

if (import.meta.main) {
  try {
    const output = parseOutput(Deno.args);
    await bundle(output);
    const size = (await Deno.stat(output)).size;
    console.log(`built ${relative(Deno.cwd(), output)} (${(size / 1024).toFixed(0)} KiB)`);
  } catch (error) {
    console.error(`chat bundle: ${error instanceof Error ? error.message : String(error)}`);
    Deno.exit(1);
  }
}
