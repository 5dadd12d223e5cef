/**
 * Child processes of the benchmark: spawning with the open-files limit raised (and a niceness),
 * reading their output as lines, waiting until a server accepts, and stopping them.
 */

/** The address every server under test listens on. */
export const HOST = "127.0.0.1";

/** What a server under test wrote on stderr: lines that log a dropped client, and the last lines. */
export interface Stderr {
  /** Lines that log a dropped client (`drop` events), so far. */
  drops: () => number;
  /** The last lines. */
  tail: () => string[];
  /** Resolves when the stream ends. */
  done: Promise<void>;
}

/** Reads a server's stderr to its end, counting `drop` lines and keeping the last 20. */
export function collectStderr(stream: ReadableStream<Uint8Array>): Stderr {
  let drops = 0;
  const tail: string[] = [];
  const done = pumpLines(stream, (line) => {
    if (/\bdrop\b/.test(line)) drops++;
    tail.push(line);
    if (tail.length > 20) tail.shift();
  });
  return { drops: () => drops, tail: () => [...tail], done };
}

/** Runs a command with the open-files limit raised to the hard limit (10,000 sockets need it). */
export function spawnLimited(
  command: readonly string[],
  io: Pick<Deno.CommandOptions, "stdin" | "stdout" | "stderr">,
  nice = 0,
): Deno.ChildProcess {
  // With autogroup scheduling (Linux's default for desktops and many VMs) niceness only counts
  // within a session, so a niced child gets a session of its own and gives that session's group
  // the same niceness. setsid, bash and nice all exec: the pid stays the one /proc is read for.
  const niced = nice === 0 ? command : [
    "setsid",
    "bash",
    "-c",
    'echo "$1" > /proc/self/autogroup 2>/dev/null; n="$1"; shift; exec nice -n "$n" "$@"',
    "nice",
    String(nice),
    ...command,
  ];
  return new Deno.Command("bash", {
    args: ["-c", 'ulimit -n "$(ulimit -Hn)"; exec "$@"', "bench", ...niced],
    env: { NO_COLOR: "1" },
    ...io,
  }).spawn();
}

/** The command line that runs a script on Node or Deno. */
export function runtimeCommand(runtime: "node" | "deno", args: string[]): string[] {
  return runtime === "node" ? ["node", ...args] : [Deno.execPath(), "run", "--allow-all", ...args];
}

/** A TCP port on the loopback address that is free now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: HOST, port: 0 });
  const port = listener.addr.port;
  listener.close();
  return port;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
export async function stopGracefully(child: Deno.ChildProcess, graceMs: number): Promise<void> {
  kill(child, "SIGTERM");
  const timer = setTimeout(() => kill(child, "SIGKILL"), graceMs);
  await child.status;
  clearTimeout(timer);
}

/** Sends a signal unless the process is gone. */
export function kill(child: Deno.ChildProcess | undefined, signal: Deno.Signal): void {
  try {
    child?.kill(signal);
  } catch {
    // Already gone.
  }
}

/** The lines of a byte stream, without line ends. */
export async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of stream) {
    buffered += decoder.decode(chunk, { stream: true });
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    yield* parts;
  }
  buffered += decoder.decode();
  if (buffered !== "") yield buffered;
}

/** Calls `onLine` for each line of a stream until it ends or fails. */
export async function pumpLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  try {
    for await (const line of lines(stream)) onLine(line);
  } catch {
    // The process went away.
  }
}

/** A promise that resolves after `ms` (for polling and settling, never to order events). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until something accepts TCP connections on `port` (or throws after `timeoutMs`). */
export async function waitAccepting(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    try {
      const probe = await Deno.connect({ hostname: HOST, port });
      probe.close();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await delay(50);
    }
  }
}
