/**
 * The whole server in-process over the memory carrier: sessions, dialects, the hub, delivery
 * and flow control, without sockets or processes.
 */
import assert from "node:assert/strict";
import { type Peer, withMemoryServer } from "./memory_server.ts";

Deno.test("memory server: a native and a plain-text user talk in the lobby", async () => {
  await withMemoryServer({}, async (connect) => {
    const ana = connect();
    await ana.send('{"type":"hello","version":1,"nick":"ana"}\n');
    await ana.waitFor('"type":"welcome"');
    await ana.waitFor('"type":"room","room":"lobby"');
    const bob = connect();
    await bob.send("bob\n");
    await bob.waitFor("* You are in lobby with ana (2 here)");
    await ana.waitFor('"type":"join","room":"lobby","nick":"bob"');

    await ana.send('{"type":"say","room":"lobby","text":"hi bob","id":"1"}\n');
    await ana.waitFor('"type":"ack","id":"1"');
    await bob.waitFor("<ana> hi bob");
    await bob.send("hi ana\n");
    await ana.waitFor('"nick":"bob","text":"hi ana"');

    await bob.send("/quit see you\n");
    await ana.waitFor('{"type":"quit","nick":"bob","reason":"Quit: see you"');
  });
});

Deno.test("memory server: HTTP without a byte stream gets the short 400 answer", async () => {
  await withMemoryServer({}, async (connect) => {
    const curl = connect();
    await curl.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    await curl.waitFor("HTTP/1.1 400 Bad Request");
    await curl.done;
  });
});

Deno.test("memory server: a stuck reader slows the sender; the healthy reader gets everything", async () => {
  const limits = { flood: { burst: 10, perSecond: 0 }, writeStallMs: 300 };
  await withMemoryServer({ limits }, async (connect) => {
    const reader = connect();
    await reader.send("reader\n");
    await reader.waitFor("* You are in lobby");
    const stuck = connect();
    await stuck.send("stuck\n");
    await stuck.waitFor("* You are in lobby");
    stuck.conn.pause();
    const sender = connect();
    await sender.send("sender\n");
    await sender.waitFor("* You are in lobby");
    const filler = "x".repeat(3000);
    let burst = "";
    for (let i = 0; i < 300; i++) burst += `m${String(i).padStart(3, "0")} ${filler}\n`;
    await sender.send(burst);
    await reader.waitFor("<sender> m299");
    const seen = reader.lines.flatMap((line) => {
      const match = /<sender> m(\d{3}) /.exec(line);
      return match ? [Number(match[1])] : [];
    });
    assert.deepEqual(seen, Array.from({ length: 300 }, (_, i) => i));
    await reader.waitFor(/^\* stuck left \(Too slow: no data taken for \d+ s\)$/);
  });
});

/** Registers a native user and returns its peer and resume token. */
async function nativeUser(connect: () => Peer, nick: string): Promise<[Peer, string]> {
  const peer = connect();
  await peer.send(`{"type":"hello","version":1,"nick":"${nick}"}\n`);
  const index = await peer.waitFor('"type":"welcome"');
  return [peer, JSON.parse(peer.lines[index] ?? "{}").token];
}

Deno.test("memory server: a resume within the grace window is quiet and keeps private messages", async () => {
  await withMemoryServer({}, async (connect) => {
    const [ana, token] = await nativeUser(connect, "ana");
    const [bob] = await nativeUser(connect, "bob");
    await ana.waitFor('"type":"join","room":"lobby","nick":"bob"');
    ana.conn.close();
    await ana.done;
    // While ana is away: a room message (history brings it back) and a private one (kept).
    await bob.send('{"type":"say","room":"lobby","text":"in the room","id":"1"}\n');
    await bob.send('{"type":"command","line":"/msg ana just for you"}\n');
    await bob.waitFor('"type":"private"');
    const back = connect();
    await back.send(
      `{"type":"hello","version":1,"nick":"ana","resume":{"token":"${token}",` +
        `"rooms":[{"room":"lobby","seq":0}]}}\n`,
    );
    await back.waitFor('"type":"welcome"');
    await back.waitFor('"text":"in the room","time"');
    await back.waitFor('"type":"private","from":"bob","to":"ana","text":"just for you"');
    await bob.send('{"type":"command","line":"/users"}\n');
    await bob.waitFor('"nicks":["ana","bob"]');
    assert.ok(!bob.lines.some((line) => /"type":"(quit|join)"/.test(line)), bob.lines.join("\n"));
  });
});

Deno.test("memory server: past the grace window the others hear the user go", async () => {
  await withMemoryServer({ resumeGraceMs: 1 }, async (connect) => {
    const [ana] = await nativeUser(connect, "ana");
    const [bob] = await nativeUser(connect, "bob");
    ana.conn.close();
    await bob.waitFor('{"type":"quit","nick":"ana","reason":"Connection closed"');
  });
});
