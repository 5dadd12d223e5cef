/**
 * `deno task compile`: build one self-contained `chat` binary per platform into `dist/`, with the
 * program's permissions baked in, plus `dist/SHA256SUMS` (the format `sha256sum -c` reads).
 *
 * `deno compile` downloads a Deno runtime ("denort") per target. Where that is impossible, set
 * `DENORT_BIN` to a local denort: it is used for one target only (this machine's unless `--target`
 * names another).
 *
 * Usage: deno run --allow-read --allow-write --allow-run --allow-env=DENORT_BIN scripts/compile.ts
 *          [--target NAME]...  NAME: linux-x86_64, linux-aarch64, macos-x86_64, macos-aarch64,
 *                              windows-x86_64 or a Rust target triple (default: all of them)
 *          [--out-dir DIR]     where the binaries and SHA256SUMS go (default: dist/)
 */
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * THE PERMISSIONS BAKED INTO EVERY BINARY: the one place they are defined. README's permission
 * table explains each, and tests/e2e/bundle_test.ts runs the bundle with exactly these.
 * Never `-A`. Reading and writing files cannot be narrowed to fixed directories: people send files
 * from wherever they keep them, choose their download folder with --downloads, and the server
 * keeps files in transit in the system's temporary directory.
 */
export const PERMISSIONS: readonly string[] = [
  "--allow-net", // listen for connections (serve) and connect to a server (join)
  // read NO_COLOR, FORCE_COLOR, CLICOLOR_FORCE, HOME/USERPROFILE, XDG_DATA_HOME/LOCALAPPDATA,
  // CHAT_DEBUG
  "--allow-env",
  // files you /send; the server reads files in transit back to receivers, and its database
  "--allow-read",
  // your download folder; the server's temporary folder for files in transit, its database
  "--allow-write",
  "--allow-sys=networkInterfaces,hostname", // the addresses others can join at; a node's name
];

/**
 * V8 FLAGS FOR EVERY WAY THE PROGRAM RUNS (deno.json's tasks repeat them, and
 * tests/e2e/bundle_test.ts checks that they do): a young generation of at most 8 MiB per
 * semi-space instead of V8's 16. Under load the young generation is most of what the heap grows
 * by; halving it took the peak RSS of 100 clients from about 137 to 93 MiB, for about the same
 * CPU per delivery (docs/BENCHMARKS.md, "Where the memory goes").
 */
export const V8_FLAGS: readonly string[] = ["--v8-flags=--max-semi-space-size=8"];

/** A platform a binary is built for. */
export interface Target {
  /** The name in the file name: `chat-<name>`. */
  readonly name: string;
  /** The Rust target triple `deno compile --target` takes. */
  readonly triple: string;
}

/** Every platform a release ships a binary for. */
export const TARGETS: readonly Target[] = [
  { name: "linux-x86_64", triple: "x86_64-unknown-linux-gnu" },
  { name: "linux-aarch64", triple: "aarch64-unknown-linux-gnu" },
  { name: "macos-x86_64", triple: "x86_64-apple-darwin" },
  { name: "macos-aarch64", triple: "aarch64-apple-darwin" },
  { name: "windows-x86_64", triple: "x86_64-pc-windows-msvc" },
];

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const DIST = join(ROOT, "dist");
const SUMS_FILE = "SHA256SUMS";
const decoder = new TextDecoder();

/** The binary's file name for `target`: `chat-linux-x86_64`, `chat-windows-x86_64.exe`. */
export function binaryName(target: Target): string {
  return `chat-${target.name}${target.triple.includes("windows") ? ".exe" : ""}`;
}

/** The target with this friendly name or triple, or undefined. */
export function findTarget(name: string): Target | undefined {
  return TARGETS.find((target) => target.name === name || target.triple === name);
}

/** The `deno` arguments that compile `main.ts` for `target` into `output`. */
export function compileArgs(target: Target, output: string): string[] {
  return [
    "compile",
    "--config",
    join(ROOT, "deno.json"),
    "--target",
    target.triple,
    "--output",
    output,
    ...PERMISSIONS,
    ...V8_FLAGS,
    join(ROOT, "main.ts"),
  ];
}

/** True when `deno compile` failed because it could not get the runtime for the target. */
export function isRuntimeDownloadFailure(stderr: string): boolean {
  return /Setting up base binary|dl\.deno\.land|denort-[\w-]+\.zip/.test(stderr) &&
    !/Could not find denort at/.test(stderr);
}

/** The SHA-256 digest of `bytes` in lowercase hex. */
export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** One line of `SHA256SUMS`, as `sha256sum` writes it and `sha256sum -c` reads it. */
export function sumsLine(hex: string, fileName: string): string {
  return `${hex}  ${fileName}\n`;
}

/** What to build and where. */
export interface CompilePlan {
  readonly targets: Target[];
  /** The directory the binaries and SHA256SUMS go to. @default the repository's `dist/` */
  readonly outDir: string;
}

const USAGE = "usage: compile.ts [--target NAME]... [--out-dir DIR]";

/** The plan from the command line and `DENORT_BIN`; throws `TypeError` for a mistake. */
export function planCompile(
  args: readonly string[],
  options: { denortBin?: string | undefined; hostTriple: string },
): CompilePlan {
  const named: Target[] = [];
  let outDir = DIST;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    const [flag = "", inline] = arg.split(/=(.*)/s, 2);
    if (flag !== "--target" && flag !== "--out-dir") {
      throw new TypeError(`Unknown argument "${arg}" (${USAGE})`);
    }
    const value = inline ?? args[++i] ?? "";
    if (value === "") throw new TypeError(`${flag} needs a value (${USAGE})`);
    if (flag === "--out-dir") {
      outDir = value;
      continue;
    }
    const target = findTarget(value);
    if (target === undefined) {
      const names = TARGETS.map((known) => known.name).join(", ");
      throw new TypeError(`Unknown target "${value}": use one of ${names}`);
    }
    if (!named.includes(target)) named.push(target);
  }
  if (options.denortBin === undefined) {
    return { targets: named.length > 0 ? named : [...TARGETS], outDir };
  }
  // One runtime binary serves one platform: this machine's, unless --target names another.
  if (named.length > 1) {
    throw new TypeError("DENORT_BIN is one runtime for one platform: give at most one --target");
  }
  if (named.length === 1) return { targets: named, outDir };
  const host = findTarget(options.hostTriple);
  if (host === undefined) {
    throw new TypeError(`DENORT_BIN is set, but this machine (${options.hostTriple}) is no target`);
  }
  return { targets: [host], outDir };
}

/** Deno's error output without the empty Rust backtrace that follows it. */
function trimBacktrace(stderr: string): string {
  return stderr.replace(/\n*Stack backtrace:[\s\S]*$/, "").trim();
}

async function removeIfExists(path: string): Promise<void> {
  await Deno.remove(path).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
}

/** Builds every planned target, then writes SHA256SUMS; returns the exit code. */
async function main(args: readonly string[]): Promise<number> {
  const fail = (message: string): number => {
    console.error(`chat compile: ${message}`);
    return 1;
  };
  const denortBin = Deno.env.get("DENORT_BIN") || undefined;
  let plan: CompilePlan;
  try {
    plan = planCompile(args, { denortBin, hostTriple: Deno.build.target });
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
  if (denortBin !== undefined) {
    const isFile = await Deno.stat(denortBin).then((info) => info.isFile, () => false);
    if (!isFile) return fail(`DENORT_BIN is ${denortBin}, which is not a file`);
    const target = plan.targets[0];
    if (target !== undefined) {
      console.log(`Using DENORT_BIN=${denortBin} as the runtime for ${target.name}`);
      if (target.triple !== Deno.build.target) {
        console.log(`(it must be a denort built for ${target.triple})`);
      }
    }
  }

  await Deno.mkdir(plan.outDir, { recursive: true });
  // A failed run must not leave checksums that describe other binaries.
  await removeIfExists(join(plan.outDir, SUMS_FILE));
  let sums = "";
  for (const target of plan.targets) {
    const output = join(plan.outDir, binaryName(target));
    const result = await new Deno.Command(Deno.execPath(), {
      args: compileArgs(target, output),
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!result.success) {
      const stderr = decoder.decode(result.stderr);
      if (isRuntimeDownloadFailure(stderr)) {
        // A single foreign target was asked for by name; otherwise this machine is the way out.
        const hint = plan.targets.length === 1 && target.triple !== Deno.build.target
          ? "set DENORT_BIN to a local denort for that platform"
          : "set DENORT_BIN to a local denort to build for this machine";
        return fail(`cannot download the Deno runtime for ${target.triple} (no network?); ${hint}`);
      }
      console.error(trimBacktrace(stderr + decoder.decode(result.stdout)));
      return fail(`deno compile failed for ${target.name} (exit ${result.code})`);
    }
    const bytes = await Deno.readFile(output);
    sums += sumsLine(await sha256Hex(bytes), basename(output));
    const size = (bytes.length / 1024 / 1024).toFixed(1);
    console.log(`built ${relative(Deno.cwd(), output)} (${size} MiB)`);
  }
  const sumsPath = join(plan.outDir, SUMS_FILE);
  await Deno.writeTextFile(sumsPath, sums);
  console.log(`wrote ${relative(Deno.cwd(), sumsPath)}`);
  return 0;
}

if (import.meta.main) {
  let code: number;
  try {
    code = await main(Deno.args);
  } catch (error) {
    console.error(`chat compile: ${error instanceof Error ? error.message : String(error)}`);
    code = 1;
  }
  Deno.exit(code);
}
