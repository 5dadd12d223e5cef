/**
 * Architecture checks: the pure core touches no `Deno.*`, timers or `console`, and imports never
 * go round in a circle.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

/**
 * Where pure files live, by folder: a path ending in `/` covers every `.ts` file under it, a
 * `dir/*.ts` the files directly in `dir`, anything else one file. A new file in these places is
 * checked without being listed.
 */
const PURE_PLACES = [
  "src/*.ts",
  "src/dialect/",
  "src/store/",
  "src/terminal/",
  // Effectful layers hold a few pure files: the hub and what it is made of, the codecs.
  "src/server/hub.ts",
  "src/server/room.ts",
  "src/server/events.ts",
  "src/server/commands.ts",
  "src/server/hub_op.ts",
  "src/server/resume_tokens.ts",
  "src/server/op_log.ts",
  "src/server/console_commands.ts",
  "src/server/moderation.ts",
  "src/server/addresses.ts",
  "src/carrier/http_request.ts",
  "src/carrier/websocket_frame.ts",
  "src/carrier/memory.ts",
];

/**
 * Places inside pure ones that touch the world by their nature, by file name: the stores that
 * keep data on disk (`src/store/sqlite_*.ts`).
 */
const EFFECTFUL_PLACES = [
  "src/store/sqlite_*.ts",
];

/** Files in pure places that touch the world on purpose: the edge of their layer. */
const EFFECTFUL = [
  "src/log.ts", // reads the clock when none is given
  "src/read_text_file.ts", // reads the files the operator names
  "src/terminal/stdio.ts", // the one file on stdin and stdout
  "src/terminal/terminal_ui.ts", // reads the clock when none is given
];

/** Whether a path (from the project root) is in one of `places`. */
function inPlaces(path: string, places: readonly string[]): boolean {
  return places.some((place) => {
    if (place.endsWith("/")) return path.startsWith(place);
    const star = place.indexOf("*");
    if (star >= 0) {
      // `dir/*.ts`, `dir/prefix_*.ts`: files directly in `dir` whose names fit.
      const [head, tail] = [place.slice(0, star), place.slice(star + 1)];
      return path.startsWith(head) && path.endsWith(tail) &&
        path.length >= head.length + tail.length &&
        !path.slice(head.length, path.length - tail.length).includes("/");
    }
    return path === place;
  });
}

/** Whether a source file must be pure. */
function mustBePure(path: string): boolean {
  return inPlaces(path, PURE_PLACES) && !inPlaces(path, EFFECTFUL_PLACES) &&
    !EFFECTFUL.includes(path);
}

// Time is passed in to pure code: `Date.now()` would make it untestable without stubs.
const FORBIDDEN = ["Deno.", "setTimeout", "setInterval", "console.", "Date.now"];

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(new URL(path, ROOT));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** Source without comments, so a doc comment may mention what the code must not use. */
function stripComments(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/^\s*\/\/.*$/gm, "")
    .replace(/\s\/\/\s.*$/gm, "");
}

/** The forbidden names a source text uses. */
function impurities(source: string): string[] {
  const code = stripComments(source);
  return FORBIDDEN.filter((name) => code.includes(name));
}

Deno.test("impurities() finds forbidden names in code but not in comments", () => {
  assert.deepEqual(impurities("const x = 1;\n"), []);
  assert.deepEqual(impurities("Deno.exit(1);\nsetTimeout(f, 1);\n"), ["Deno.", "setTimeout"]);
  assert.deepEqual(impurities("  console.log(x); // fine\n"), ["console."]);
  assert.deepEqual(
    impurities("/** Never calls Deno.exit. */\n// no console.log\nconst a = 1;"),
    [],
  );
  assert.deepEqual(impurities("const a = 1; // uses no setInterval\n"), []);
  assert.deepEqual(impurities('const url = "http://x"; setInterval(f);\n'), ["setInterval"]);
  assert.deepEqual(impurities("const t = Date.now();\n"), ["Date.now"]);
  assert.deepEqual(impurities("const d = new Date(time);\n"), []);
});

const IMPORT_PATTERNS = [
  // import ... from "./x.ts", export ... from "./x.ts" (the clause may span lines)
  /\b(?:import|export)\b[^"'`;]*?\bfrom\s*["'](\.{1,2}\/[^"']+)["']/g,
  // import "./x.ts"
  /\bimport\s*["'](\.{1,2}\/[^"']+)["']/g,
  // import("./x.ts")
  /\bimport\s*\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g,
];

/** Relative import specifiers of a module, in order of appearance. */
function relativeImports(source: string): string[] {
  const code = stripComments(source);
  const found: { index: number; specifier: string }[] = [];
  for (const pattern of IMPORT_PATTERNS) {
    for (const match of code.matchAll(pattern)) {
      found.push({ index: match.index ?? 0, specifier: match[1] ?? "" });
    }
  }
  return found.sort((a, b) => a.index - b.index).map((entry) => entry.specifier);
}

/** The first import cycle found by depth-first search, as a path that starts and ends alike. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const done = new Set<string>();
  const stack: string[] = [];
  const onStack = new Set<string>();

  function visit(node: string): string[] | undefined {
    if (onStack.has(node)) return [...stack.slice(stack.indexOf(node)), node];
    if (done.has(node)) return undefined;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle !== undefined) return cycle;
    }
    stack.pop();
    onStack.delete(node);
    done.add(node);
    return undefined;
  }

  for (const node of [...graph.keys()].sort()) {
    const cycle = visit(node);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

async function* typeScriptFiles(dir: URL): AsyncGenerator<URL> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory) yield* typeScriptFiles(new URL(`${entry.name}/`, dir));
    else if (entry.isFile && entry.name.endsWith(".ts")) yield new URL(entry.name, dir);
  }
}

Deno.test("mustBePure() follows the folder layout and its exceptions", () => {
  for (
    const path of [
      "src/protocol.ts",
      "src/dialect/irc/message.ts",
      "src/store/room_log.ts",
      "src/store/memory_room_log.ts",
      "src/terminal/keys.ts",
      "src/server/hub.ts",
      "src/carrier/websocket_frame.ts",
    ]
  ) assert.equal(mustBePure(path), true, path);
  for (
    const path of [
      "main.ts",
      "src/log.ts",
      "src/store/sqlite_room_log.ts",
      "src/store/sqlite_database.ts",
      "src/terminal/stdio.ts",
      "src/server/session.ts",
      "src/carrier/tcp.ts",
      "src/client/join.ts",
      "src/web/page.ts",
    ]
  ) assert.equal(mustBePure(path), false, path);
});

/** Every `.ts` file under src/, as paths from the project root, sorted. */
async function sourceFiles(): Promise<string[]> {
  const paths: string[] = [];
  for await (const file of typeScriptFiles(new URL("src/", ROOT))) {
    paths.push(file.pathname.slice(ROOT.pathname.length));
  }
  return paths.sort();
}

Deno.test("pure files use no Deno.*, timers, clock or console", async () => {
  const pure = (await sourceFiles()).filter(mustBePure);
  for (const path of ["src/protocol.ts", "src/server/hub.ts", "src/store/room_log.ts"]) {
    assert.ok(pure.includes(path), `${path} is checked`);
  }
  for (const path of pure) {
    const source = await readIfExists(path); // undefined: being edited elsewhere
    if (source !== undefined) assert.deepEqual(impurities(source), [], `${path} is not pure`);
  }
});

Deno.test("every named pure place and exception exists, and each exception is impure", async () => {
  const files = await sourceFiles();
  for (const place of [...PURE_PLACES, ...EFFECTFUL_PLACES]) {
    assert.ok(files.some((path) => inPlaces(path, [place])), `${place} holds no file`);
  }
  for (const path of EFFECTFUL) {
    const source = await readIfExists(path);
    assert.ok(source !== undefined, `${path} is missing`);
    assert.notDeepEqual(impurities(source), [], `${path} is pure now: take it off EFFECTFUL`);
  }
});

/** The import graph of src/**\/*.ts and main.ts, keyed by path from the project root. */
async function importGraph(): Promise<Map<string, string[]>> {
  const files: URL[] = [new URL("main.ts", ROOT)];
  for await (const file of typeScriptFiles(new URL("src/", ROOT))) files.push(file);
  const relative = (url: URL) => url.pathname.slice(ROOT.pathname.length);
  const known = new Set(files.map(relative));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    let source: string;
    try {
      source = await Deno.readTextFile(file);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue; // being edited elsewhere
      throw error;
    }
    const targets = relativeImports(source)
      .map((specifier) => relative(new URL(specifier, file)))
      .filter((target) => known.has(target));
    graph.set(relative(file), [...new Set(targets)]);
  }
  return graph;
}

Deno.test("relativeImports() reads single-line, multi-line, type, side-effect and dynamic imports", () => {
  const source = [
    'import { a } from "./a.ts";',
    "import {",
    "  b,",
    "  type C,",
    '} from "../b.ts";',
    'import type { D } from "./d.ts";',
    'export { e } from "./e.ts";',
    'import "./f.ts";',
    'const g = await import("./g.ts");',
    'import { h } from "npm:h";',
    '// import { x } from "./commented.ts";',
  ].join("\n");
  assert.deepEqual(relativeImports(source), [
    "./a.ts",
    "../b.ts",
    "./d.ts",
    "./e.ts",
    "./f.ts",
    "./g.ts",
  ]);
});

Deno.test("findCycle() finds a cycle and accepts a graph without one", () => {
  const acyclic = new Map([["a", ["b", "c"]], ["b", ["c"]], ["c", []]]);
  assert.equal(findCycle(acyclic), undefined);
  const cyclic = new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", []]]);
  assert.deepEqual(findCycle(cyclic), ["a", "b", "c", "a"]);
  assert.deepEqual(findCycle(new Map([["self", ["self"]]])), ["self", "self"]);
});

Deno.test("src and main.ts have no import cycles", async () => {
  const graph = await importGraph();
  assert.ok(graph.has("src/protocol.ts") && graph.has("src/server/hub.ts"));
  assert.ok(graph.get("src/server/hub.ts")?.includes("src/protocol.ts"), "the graph has edges");
  const cycle = findCycle(graph);
  assert.equal(cycle, undefined, `import cycle: ${cycle?.join(" -> ")}`);
});

// Dialects are left out: they word the hub's events (src/server/events.ts) for the wire.
Deno.test("pure core files import nothing from the server, client or carrier layers", async () => {
  const graph = await importGraph();
  const core = [...graph.keys()].filter((path) =>
    mustBePure(path) && !/^src\/(server|client|carrier|dialect)\//.test(path)
  );
  assert.ok(core.includes("src/protocol.ts") && core.includes("src/store/room_log.ts"));
  for (const path of core) {
    for (const target of graph.get(path) ?? []) {
      assert.doesNotMatch(
        target,
        /^src\/(server|client|carrier)\/|^main\.ts$/,
        `${path} -> ${target}`,
      );
    }
  }
});
