import assert from "node:assert/strict";
import { cpuPerMillion, renderPeerRatios, renderResults } from "../scripts/bench/report.ts";
import { parseDenoFloor } from "../scripts/bench/run.ts";
import type { GroupResult, PhaseResult } from "../scripts/bench/runner.ts";
import { type GroupSpec, quickSweep, type Target } from "../scripts/bench/scenarios.ts";

function phase(overrides: Partial<PhaseResult> = {}): PhaseResult {
  return {
    id: 1,
    name: "S=10 fast",
    clients: 100,
    senders: 10,
    messages: 1000,
    rate: 0,
    window: 20,
    expected: 990_000,
    delivered: 990_000,
    lost: 0,
    duplicates: 0,
    outOfOrder: 0,
    garbled: 0,
    echoes: 0,
    stale: 0,
    disconnects: 0,
    sendMs: 400,
    elapsedMs: 500,
    deliveriesPerSec: 2_000_000,
    latencyMs: { p50: 5, p90: 8, p99: 10, max: 12 },
    timedOut: false,
    serverCpuS: 0.5,
    serverCpuPercent: 100,
    serverPeakKiB: 100 * 1024,
    loadgenCpuPercent: 90,
    otherCpuPercent: 0,
    serverDrops: 0,
    ...overrides,
  };
}

const spec = quickSweep()[0] as GroupSpec;

function group(target: Target, protocol: GroupSpec["protocol"], phases: PhaseResult[]) {
  return {
    spec: { ...spec, target, protocol, name: `${target}-${protocol}` },
    phases,
    errors: [],
    serverDrops: 0,
    durationMs: 1,
  } satisfies GroupResult;
}

Deno.test("cpuPerMillion() is server CPU seconds per million deliveries", () => {
  assert.equal(cpuPerMillion(phase({ serverCpuS: 0.5, delivered: 2_000_000 })), 0.25);
  assert.ok(Number.isNaN(cpuPerMillion(phase({ delivered: 0 }))));
});

Deno.test("renderPeerRatios() compares each figure with the best peer for it", () => {
  const groups = [
    group("chat", "irc", [phase()]),
    group("inspircd", "irc", [
      phase({ deliveriesPerSec: 4_000_000, serverCpuS: 0.99, serverPeakKiB: 20 * 1024 }),
    ]),
    group("ngircd", "irc", [
      phase({
        deliveriesPerSec: 1_000_000,
        serverCpuS: 0.198,
        latencyMs: { p50: 1, p90: 2, p99: 5, max: 6 },
        serverPeakKiB: 10 * 1024,
      }),
    ]),
  ];
  const text = renderPeerRatios(groups);
  // 2 M/s against InspIRCd's 4 M/s; 0.505 s/M against ngIRCd's 0.2; p99 10 ms against 5 ms;
  // 100 MiB against ngIRCd's 10 MiB.
  assert.match(text, /\| chat irc N=100 S=10 fast \| 0\.50x \| 2\.5x \| 2\.0x \| 10x \|/);
  assert.match(text, /InspIRCd 4,000,000\/s; ngIRCd 0\.20 CPU s\/M; ngIRCd p99 5\.0 ms; ngIRCd/);
});

Deno.test("renderPeerRatios() skips peers that lost messages and shows idle phases by CPU", () => {
  const idle = { name: "idle 10 s", senders: 0, messages: 0, expected: 0, delivered: 0 };
  const groups = [
    group("chat", "native", [phase(), phase({ ...idle, serverCpuS: 0.2 })]),
    group("ngircd", "irc", [
      phase({ lost: 5, deliveriesPerSec: 9_000_000 }),
      phase({ ...idle, serverCpuS: 0.1 }),
    ]),
  ];
  const text = renderPeerRatios(groups);
  assert.ok(!text.includes("S=10 fast"));
  assert.ok(text.includes("| chat native N=100 idle 10 s |  | 2.0x |  | "), text);
  assert.equal(renderPeerRatios([group("chat", "irc", [phase()])]), "");
});

Deno.test("renderResults() names the peers, the Deno floor and each server's rows", () => {
  const groups = [group("chat", "irc", [phase()]), group("inspircd", "irc", [phase()])];
  const machine = {
    cpus: 2,
    cpuModel: "test CPU",
    memoryGiB: 1,
    kernel: "test",
    deno: "2",
    node: "20",
    ncat: "ncat not installed",
    peers: ["InspIRCd-3.15.0-debian", "ngIRCd 26.1"],
    denoFloorKiB: 10.2,
    generator: "node",
    serverFlags: "",
  };
  const report = renderResults(groups, machine, "deno task bench --peers", new Date(0));
  assert.match(report, /; InspIRCd-3\.15\.0-debian; ngIRCd 26\.1\./);
  assert.match(report, /10\.2 KiB per idle connection/);
  assert.match(report, /\| InspIRCd N=100 S=10 fast \|/);
  assert.match(report, /### Ratio to the best IRC peer/);
});

Deno.test("parseDenoFloor() reads deno_floor.ts's line", () => {
  assert.equal(
    parseDenoFloor("10000 idle connections, 1024-byte reads pending: 10.7 KiB per connection\n"),
    10.7,
  );
  assert.equal(parseDenoFloor(""), undefined);
});
