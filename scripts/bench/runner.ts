/**
 * Runs one scenario group: starts the server under test (the chat server, `ncat --chat`, or an
 * IRC peer: InspIRCd or ngIRCd) and the load generator as two separate processes on loopback,
 * steps the generator through its phases, and reads the server's CPU time and memory from /proc
 * between the steps. Everything is bounded: each group has a time cap, and the server a memory
 * cap, past which both processes are killed.
 */
import { PERMISSIONS, V8_FLAGS } from "../compile.ts";
import { cpuSeconds, machineBusySeconds, type Memory, memory, resetPeak } from "./procfs.ts";
import { startPeer } from "./peers.ts";
import {
  collectStderr,
  delay,
  freePort,
  HOST,
  kill,
  lines,
  pumpLines,
  runtimeCommand,
  spawnLimited,
  stopGracefully,
  waitAccepting,
} from "./process.ts";
import type { GroupSpec, PhaseSpec } from "./scenarios.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;
const LOADGEN = new URL("./loadgen.mjs", import.meta.url).pathname;

/**
 * Per-client limits the benchmark lifts, when the server has them: every client comes from
 * 127.0.0.1, senders go as fast as they can, and receivers stay silent for minutes while big
 * rooms fill. The outgoing queue limit (`--max-queue`) and the size limits stay on.
 */
export const LIFTED_LIMITS: readonly (readonly [flag: string, value: string])[] = [
  ["--max-per-ip", "0"],
  ["--max-clients", "0"],
  ["--flood-rate", "0"],
  ["--registration-timeout", "0"],
  ["--ping-interval", "0"],
];

/** The `LIFTED_LIMITS` flags that this version of `chat serve` knows (from its `--help`). */
export async function liftFlags(): Promise<string[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--config",
      CONFIG,
      ...PERMISSIONS,
      MAIN,
      "serve",
      "--help",
    ],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "null",
  }).output();
  const help = new TextDecoder().decode(output.stdout);
  // Nothing on disk unless a scenario asks for it: the in-memory server is the baseline.
  const memory = help.includes("--memory ") ? ["--memory"] : [];
  return [...LIFTED_LIMITS.filter(([flag]) => help.includes(`${flag} `)).flat(), ...memory];
}

/** The default cap on a server's resident memory: 4 GiB. */
export const MAX_SERVER_RSS_KIB = 4 * 1024 * 1024;

/** How often the orchestrator checks the server's memory against its cap, in ms. */
const RSS_CHECK_MS = 500;

/** Options for {@linkcode runGroup}. */
export interface RunOptions {
  /** Clock ticks per second of /proc times (see `clockTicks()`). */
  ticks: number;
  /** Extra `chat serve` flags (see `liftFlags()`). @default [] */
  serverFlags?: readonly string[];
  /**
   * Scheduling niceness for the server and the generator (negative needs root): on a shared
   * machine, keeps other programs from taking their cores. @default 0
   */
  nice?: number;
  /** Which runtime runs the generator. @default "node" */
  runtime?: "node" | "deno";
  /** Write a V8 CPU profile of the chat server into this directory. */
  profileDir?: string;
  /**
   * The most resident memory the server may use, in KiB: past it both processes are killed and
   * the group records why (the machine is shared). @default MAX_SERVER_RSS_KIB
   */
  maxServerRssKiB?: number;
  /** Progress lines. @default nothing */
  log?: (line: string) => void;
}

/** What the generator reports at the end of a phase (see loadgen.mjs). */
export interface LoadgenPhaseReport {
  id: number;
  name: string;
  clients: number;
  senders: number;
  messages: number;
  rate: number;
  window: number;
  expected: number;
  delivered: number;
  lost: number;
  duplicates: number;
  outOfOrder: number;
  garbled: number;
  echoes: number;
  stale: number;
  disconnects: number;
  sendMs: number | null;
  elapsedMs: number;
  deliveriesPerSec: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  timedOut: boolean;
}

/** A phase's report with what the orchestrator measured around it. */
export interface PhaseResult extends LoadgenPhaseReport {
  /** Server CPU time (user + system, all threads) during the phase, in seconds. */
  serverCpuS: number;
  /** Server CPU time over the phase's wall time: 100 = one core busy. */
  serverCpuPercent: number;
  /** Peak server RSS during the phase (VmHWM reset at its start), in KiB. */
  serverPeakKiB: number;
  /** Generator CPU time over the phase's wall time: 100 = one core busy. */
  loadgenCpuPercent: number;
  /**
   * CPU time used by everything else (kernel softirq work for loopback, the orchestrator, other
   * programs on the machine) over the phase's wall time: 100 = one core busy.
   */
  otherCpuPercent: number;
  /** Clients the server logged as dropped (`drop` events) during the phase. */
  serverDrops: number;
}

/** The join step. */
export interface JoinResult {
  clients: number;
  joined: number;
  failed: number;
  failures: Record<string, number>;
  /** Until every TCP connect completed, in ms. */
  connectMs: number;
  /** Until every client was in the room (or greeted, for silent clients), in ms. */
  joinMs: number;
  /** Server CPU time spent while the clients joined, in seconds. */
  serverCpuS: number;
  /** Generator CPU time spent while the clients joined, in seconds. */
  loadgenCpuS: number;
}

/** Everything measured for one group. */
export interface GroupResult {
  spec: GroupSpec;
  /** Server memory after start, before any client. */
  rest?: Memory;
  join?: JoinResult;
  /** Server memory with every client joined and idle (idle groups), and per connection. */
  idle?: Memory & { perConnectionKiB: number };
  phases: PhaseResult[];
  errors: string[];
  /** Clients the server logged as dropped, in all. */
  serverDrops: number;
  durationMs: number;
}

export interface Started {
  child: Deno.ChildProcess;
  port: number;
  /** Lines of the server's stderr that log a dropped client, so far. */
  drops: () => number;
  /** The last lines of its stderr. */
  tail: () => string[];
  done: Promise<unknown>;
  /** Removes what the server needed on disk, once it has exited. */
  cleanup?: () => Promise<void>;
}

/** Runs one group to its end (or its time cap) and returns what was measured. */
export async function runGroup(spec: GroupSpec, options: RunOptions): Promise<GroupResult> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const result: GroupResult = { spec, phases: [], errors: [], serverDrops: 0, durationMs: 0 };
  let server: Started;
  // A persisted group's database lives in a fresh folder, removed afterwards.
  const data = spec.persisted ? Deno.makeTempDirSync({ prefix: "chat-bench-data-" }) : undefined;
  const flags = data === undefined
    ? options.serverFlags ?? []
    : [...(options.serverFlags ?? []).filter((flag) => flag !== "--memory"), "--data", data];
  const removeData = () => {
    if (data !== undefined) Deno.removeSync(data, { recursive: true });
  };
  try {
    server = await startServer(spec, options, flags);
  } catch (error) {
    result.errors.push(error instanceof Error ? error.message : String(error));
    result.durationMs = Date.now() - started;
    removeData();
    return result;
  }
  const pid = server.child.pid;
  let generator: Deno.ChildProcess | undefined;
  const capTimer = setTimeout(() => {
    result.errors.push(`group time cap of ${spec.timeoutMs} ms reached: processes killed`);
    kill(generator, "SIGKILL");
    kill(server.child, "SIGKILL");
  }, spec.timeoutMs);
  const maxRssKiB = options.maxServerRssKiB ?? MAX_SERVER_RSS_KIB;
  const rssWatch = setInterval(async () => {
    const now = await memory(pid).catch(() => undefined);
    if (now === undefined || now.rssKiB <= maxRssKiB) return;
    clearInterval(rssWatch);
    result.errors.push(
      `server RSS ${Math.round(now.rssKiB / 1024)} MiB passed the cap of ` +
        `${Math.round(maxRssKiB / 1024)} MiB: processes killed`,
    );
    kill(generator, "SIGKILL");
    kill(server.child, "SIGKILL");
  }, RSS_CHECK_MS);
  try {
    await delay(500);
    result.rest = await memory(pid);
    generator = spawnLimited(
      runtimeCommand(options.runtime ?? "node", [
        LOADGEN,
        JSON.stringify({
          host: HOST,
          port: server.port,
          protocol: spec.protocol,
          clients: spec.clients,
          joinConcurrency: spec.joinConcurrency,
          joinTimeoutMs: spec.joinTimeoutMs,
          nickOrder: spec.nickOrder ?? "sorted",
          rooms: spec.rooms ?? 1,
          phases: spec.phases.map(phaseConfig),
          sync: true,
          deadlineMs: spec.timeoutMs,
          progress: true,
        }),
      ]),
      { stdin: "piped", stdout: "piped", stderr: "piped" },
      options.nice ?? 0,
    );
    const genPid = generator.pid;
    const genErr = pumpLines(generator.stderr, (line) => log(`  ${line}`));
    const stdin = generator.stdin.getWriter();
    const go = () => stdin.write(new TextEncoder().encode("go\n")).catch(() => {});
    const sample = async () => ({
      serverCpu: await cpuSeconds(pid, options.ticks),
      genCpu: await cpuSeconds(genPid, options.ticks).catch(() => NaN),
      busy: await machineBusySeconds(options.ticks),
      at: performance.now(),
      drops: server.drops(),
    });
    let mark = { ...await sample(), genCpu: 0 };
    for await (const line of lines(generator.stdout)) {
      let event: Record<string, unknown>;
      try {
        event = JSON.parse(line);
      } catch {
        result.errors.push(`generator said: ${line.slice(0, 200)}`);
        continue;
      }
      switch (event.event) {
        case "joined": {
          const now = await sample();
          result.join = {
            clients: Number(event.clients),
            joined: Number(event.joined),
            failed: Number(event.failed),
            failures: (event.failures ?? {}) as Record<string, number>,
            connectMs: Number(event.connectMs),
            joinMs: Number(event.joinMs),
            serverCpuS: now.serverCpu - mark.serverCpu,
            loadgenCpuS: now.genCpu,
          };
          log(
            `  joined ${result.join.joined}/${spec.clients} in ${result.join.joinMs} ms ` +
              `(server CPU ${result.join.serverCpuS.toFixed(2)} s)`,
          );
          if (result.join.joined < spec.clients) {
            result.errors.push(
              `only ${result.join.joined} of ${spec.clients} clients joined ` +
                `(${JSON.stringify(result.join.failures)})`,
            );
          }
          if (spec.idle) {
            // Let the last writes and timers settle before reading the idle footprint.
            await delay(1500);
            const idle = await memory(pid);
            const joined = Math.max(1, result.join.joined);
            result.idle = {
              ...idle,
              perConnectionKiB: (idle.rssKiB - (result.rest?.rssKiB ?? 0)) / joined,
            };
          }
          await go();
          break;
        }
        case "phase-start":
          await resetPeak(pid);
          mark = await sample();
          await go();
          break;
        case "phase-end": {
          const now = await sample();
          const seconds = (now.at - mark.at) / 1000;
          const peak = await memory(pid);
          const report = event as unknown as LoadgenPhaseReport;
          const phase: PhaseResult = {
            ...report,
            serverCpuS: now.serverCpu - mark.serverCpu,
            serverCpuPercent: 100 * (now.serverCpu - mark.serverCpu) / seconds,
            serverPeakKiB: peak.peakKiB,
            loadgenCpuPercent: 100 * (now.genCpu - mark.genCpu) / seconds,
            otherCpuPercent: 100 *
              (now.busy - mark.busy - (now.serverCpu - mark.serverCpu) -
                (now.genCpu - mark.genCpu)) /
              seconds,
            serverDrops: now.drops - mark.drops,
          };
          result.phases.push(phase);
          log(
            `  ${phase.name}: ${phase.delivered}/${phase.expected} delivered, ` +
              `${phase.deliveriesPerSec}/s, p99 ${phase.latencyMs.p99} ms, ` +
              `server CPU ${phase.serverCpuPercent.toFixed(0)}%, ` +
              `generator CPU ${phase.loadgenCpuPercent.toFixed(0)}%`,
          );
          await go();
          break;
        }
        case "error":
          result.errors.push(`generator: ${String(event.message)}`);
          break;
        case "done":
          if (Number(event.disconnectsOutsidePhases) > 0) {
            result.errors.push(
              `${event.disconnectsOutsidePhases} clients disconnected outside the phases`,
            );
          }
          break;
      }
    }
    await stdin.close().catch(() => {});
    const status = await generator.status;
    await genErr;
    if (!status.success && result.errors.length === 0) {
      result.errors.push(`generator exited with code ${status.code}`);
    }
  } catch (error) {
    result.errors.push(`orchestrator: ${error instanceof Error ? error.message : String(error)}`);
    kill(generator, "SIGKILL");
  } finally {
    clearTimeout(capTimer);
    clearInterval(rssWatch);
    result.serverDrops = server.drops();
    await stopGracefully(server.child, 5000);
    await server.done;
    await server.cleanup?.();
    if (server.child.pid && result.errors.length > 0) {
      log(`  server stderr tail:\n    ${server.tail().join("\n    ")}`);
    }
    removeData();
    result.durationMs = Date.now() - started;
  }
  return result;
}

/** Starts the group's server; `flags` are the chat server's (a persisted group's `--data`). */
function startServer(
  spec: GroupSpec,
  options: RunOptions,
  flags: readonly string[],
): Promise<Started> {
  const nice = options.nice ?? 0;
  switch (spec.target) {
    case "chat":
      return startChat(flags, options.profileDir, nice);
    case "ncat":
      return startNcat(spec.clients, nice);
    case "inspircd":
    case "ngircd":
      return startPeer(spec.target, { nice, maxConnections: spec.clients + 100 });
    default: {
      const unknown: never = spec.target;
      throw new TypeError(`Unknown target: ${unknown}`);
    }
  }
}

function phaseConfig(phase: PhaseSpec): Record<string, unknown> {
  return { ...phase, settleMs: 3000 };
}

/** Starts `chat serve` on a free loopback port and waits for its "listening" line. */
export async function startChat(
  flags: readonly string[],
  profileDir: string | undefined,
  nice: number,
): Promise<Started> {
  const profile = profileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${profileDir}`];
  const child = spawnLimited(
    [
      Deno.execPath(),
      "run",
      "--quiet",
      "--config",
      CONFIG,
      ...PERMISSIONS,
      ...V8_FLAGS,
      ...profile,
      MAIN,
      "serve",
      "--host",
      HOST,
      "--port",
      "0",
      ...flags,
    ],
    { stdin: "null", stdout: "piped", stderr: "piped" },
    nice,
  );
  const stderr = collectStderr(child.stderr);
  let port = 0;
  const stdout = (async () => {
    for await (const line of lines(child.stdout)) {
      const match = /:(\d+) is listening/.exec(line);
      if (match && port === 0) port = Number(match[1]);
    }
  })();
  const deadline = Date.now() + 20_000;
  while (port === 0 && Date.now() < deadline) await delay(50);
  if (port === 0) {
    kill(child, "SIGKILL");
    throw new Error(`The chat server did not start: ${stderr.tail().join(" | ")}`);
  }
  return { child, port, ...stderr, done: Promise.all([stdout, stderr.done]) };
}

/** Starts `ncat --chat` on a free loopback port and waits until it accepts connections. */
async function startNcat(clients: number, nice: number): Promise<Started> {
  const port = freePort();
  const child = spawnLimited(
    ["ncat", "--chat", "--max-conns", String(clients + 10), "--listen", HOST, String(port)],
    { stdin: "null", stdout: "null", stderr: "piped" },
    nice,
  );
  const stderr = collectStderr(child.stderr);
  try {
    await waitAccepting(port, 10_000);
  } catch {
    kill(child, "SIGKILL");
    throw new Error(`ncat did not start: ${stderr.tail().join(" | ")}`);
  }
  return { child, port, ...stderr, done: stderr.done };
}
