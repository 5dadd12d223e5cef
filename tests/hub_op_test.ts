import assert from "node:assert/strict";
import { Hub } from "../src/server/hub.ts";
import { applyHubOp, type HubOp, type HubOpContext, NODE_SPAN } from "../src/server/hub_op.ts";
import { Moderation } from "../src/server/moderation.ts";
import { MemoryModerationStore } from "../src/store/memory_moderation_store.ts";
import { ResumeTokens } from "../src/server/resume_tokens.ts";

const NOW = 1_700_000_000_000;

function replica(): HubOpContext & { tokens: ResumeTokens } {
  return {
    hub: new Hub(),
    moderation: new Moderation(new MemoryModerationStore()),
    tokens: new ResumeTokens(),
  };
}

const ana = 1 * NODE_SPAN + 1;
const bob = 2 * NODE_SPAN + 1;
const cat = 2 * NODE_SPAN + 2;

type RegisterOp = Extract<HubOp, { kind: "register" }>;

const register = (member: number, nick: string, token?: string): RegisterOp => ({
  kind: "register",
  member,
  nick,
  now: NOW,
  identity: {},
  token,
});

Deno.test("applyHubOp() keeps two hubs fed the same ops alike, down to each message's seq", () => {
  const ops: HubOp[] = [
    register(ana, "ana"),
    register(bob, "bob"),
    { kind: "command", member: ana, room: "games", line: "/join games", now: NOW, create: true },
    { kind: "command", member: bob, room: "games", line: "/join games", now: NOW },
    { kind: "say", member: ana, room: "games", text: "hi", now: NOW, message: "text" },
    { kind: "say", member: bob, room: "lobby", text: "yo", now: NOW, message: "action" },
    { kind: "tell", member: bob, nick: "ana", text: "psst", now: NOW, message: "text" },
    { kind: "command", member: ana, room: "games", line: "/topic chess at 8", now: NOW },
  ];
  const [one, two] = [replica(), replica()];
  const seen = ops.map((op) => [applyHubOp(one, op), applyHubOp(two, op)]);
  for (const [first, second] of seen) {
    assert.equal(first?.error, undefined);
    assert.deepEqual(
      first?.deliveries.map((each) => each.frame),
      second?.deliveries.map((each) => each.frame),
    );
  }
  assert.equal(seen[2]?.[0]?.created, true);
  assert.deepEqual(one.hub.membersOf("games"), two.hub.membersOf("games"));
  const lastSay = seen[4]?.[0]?.deliveries.find((each) => each.frame.type === "message");
  assert.equal(lastSay?.frame.type === "message" ? lastSay.frame.seq : 0, 1);
});

Deno.test("applyHubOp() returns a refusal instead of throwing, and changes nothing", () => {
  const context = replica();
  applyHubOp(context, register(ana, "ana"));
  const taken = applyHubOp(context, register(bob, "ANA"));
  assert.equal(taken.error?.code, "nick_taken");
  assert.deepEqual(taken.deliveries, []);
  assert.equal(context.hub.nickOf(bob), undefined);
  const nowhere = applyHubOp(context, {
    kind: "say",
    member: ana,
    room: "nowhere",
    text: "hi",
    now: NOW,
    message: "text",
  });
  assert.equal(nowhere.error?.code, "no_such_room");
});

Deno.test("applyHubOp() node_down removes every member of that node, and only them", () => {
  const context = replica();
  for (const [member, nick] of [[ana, "ana"], [bob, "bob"], [cat, "cat"]] as const) {
    applyHubOp(context, register(member, nick, `token-${nick}`));
  }
  const down = applyHubOp(context, { kind: "node_down", node: 2, reason: "Lost", now: NOW });
  assert.deepEqual(down.gone, [bob, cat]);
  assert.deepEqual(context.hub.ids(), [ana]);
  assert.equal(context.tokens.size, 1);
  assert.equal(context.tokens.memberOf("token-ana"), ana);
  const quits = down.deliveries.filter((each) => each.frame.type === "quit");
  assert.equal(quits.length, 2);
  assert.ok(quits.every((each) => each.to.includes(ana)));
});

Deno.test("applyHubOp() lets a resume with a known token replace its stale member, rooms trusted", () => {
  const context = replica();
  applyHubOp(context, { kind: "keep_room", name: "class", limit: 1, now: NOW });
  applyHubOp(context, register(ana, "ana", "secret"));
  applyHubOp(context, {
    kind: "command",
    member: ana,
    room: "class",
    line: "/join class",
    now: NOW,
  });
  const back = applyHubOp(context, {
    ...register(bob, "ana", "secret"),
    resume: { rooms: [{ room: "class", seq: 0 }], trusted: [] },
  });
  assert.equal(back.error, undefined);
  assert.deepEqual(back.gone, [ana]);
  assert.equal(context.hub.idOf("ana"), bob);
  // Back in the full room (limit 1) it was in.
  assert.deepEqual(context.hub.membersOf("class"), ["ana"]);
  // Another token does not take the nick.
  const other = applyHubOp(context, {
    ...register(cat, "ana", "guess"),
    resume: { rooms: [], trusted: [] },
  });
  assert.equal(other.error?.code, "nick_taken");
});

Deno.test("applyHubOp() keep_room makes a room once and keeps its limit", () => {
  const context = replica();
  applyHubOp(context, { kind: "keep_room", name: "games", limit: 5, now: NOW });
  applyHubOp(context, { kind: "keep_room", name: "Games", limit: 8, now: NOW });
  const rooms = context.hub.allRooms().filter((room) => room.key !== "lobby");
  assert.equal(rooms.length, 1);
  assert.equal(rooms[0]?.limit, 8);
  assert.equal(rooms[0]?.persistent, true);
});

Deno.test("applyHubOp() wallops: +w users and operators get an operator's /wallops, others 481's error", () => {
  const context = { ...replica(), hub: new Hub({ operators: ["ana"] }) };
  for (const [member, nick] of [[ana, "ana"], [bob, "bob"], [cat, "cat"]] as const) {
    applyHubOp(context, register(member, nick));
  }
  context.hub.login(ana, "ana");
  const command = (member: number, line: string): HubOp => ({
    kind: "command",
    member,
    room: "lobby",
    line,
    now: NOW,
  });
  assert.equal(applyHubOp(context, command(bob, "/wallops hi")).error?.code, "not_allowed");
  applyHubOp(context, { kind: "wallops", member: bob, wallops: true });
  assert.equal(context.hub.userInfo("bob")?.wallops, true);
  const sent = applyHubOp(context, command(ana, "/wallops restart at noon"));
  assert.deepEqual(sent.deliveries, [{
    to: [ana, bob],
    frame: { type: "wallops", from: "ana", text: "restart at noon" },
  }]);
  applyHubOp(context, { kind: "wallops", member: bob, wallops: false });
  assert.deepEqual(applyHubOp(context, command(ana, "/wallops again")).deliveries[0]?.to, [ana]);
});
