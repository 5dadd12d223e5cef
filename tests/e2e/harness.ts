/**
 * Helpers for end-to-end tests: start real `chat` processes on loopback, talk to them through
 * real sockets, and wait for output with a deadline (never a fixed sleep).
 */

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Default deadline for one expected event. */
export const DEADLINE_MS = 10_000;

/**
 * `chat serve` keeps nothing on disk in tests unless the test says where (`--data`): a server
 * started without `--data` or `--memory` gets `--memory`, so no test writes to the home folder.
 */
export function inMemoryUnlessTold(args: readonly string[]): string[] {
  if (args[0] !== "serve" || args.some((arg) => /^--(data|memory)(=|$)/.test(arg))) {
    return [...args];
  }
  return ["serve", "--memory", ...args.slice(1)];
}

/** Arguments that run `chat` from source with the permissions the program needs. */
export function chatCommand(args: readonly string[]): { command: string; args: string[] } {
  return {
    command: Deno.execPath(),
    args: [
      "run",
      "--quiet",
      "--config",
      CONFIG,
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-write",
      "--allow-sys=networkInterfaces,hostname",
      MAIN,
      ...inMemoryUnlessTold(args),
    ],
  };
}

/** Collects lines from a byte stream and lets a test wait for one that matches. */
export class LineCollector {
  readonly lines: string[] = [];
  readonly done: Promise<void>;
  #waiters: (() => void)[] = [];
  #ended = false;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = this.#pump(stream);
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Everything received so far, one line per line. */
  text(): string {
    return this.lines.join("\n");
  }

  /**
   * Waits until a line after index `from` matches; returns its index. Fails with what was seen
   * when the deadline passes or the stream ends first.
   */
  async waitFor(
    match: string | RegExp | ((line: string) => boolean),
    options: { from?: number; timeoutMs?: number } = {},
  ): Promise<number> {
    const test = typeof match === "function"
      ? match
      : typeof match === "string"
      ? (line: string) => line.includes(match)
      : (line: string) => match.test(line);
    const deadline = Date.now() + (options.timeoutMs ?? DEADLINE_MS);
    let index = options.from ?? 0;
    while (true) {
      for (; index < this.lines.length; index++) {
        if (test(this.lines[index] ?? "")) return index;
      }
      if (this.#ended) break;
      const left = deadline - Date.now();
      if (left <= 0) break;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
    throw new Error(
      `No line matching ${String(match)} ${this.#ended ? "before the end" : "in time"}; got:\n` +
        this.lines.slice(-40).map((line) => line.length > 300 ? line.slice(0, 300) + "..." : line)
          .join("\n"),
    );
  }

  /** Waits for a line and returns the index after it, for a following `waitFor`. */
  async next(match: string | RegExp, from = 0): Promise<number> {
    return await this.waitFor(match, { from }) + 1;
  }

  async #pump(stream: ReadableStream<Uint8Array>): Promise<void> {
    let buffered = "";
    try {
      for await (const chunk of stream) {
        buffered += decoder.decode(chunk, { stream: true });
        const parts = buffered.split("\n");
        buffered = parts.pop() ?? "";
        if (parts.length > 0) {
          this.lines.push(...parts.map((line) => line.replace(/\r$/, "")));
          this.#wake();
        }
      }
    } catch {
      // The stream broke (socket reset); treat as its end.
    } finally {
      if (buffered !== "") this.lines.push(buffered);
      this.#ended = true;
      this.#wake();
    }
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

/** How to start `chat`: a command and the arguments before chat's own. */
export interface Launcher {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: Record<string, string>;
  /** Start from an empty environment (PATH and NO_COLOR only, plus `env`). */
  readonly clearEnv?: boolean;
}

/** A running `chat` process with its output collected. */
export class ChatProcess {
  readonly child: Deno.ChildProcess;
  readonly stdout: LineCollector;
  readonly stderr: LineCollector;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array> | undefined;
  readonly #args: readonly string[];

  /** Runs `chat ARGS` from source, or through `options.launcher` (a bundle, a binary). */
  constructor(
    args: readonly string[],
    options: { stdin?: boolean; env?: Record<string, string>; launcher?: Launcher },
  ) {
    this.#args = args;
    const launcher = options.launcher ?? { ...chatCommand([]), clearEnv: false };
    this.child = new Deno.Command(launcher.command, {
      args: [...launcher.args, ...inMemoryUnlessTold(args)],
      cwd: launcher.cwd,
      clearEnv: launcher.clearEnv,
      stdin: options.stdin ? "piped" : "null",
      stdout: "piped",
      stderr: "piped",
      env: {
        ...(launcher.clearEnv ? { PATH: Deno.env.get("PATH") ?? "" } : {}),
        NO_COLOR: "1",
        ...launcher.env,
        ...options.env,
      },
    }).spawn();
    this.stdout = new LineCollector(this.child.stdout);
    this.stderr = new LineCollector(this.child.stderr);
    this.#stdin = options.stdin ? this.child.stdin.getWriter() : undefined;
  }

  /** Types a line into the process's stdin. */
  async send(line: string): Promise<void> {
    if (this.#stdin === undefined) throw new Error("This process has no stdin");
    await this.#stdin.write(encoder.encode(line + "\n"));
  }

  /** Closes stdin (end of input). */
  async closeStdin(): Promise<void> {
    await this.#stdin?.close().catch(() => {});
  }

  /** Waits for the process to exit (with a deadline) and for its output to be read. */
  async exit(timeoutMs = DEADLINE_MS): Promise<Deno.CommandStatus> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.kill("SIGKILL");
        reject(new Error(`Process did not exit in ${timeoutMs} ms: ${this.#args.join(" ")}`));
      }, timeoutMs);
    });
    try {
      const status = await Promise.race([this.child.status, timeout]);
      await Promise.all([this.stdout.done, this.stderr.done]);
      return status;
    } finally {
      clearTimeout(timer);
    }
  }

  kill(signal: Deno.Signal = "SIGTERM"): void {
    try {
      this.child.kill(signal);
    } catch {
      // Already gone.
    }
  }

  /** Kills the process if still running and waits for it, for test cleanup. */
  async stop(): Promise<void> {
    await this.closeStdin();
    this.kill("SIGKILL");
    await this.child.status;
    await Promise.all([this.stdout.done, this.stderr.done]);
  }
}

/** A `chat serve` process on loopback. */
export interface ServerProcess extends ChatProcess {
  readonly port: number;
  readonly host: string;
}

/** A free loopback port (a restarted server must come back on the same one). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Starts `chat serve` on loopback at `port` with `args` and waits until it listens. */
export async function startServerOn(port: number, args: readonly string[]): Promise<ServerProcess> {
  const process = new ChatProcess(
    ["serve", "--host", "127.0.0.1", "--port", String(port), ...args],
    {},
  );
  await process.stdout.waitFor(/is listening/);
  return Object.assign(process, { port, host: "127.0.0.1" });
}

/** Starts `chat serve --port 0` on `host` and waits until it prints its address. */
export async function startServer(
  options: { host?: string; args?: readonly string[] } = {},
): Promise<ChatProcess & { port: number; host: string }> {
  const host = options.host ?? "127.0.0.1";
  const process = new ChatProcess(
    ["serve", "--host", host, "--port", "0", ...options.args ?? []],
    {},
  );
  const index = await process.stdout.waitFor(/listening/);
  const match = /(\d+) is listening/.exec(process.stdout.lines[index] ?? "");
  if (!match) throw new Error(`Cannot read the port from: ${process.stdout.lines[index]}`);
  return Object.assign(process, { port: Number(match[1]), host });
}

/** Starts `chat join` in line mode (stdin piped, so not a terminal). */
export function startClient(
  server: { port: number; host: string },
  nick: string,
  args: readonly string[] = [],
): ChatProcess {
  const address = server.host.includes(":")
    ? `[${server.host}]:${server.port}`
    : `${server.host}:${server.port}`;
  return new ChatProcess(["join", address, "--nick", nick, ...args], { stdin: true });
}

/** Starts a line-mode client and waits until it is in the room. */
export async function joinedClient(
  server: { port: number; host: string },
  nick: string,
): Promise<ChatProcess> {
  const client = startClient(server, nick);
  await client.stdout.waitFor(/^\* You are in lobby/);
  return client;
}

/** A raw TCP connection, as `nc` would make. */
export class RawClient {
  readonly conn: Deno.TcpConn;
  readonly lines: LineCollector;

  private constructor(conn: Deno.TcpConn) {
    this.conn = conn;
    this.lines = new LineCollector(conn.readable);
  }

  static async connect(port: number, hostname = "127.0.0.1"): Promise<RawClient> {
    return new RawClient(await Deno.connect({ hostname, port }));
  }

  /** Writes raw bytes or text, exactly as given. */
  async write(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    let offset = 0;
    while (offset < bytes.length) offset += await this.conn.write(bytes.subarray(offset));
  }

  async sendLine(line: string): Promise<void> {
    await this.write(line + "\n");
  }

  async sendFrame(frame: Record<string, unknown>): Promise<void> {
    await this.write(JSON.stringify(frame) + "\n");
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // Already closed.
    }
  }
}

/** Connects a raw socket as a native-protocol client and waits for the welcome. */
export async function nativeClient(port: number, nick: string): Promise<RawClient> {
  const client = await RawClient.connect(port);
  await client.sendFrame({ type: "hello", version: 1, nick });
  await client.lines.waitFor(/"type":"room"/);
  return client;
}

/**
 * Connects a raw socket as a plain-text (`nc`) user, sends `nick` as its first line (ended with
 * `lineEnd`, LF unless told) and waits until it is in the lobby. The socket is closed if that
 * fails.
 */
export async function ncUser(
  server: { port: number; host?: string },
  nick: string,
  options: { lineEnd?: string } = {},
): Promise<RawClient> {
  const nc = await RawClient.connect(server.port, server.host);
  try {
    await nc.write(nick + (options.lineEnd ?? "\n"));
    await nc.lines.waitFor("* You are in lobby");
    return nc;
  } catch (error) {
    nc.close();
    await nc.lines.done;
    throw error;
  }
}

/** A started server, as `startServer` returns it. */
export type Server = Awaited<ReturnType<typeof startServer>>;

/** Registers something a test started, so `withServer` stops it afterwards. */
export type Track = <T extends ChatProcess | RawClient>(item: T) => T;

/**
 * Runs a test body with a fresh server (`chat serve --port 0` plus `options.args`), then stops
 * the server and everything the body tracked, whatever happened.
 */
export async function withServer(
  options: { host?: string; args?: readonly string[] },
  body: (server: Server, track: Track) => Promise<void>,
): Promise<void> {
  const server = await startServer(options);
  const started: (ChatProcess | RawClient)[] = [];
  try {
    await body(server, (item) => {
      started.push(item);
      return item;
    });
  } finally {
    for (const item of started) {
      if (item instanceof RawClient) {
        item.close();
        await item.lines.done;
      } else {
        await item.stop();
      }
    }
    await server.stop();
  }
}
