/**
 * The floor under `chat`'s memory per idle connection: what Deno itself costs for an accepted TCP
 * connection with one pending read (and nothing else), measured as RSS growth over N connections.
 *
 *   scripts/deno run -A scripts/bench/deno_floor.ts [N] [BUFFER_BYTES]
 *
 * The clients are opened by a Node process (one process, no reads), loopback only.
 */
const count = Number(Deno.args[0] ?? 4000);
const bufferBytes = Number(Deno.args[1] ?? 1024);

function rssKiB(): number {
  return Number(/VmRSS:\s+(\d+)/.exec(Deno.readTextFileSync("/proc/self/status"))?.[1] ?? NaN);
}

const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
const port = (listener.addr as Deno.NetAddr).port;
const conns: Deno.Conn[] = [];
void (async () => {
  for await (const conn of listener) {
    conns.push(conn);
    const buffer = new Uint8Array(bufferBytes);
    void (async () => {
      while ((await conn.read(buffer).catch(() => null)) !== null) {
        // Discard: the connections are idle.
      }
    })();
  }
})();

const before = rssKiB();
const script = `const net = require("net"); let open = 0;
(function more() { for (let i = 0; i < 200 && open < ${count}; i++, open++) net.connect(${port}, "127.0.0.1");
if (open < ${count}) setTimeout(more, 20); })(); setInterval(() => {}, 1000);`;
const clients = new Deno.Command("node", { args: ["-e", script], stdout: "null" }).spawn();
const deadline = Date.now() + 60_000;
while (conns.length < count && Date.now() < deadline) {
  await new Promise((resolve) => setTimeout(resolve, 100));
}
await new Promise((resolve) => setTimeout(resolve, 1000)); // settle (not synchronisation)
console.log(
  `${conns.length} idle connections, ${bufferBytes}-byte reads pending: ` +
    `${((rssKiB() - before) / conns.length).toFixed(1)} KiB per connection`,
);
clients.kill("SIGKILL");
await clients.status;
Deno.exit(0);
