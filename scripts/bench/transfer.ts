/**
 * File transfer throughput on loopback: `chat`'s `/send` (sender hashes, uploads to the server's
 * spool; each receiver downloads, verifies and renames) against a raw TCP copy of the same bytes
 * between two processes (read the file, send it, write it to disk), measured in the same run.
 * Also reports peak RSS of the server and of a receiving client, at two file sizes, to show that
 * memory does not grow with the file.
 *
 *   scripts/deno run -A scripts/bench/transfer.ts [--sizes 64,256] [--runs 3] [--receivers 1]
 *     [--profile DIR]
 *
 * `--profile DIR` writes a V8 CPU profile of each chat process under DIR/server, DIR/sender and
 * DIR/receiver0 (summarise them with `profile_summary.ts`).
 *
 * Prints a Markdown table, with the median CPU time each chat process used during a transfer
 * (/proc, all threads). Loopback only; everything it starts is stopped at the end.
 */
import { parseArgs } from "node:util";
import { PERMISSIONS } from "../compile.ts";
import { clockTicks, cpuSeconds, memory } from "./procfs.ts";

const MiB = 1024 * 1024;
const ROOT = new URL("../../", import.meta.url).pathname;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const { values } = parseArgs({
  args: Deno.args,
  options: {
    sizes: { type: "string", default: "64,256" },
    runs: { type: "string", default: "3" },
    receivers: { type: "string", default: "1" },
    profile: { type: "string" },
  },
});
const sizes = (values.sizes ?? "64,256").split(",").map((size) => Number(size) * MiB);
const runs = Number(values.runs ?? "3");
const receivers = Number(values.receivers ?? "1");
/** Where V8 CPU profiles of the server, sender and first receiver go (`--cpu-prof`), if asked. */
const profileDir = values.profile;
const ticks = await clockTicks();

/** A child process whose output lines can be awaited. */
class Child {
  readonly process: Deno.ChildProcess;
  readonly lines: string[] = [];
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  #waiters: (() => void)[] = [];
  #exited: number | undefined;
  /** The end of the child's stderr, shown if it exits early. */
  #stderr = "";

  constructor(args: string[]) {
    this.process = new Deno.Command(Deno.execPath(), {
      args,
      cwd: ROOT,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    this.#writer = this.process.stdin.getWriter();
    void this.process.status.then((status) => {
      this.#exited = status.code;
      this.#wake();
    });
    void this.#pump();
    void this.#keepStderr();
  }

  async send(line: string): Promise<void> {
    await this.#writer.write(encoder.encode(line + "\n"));
  }

  /** Waits for a line matching `pattern` after index `from`; returns its index. */
  async waitFor(pattern: RegExp, from = 0, timeoutMs = 120_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      for (let i = from; i < this.lines.length; i++) {
        if (pattern.test(this.lines[i] ?? "")) return i;
      }
      if (this.#exited !== undefined) {
        throw new Error(
          `Exited with code ${this.#exited} before printing ${pattern}:\n${this.#stderr}`,
        );
      }
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${pattern}`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  async stop(): Promise<void> {
    await this.#writer.close().catch(() => {});
    try {
      this.process.kill("SIGTERM");
    } catch {
      // Gone already.
    }
    await this.process.status;
  }

  async #pump(): Promise<void> {
    let buffered = "";
    for await (const chunk of this.process.stdout) {
      buffered += decoder.decode(chunk, { stream: true });
      const parts = buffered.split("\n");
      buffered = parts.pop() ?? "";
      this.lines.push(...parts);
      this.#wake();
    }
  }

  async #keepStderr(): Promise<void> {
    for await (const chunk of this.process.stderr) {
      this.#stderr = (this.#stderr + decoder.decode(chunk, { stream: true })).slice(-4000);
    }
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

async function makeFile(path: string, size: number): Promise<void> {
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  const chunk = new Uint8Array(MiB);
  for (let i = 0; i < chunk.length; i += 65536) {
    crypto.getRandomValues(chunk.subarray(i, i + 65536));
  }
  for (let written = 0; written < size; written += chunk.length) {
    const part = chunk.subarray(0, Math.min(chunk.length, size - written));
    let offset = 0;
    while (offset < part.length) offset += await file.write(part.subarray(offset));
  }
}

/** The raw copy: a receiver process writes what it reads to a file; the sender sends the file. */
/** CPU time of the process running it so far (user and system, all threads), in ms. */
const CPU_MS = `
function cpuMs() {
  const stat = Deno.readTextFileSync("/proc/self/stat");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
`;
const RAW_RECEIVER = CPU_MS + `
const [out] = Deno.args;
const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
console.log("port " + listener.addr.port);
const conn = await listener.accept();
// Timed from the sender's connection, so neither process's start-up counts.
const started = performance.now();
const cpuBefore = cpuMs();
using file = await Deno.open(out, { write: true, create: true, truncate: true });
const buffer = new Uint8Array(256 * 1024);
while (true) {
  const n = await conn.read(buffer);
  if (n === null) break;
  let offset = 0;
  while (offset < n) offset += await file.write(buffer.subarray(offset, n));
}
console.log("done " + (performance.now() - started) + " " + (cpuMs() - cpuBefore));
`;
const RAW_SENDER = CPU_MS + `
const [path, port] = Deno.args;
const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
const cpuBefore = cpuMs();
using file = await Deno.open(path, { read: true });
const buffer = new Uint8Array(256 * 1024);
while (true) {
  const n = await file.read(buffer);
  if (n === null) break;
  let offset = 0;
  while (offset < n) offset += await conn.write(buffer.subarray(offset, n));
}
conn.close();
console.log("cpu " + (cpuMs() - cpuBefore));
`;

/** The raw copy's time, and the CPU time its two processes used meanwhile (ms, from /proc). */
async function rawCopy(dir: string, path: string): Promise<{ ms: number; cpu: number }> {
  await Deno.writeTextFile(`${dir}/raw_receiver.ts`, RAW_RECEIVER);
  await Deno.writeTextFile(`${dir}/raw_sender.ts`, RAW_SENDER);
  const receiver = new Child(["run", "-A", `${dir}/raw_receiver.ts`, `${dir}/raw.out`]);
  const portLine = receiver.lines[await receiver.waitFor(/^port /)] ?? "";
  const sender = new Child(["run", "-A", `${dir}/raw_sender.ts`, path, portLine.slice(5)]);
  const done = (receiver.lines[await receiver.waitFor(/^done /)] ?? "").split(" ");
  const senderCpu = sender.lines[await sender.waitFor(/^cpu /)] ?? "";
  const ms = Number(done[1]);
  const cpu = Number(done[2]) + Number(senderCpu.slice(4));
  await sender.stop();
  await receiver.stop();
  await Deno.remove(`${dir}/raw.out`);
  return { ms, cpu };
}

/** `deno run` arguments for one chat process; with `--profile`, a V8 CPU profile per process. */
function chat(role: string): string[] {
  const profile = profileDir === undefined
    ? []
    : ["--cpu-prof", `--cpu-prof-dir=${profileDir}/${role}`];
  return ["run", ...profile, ...PERMISSIONS, "main.ts"];
}

/** One transfer's time, peak RSS, and each process's CPU time while it went on (ms). */
interface ChatResult {
  ms: number;
  serverPeak: number;
  receiverPeak: number;
  cpu: { server: number; sender: number; receiver: number };
}

async function chatTransfer(dir: string, path: string, size: number): Promise<ChatResult> {
  const server = new Child([
    ...chat("server"),
    "serve",
    "--memory",
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    "--max-file-size",
    String(Math.ceil(size / MiB) + 1),
    "--max-per-ip",
    "0",
  ]);
  const listening = server.lines[await server.waitFor(/is listening/)] ?? "";
  const port = /:(\d+) is listening/.exec(listening)?.[1] ?? "";
  const clients: Child[] = [];
  try {
    for (let i = 0; i < receivers; i++) {
      const receiver = new Child([
        ...chat(`receiver${i}`),
        "join",
        `127.0.0.1:${port}`,
        "--nick",
        `r${i}`,
        "--downloads",
        `${dir}/r${i}`,
      ]);
      await receiver.waitFor(/^\* You are in lobby/);
      clients.push(receiver);
    }
    const sender = new Child([...chat("sender"), "join", `127.0.0.1:${port}`, "--nick", "sender"]);
    await sender.waitFor(/^\* You are in lobby/);
    clients.push(sender);
    const pids = {
      server: server.process.pid,
      sender: sender.process.pid,
      receiver: clients[0]?.process.pid ?? 0,
    };
    const cpuBefore = await cpuOf(pids);
    const started = performance.now();
    await sender.send(`/send ${path}`);
    for (const receiver of clients.slice(0, receivers)) await receiver.waitFor(/^\* Saved /);
    const ms = performance.now() - started;
    const cpuAfter = await cpuOf(pids);
    const serverPeak = (await memory(server.process.pid)).peakKiB;
    const receiverPeak = (await memory(pids.receiver)).peakKiB;
    for (let i = 0; i < receivers; i++) await Deno.remove(`${dir}/r${i}`, { recursive: true });
    const cpu = {
      server: cpuAfter.server - cpuBefore.server,
      sender: cpuAfter.sender - cpuBefore.sender,
      receiver: cpuAfter.receiver - cpuBefore.receiver,
    };
    return { ms, serverPeak, receiverPeak, cpu };
  } finally {
    for (const client of clients) await client.stop();
    await server.stop();
  }
}

/** CPU time (user + system, all threads) of each process so far, in ms. */
async function cpuOf(
  pids: { server: number; sender: number; receiver: number },
): Promise<{ server: number; sender: number; receiver: number }> {
  return {
    server: 1000 * await cpuSeconds(pids.server, ticks),
    sender: 1000 * await cpuSeconds(pids.sender, ticks),
    receiver: 1000 * await cpuSeconds(pids.receiver, ticks),
  };
}

const median = (numbers: number[]) =>
  [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)] ?? NaN;
const rate = (bytes: number, ms: number) => (bytes / MiB / (ms / 1000)).toFixed(0);

const dir = await Deno.makeTempDir({ prefix: "chat-bench-transfer-" });
try {
  console.log(
    `| file | raw TCP copy MiB/s | chat /send MiB/s (${receivers} receiver${
      receivers === 1 ? "" : "s"
    }) | ratio | CPU ms: server, sender, receiver (raw copy) | server peak RSS | receiver peak RSS |`,
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const size of sizes) {
    const path = `${dir}/file-${size}.bin`;
    await makeFile(path, size);
    const raw: { ms: number; cpu: number }[] = [];
    const results: ChatResult[] = [];
    for (let run = 0; run < runs; run++) {
      raw.push(await rawCopy(dir, path));
      results.push(await chatTransfer(dir, path, size));
    }
    const rawMs = median(raw.map((copy) => copy.ms));
    const rawCpu = median(raw.map((copy) => copy.cpu)).toFixed(0);
    const chatMs = median(results.map((result) => result.ms));
    const cpu = (role: keyof ChatResult["cpu"]) =>
      median(results.map((result) => result.cpu[role])).toFixed(0);
    const peak = (kib: number[]) => (Math.max(...kib) / 1024).toFixed(0);
    console.log(
      `| ${size / MiB} MiB | ${rate(size, rawMs)} | ${rate(size, chatMs)} | ${
        (rawMs / chatMs).toFixed(2)
      } | ${cpu("server")}, ${cpu("sender")}, ${cpu("receiver")} (${rawCpu}) | ` +
        `${peak(results.map((r) => r.serverPeak))} MiB | ` +
        `${peak(results.map((r) => r.receiverPeak))} MiB |`,
    );
    await Deno.remove(path);
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
