/**
 * Architecture checks: the pure core touches no `Deno.*`, timers or `console`, and imports never
 * go round in a circle.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

const PURE_FILES = [
  "src/protocol.ts",
  "src/line_splitter.ts",
  "src/nick.ts",
  "src/text.ts",
  "src/render.ts",
  "src/limits.ts",
  "src/errors.ts",
  "src/cli.ts",
  "src/room_name.ts",
  "src/command_table.ts",
  "src/server/hub.ts",
  "src/server/room.ts",
  "src/server/commands.ts",
  "src/rate_limit.ts",
  "src/file_name.ts",
  "src/transfer_state.ts",
  "src/units.ts",
  "src/server/console_commands.ts",
  "src/server/addresses.ts",
];

/** Pure files that may not exist yet; checked when they do. */
const OPTIONAL_PURE_FILES = [
  "src/terminal/keys.ts",
  "src/terminal/line_editor.ts",
  "src/terminal/ansi.ts",
  "src/terminal/progress.ts",
];

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

Deno.test("pure files use no Deno.*, timers, clock or console", async () => {
  let checked = 0;
  for (const path of [...PURE_FILES, ...OPTIONAL_PURE_FILES]) {
    const source = await readIfExists(path);
    if (source === undefined) {
      assert.ok(OPTIONAL_PURE_FILES.includes(path), `${path} is missing`);
      continue;
    }
    checked += 1;
    assert.deepEqual(impurities(source), [], `${path} is not pure`);
  }
  assert.ok(checked >= PURE_FILES.length);
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

Deno.test("pure core files import nothing from the server, client or carrier layers", async () => {
  const graph = await importGraph();
  const core = PURE_FILES.filter((path) => !path.startsWith("src/server/"));
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
