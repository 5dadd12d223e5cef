import assert from "node:assert/strict";
import {
  CHAT_PROTOCOLS,
  fanOutPhases,
  fullSweep,
  idlePhase,
  NCAT_MAX_CLIENTS,
  PEER_TARGETS,
  quickSweep,
} from "../scripts/bench/scenarios.ts";

Deno.test("fullSweep() runs every fan-out size in each chat dialect, ncat and, with peers, both", () => {
  const names = new Set(fullSweep({ peers: true }).map((group) => group.name));
  for (const clients of [10, 100, 1000, 5000]) {
    for (const protocol of CHAT_PROTOCOLS) assert.ok(names.has(`chat-${protocol}-${clients}`));
    for (const peer of PEER_TARGETS) assert.ok(names.has(`${peer}-${clients}`), peer);
    assert.equal(names.has(`ncat-${clients}`), clients <= NCAT_MAX_CLIENTS);
  }
  for (const name of ["idle-chat-irc-10000", "idle-inspircd-10000"]) {
    assert.ok(names.has(name), name);
  }
  // ngIRCd's joins into one room grow faster than the square: 10,000 would take hours.
  assert.ok(!names.has("idle-ngircd-10000"));
  assert.ok(names.has("rooms-inspircd-500x10") && names.has("rooms-chat-irc-500x10"));
});

Deno.test("fullSweep() leaves the peers out unless asked, and ncat when told", () => {
  const groups = fullSweep({ ncat: false });
  assert.ok(groups.every((group) => group.target === "chat"));
  assert.ok(groups.some((group) => group.protocol === "irc"));
});

Deno.test("fullSweep() joins each peer as it can take it", () => {
  const groups = fullSweep({ peers: true });
  const group = (name: string) => groups.find((g) => g.name === name);
  // ngIRCd's listen backlog is 10; InspIRCd registers once a second, so many at once.
  assert.equal(group("ngircd-1000")?.joinConcurrency, 10);
  assert.equal(group("inspircd-1000")?.joinConcurrency, 1000);
  assert.equal(group("inspircd-100")?.joinConcurrency, 100);
  // Ours: 50 at once at every room size (flushes are spaced by their writes' cost).
  assert.equal(group("chat-irc-5000")?.joinConcurrency, 50);
  assert.equal(group("idle-chat-irc-10000")?.joinConcurrency, 50);
  assert.equal(group("idle-inspircd-10000")?.joinConcurrency, 1000);
  for (const peer of PEER_TARGETS) assert.equal(group(`${peer}-100`)?.protocol, "irc");
});

Deno.test("fanOutPhases() has the light load and, when asked, an idle phase first", () => {
  const names = fanOutPhases(1000, { rateSeconds: 5, idle: true }).map((phase) => phase.name);
  assert.deepEqual(names, [
    "idle 10 s",
    "S=1 fast",
    "S=10 fast",
    "S=10 10/s",
    "S=1 100/s",
    "S=10 100/s",
  ]);
  assert.equal(fanOutPhases(100, { rateSeconds: 5 })[0]?.name, "S=1 fast");
  const idle = idlePhase(500);
  assert.equal(idle.senders, 0);
  assert.ok(idle.timeoutMs > (idle.holdMs ?? 0));
});

Deno.test("quickSweep() covers the IRC dialect without peers", () => {
  const names = quickSweep({ ncat: false }).map((group) => group.name);
  assert.ok(names.includes("chat-irc-10") && names.includes("rooms-chat-irc-10x10"));
  assert.ok(!names.some((name) => /inspircd|ngircd|ncat/.test(name)));
  assert.ok(quickSweep({ peers: true }).some((group) => group.target === "ngircd"));
});
