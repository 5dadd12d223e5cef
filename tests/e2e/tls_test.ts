/**
 * End-to-end: `chat serve --tls-port` beside the plain port, with a self-signed certificate made
 * on first start; `chat join --tls` pins it on first use, refuses a changed or unexpected one,
 * and talks with plain-TCP users in the same rooms; IRC and HTTPS work over TLS too.
 */
import assert from "node:assert/strict";
import tls from "node:tls";
import { ChatProcess, LineCollector, RawClient, startClient } from "./harness.ts";
import { TLS_HANDSHAKE_TIMEOUT_MS } from "../../src/limits.ts";
import { fingerprintOfPem, makeSelfSigned } from "../../src/carrier/tls_certificate.ts";
import { formatFingerprint } from "../../src/fingerprint.ts";

interface TlsServer {
  readonly process: ChatProcess;
  readonly port: number;
  readonly tlsPort: number;
  readonly fingerprint: string;
}

/** Starts `chat serve` with TLS, keeping its data (the certificate) in `data`. */
async function startTlsServer(
  data: string,
  tlsPort = 0,
  more: readonly string[] = [],
): Promise<TlsServer> {
  const process = new ChatProcess(
    ["serve", "--host", "127.0.0.1", "--port", "0", "--tls-port", String(tlsPort), ...more],
    { env: { XDG_DATA_HOME: data } },
  );
  const listening = process.stdout.lines[await process.stdout.waitFor(/is listening/)] ?? "";
  const line = process.stdout.lines[await process.stdout.waitFor(/^TLS on port/)] ?? "";
  const match = /^TLS on port (\d+): certificate (SHA256:\S+)/.exec(line);
  assert.ok(match, line);
  return {
    process,
    port: Number(/(\d+) is listening/.exec(listening)?.[1]),
    tlsPort: Number(match[1]),
    fingerprint: match[2] ?? "",
  };
}

/** `chat join --tls` to the server's TLS port, with its known hosts under `config`. */
function tlsClient(
  server: TlsServer,
  nick: string,
  config: string,
  args: readonly string[] = [],
): ChatProcess {
  return new ChatProcess(
    ["join", `127.0.0.1:${server.tlsPort}`, "--nick", nick, "--tls", ...args],
    { stdin: true, env: { XDG_CONFIG_HOME: config } },
  );
}

/** A raw TLS connection that trusts anything (a stand-in for an IRC client or a browser). */
function rawTls(port: number): Promise<{ socket: tls.TLSSocket; lines: LineCollector }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: false });
    socket.once("error", reject);
    socket.once("secureConnect", () => {
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          socket.on("data", (chunk: Uint8Array) => controller.enqueue(new Uint8Array(chunk)));
          socket.on("close", () => controller.close());
        },
      });
      resolve({ socket, lines: new LineCollector(stream) });
    });
  });
}

Deno.test("chat join --tls pins the self-signed certificate and chats with plain TCP users", async () => {
  const data = await Deno.makeTempDir();
  const config = await Deno.makeTempDir();
  const server = await startTlsServer(data);
  const started: ChatProcess[] = [server.process];
  try {
    // Without a way to ask, an unknown certificate is refused, naming its fingerprint.
    const refused = tlsClient(server, "eve", config);
    started.push(refused);
    await refused.stderr.waitFor(`unknown certificate ${server.fingerprint}`);
    assert.notEqual((await refused.exit()).code, 0);

    // A wrong --fingerprint is refused; the right one connects.
    const wrong = tlsClient(server, "eve", config, [
      "--fingerprint",
      "SHA256:" + "A".repeat(43),
    ]);
    started.push(wrong);
    await wrong.stderr.waitFor(`has certificate ${server.fingerprint}, not SHA256:AAAA`);
    assert.notEqual((await wrong.exit()).code, 0);

    const ana = tlsClient(server, "ana", config, ["--trust-on-first-use"]);
    started.push(ana);
    await ana.stdout.waitFor(/^\* You are in lobby/);
    const known = await Deno.readTextFile(`${config}/chat/known_hosts`);
    assert.match(
      known,
      new RegExp(`^127\\.0\\.0\\.1:${server.tlsPort} ${escape(server.fingerprint)} `),
    );

    // Pinned now: no flag needed. A plain TCP user shares the room.
    const bobFiles = `${data}/bob`;
    const cidFiles = `${data}/cid`;
    const bob = startClient({ host: "127.0.0.1", port: server.port }, "bob", [
      "--downloads",
      bobFiles,
    ]);
    started.push(bob);
    const cid = tlsClient(server, "cid", config, ["--downloads", cidFiles]);
    started.push(cid);
    await cid.stdout.waitFor(/^\* You are in lobby/);
    await bob.stdout.waitFor(/^\* You are in lobby/);
    await ana.send("over tls");
    await bob.stdout.waitFor("<ana> over tls");
    await cid.stdout.waitFor("<ana> over tls");
    await bob.send("over tcp");
    await ana.stdout.waitFor("<bob> over tcp");

    // A file from a TLS user (its upload over TLS) reaches a TLS and a TCP user intact.
    const file = `${data}/notes.bin`;
    const bytes = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251);
    await Deno.writeFile(file, bytes);
    await ana.send(`/send ${file}`);
    await ana.stdout.waitFor(/^\* notes\.bin delivered: saved by (bob and cid|cid and bob)$/);
    for (const [who, folder] of [[bob, bobFiles], [cid, cidFiles]] as const) {
      await who.stdout.waitFor(/^\* Saved notes\.bin from ana .*verified/);
      assert.deepEqual(await Deno.readFile(`${folder}/notes.bin`), bytes);
    }

    // IRC and HTTPS on the TLS port.
    const irc = await rawTls(server.tlsPort);
    irc.socket.write("NICK ircy\r\nUSER ircy 0 * :Irc Y\r\nJOIN #lobby\r\n");
    await irc.lines.waitFor(/ 001 ircy /);
    await irc.lines.waitFor(/ 366 ircy #lobby /);
    await ana.send("to irc");
    await irc.lines.waitFor(/PRIVMSG #lobby :to irc/);
    irc.socket.destroy();
    const web = await rawTls(server.tlsPort);
    web.socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    await web.lines.waitFor(/^HTTP\/1\.1 200/);
    web.socket.destroy();
    await Promise.all([irc.lines.done, web.lines.done]);
  } finally {
    for (const process of started) await process.stop();
    await Deno.remove(data, { recursive: true });
    await Deno.remove(config, { recursive: true });
  }
});

Deno.test("a changed certificate is refused with both fingerprints; the same one survives a restart", async () => {
  const data = await Deno.makeTempDir();
  const otherData = await Deno.makeTempDir();
  const config = await Deno.makeTempDir();
  const started: ChatProcess[] = [];
  try {
    const first = await startTlsServer(data);
    started.push(first.process);
    const ana = tlsClient(first, "ana", config, ["--trust-on-first-use"]);
    started.push(ana);
    await ana.stdout.waitFor(/^\* You are in lobby/);
    await ana.stop();
    await first.process.stop();

    // Restarted on the same data folder: the same certificate, still trusted.
    const again = await startTlsServer(data, first.tlsPort);
    started.push(again.process);
    assert.equal(again.fingerprint, first.fingerprint);
    const back = tlsClient(again, "ana", config);
    started.push(back);
    await back.stdout.waitFor(/^\* You are in lobby/);
    await back.stop();
    await again.process.stop();

    // Another server (another certificate) on the same address: refused, as ssh would.
    const other = await startTlsServer(otherData, first.tlsPort);
    started.push(other.process);
    assert.notEqual(other.fingerprint, first.fingerprint);
    const refused = tlsClient(other, "ana", config);
    started.push(refused);
    const warning = refused.stderr.lines[await refused.stderr.waitFor(/has changed/)] ?? "";
    assert.ok(warning.includes(first.fingerprint) && warning.includes(other.fingerprint), warning);
    assert.ok(warning.includes(`${config}/chat/known_hosts`), warning);
    assert.notEqual((await refused.exit()).code, 0);
  } finally {
    for (const process of started) await process.stop();
    for (const folder of [data, otherData, config]) await Deno.remove(folder, { recursive: true });
  }
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** The fingerprint a TLS server on `port` shows now. */
async function shownFingerprint(port: number): Promise<string> {
  const { socket } = await rawTls(port);
  const raw = socket.getPeerCertificate().raw;
  socket.destroy();
  const der = new Uint8Array(raw);
  return formatFingerprint(new Uint8Array(await crypto.subtle.digest("SHA-256", der)));
}

Deno.test("the operator's certificate files are read at start and again on SIGHUP", async () => {
  const folder = await Deno.makeTempDir();
  const first = await makeSelfSigned(["127.0.0.1"]);
  const second = await makeSelfSigned(["127.0.0.1"]);
  await Deno.writeTextFile(`${folder}/cert.pem`, first.cert);
  await Deno.writeTextFile(`${folder}/key.pem`, first.key);
  const server = new ChatProcess([
    "serve",
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    "--tls-port",
    "0",
    "--tls-cert",
    `${folder}/cert.pem`,
    "--tls-key",
    `${folder}/key.pem`,
  ], {});
  try {
    const line = server.stdout.lines[await server.stdout.waitFor(/^TLS on port/)] ?? "";
    const port = Number(/^TLS on port (\d+)/.exec(line)?.[1]);
    assert.ok(line.includes(await fingerprintOfPem(first.cert)), line);
    assert.ok(!line.includes("self-signed"), line);
    assert.equal(await shownFingerprint(port), await fingerprintOfPem(first.cert));
    await Deno.writeTextFile(`${folder}/cert.pem`, second.cert);
    await Deno.writeTextFile(`${folder}/key.pem`, second.key);
    server.kill("SIGHUP");
    await server.stderr.waitFor(/tls_reload fingerprint/);
    assert.equal(await shownFingerprint(port), await fingerprintOfPem(second.cert));
    // A broken file is reported and the certificate in use stays.
    await Deno.writeTextFile(`${folder}/cert.pem`, "not a certificate");
    server.kill("SIGHUP");
    await server.stderr.waitFor(/tls_reload_failed.*No certificate in/);
    assert.equal(await shownFingerprint(port), await fingerprintOfPem(second.cert));
  } finally {
    await server.stop();
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("chat serve refuses a missing certificate file in one line", async () => {
  const server = new ChatProcess([
    "serve",
    "--port",
    "0",
    "--tls-port",
    "0",
    "--tls-cert",
    "/nonexistent/cert.pem",
    "--tls-key",
    "/nonexistent/key.pem",
  ], {});
  const status = await server.exit();
  assert.equal(status.code, 1);
  assert.deepEqual(server.stderr.lines, [
    "chat: Cannot read the TLS certificate /nonexistent/cert.pem: no such file",
  ]);
});

Deno.test("chat serve --tls-only listens for TLS alone and says how to join with it", async () => {
  const data = await Deno.makeTempDir();
  const config = await Deno.makeTempDir();
  const server = await startTlsServer(data, 0, ["--tls-only"]);
  const started: ChatProcess[] = [server.process];
  try {
    assert.equal(server.port, server.tlsPort);
    await server.process.stdout.waitFor(`  chat join --tls 127.0.0.1:${server.tlsPort}`);
    assert.ok(!server.process.stdout.lines.some((line) => line.startsWith("  nc ")));
    const ana = tlsClient(server, "ana", config, ["--trust-on-first-use"]);
    started.push(ana);
    await ana.stdout.waitFor(/^\* You are in lobby/);
  } finally {
    for (const process of started) await process.stop();
    for (const folder of [data, config]) await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("a TLS handshake never finished is dropped at its deadline; garbage is refused; others chat on", async () => {
  const data = await Deno.makeTempDir();
  const config = await Deno.makeTempDir();
  const server = await startTlsServer(data, 0, ["--registration-timeout", "0"]);
  const started: ChatProcess[] = [server.process];
  const silent = await RawClient.connect(server.tlsPort);
  const garbage = await RawClient.connect(server.tlsPort);
  try {
    const connectedAt = performance.now();
    await garbage.write(new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n\u0000\u00ff garbage"));
    await garbage.lines.done; // the server closes it (a failed handshake)
    const ana = tlsClient(server, "ana", config, ["--trust-on-first-use"]);
    started.push(ana);
    const bob = startClient({ host: "127.0.0.1", port: server.port }, "bob");
    started.push(bob);
    await ana.stdout.waitFor(/^\* You are in lobby/);
    await bob.stdout.waitFor(/^\* You are in lobby/);
    await ana.send("still here");
    await bob.stdout.waitFor("<ana> still here");
    // The silent one holds on until the deadline, not forever (no registration timeout here).
    await silent.lines.done;
    const heldMs = performance.now() - connectedAt;
    assert.ok(heldMs >= TLS_HANDSHAKE_TIMEOUT_MS - 500, `closed after ${heldMs} ms`);
    await ana.send("after the deadline");
    await bob.stdout.waitFor("<ana> after the deadline");
    assert.ok(
      !server.process.stderr.lines.some((line) =>
        /panic|backtrace|Internal error| {4}at /.test(line)
      ),
      server.process.stderr.text(),
    );
  } finally {
    silent.close();
    garbage.close();
    for (const process of started) await process.stop();
    for (const folder of [data, config]) await Deno.remove(folder, { recursive: true });
  }
});
