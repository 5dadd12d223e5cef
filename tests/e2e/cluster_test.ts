/**
 * End-to-end: three `chat serve` nodes on one real Redis act as one server: users of every
 * dialect on different nodes share rooms; nick claims, room limits and message order hold across
 * nodes; a node killed mid-traffic is noticed and its users resume elsewhere; Redis frozen or
 * restarted loses nothing acknowledged.
 */
import assert from "node:assert/strict";
import {
  ChatProcess,
  freePort,
  ncUser,
  RawClient,
  type ServerProcess,
  startClient,
  startServerOn,
} from "./harness.ts";
import { RedisClusterProcess, RedisProcess } from "./redis.ts";

/** Starts `count` nodes on `redis`, each with `args`. */
async function startNodes(
  redis: RedisProcess,
  count: number,
  args: readonly string[] = [],
): Promise<ServerProcess[]> {
  const nodes: ServerProcess[] = [];
  for (let index = 0; index < count; index++) {
    nodes.push(
      await startServerOn(freePort(), [
        "--redis",
        redis.url,
        "--node",
        `node${index + 1}`,
        "--flood-rate",
        "0",
        ...args,
      ]),
    );
  }
  return nodes;
}

/** A native client: hello with `nick` (and `extra` fields), answered by a welcome or an error. */
async function native(
  port: number,
  nick: string,
  extra: Record<string, unknown> = {},
): Promise<{ client: RawClient; welcomed: boolean; token?: string }> {
  const client = await RawClient.connect(port);
  await client.sendFrame({ type: "hello", version: 1, nick, ...extra });
  const index = await client.lines.waitFor(/"type":"(welcome|error|failure)"/);
  const frame = JSON.parse(client.lines.lines[index] ?? "{}");
  return { client, welcomed: frame.type === "welcome", token: frame.token };
}

/**
 * A browser's connection: the native protocol over a WebSocket on `/ws` (what the page served by
 * the server speaks), registered as `nick`.
 */
async function webSocketUser(port: number, nick: string) {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  const frames: string[] = [];
  let wake = () => {};
  socket.addEventListener("message", (event) => {
    frames.push(...String(event.data).split("\n").filter((line) => line !== ""));
    wake();
  });
  const closed = new Promise((resolve) => socket.addEventListener("close", resolve));
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve);
    socket.addEventListener("error", reject);
  });
  const send = (frame: Record<string, unknown>) => socket.send(JSON.stringify(frame) + "\n");
  const waitFor = async (pattern: RegExp): Promise<string> => {
    const deadline = Date.now() + 10_000;
    while (true) {
      const found = frames.find((frame) => pattern.test(frame));
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`No ${pattern} in ${JSON.stringify(frames)}`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, deadline - Date.now());
      });
      clearTimeout(timer);
    }
  };
  send({ type: "hello", version: 1, nick });
  await waitFor(/"type":"room"/);
  return {
    send,
    waitFor,
    close: async () => {
      socket.close();
      await closed;
    },
  };
}

/** The `message` frames a client got in `room`, in order. */
function messages(
  client: RawClient,
  room = "lobby",
): { nick: string; text: string; seq: number }[] {
  return client.lines.lines.filter((line) => line.includes('"type":"message"'))
    .map((line) => JSON.parse(line))
    .filter((frame) => frame.room === room);
}

/** Stops everything a test started, whatever happened. */
async function cleanUp(
  clients: RawClient[],
  nodes: ServerProcess[],
  redis: RedisProcess | undefined,
): Promise<void> {
  for (const client of clients) {
    client.close();
    await client.lines.done;
  }
  for (const node of nodes) await node.stop();
  await redis?.stop();
}

Deno.test("users of every dialect on three nodes share one room, private messages and /users", async () => {
  const redis = await RedisProcess.start();
  const clients: RawClient[] = [];
  const nodes = await startNodes(redis, 3);
  const [a, b, c] = nodes as [ServerProcess, ServerProcess, ServerProcess];
  const cat = startClient(c, "cat");
  const web = await webSocketUser(b.port, "dee");
  try {
    const ana = clients[clients.push(await ncUser(a, "ana")) - 1] as RawClient;
    const bob = clients[clients.push(await RawClient.connect(b.port)) - 1] as RawClient;
    await bob.sendLine("NICK bob");
    await bob.sendLine("USER bob 0 * :Bob");
    await bob.lines.waitFor(/ 001 bob /);
    await bob.sendLine("JOIN #lobby");
    await bob.lines.waitFor(/ 366 bob #lobby /);
    await cat.stdout.waitFor(/^\* You are in lobby/);

    await ana.sendLine("hello from ana on node1");
    await bob.lines.waitFor(/:ana!.* PRIVMSG #lobby :hello from ana on node1/);
    await cat.stdout.waitFor("<ana> hello from ana on node1");
    await bob.sendLine("PRIVMSG #lobby :hello from bob on node2");
    await ana.lines.waitFor("<bob> hello from bob on node2");
    await cat.stdout.waitFor("<bob> hello from bob on node2");
    await cat.send("hello from cat on node3");
    await ana.lines.waitFor("<cat> hello from cat on node3");
    await bob.lines.waitFor(/:cat!.* PRIVMSG #lobby :hello from cat on node3/);
    // A browser user (the page's WebSocket) on node 2 hears everyone and is heard.
    await web.waitFor(/"nick":"cat","text":"hello from cat on node3"/);
    web.send({ type: "say", room: "lobby", text: "hello from the browser on node2" });
    await ana.lines.waitFor("<dee> hello from the browser on node2");
    await cat.stdout.waitFor("<dee> hello from the browser on node2");
    await bob.lines.waitFor(/:dee!.* PRIVMSG #lobby :hello from the browser on node2/);

    await ana.sendLine("/msg bob psst, across nodes");
    await bob.lines.waitFor(/:ana!.* PRIVMSG bob :psst, across nodes/);
    await bob.sendLine("PRIVMSG cat :and to node3");
    await cat.stdout.waitFor(/bob.*and to node3/);

    await ana.sendLine("/users");
    await ana.lines.waitFor(/In lobby \(4\): .*ana.*bob.*cat.*dee/);
    // The same nick on another node is taken.
    const copy = await native(b.port, "ANA");
    clients.push(copy.client);
    assert.equal(copy.welcomed, false);
    await copy.client.lines.waitFor(/nick_taken/);
  } finally {
    await web.close();
    await cat.stop();
    await cleanUp(clients, nodes, redis);
  }
});

Deno.test("races across nodes: one nick, a room of 5, and one order for three senders", async () => {
  const redis = await RedisProcess.start();
  const clients: RawClient[] = [];
  const nodes = await startNodes(redis, 3, ["--room", "games:5"]);
  try {
    // The same nick asked for on two nodes at once: exactly one gets it.
    const claims = await Promise.all(nodes.slice(0, 2).map((node) => native(node.port, "zoe")));
    clients.push(...claims.map((claim) => claim.client));
    assert.equal(claims.filter((claim) => claim.welcomed).length, 1);

    // 21 people over three nodes (7 each) ask to join a room of 5 at once.
    const people = await Promise.all(
      Array.from(
        { length: 21 },
        (_, index) => native((nodes[index % 3] as ServerProcess).port, `p${index}`),
      ),
    );
    clients.push(...people.map((person) => person.client));
    assert.ok(people.every((person) => person.welcomed));
    await Promise.all(
      people.map(({ client }) =>
        client.sendFrame({ type: "command", line: "/join games", room: "lobby", id: "j" })
      ),
    );
    const answers = await Promise.all(
      people.map(async ({ client }) => {
        const index = await client.lines.waitFor(
          (line) =>
            line.includes('"type":"room"') && line.includes('"games"') ||
            line.includes('"id":"j"'),
        );
        return client.lines.lines[index] ?? "";
      }),
    );
    assert.equal(answers.filter((line) => line.includes('"type":"room"')).length, 5);
    assert.equal(answers.filter((line) => line.includes("room_full")).length, 16);

    // Three senders, one per node, as fast as they can: every receiver sees one order.
    const senders = people.slice(0, 3).map((person) => person.client);
    const receivers = people.slice(3, 6).map((person) => person.client);
    await Promise.all(senders.map(async (sender, index) => {
      for (let count = 0; count < 30; count++) {
        await sender.sendFrame({ type: "say", room: "lobby", text: `s${index}-${count}` });
      }
    }));
    for (const receiver of receivers) {
      await receiver.lines.waitFor(() =>
        messages(receiver).filter((frame) => /^s\d-\d+$/.test(frame.text)).length === 90
      );
    }
    const orders = receivers.map((receiver) =>
      messages(receiver).filter((frame) => /^s\d-\d+$/.test(frame.text))
        .map((frame) => `${frame.seq}:${frame.text}`)
    );
    assert.deepEqual(orders[1], orders[0]);
    assert.deepEqual(orders[2], orders[0]);
    const seqs = (orders[0] ?? []).map((entry) => Number(entry.split(":")[0]));
    assert.deepEqual(seqs, seqs.map((_, index) => (seqs[0] ?? 0) + index), "dense seqs");
  } finally {
    await cleanUp(clients, nodes, redis);
  }
});

Deno.test("a node killed under traffic: its users leave for the others, and resume on another node", async () => {
  const redis = await RedisProcess.start();
  const clients: RawClient[] = [];
  const nodes = await startNodes(redis, 2);
  const [a, b] = nodes as [ServerProcess, ServerProcess];
  try {
    const watcher = clients[clients.push(await ncUser(b, "watcher")) - 1] as RawClient;
    const talker = clients[clients.push(await ncUser(b, "talker")) - 1] as RawClient;
    const ana = await native(a.port, "ana");
    clients.push(ana.client);
    await watcher.lines.waitFor("* ana joined");
    // Ana has seen everything up to here.
    await talker.sendLine("before the crash");
    await ana.client.lines.waitFor(/before the crash/);
    const seen = messages(ana.client).at(-1)?.seq ?? 0;

    a.kill("SIGKILL");
    await a.exit();
    await talker.sendLine("while ana is away");
    // The others are told within the lease (5 s) and a check (1 s), well inside 10 s.
    await watcher.lines.waitFor(/\* ana left \(Connection to their server was lost\)/, {
      timeoutMs: 10_000,
    });

    // Ana comes back through the other node with her token: she gets what she missed, once.
    const back = await native(b.port, "ana", {
      resume: { token: ana.token, rooms: [{ room: "lobby", seq: seen }] },
    });
    clients.push(back.client);
    assert.ok(back.welcomed);
    await back.client.lines.waitFor(/while ana is away/);
    const texts = messages(back.client).map((frame) => frame.text);
    assert.deepEqual(texts.filter((text) => text === "while ana is away").length, 1);
    assert.ok(!texts.includes("before the crash"), "nothing she had seen comes again");
  } finally {
    await cleanUp(clients, nodes, redis);
  }
});

Deno.test("a resume through another node before the first is noticed gone takes the nick over", async () => {
  const redis = await RedisProcess.start();
  const clients: RawClient[] = [];
  const nodes = await startNodes(redis, 2);
  const [a, b] = nodes as [ServerProcess, ServerProcess];
  try {
    const watcher = clients[clients.push(await ncUser(b, "watcher")) - 1] as RawClient;
    const ana = await native(a.port, "ana");
    clients.push(ana.client);
    await watcher.lines.waitFor("* ana joined");
    a.kill("SIGKILL");
    await a.exit();
    // At once: node1's lease has not run out, so ana still holds her nick there.
    const back = await native(b.port, "ana", {
      resume: { token: ana.token, rooms: [{ room: "lobby", seq: 0 }] },
    });
    clients.push(back.client);
    assert.ok(back.welcomed, back.client.lines.text());
    await back.client.sendFrame({ type: "say", room: "lobby", text: "back already" });
    await watcher.lines.waitFor("<ana> back already");
  } finally {
    await cleanUp(clients, nodes, redis);
  }
});

Deno.test("Redis frozen under traffic: senders are told, nothing acknowledged is lost, every node catches up", async () => {
  const redis = await RedisProcess.start();
  const clients: RawClient[] = [];
  const nodes = await startNodes(redis, 2);
  const [a, b] = nodes as [ServerProcess, ServerProcess];
  try {
    const sender = await native(a.port, "sender");
    const reader = await native(b.port, "reader");
    clients.push(sender.client, reader.client);
    const acked: string[] = [];
    let refused = 0;
    const send = async (count: number) => {
      const id = `m${count}`;
      await sender.client.sendFrame({ type: "say", room: "lobby", text: id, id });
      const index = await sender.client.lines.waitFor(
        (line) => line.includes(`"id":"${id}"`) || line.includes(`"ref":"${id}"`),
      );
      const line = sender.client.lines.lines[index] ?? "";
      if (line.includes('"type":"ack"')) acked.push(id);
      else if (line.includes("unavailable")) refused++;
      else throw new Error(`Unexpected answer: ${line}`);
    };
    for (let count = 0; count < 10; count++) await send(count);
    redis.pause();
    try {
      // Told once, and each message refused while Redis is away.
      await sender.client.lines.waitFor(/The server is degraded/, { timeoutMs: 10_000 });
      for (let count = 10; count < 15; count++) await send(count);
    } finally {
      redis.resume();
    }
    await sender.client.lines.waitFor(/The server is back to normal/, { timeoutMs: 10_000 });
    for (let count = 15; count < 25; count++) await send(count);
    assert.ok(refused >= 4, `refused ${refused}`);
    // Everything acknowledged reached the other node, once, in order.
    await reader.client.lines.waitFor(() => messages(reader.client).some((f) => f.text === "m24"));
    const got = messages(reader.client).map((frame) => frame.text);
    assert.deepEqual(got.filter((text) => acked.includes(text)), acked);
    assert.equal(new Set(got).size, got.length, "no duplicates");
  } finally {
    await cleanUp(clients, nodes, redis);
  }
});

Deno.test("Redis restarted with its append-only file: the cluster carries on and forgets nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "chat-redis-" });
  const redis = await RedisProcess.start(dir);
  const clients: RawClient[] = [];
  const nodes = await startNodes(redis, 2, ["--history", "50"]);
  const [a, b] = nodes as [ServerProcess, ServerProcess];
  try {
    const ana = await native(a.port, "ana");
    const bob = await native(b.port, "bob");
    clients.push(ana.client, bob.client);
    await ana.client.sendFrame({ type: "say", room: "lobby", text: "said before", id: "1" });
    await ana.client.lines.waitFor(/"type":"ack"/);
    await redis.restart();
    // Both nodes notice, and notice Redis back.
    for (const { client } of [ana, bob]) {
      await client.lines.waitFor(/The server is back to normal/, { timeoutMs: 10_000 });
    }
    await ana.client.sendFrame({ type: "say", room: "lobby", text: "said after", id: "2" });
    await ana.client.lines.waitFor(/"type":"ack","id":"2"/);
    await bob.client.lines.waitFor(/said after/);
    // History from before the restart is replayed to a newcomer, in order.
    const carol = clients[clients.push(await ncUser(b, "carol")) - 1] as RawClient;
    const before = await carol.lines.waitFor("<ana> said before");
    await carol.lines.waitFor("<ana> said after", { from: before });
  } finally {
    await cleanUp(clients, nodes, redis);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("chat join given two nodes fails over to the other when its node is killed, missing nothing", async () => {
  const redis = await RedisProcess.start();
  const clients: RawClient[] = [];
  const nodes = await startNodes(redis, 2);
  const [a, b] = nodes as [ServerProcess, ServerProcess];
  try {
    const both = new ChatProcess(
      ["join", `127.0.0.1:${a.port},127.0.0.1:${b.port}`, "--nick", "ana"],
      { stdin: true },
    );
    try {
      await both.stdout.waitFor(/^\* You are in lobby/);
      const bob = clients[clients.push(await ncUser(b, "bob")) - 1] as RawClient;
      await both.send("before");
      await bob.lines.waitFor("<ana> before");
      a.kill("SIGKILL");
      await a.exit();
      await bob.sendLine("while you were moving");
      await both.stdout.waitFor(`* Reconnected to 127.0.0.1:${b.port}`, { timeoutMs: 15_000 });
      await both.stdout.waitFor("<bob> while you were moving");
      await both.send("after");
      await bob.lines.waitFor("<ana> after");
      const moving = both.stdout.lines.filter((line) => line.includes("while you were moving"));
      assert.equal(moving.length, 1, both.stdout.text());
    } finally {
      await both.stop();
    }
  } finally {
    await cleanUp(clients, nodes, redis);
  }
});

Deno.test("accounts and bans hold across nodes: register on one, log in on another, banned on all", async () => {
  const redis = await RedisProcess.start();
  const clients: RawClient[] = [];
  const nodes = await startNodes(redis, 3, ["--admin", "boss"]);
  const [a, b, c] = nodes as [ServerProcess, ServerProcess, ServerProcess];
  const track = (client: RawClient) => clients[clients.push(client) - 1] as RawClient;
  try {
    const first = track(await ncUser(a, "ana"));
    await first.sendLine("/register correct-horse");
    await first.lines.waitFor(/^\* Nick ana is now your account/);
    // Another node refuses the nick to anyone not logged in, and lets the owner log in.
    const second = track(await RawClient.connect(b.port));
    await second.sendLine("ANA");
    await second.lines.waitFor(/^! Nick "ANA" is registered: log in/);
    await second.sendLine("/login ana wrong-guess");
    await second.lines.waitFor("! Wrong nick or password");
    await second.sendLine("/login ana correct-horse");
    await second.lines.waitFor(/^\* Welcome, ana!/);
    // The newest login wins, across nodes too.
    await first.lines.waitFor(/Your account was logged in from another connection/);
    await first.lines.done;

    // An operator on node 1 bans someone on node 2: out now, and refused on node 3.
    const boss = track(await ncUser(a, "boss"));
    await boss.sendLine("/register boss-password");
    await boss.lines.waitFor(/^\* Nick boss is now your account/);
    const troll = track(await ncUser(b, "troll"));
    await boss.sendLine("/ban troll 10m being rude");
    await troll.lines.waitFor(/Banned.*being rude/i);
    await troll.lines.done;
    const again = track(await RawClient.connect(c.port));
    await again.sendLine("troll");
    await again.lines.waitFor(/being rude/);
  } finally {
    await cleanUp(clients, nodes, redis);
  }
});

Deno.test("on a Redis Cluster of three masters, nodes pointed at different masters share a room", async () => {
  const redis = await RedisClusterProcess.start();
  const clients: RawClient[] = [];
  const nodes: ServerProcess[] = [];
  try {
    for (let index = 0; index < 3; index++) {
      nodes.push(
        await startServerOn(freePort(), ["--redis", redis.url(index), "--node", `n${index}`]),
      );
    }
    const users = [];
    for (const [index, node] of nodes.entries()) {
      users.push(clients[clients.push(await ncUser(node, `user${index}`)) - 1] as RawClient);
    }
    await users[0]?.sendLine("hello across the shards");
    await users[1]?.lines.waitFor("<user0> hello across the shards");
    await users[2]?.lines.waitFor("<user0> hello across the shards");
    await users[2]?.sendLine("/users");
    await users[2]?.lines.waitFor(/In lobby \(3\): user0, user1, user2/);
  } finally {
    for (const client of clients) {
      client.close();
      await client.lines.done;
    }
    for (const node of nodes) await node.stop();
    await redis.stop();
  }
});

Deno.test("chat serve --redis with nothing listening there says so in one line and exits 1", async () => {
  const server = new ChatProcess(
    ["serve", "--port", "0", "--redis", `redis://127.0.0.1:${freePort()}`],
    {},
  );
  const status = await server.exit(15_000);
  assert.equal(status.code, 1);
  assert.match(server.stderr.text(), /^chat: Cannot use Redis at redis:\/\/127\.0\.0\.1:\d+: /);
  assert.equal(server.stderr.lines.length, 1, server.stderr.text());
});
