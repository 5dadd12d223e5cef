/**
 * Smoke test of the benchmark (scripts/bench): the quick scenarios against a real `chat serve`
 * process in each dialect (native, plain text, IRC) and `ncat --chat` when installed, driven by
 * the real load generator (the IRC peers are left to `deno task bench --peers`). It checks
 * correctness only: every message delivered once, in order, with nobody dropped. No timing
 * thresholds; the numbers themselves are for docs/BENCHMARKS.md.
 */
import assert from "node:assert/strict";
import { clockTicks } from "../../scripts/bench/procfs.ts";
import { renderResults } from "../../scripts/bench/report.ts";
import { clean, spliceResults } from "../../scripts/bench/run.ts";
import { type GroupResult, liftFlags, runGroup } from "../../scripts/bench/runner.ts";
import { quickSweep } from "../../scripts/bench/scenarios.ts";

async function installed(command: string): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(command, {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}

const ncat = await installed("ncat");
const groups = quickSweep({ ncat: true });
let settings: { ticks: number; serverFlags: string[] } | undefined;

for (const group of groups) {
  Deno.test({
    name: `bench ${group.name} delivers every message once and in order`,
    ignore: group.target === "ncat" && !ncat,
    async fn() {
      settings ??= { ticks: await clockTicks(), serverFlags: await liftFlags() };
      const result = await runGroup(group, settings);
      assert.deepEqual(result.errors, []);
      assert.equal(result.join?.joined, group.clients);
      assert.equal(result.phases.length, group.phases.length);
      for (const phase of result.phases) {
        const what = `${group.name} ${phase.name}`;
        // An idle phase has no senders and nothing to deliver; every other one has.
        assert.equal(phase.expected > 0, phase.senders > 0, what);
        assert.equal(phase.delivered, phase.expected, `${what}: delivered`);
        assert.equal(phase.lost, 0, `${what}: lost`);
        assert.equal(phase.duplicates, 0, `${what}: duplicated`);
        assert.equal(phase.outOfOrder, 0, `${what}: out of order`);
        assert.equal(phase.disconnects, 0, `${what}: disconnects`);
        assert.equal(phase.garbled + phase.echoes, 0, `${what}: garbled or echoed`);
        assert.equal(phase.timedOut, false, `${what}: timed out`);
      }
      assert.ok(clean(result));
    },
  });
}

Deno.test("bench report renders every phase and splices into the results markers", () => {
  const spec = groups[0];
  assert.ok(spec !== undefined);
  const phase = {
    id: 1,
    name: "S=2 fast",
    clients: 10,
    senders: 2,
    messages: 200,
    rate: 0,
    window: 8,
    expected: 3600,
    delivered: 3600,
    lost: 0,
    duplicates: 0,
    outOfOrder: 0,
    garbled: 0,
    echoes: 0,
    stale: 0,
    disconnects: 0,
    sendMs: 10,
    elapsedMs: 12,
    deliveriesPerSec: 300_000,
    latencyMs: { p50: 1, p90: 2, p99: 3, max: 4 },
    timedOut: false,
    serverCpuS: 0.01,
    serverCpuPercent: 80,
    serverPeakKiB: 60_000,
    loadgenCpuPercent: 90,
    otherCpuPercent: 10,
    serverDrops: 0,
  };
  const chat: GroupResult = {
    spec,
    phases: [phase],
    errors: [],
    serverDrops: 0,
    durationMs: 1,
  };
  const ncatResult: GroupResult = {
    ...chat,
    spec: { ...spec, target: "ncat", name: "ncat-10" },
    phases: [{ ...phase, deliveriesPerSec: 600_000 }],
  };
  const machine = {
    cpus: 2,
    cpuModel: "test CPU",
    memoryGiB: 1,
    kernel: "test",
    deno: Deno.version.deno,
    node: "test",
    ncat: "test",
    peers: [],
    generator: "node",
    serverFlags: "",
  };
  const report = renderResults([chat, ncatResult], machine, "deno task bench", new Date(0));
  assert.match(report, /\| chat native N=10 S=2 fast \| 3,600 \| 3,600 \| 0 \|/);
  assert.match(report, /\| chat native N=10 S=2 fast \| 0\.50x \|/);
  const document =
    "# B\n\n<!-- bench:results:begin -->\nold\n<!-- bench:results:end -->\n\nafter\n";
  const spliced = spliceResults(document, report);
  assert.ok(spliced.includes(report.trim()) && !spliced.includes("old"));
  assert.ok(spliced.endsWith("<!-- bench:results:end -->\n\nafter\n"));
  assert.throws(() => spliceResults("no markers", report), /bench:results:begin/);
});
