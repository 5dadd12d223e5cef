/**
 * End-to-end faults with real processes: floods, silent and dead connections, a client killed
 * mid-stream, connection limits, and a dropped connection that the client resumes without losing
 * or duplicating anything (checked by sequence numbers).
 */
import assert from "node:assert/strict";
import {
  joinedClient,
  nativeClient,
  ncUser,
  RawClient,
  startClient,
  withServer,
} from "./harness.ts";
import { memory } from "../../scripts/bench/procfs.ts";
import { Proxy } from "./proxy.ts";

/** Sends a ping on a native connection and waits for its pong: the server has read all before. */
async function synced(client: RawClient, token: string): Promise<void> {
  await client.sendFrame({ type: "ping", token });
  await client.lines.waitFor(`{"type":"pong","token":"${token}"}`);
}

Deno.test("a flooding client is slowed, then disconnected, and others are unaffected", async () => {
  await withServer({}, async (server, track) => {
    const watcher = track(await nativeClient(server.port, "watcher"));
    const bystander = track(await nativeClient(server.port, "bystander"));
    const flooder = track(await nativeClient(server.port, "flooder"));
    const started = Date.now();
    let burst = "";
    for (let i = 0; i < 2000; i++) {
      burst += JSON.stringify({ type: "say", room: "lobby", text: `flood ${i}` }) + "\n";
    }
    await flooder.write(burst);
    // Slowed: the first messages come through, but nowhere near all of them at once.
    await watcher.lines.waitFor('"text":"flood 9"');
    await bystander.sendFrame({ type: "say", room: "lobby", text: "still here" });
    const line = await watcher.lines.waitFor('"text":"still here"');
    const floodSeen = watcher.lines.lines.slice(0, line).filter((l) => l.includes("flood ")).length;
    assert.ok(floodSeen < 100, `${floodSeen} flood messages came through before the bystander's`);
    // Then disconnected with a reason, after about ten seconds of flooding.
    await flooder.lines.waitFor('"reason":"Disconnected for flooding: slow down"', {
      timeoutMs: 20_000,
    });
    await watcher.lines.waitFor('"nick":"flooder","reason":"Excess flood"', { timeoutMs: 5000 });
    assert.ok(Date.now() - started >= 9000, "disconnected before the flood allowance ran out");
    const delivered = watcher.lines.lines.filter((l) => l.includes('"text":"flood ')).length;
    assert.ok(delivered < 2000 * 0.1, `${delivered} of 2000 flood messages were delivered`);
  });
});

Deno.test("renames are rate-limited with a clear error", async () => {
  await withServer({}, async (server, track) => {
    const nc = track(await ncUser(server, "ana"));
    for (const nick of ["ana1", "ana2", "ana3", "ana4"]) await nc.sendLine(`/nick ${nick}`);
    await nc.lines.waitFor(/^! Slow down: too many nick changes: try again in \d+ s$/);
  });
});

Deno.test("a connection that never picks a nick is closed after the registration timeout", async () => {
  await withServer({ args: ["--registration-timeout", "1"] }, async (server, track) => {
    const silent = track(await RawClient.connect(server.port));
    await silent.lines.waitFor(/^\* Welcome to chat/);
    await silent.lines.waitFor("* Disconnected: No nick chosen within 1 s", { timeoutMs: 5000 });
    await silent.lines.done;
  });
});

Deno.test("a native client that stops answering pings is removed from its rooms", async () => {
  // Two seconds, not one: the real `chat join` watcher must answer its own pings in time on a
  // loaded machine. Pinged after 2 s of silence, dropped after 4 s (checked about each second).
  await withServer({ args: ["--ping-interval", "2"] }, async (server, track) => {
    const watcher = track(await joinedClient(server, "watcher")); // answers pings
    const dead = track(await nativeClient(server.port, "dead")); // reads, never answers
    await dead.lines.waitFor('"type":"ping"', { timeoutMs: 10_000 });
    await watcher.stdout.waitFor(/^\* dead left \(Ping timeout: no answer for \d+ s\)$/, {
      timeoutMs: 16_000,
    });
    // The one that answers stays.
    await watcher.send("/users");
    await watcher.stdout.waitFor("* In lobby (1): watcher");
  });
});

Deno.test("a client killed with SIGKILL mid-stream leaves; the others keep chatting", async () => {
  // It leaves once the grace for a quiet resume (1 s here) is over.
  await withServer(
    { args: ["--flood-rate", "0", "--resume-grace", "1"] },
    async (server, track) => {
      const victim = track(await joinedClient(server, "victim"));
      const ana = track(await joinedClient(server, "ana"));
      const bob = track(await nativeClient(server.port, "bob"));
      let batch = "";
      for (let i = 0; i < 500; i++) {
        batch += JSON.stringify({ type: "say", room: "lobby", text: `stream ${i}` }) + "\n";
      }
      await bob.write(batch);
      await victim.stdout.waitFor("<bob> stream 10");
      victim.kill("SIGKILL");
      await ana.stdout.waitFor(/^\* victim left \((Connection closed|Connection lost)\)$/);
      await ana.stdout.waitFor("<bob> stream 499");
      await bob.sendFrame({ type: "say", room: "lobby", text: "after the kill" });
      await ana.stdout.waitFor("<bob> after the kill");
    },
  );
});

Deno.test("connections past the per-address limit are refused with the reason", async () => {
  await withServer({ args: ["--max-per-ip", "2"] }, async (server, track) => {
    track(await nativeClient(server.port, "one"));
    track(await joinedClient(server, "two"));
    const third = track(startClient(server, "three"));
    assert.equal((await third.exit()).code, 1);
    assert.match(third.stderr.text(), /Too many connections from your address \(2, at most 2\)/);
    const nc = track(await RawClient.connect(server.port));
    await nc.sendLine("four");
    await nc.lines.waitFor("! Too many connections from your address (2, at most 2)");
    await nc.lines.done;
  });
});

Deno.test("input with no line end past the hard cap is cut off with a reason", async () => {
  await withServer({}, async (server, track) => {
    const nc = track(await ncUser(server, "ana"));
    await nc.write("x".repeat(100_000));
    await nc.lines.waitFor("! Line is too long: over 16384 bytes");
    await nc.lines.waitFor("* Disconnected: Input has no line end after 65536 bytes");
    await nc.lines.done;
    const { rssKiB: rss } = await memory(server.child.pid);
    assert.ok(rss < 300 * 1024, `server RSS ${rss} KiB`);
  });
});

Deno.test("a dropped connection resumes quietly: nothing missed, nothing twice, unsent messages go out", async () => {
  await withServer({}, async (server, track) => {
    const proxy = new Proxy(server.port);
    try {
      const ana = track(await joinedClient({ host: "127.0.0.1", port: proxy.port }, "ana"));
      const bob = track(await nativeClient(server.port, "bob"));
      await bob.sendFrame({ type: "say", room: "lobby", text: "before 1" });
      await ana.stdout.waitFor("<bob> before 1");

      // The connection drops and ana cannot get back in until the proxy is up again.
      proxy.down();
      proxy.cut();
      await ana.stdout.waitFor(/^! Connection lost: reconnecting in/);
      // Bob keeps talking; the pong says the server has taken all three.
      for (const text of ["during 1", "during 2", "during 3"]) {
        await bob.sendFrame({ type: "say", room: "lobby", text });
      }
      await synced(bob, "during");
      // Ana types while away: her message goes out on a connection that never reaches the server.
      const held = await proxy.held();
      await held.waitFor('"type":"hello"');
      await ana.send("typed while away");
      await held.waitFor('"text":"typed while away"');
      await synced(bob, "away");
      assert.ok(!bob.lines.lines.some((l) => l.includes("typed while away")), bob.lines.text());
      // Back up: the held connection closes, the next try gets through and resumes.
      await proxy.up();
      await ana.stdout.waitFor(/^\* Reconnected/);
      await ana.stdout.waitFor("* Back in lobby with bob (2 here); 3 missed messages follow");
      await bob.lines.waitFor('"text":"typed while away"');
      await ana.stdout.waitFor(/^\[\d\d:\d\d\] <bob> during 3$/);

      // The server takes a message but the ack never arrives: the resend is not delivered twice.
      const mark = ana.stdout.lines.length;
      proxy.deafen();
      await ana.send("sent once");
      await bob.lines.waitFor('"text":"sent once"');
      proxy.cut();
      await ana.stdout.waitFor(/^\* Reconnected/, { from: mark });
      await bob.sendFrame({ type: "say", room: "lobby", text: "after" });
      await ana.stdout.waitFor("<bob> after");
      await bob.sendFrame({ type: "command", line: "/users" });
      await bob.lines.waitFor('"nicks":["ana","bob"]');

      const seen = (text: string) => bob.lines.lines.filter((l) => l.includes(`"text":"${text}"`));
      assert.equal(seen("typed while away").length, 1);
      assert.equal(seen("sent once").length, 1);
      // Both resumes came within the grace window: bob never saw ana leave or come back.
      assert.ok(
        !bob.lines.lines.some((l) => /"type":"(quit|join)"/.test(l)),
        bob.lines.text(),
      );
      // Ana saw each of bob's messages exactly once, in order.
      const fromBob = ana.stdout.lines.filter((l) => /<bob> /.test(l)).map((l) =>
        l.replace(/^\[\d\d:\d\d\] /, "")
      );
      assert.deepEqual(fromBob, [
        "<bob> before 1",
        "<bob> during 1",
        "<bob> during 2",
        "<bob> during 3",
        "<bob> after",
      ]);
      // Sequence numbers at bob: every message once, in order.
      const seqs = bob.lines.lines.filter((l) => l.includes('"type":"message"')).map((l) =>
        JSON.parse(l).seq
      );
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
      assert.equal(new Set(seqs).size, seqs.length);
    } finally {
      await proxy.close();
    }
  });
});

Deno.test("a resume past the room's history says messages were lost", async () => {
  await withServer({ args: ["--history", "2"] }, async (server, track) => {
    const proxy = new Proxy(server.port);
    try {
      const ana = track(await joinedClient({ host: "127.0.0.1", port: proxy.port }, "ana"));
      const bob = track(await nativeClient(server.port, "bob"));
      proxy.down();
      proxy.cut();
      for (let i = 1; i <= 5; i++) {
        await bob.sendFrame({ type: "say", room: "lobby", text: `m${i}` });
      }
      await synced(bob, "posted");
      await proxy.up();
      await ana.stdout.waitFor("* Back in lobby with bob (2 here); 2 missed messages follow");
      await ana.stdout.waitFor(/^! Some messages in lobby were lost while you were away/);
      await ana.stdout.waitFor(/<bob> m5$/);
      assert.ok(!ana.stdout.lines.some((l) => /<bob> m[123]$/.test(l)));
    } finally {
      await proxy.close();
    }
  });
});
