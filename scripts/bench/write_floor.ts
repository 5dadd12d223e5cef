/**
 * What one small socket write costs a Deno process, the floor for light traffic's CPU per delivery:
 * this process accepts N connections from a Node process that only reads, then every 1/rate
 * seconds writes one message of `--bytes` to each of them, and reports its own CPU time (user and
 * system, all threads, from /proc) per write. Nothing else runs: no parsing, no queue, no timers
 * but the one that paces the messages. Compare with the benchmark's "CPU s per million
 * deliveries" at the same shape (100 clients, 1 sender at 100/s: `--clients 100 --rate 100`).
 *
 *   scripts/deno run -A scripts/bench/write_floor.ts [--clients 100] [--rate 100] [--seconds 10]
 *     [--bytes 120] [--way deno|node] [--reads]
 *
 * `--way deno` writes with `Deno.Conn.write` (what the server does), `--way node` with
 * `node:net`'s `socket.write`; `--reads` keeps a read waiting on each connection (Deno only), as
 * the server does on every client's.
 */
import { parseArgs } from "node:util";
import * as net from "node:net";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    clients: { type: "string", default: "100" },
    rate: { type: "string", default: "100" },
    seconds: { type: "string", default: "10" },
    bytes: { type: "string", default: "120" },
    way: { type: "string", default: "deno" },
    reads: { type: "boolean", default: false },
  },
});
const clients = Number(values.clients);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const way = values.way === "node" ? "node" : "deno";
/** Whether each connection also has a read waiting, as every session of the server has. */
const reads = values.reads === true;
const message = new TextEncoder().encode("x".repeat(Number(values.bytes) - 1) + "\n");

/** The reading side: N connections that count what arrives, in a Node process. */
const READER = `
const net = require("node:net");
const [port, n] = process.argv.slice(2).map(Number);
let received = 0, open = 0;
for (let i = 0; i < n; i++) {
  const socket = net.connect(port, "127.0.0.1", () => { if (++open === n) console.log("ready"); });
  socket.on("data", (chunk) => { received += chunk.length; });
}
process.stdin.on("data", () => {});
process.stdin.on("end", () => { console.log("received " + received); process.exit(0); });
`;

/** Reads until the connection closes (the reader never writes, so this only waits). */
async function readUntilClosed(conn: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(1024);
  try {
    while ((await conn.read(buffer)) !== null) {
      // Nothing comes.
    }
  } catch {
    // Closed.
  }
}

function cpuSeconds(): number {
  const stat = Deno.readTextFileSync("/proc/self/stat");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function main(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "chat-write-floor-" });
  await Deno.writeTextFile(`${dir}/reader.cjs`, READER);
  const writers: ((bytes: Uint8Array) => Promise<unknown>)[] = [];
  let accepted: Promise<void>;
  let port: number;
  let close: () => void;
  if (way === "deno") {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    port = (listener.addr as Deno.NetAddr).port;
    const conns: Deno.Conn[] = [];
    accepted = (async () => {
      while (conns.length < clients) {
        const conn = await listener.accept();
        (conn as Deno.TcpConn).setNoDelay(true);
        conns.push(conn);
        writers.push((bytes) => conn.write(bytes));
        if (reads) void readUntilClosed(conn);
      }
    })();
    close = () => {
      for (const conn of conns) conn.close();
      listener.close();
    };
  } else {
    const sockets: net.Socket[] = [];
    const server = net.createServer((socket) => {
      socket.setNoDelay(true);
      sockets.push(socket);
      writers.push((bytes) => new Promise((resolve) => socket.write(bytes, resolve)));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as net.AddressInfo).port;
    accepted = (async () => {
      while (sockets.length < clients) await new Promise((resolve) => setTimeout(resolve, 10));
    })();
    close = () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    };
  }
  const reader = new Deno.Command("node", {
    args: [`${dir}/reader.cjs`, String(port), String(clients)],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  await accepted;
  const messages = Math.round(rate * seconds);
  const before = cpuSeconds();
  const started = performance.now();
  for (let i = 0; i < messages; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    await Promise.all(writers.map((write) => write(message)));
  }
  const cpu = cpuSeconds() - before;
  const writes = messages * clients;
  await reader.stdin.close();
  const output = new TextDecoder().decode((await reader.output()).stdout);
  close();
  await Deno.remove(dir, { recursive: true });
  const label = reads ? `${way} (a read waiting on each)` : way;
  const perWrite = (cpu / writes * 1e6).toFixed(2);
  console.log(
    `${label}: ${writes} writes of ${message.length} B to ${clients} connections at ${rate}/s: ` +
      `${cpu.toFixed(2)} s CPU, ${perWrite} \u00b5s per write (${perWrite} CPU s per million); ` +
      `reader: ${output.trim().replace(/\s+/g, " ")}`,
  );
}

await main();
