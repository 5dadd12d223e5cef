/**
 * End-to-end: the distribution. The bundle that `deno task bundle` builds runs with nothing but
 * Deno (a fresh empty DENO_DIR, no deno.json, no node_modules, fetching forbidden) and with only
 * the permissions baked into the compiled binaries, and still serves, joins and chats: it is
 * self-contained the way a compiled binary must be. Also checks the compile script: its file
 * names, permissions and checksums, and its one-line failure when no runtime can be downloaded.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundle, bundleImports, outsideImports } from "../../scripts/bundle.ts";
import {
  binaryName,
  compileArgs,
  isRuntimeDownloadFailure,
  PERMISSIONS,
  planCompile,
  sha256Hex,
  sumsLine,
  TARGETS,
  V8_FLAGS,
} from "../../scripts/compile.ts";
import { VERSION } from "../../src/version.ts";
import { ChatProcess, type Launcher as BaseLauncher } from "./harness.ts";

const ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const encoder = new TextEncoder();

/** `deno run` flags that forbid fetching or finding anything the file itself does not hold. */
const OFFLINE_FLAGS = [
  "--quiet",
  "--cached-only",
  "--no-config",
  "--no-lock",
  "--no-remote",
  "--no-npm",
  "--no-prompt",
];

/** The file names README's install steps use. */
const RELEASE_FILES = [
  "chat-linux-x86_64",
  "chat-linux-aarch64",
  "chat-macos-x86_64",
  "chat-macos-aarch64",
  "chat-windows-x86_64.exe",
];

// ---------------------------------------------------------------------------------------------
// The scripts' pure parts

Deno.test("bundleImports() finds every kind of import left in a bundle", () => {
  const source = [
    `import { EventEmitter } from "node:events";`,
    `import fs from 'node:fs';`,
    `import "npm:side-effect@1";`,
    `export * from "jsr:@std/path";`,
    `  const later = await import("https://example.com/x.js");`,
    `var x = __require("commander");`,
    `// import x from "in-a-comment"; is no import`,
  ].join("\n");
  assert.deepEqual(bundleImports(source), [
    "commander",
    "https://example.com/x.js",
    "jsr:@std/path",
    "node:events",
    "node:fs",
    "npm:side-effect@1",
  ]);
});

Deno.test("compile targets are named the way README's install steps name them", () => {
  assert.deepEqual(TARGETS.map(binaryName), RELEASE_FILES);
});

Deno.test("compileArgs() bakes in exactly PERMISSIONS, never all permissions", () => {
  for (const permission of PERMISSIONS) {
    assert.match(
      permission,
      /^--allow-((net|env|read|write)(=.+)?|sys=networkInterfaces,hostname)$/,
    );
  }
  const target = TARGETS[3];
  assert.ok(target);
  const args = compileArgs(target, "/out/chat-macos-aarch64");
  assert.ok(!args.some((arg) => arg === "-A" || arg === "--allow-all"), args.join(" "));
  assert.deepEqual(args.filter((arg) => arg.startsWith("--allow")), [...PERMISSIONS]);
  assert.equal(args[args.indexOf("--target") + 1], "aarch64-apple-darwin");
  assert.equal(args[args.indexOf("--output") + 1], "/out/chat-macos-aarch64");
  assert.match(args.at(-1) ?? "", /main\.ts$/);
});

Deno.test("compileArgs() and deno.json's run tasks pass V8_FLAGS", async () => {
  const target = TARGETS[0];
  assert.ok(target);
  const args = compileArgs(target, "/out/chat");
  for (const flag of V8_FLAGS) assert.ok(args.includes(flag), args.join(" "));
  const config = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
  for (const task of ["chat", "serve", "join"]) {
    const words = String(config.tasks[task]).split(" ");
    for (const flag of V8_FLAGS) assert.ok(words.includes(flag), `${task}: ${config.tasks[task]}`);
  }
});

Deno.test("sha256Hex() and sumsLine() write what sha256sum -c reads", async () => {
  const hex = await sha256Hex(encoder.encode("abc"));
  assert.equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.equal(sumsLine(hex, "chat-linux-x86_64"), `${hex}  chat-linux-x86_64\n`);
});

Deno.test("planCompile() builds all targets, the named ones, or one for DENORT_BIN", () => {
  const host = "x86_64-unknown-linux-gnu";
  const names = (args: string[], denortBin?: string) =>
    planCompile(args, { denortBin, hostTriple: host }).targets.map((target) => target.name);
  assert.deepEqual(names([]), TARGETS.map((target) => target.name));
  assert.deepEqual(names(["--target", "macos-aarch64", "--target=linux-aarch64"]), [
    "macos-aarch64",
    "linux-aarch64",
  ]);
  assert.deepEqual(names(["--target", "x86_64-pc-windows-msvc", "--target", "windows-x86_64"]), [
    "windows-x86_64",
  ]);
  assert.deepEqual(names([], "/opt/denort"), ["linux-x86_64"]);
  assert.deepEqual(names(["--target", "linux-aarch64"], "/opt/denort"), ["linux-aarch64"]);
  assert.throws(() => names(["--target", "plan9"]), /Unknown target "plan9": use one of linux-/);
  assert.throws(() => names(["--target"]), /--target needs a value/);
  assert.throws(() => names(["--bogus"]), /Unknown argument "--bogus"/);
  assert.throws(
    () => names(["--target", "linux-x86_64", "--target", "linux-aarch64"], "/opt/denort"),
    /at most one --target/,
  );
  assert.throws(() => planCompile([], { denortBin: "/opt/denort", hostTriple: "riscv64" }));
  assert.match(planCompile([], { hostTriple: host }).outDir, /dist$/);
  assert.equal(planCompile(["--out-dir", "/tmp/x"], { hostTriple: host }).outDir, "/tmp/x");
});

Deno.test("isRuntimeDownloadFailure() tells a failed runtime download from other errors", () => {
  const download = [
    "error: Writing deno compile executable to temporary file 'dist/chat.tmp-1'",
    "Caused by:",
    "    0: Setting up base binary.",
    "    1: error sending request for url " +
    "(https://dl.deno.land/release/v2.9.6/denort-x86_64-apple-darwin.zip): dns error",
  ].join("\n");
  assert.ok(isRuntimeDownloadFailure(download));
  assert.ok(
    !isRuntimeDownloadFailure("TS2345 [ERROR]: Argument of type 'x'\nerror: Type checking"),
  );
  assert.ok(!isRuntimeDownloadFailure("Caused by:\n 0: Could not find denort at '/nope'"));
});

Deno.test("the install steps name exactly the files deno task compile produces", async () => {
  const documents = [join(ROOT, "docs", "INSTALL_SECTION.md"), join(ROOT, "README.md")];
  let checked = 0;
  for (const path of documents) {
    const text = await Deno.readTextFile(path).catch(() => "");
    const install = /^## Install\b[\s\S]*?(?=^## |(?![\s\S]))/m.exec(text)?.[0];
    if (install === undefined) continue;
    checked++;
    const named = new Set(install.match(/\bchat-[a-z0-9_]+-[a-z0-9_]+(?:\.exe)?/g) ?? []);
    assert.deepEqual([...named].sort(), [...RELEASE_FILES].sort(), path);
    assert.match(install, /SHA256SUMS/, path);
  }
  assert.ok(checked > 0, "No '## Install' section in docs/INSTALL_SECTION.md or README.md");
});

// ---------------------------------------------------------------------------------------------
// The compile script, where no runtime can be downloaded

/** `env` without the variables whose names match `pattern`. */
function withoutKeys(env: Record<string, string>, pattern: RegExp): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !pattern.test(key)));
}

Deno.test("deno task compile says in one line that the runtime cannot be downloaded", async () => {
  const temp = await Deno.makeTempDir({ prefix: "chat-compile-" });
  const denoDir = join(temp, "deno-dir");
  const outDir = join(temp, "dist");
  await Deno.mkdir(denoDir);
  try {
    // A fresh cache holds no runtime, and a dead proxy stops any download of one; npm packages
    // still come straight from the registry, so the program itself compiles up to that point.
    const registry = new URL(Deno.env.get("NPM_CONFIG_REGISTRY") ?? "https://registry.npmjs.org");
    const result = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        "--allow-run",
        "--allow-env=DENORT_BIN",
        join(ROOT, "scripts", "compile.ts"),
        "--target",
        "macos-aarch64",
        "--out-dir",
        outDir,
      ],
      cwd: ROOT,
      // Everything else as inherited (a machine may need its own CA certificates for npm).
      clearEnv: true,
      env: {
        ...withoutKeys(Deno.env.toObject(), /^(DENORT_BIN|(https?|all|no)_proxy)$/i),
        DENO_DIR: denoDir,
        DENO_NO_UPDATE_CHECK: "1",
        NO_COLOR: "1",
        HTTPS_PROXY: "http://127.0.0.1:9",
        HTTP_PROXY: "http://127.0.0.1:9",
        NO_PROXY: registry.hostname,
      },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(result.stderr);
    assert.equal(result.code, 1, stderr);
    assert.equal(
      stderr.trim(),
      "chat compile: cannot download the Deno runtime for aarch64-apple-darwin (no network?); " +
        "set DENORT_BIN to a local denort for that platform",
    );
    assert.deepEqual(await filesUnder(outDir), [], "a failed build leaves no files");
  } finally {
    await Deno.remove(temp, { recursive: true });
  }
});

// ---------------------------------------------------------------------------------------------
// The bundle, run with nothing but Deno (and a compiled binary, where CI has built one)

type Program = ChatProcess;

/** How the bundle (or a binary) is started: from a folder of its own, with its own environment. */
type Launcher = BaseLauncher & { readonly cwd: string; readonly env: Record<string, string> };

/** Starts programs from `launcher` and stops them all at the end of `body`. */
async function withPrograms(
  launcher: Launcher,
  body: (start: (args: string[], options?: { stdin?: boolean }) => Program) => Promise<void>,
): Promise<void> {
  const started: Program[] = [];
  try {
    await body((args, options) => {
      const program = new ChatProcess(args, {
        ...options,
        launcher: { ...launcher, clearEnv: true },
      });
      started.push(program);
      return program;
    });
  } finally {
    for (const program of started) await program.stop();
  }
}

/** `--version` prints VERSION. */
async function checkVersion(launcher: Launcher): Promise<void> {
  await withPrograms(launcher, async (start) => {
    const program = start(["--version"]);
    assert.equal((await program.exit()).code, 0, program.stderr.text());
    assert.equal(program.stdout.text().trim(), VERSION);
  });
}

/** A server and two line-mode clients exchange a message; leaving and stopping exit cleanly. */
async function checkChat(launcher: Launcher): Promise<void> {
  await withPrograms(launcher, async (start) => {
    const server = start(["serve", "--host", "127.0.0.1", "--port", "0"]);
    const listening = await server.stdout.waitFor(/is listening/);
    const match = /^chat server 127\.0\.0\.1:(\d+) is listening/.exec(
      server.stdout.lines[listening] ?? "",
    );
    assert.ok(match, server.stdout.text());
    const address = `127.0.0.1:${match[1]}`;

    const ana = start(["join", address, "--nick", "ana"], { stdin: true });
    await ana.stdout.waitFor(/^\* You are in lobby/);
    const bob = start(["join", address, "--nick", "bob"], { stdin: true });
    await bob.stdout.waitFor(/^\* You are in lobby/);
    await ana.stdout.waitFor("* bob joined");
    await ana.send("hello");
    await bob.stdout.waitFor("<ana> hello");

    // End of input leaves (exit 0); SIGTERM stops the server (exit 0) and bob is told.
    await ana.closeStdin();
    assert.equal((await ana.exit()).code, 0, ana.stderr.text());
    await bob.stdout.waitFor("* ana left");
    if (Deno.build.os !== "windows") {
      server.child.kill("SIGTERM");
      assert.equal((await server.exit()).code, 0, server.stderr.text());
      // bob is told, and waits for the server to come back until his input ends.
      await bob.stdout.waitFor(/Server is shutting down: reconnecting when it is back/);
      await bob.closeStdin();
      assert.equal((await bob.exit()).code, 0, bob.stderr.text());
    }
    assert.deepEqual(server.stderr.lines.filter((line) => /error/i.test(line)), []);
  });
}

/** Every file under `dir`, as paths relative to it. */
async function filesUnder(dir: string, prefix = ""): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) found.push(...await filesUnder(path, `${prefix}${entry.name}/`));
    else found.push(`${prefix}${entry.name}`);
  }
  return found;
}

Deno.test("the bundle serves and chats offline, from a fresh cache, with the baked-in permissions", async (t) => {
  const temp = await Deno.makeTempDir({ prefix: "chat-bundle-" });
  const build = join(temp, "build");
  const app = join(temp, "app"); // nothing here but chat.js: no deno.json, no node_modules
  const denoDir = join(temp, "deno-dir"); // an empty cache
  const script = join(app, "chat.js");
  await Deno.mkdir(app);
  await Deno.mkdir(denoDir);
  const offline = (file: string): Launcher => ({
    command: Deno.execPath(),
    args: ["run", ...OFFLINE_FLAGS, ...PERMISSIONS, file],
    cwd: app,
    env: { DENO_DIR: denoDir, DENO_NO_UPDATE_CHECK: "1" },
  });
  try {
    await t.step(
      "deno task bundle inlines npm packages and imports only node: built-ins",
      async () => {
        await bundle(join(build, "chat.js"));
        await Deno.copyFile(join(build, "chat.js"), script);
        const source = await Deno.readTextFile(script);
        const imports = bundleImports(source);
        assert.ok(imports.length > 0, "the bundle should still import node: built-ins");
        assert.deepEqual(outsideImports(imports), []);
        assert.match(source, /\bCommanderError = class\b/, "commander should be inlined");
      },
    );

    await t.step("the offline flags really forbid fetching an npm package", async () => {
      const probe = join(app, "probe.js");
      await Deno.writeTextFile(probe, `import "npm:commander@15.1.0";\nconsole.log("loaded");\n`);
      try {
        await withPrograms(offline(probe), async (start) => {
          const program = start([]);
          assert.notEqual((await program.exit()).code, 0, "an npm import must fail offline");
          assert.doesNotMatch(program.stdout.text(), /loaded/);
          assert.match(program.stderr.text(), /--no-npm|--cached-only/);
        });
      } finally {
        await Deno.remove(probe);
      }
    });

    await t.step("chat.js --version prints the one version, from src/version.ts", async () => {
      await checkVersion(offline(script));
    });

    await t.step("a server and two clients from the bundle exchange a message", async () => {
      await checkChat(offline(script));
    });

    await t.step("nothing was fetched into the empty cache", async () => {
      const cached = (await filesUnder(denoDir)).filter((path) =>
        path.startsWith("npm/") || path.startsWith("remote/") || path.startsWith("dl/")
      );
      assert.deepEqual(cached, []);
    });
  } finally {
    await Deno.remove(temp, { recursive: true });
  }
});

// The release workflow sets CHAT_BINARY to the binary it compiled for the machine it runs on.
const binary = Deno.env.get("CHAT_BINARY");

Deno.test({
  name: "the compiled binary (CHAT_BINARY) reports the version, serves and chats",
  ignore: binary === undefined,
  async fn() {
    const launcher: Launcher = {
      command: await Deno.realPath(binary ?? ""),
      args: [],
      cwd: await Deno.makeTempDir({ prefix: "chat-binary-" }),
      env: {},
    };
    try {
      await checkVersion(launcher);
      await checkChat(launcher);
    } finally {
      await Deno.remove(launcher.cwd, { recursive: true });
    }
  },
});
