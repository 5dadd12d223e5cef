/**
 * End-to-end: `scripts/deno`, the way README starts the server from source. The process it
 * starts is Deno itself (it `exec`s the pinned binary: no npx or node wrapper stays resident),
 * so SIGTERM reaches the server, which closes its port and exits, leaving no process behind.
 * Linux only: the process tree is read from /proc.
 */
import assert from "node:assert/strict";
import { basename } from "node:path";
import { DEADLINE_MS, LineCollector } from "./harness.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const SCRIPT = new URL("../../scripts/deno", import.meta.url).pathname;

/** The parent pid and state of a process, or undefined once it is gone. */
async function stat(pid: number): Promise<{ ppid: number; state: string } | undefined> {
  try {
    const text = await Deno.readTextFile(`/proc/${pid}/stat`);
    // After "pid (comm) ": the state, then the parent's pid. comm may hold spaces or parentheses.
    const [state = "", ppid = "0"] = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(ppid), state };
  } catch {
    return undefined;
  }
}

/** Every live process under `pid`, children first found. */
async function descendants(pid: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const info = await stat(Number(entry.name));
    if (info !== undefined) parents.set(Number(entry.name), info.ppid);
  }
  const found: number[] = [];
  let frontier = [pid];
  while (frontier.length > 0) {
    const children = [...parents].filter(([, ppid]) => frontier.includes(ppid)).map(([p]) => p);
    found.push(...children);
    frontier = children;
  }
  return found;
}

/** Whether a process has exited (gone, or a zombie waiting to be reaped). */
async function exited(pid: number): Promise<boolean> {
  const info = await stat(pid);
  return info === undefined || info.state === "Z";
}

/** Polls until `check` passes, or fails with `what` after the deadline. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50)); // poll interval, not a sync sleep
  }
}

Deno.test({
  name:
    "scripts/deno task serve runs Deno itself, keeps its data in the default folder: SIGTERM stops the server and leaves nothing",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    // The default data folder, $XDG_DATA_HOME/chat, in a temporary folder rather than the home.
    const dataHome = await Deno.makeTempDir({ prefix: "chat-data-home-" });
    const child = new Deno.Command(SCRIPT, {
      args: ["task", "serve", "--host", "127.0.0.1", "--port", "0"],
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1", XDG_DATA_HOME: dataHome },
    }).spawn();
    const stdout = new LineCollector(child.stdout);
    const stderr = new LineCollector(child.stderr);
    let tree: number[] = [];
    try {
      const line = stdout.lines[await stdout.waitFor(/is listening/)] ?? "";
      const port = Number(/:(\d+) is listening/.exec(line)?.[1]);
      assert.ok(port > 0, line);
      tree = await descendants(child.pid);
      // What scripts/deno started is the Deno binary, not a shell, npx or node.
      assert.equal(basename(await Deno.readLink(`/proc/${child.pid}/exe`)), "deno");
      for (const pid of tree) {
        assert.equal(basename(await Deno.readLink(`/proc/${pid}/exe`)), "deno", `pid ${pid}`);
      }

      child.kill("SIGTERM");
      const status = await child.status;
      assert.equal(status.code, 0, stderr.text());
      await stdout.done;
      await stderr.done;
      assert.match(stderr.text(), /shutdown/);
      assert.ok(
        stdout.lines.includes(`Rooms and history are kept in ${dataHome}/chat/chat.db`),
        stdout.text(),
      );
      assert.ok((await Deno.stat(`${dataHome}/chat/chat.db`)).size > 0);
      // The port is closed, and no process of the tree is left running.
      await assert.rejects(
        Deno.connect({ hostname: "127.0.0.1", port }),
        Deno.errors.ConnectionRefused,
      );
      for (const pid of tree) await eventually(() => exited(pid), `pid ${pid} exits`);
    } finally {
      // Whatever failed, nothing of the tree is left running (an orphaned server would also
      // hold the output pipes open).
      for (const pid of [child.pid, ...tree]) {
        try {
          Deno.kill(pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
      await child.status;
      await Promise.all([stdout.done, stderr.done]);
      await Deno.remove(dataHome, { recursive: true });
    }
  },
});
