import assert from "node:assert/strict";
import { renderPeerTargets } from "../scripts/bench/peer_targets.ts";
import type { GroupResult, PhaseResult } from "../scripts/bench/runner.ts";
import { fullSweep, type GroupSpec, type Target } from "../scripts/bench/scenarios.ts";

const specs = fullSweep({ peers: true });

function spec(name: string): GroupSpec {
  const found = specs.find((candidate) => candidate.name === name);
  assert.ok(found !== undefined, name);
  return found;
}

function phase(name: string, overrides: Partial<PhaseResult> = {}): PhaseResult {
  return {
    id: 1,
    name,
    clients: 1000,
    senders: 10,
    messages: 300,
    rate: 0,
    window: 20,
    expected: 2_997_000,
    delivered: 2_997_000,
    lost: 0,
    duplicates: 0,
    outOfOrder: 0,
    garbled: 0,
    echoes: 0,
    stale: 0,
    disconnects: 0,
    sendMs: 900,
    elapsedMs: 1000,
    deliveriesPerSec: 3_000_000,
    latencyMs: { p50: 5, p90: 8, p99: 10, max: 12 },
    timedOut: false,
    serverCpuS: 0.6,
    serverCpuPercent: 60,
    serverPeakKiB: 100 * 1024,
    loadgenCpuPercent: 90,
    otherCpuPercent: 0,
    serverDrops: 0,
    ...overrides,
  };
}

function result(name: string, phases: PhaseResult[], extra: Partial<GroupResult> = {}) {
  return { spec: spec(name), phases, errors: [], serverDrops: 0, durationMs: 1, ...extra };
}

function idle(target: Target, joinMs: number, perConnectionKiB: number): GroupResult {
  const name = target === "chat" ? "idle-chat-irc-10000" : `idle-${target}-10000`;
  return result(name, [], {
    join: {
      clients: 10_000,
      joined: 10_000,
      failed: 0,
      failures: {},
      connectMs: 1,
      joinMs,
      serverCpuS: 1,
      loadgenCpuS: 1,
    },
    idle: { rssKiB: 1, peakKiB: 1, perConnectionKiB },
  });
}

function row(text: string, label: string): string[] {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`| ${label} |`));
  assert.ok(line !== undefined, label);
  return line.split(" | ").map((cell) => cell.replace(/^\| |\s*\|$/g, ""));
}

Deno.test("renderPeerTargets() judges our IRC dialect against the best peer per figure", () => {
  const groups = [
    result("chat-irc-1000", [
      phase("idle 10 s", { senders: 0, expected: 0, delivered: 0, serverCpuPercent: 0.5 }),
      phase("S=10 fast", { deliveriesPerSec: 3_300_000, serverCpuS: 0.9 }),
      phase("S=10 100/s", { rate: 100, latencyMs: { p50: 5, p90: 9, p99: 66, max: 80 } }),
    ]),
    result("chat-native-1000", [phase("S=10 fast", { deliveriesPerSec: 2_000_000 })]),
    result("inspircd-1000", [
      phase("S=10 fast", { deliveriesPerSec: 3_000_000, serverCpuS: 0.9 * 3, serverPeakKiB: 1024 }),
      phase("S=10 100/s", {
        rate: 100,
        latencyMs: { p50: 5, p90: 9, p99: 65, max: 70 },
        serverPeakKiB: 1024,
      }),
    ]),
    result("ngircd-1000", [
      phase("S=10 fast", { deliveriesPerSec: 2_000_000, serverCpuS: 0.45, lost: 1 }),
      phase("S=10 100/s", { rate: 100, latencyMs: { p50: 5, p90: 9, p99: 50, max: 70 } }),
    ]),
    idle("chat", 20_000, 14),
    idle("inspircd", 12_600, 1),
  ];
  const text = renderPeerTargets(groups, { denoFloorKiB: 10 });
  // Columns: figure, chat irc, chat native, chat plain, InspIRCd, ngIRCd, ratio, target, met.
  assert.deepEqual(row(text, "1,000 clients, 10 senders as fast as possible: deliveries/s"), [
    "1,000 clients, 10 senders as fast as possible: deliveries/s",
    "3,300,000",
    "2,000,000",
    "",
    "3,000,000",
    "incomplete", // ngIRCd lost a message: not compared
    "1.1x",
    ">= 1.0 x best peer",
    "yes",
  ]);
  const cpu = row(text, "1,000 clients, S=10 fast: server CPU s per million deliveries");
  assert.deepEqual(cpu.slice(1, 9), [
    "0.30",
    "0.20",
    "",
    "0.90",
    "incomplete",
    "0.33x",
    "<= 1.0 x best peer",
    "yes",
  ]);
  const p99 = row(text, "1,000 clients, S=10 100/s: p99 ms");
  assert.deepEqual(p99.slice(1, 9), [
    "66.0",
    "incomplete", // chat native ran, but not this phase
    "",
    "65.0",
    "50.0",
    "1.3x",
    "<= best peer + 10%",
    "no",
  ]);
  const memory = row(text, "1,000 clients under load: peak server RSS MiB");
  assert.deepEqual(memory.slice(1, 9), ["100", "100", "", "1", "100", "100x", "<= InspIRCd", "no"]);
  const join = row(text, "10,000 clients connect, register and join one room: seconds");
  assert.deepEqual(join.slice(1, 9), ["20.0", "", "", "12.6", "", "1.6x", "< InspIRCd", "no"]);
  const perConnection = row(text, "10,000 idle clients in one room: KiB per connection");
  assert.equal(perConnection[7], "<= 1.2 x Deno's floor (10.0 KiB)");
  assert.equal(perConnection[8], "no");
  // The idle row has no peer figure here: left out.
  assert.ok(!text.includes("silent clients"));
});

Deno.test("renderPeerTargets() is empty without peers", () => {
  assert.equal(renderPeerTargets([result("chat-irc-1000", [phase("S=10 fast")])]), "");
});

Deno.test("renderPeerTargets() counts a target as missed when ours fell short", () => {
  const groups = [
    result("chat-irc-5000", [], {
      errors: ["server RSS 4100 MiB passed the cap of 4096 MiB: processes killed"],
    }),
    result("inspircd-5000", [phase("S=10 fast", { clients: 5000 })]),
    result("idle-chat-irc-10000", [], { errors: ["group time cap reached"] }),
    idle("inspircd", 12_600, 1),
  ];
  const text = renderPeerTargets(groups);
  const rate = row(text, "5,000 clients, 10 senders as fast as possible: deliveries/s");
  assert.deepEqual(rate.slice(1, 9), [
    "incomplete",
    "",
    "",
    "3,000,000",
    "",
    "",
    ">= 1.0 x best peer",
    "no",
  ]);
  const join = row(text, "10,000 clients connect, register and join one room: seconds");
  assert.deepEqual([join[1], join[8]], ["incomplete", "no"]);
});
