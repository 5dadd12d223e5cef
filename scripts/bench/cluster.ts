/**
 * The cluster benchmark: the same load on one `chat serve` alone, then on three nodes sharing one
 * Redis (`--redis`), in one run on this machine. Clients are spread over the nodes (client i on
 * node i mod 3), so most deliveries cross nodes. Reports deliveries per second, latency, the CPU
 * of the chat processes and of Redis, and Redis commands per message (from `INFO commandstats`).
 * See docs/CLUSTER.md.
 *
 * Usage: deno run -A scripts/bench/cluster.ts [--clients N] [--messages M] [--json FILE]
 */
import { clockTicks, cpuSeconds } from "./procfs.ts";
import {
  delay,
  freePort,
  HOST,
  kill,
  lines,
  pumpLines,
  runtimeCommand,
  spawnLimited,
} from "./process.ts";
import { liftFlags, type LoadgenPhaseReport, startChat, type Started } from "./runner.ts";

const LOADGEN = new URL("./loadgen.mjs", import.meta.url).pathname;

/** One setup's results, per phase. */
export interface ClusterRow {
  setup: string;
  phase: string;
  deliveriesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  lost: number;
  duplicates: number;
  outOfOrder: number;
  /** CPU-seconds of every chat process per million deliveries. */
  chatCpuPerMillion: number;
  /** CPU-seconds of Redis per million deliveries (0 alone). */
  redisCpuPerMillion: number;
  /** Redis commands per message sent (0 alone). */
  redisCallsPerMessage: number;
}

/** Sums the `calls=` of every command in `INFO commandstats` output. */
export function commandCalls(info: string): number {
  let total = 0;
  for (const match of info.matchAll(/^cmdstat_[^:]+:calls=(\d+)/gm)) total += Number(match[1]);
  return total;
}

/** The Markdown table of the rows. */
export function clusterTable(rows: readonly ClusterRow[]): string {
  const head = "| setup | phase | deliveries/s | p50 ms | p99 ms | lost/dup/order | " +
    "chat CPU-s per M | Redis CPU-s per M | Redis commands per message |\n" +
    "|---|---|---|---|---|---|---|---|---|\n";
  return head +
    rows.map((row) =>
      `| ${row.setup} | ${row.phase} | ${
        Math.round(row.deliveriesPerSec).toLocaleString("en")
      } | ` +
      `${row.p50Ms} | ${row.p99Ms} | ${row.lost}/${row.duplicates}/${row.outOfOrder} | ` +
      `${row.chatCpuPerMillion.toFixed(2)} | ${row.redisCpuPerMillion.toFixed(2)} | ` +
      `${row.redisCallsPerMessage.toFixed(2)} |`
    ).join("\n") + "\n";
}

async function redisInfo(port: number): Promise<string> {
  const output = await new Deno.Command("redis-cli", {
    args: ["-p", String(port), "INFO", "commandstats"],
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(output.stdout);
}

async function startRedis(): Promise<{ child: Deno.ChildProcess; port: number }> {
  const port = freePort();
  const child = new Deno.Command("redis-server", {
    args: ["--port", String(port), "--bind", HOST, "--save", "", "--appendonly", "no"],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  for await (const line of lines(child.stdout)) {
    if (line.includes("Ready to accept connections")) break;
  }
  void child.stdout.cancel().catch(() => {});
  return { child, port };
}

/** Runs the load on the given nodes; returns one row per phase. */
async function measure(
  setup: string,
  nodes: Started[],
  redis: { child: Deno.ChildProcess; port: number } | undefined,
  config: { clients: number; messages: number },
  ticks: number,
): Promise<ClusterRow[]> {
  const phases = [
    { name: "10 senders, as fast as possible", senders: 10, messages: config.messages, rate: 0 },
    { name: "10 senders at 100/s each", senders: 10, messages: config.messages, rate: 100 },
  ];
  const generator = spawnLimited(
    runtimeCommand("node", [
      LOADGEN,
      JSON.stringify({
        host: HOST,
        port: nodes[0]?.port,
        ports: nodes.map((node) => node.port),
        protocol: "native",
        clients: config.clients,
        phases: phases.map((phase) => ({ ...phase, timeoutMs: 120_000, settleMs: 2000 })),
        sync: true,
        deadlineMs: 600_000,
      }),
    ]),
    { stdin: "piped", stdout: "piped", stderr: "piped" },
  );
  void pumpLines(generator.stderr, (line) => console.error(`  ${line}`));
  const stdin = generator.stdin.getWriter();
  const go = () => stdin.write(new TextEncoder().encode("go\n")).catch(() => {});
  const cpu = async () => {
    let chat = 0;
    for (const node of nodes) chat += await cpuSeconds(node.child.pid, ticks);
    const redisCpu = redis === undefined ? 0 : await cpuSeconds(redis.child.pid, ticks);
    const calls = redis === undefined ? 0 : commandCalls(await redisInfo(redis.port));
    return { chat, redis: redisCpu, calls };
  };
  const rows: ClusterRow[] = [];
  let mark = await cpu();
  for await (const line of lines(generator.stdout)) {
    const event = JSON.parse(line);
    if (event.event === "joined") {
      console.error(`  ${setup}: joined ${event.joined}/${event.clients} in ${event.joinMs} ms`);
      await go();
    } else if (event.event === "phase-start") {
      mark = await cpu();
      await go();
    } else if (event.event === "phase-end") {
      const now = await cpu();
      const report = event as LoadgenPhaseReport;
      const millions = Math.max(1, report.delivered) / 1e6;
      const sent = Math.max(1, report.senders * report.messages);
      const row: ClusterRow = {
        setup,
        phase: report.name,
        deliveriesPerSec: report.deliveriesPerSec,
        p50Ms: report.latencyMs.p50,
        p99Ms: report.latencyMs.p99,
        lost: report.lost,
        duplicates: report.duplicates,
        outOfOrder: report.outOfOrder,
        chatCpuPerMillion: (now.chat - mark.chat) / millions,
        redisCpuPerMillion: (now.redis - mark.redis) / millions,
        // The INFO call itself is one command.
        redisCallsPerMessage: redis === undefined ? 0 : (now.calls - mark.calls - 1) / sent,
      };
      rows.push(row);
      console.error(
        `  ${setup}, ${row.phase}: ${Math.round(row.deliveriesPerSec)}/s, p99 ${row.p99Ms} ms, ` +
          `${row.redisCallsPerMessage.toFixed(2)} Redis commands per message`,
      );
      await go();
    } else if (event.event === "error") {
      throw new Error(`The load generator failed: ${event.message}`);
    } else if (event.event === "done") break;
  }
  await stdin.close().catch(() => {});
  await generator.status;
  return rows;
}

function option(args: readonly string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  if (index === -1) return fallback;
  const value = Number(args[index + 1]);
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`${name} needs a whole number`);
  return value;
}

async function main(args: readonly string[]): Promise<void> {
  const config = {
    clients: option(args, "--clients", 300),
    messages: option(args, "--messages", 300),
  };
  const ticks = await clockTicks();
  const flags = await liftFlags();
  const rows: ClusterRow[] = [];
  // One node alone: the baseline.
  const alone = await startChat(flags, undefined, 0);
  try {
    rows.push(...await measure("1 node alone", [alone], undefined, config, ticks));
  } finally {
    kill(alone.child, "SIGKILL");
    await alone.child.status;
  }
  // Three nodes on one Redis.
  const redis = await startRedis();
  const nodes: Started[] = [];
  try {
    const clusterFlags = [...flags.filter((flag) => flag !== "--memory")];
    for (let index = 0; index < 3; index++) {
      nodes.push(
        await startChat(
          [...clusterFlags, "--redis", `redis://${HOST}:${redis.port}`, "--node", `n${index}`],
          undefined,
          0,
        ),
      );
    }
    await delay(500);
    rows.push(...await measure("3 nodes, 1 Redis", nodes, redis, config, ticks));
  } finally {
    for (const node of nodes) kill(node.child, "SIGKILL");
    for (const node of nodes) await node.child.status;
    kill(redis.child, "SIGKILL");
    await redis.child.status;
  }
  console.log(
    `Cluster benchmark: ${config.clients} native clients in the lobby (spread over the nodes), ` +
      `10 senders, ${config.messages} messages each.\n`,
  );
  console.log(clusterTable(rows));
  const json = args.indexOf("--json");
  if (json !== -1 && args[json + 1] !== undefined) {
    await Deno.writeTextFile(args[json + 1] as string, JSON.stringify(rows, null, 2) + "\n");
  }
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (error) {
    console.error(`cluster benchmark: ${error instanceof Error ? error.message : error}`);
    Deno.exit(1);
  }
}
