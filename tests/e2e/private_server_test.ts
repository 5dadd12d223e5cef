/**
 * End-to-end: `chat serve --password-file` makes a private server. Every kind of client must give
 * the password before anything else; a wrong one is refused with a clear reason, and a third
 * try closes the connection. The password never reaches the event log.
 */
import assert from "node:assert/strict";
import { ChatProcess, RawClient, startClient, withServer } from "./harness.ts";
import { TestBrowser } from "./browser.ts";

const PASSWORD = "open sesame 42";

async function passwordFile(): Promise<string> {
  const file = await Deno.makeTempFile();
  await Deno.writeTextFile(file, PASSWORD + "\n");
  return file;
}

Deno.test("a private server lets in chat join, nc and IRC users with its password only", async () => {
  const file = await passwordFile();
  await withServer({ args: ["--password-file", file] }, async (server, track) => {
    // Without the password: refused, told how to give it, exit 1.
    const eve = track(startClient(server, "eve"));
    await eve.stdout.waitFor("! This server is private: its password is needed to join");
    await eve.stdout.waitFor(/--server-password-file FILE/);
    assert.equal((await eve.exit()).code, 1);

    const ana = track(startClient(server, "ana", ["--server-password-file", file]));
    await ana.stdout.waitFor(/^\* You are in lobby/);

    // nc: the nick, then the password when asked; a wrong one is said to be wrong.
    const nc = track(await RawClient.connect(server.port));
    await nc.sendLine("bob");
    await nc.lines.waitFor("! This server is private: its password is needed to join");
    await nc.lines.waitFor(/Type the server's password/);
    await nc.sendLine("guess");
    await nc.lines.waitFor("! That is not the server's password");
    await nc.sendLine(PASSWORD);
    await nc.lines.waitFor(/^\* Welcome, bob!/);
    await ana.stdout.waitFor("* bob joined");
    await nc.sendLine("hi from nc");
    await ana.stdout.waitFor("<bob> hi from nc");

    // IRC: the server password is PASS, before NICK and USER; without it, 464.
    const ircNoPass = track(await RawClient.connect(server.port));
    await ircNoPass.write("NICK cid\r\nUSER cid 0 * :Cid\r\n");
    await ircNoPass.lines.waitFor(/ 464 \S+ :This server is private/);
    const irc = track(await RawClient.connect(server.port));
    await irc.write(`PASS :${PASSWORD}\r\nNICK dan\r\nUSER dan 0 * :Dan\r\nJOIN #lobby\r\n`);
    await irc.lines.waitFor(/ 001 dan /);
    await ana.stdout.waitFor("* dan joined");

    // A native client guessing: the third wrong password closes the connection.
    const guesser = track(await RawClient.connect(server.port));
    for (const guess of ["a", "b", "c"]) {
      await guesser.sendFrame({ type: "hello", version: 1, nick: "mallory", password: guess });
    }
    await guesser.lines.done;
    assert.equal(
      guesser.lines.lines.filter((line) => line.includes('"code":"bad_server_password"')).length,
      3,
      guesser.lines.text(),
    );
    assert.ok(!server.stderr.text().includes(PASSWORD), "the password is not logged");
    assert.ok(!server.stderr.text().includes("guess"), "nor the guesses");
  });
  await Deno.remove(file);
});

Deno.test("the server password can come from CHAT_SERVER_PASSWORD; an unreadable file is one line", async () => {
  const missing = new ChatProcess(
    ["serve", "--port", "0", "--password-file", "/nonexistent/pw"],
    {},
  );
  assert.equal((await missing.exit()).code, 1);
  assert.deepEqual(missing.stderr.lines, [
    "chat: Cannot read the server password from /nonexistent/pw: no such file",
  ]);
  const server = new ChatProcess(["serve", "--host", "127.0.0.1", "--port", "0"], {
    env: { CHAT_SERVER_PASSWORD: PASSWORD },
  });
  try {
    const line = server.stdout.lines[await server.stdout.waitFor(/is listening/)] ?? "";
    const port = Number(/(\d+) is listening/.exec(line)?.[1]);
    const without = await RawClient.connect(port);
    await without.sendFrame({ type: "hello", version: 1, nick: "ana" });
    await without.lines.waitFor(/"code":"password_required"/);
    without.close();
    const right = await RawClient.connect(port);
    await right.sendFrame({ type: "hello", version: 1, nick: "ana", password: PASSWORD });
    await right.lines.waitFor(/"type":"welcome"/);
    right.close();
    await Promise.all([without.lines.done, right.lines.done]);
  } finally {
    await server.stop();
  }
});

Deno.test({
  name: "a browser user on a private server is asked for the password, and gets in with it",
  // Playwright keeps a child process and pipes of its own between steps.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const file = await passwordFile();
    await withServer({ args: ["--password-file", file] }, async (server, track) => {
      const ana = track(startClient(server, "ana", ["--server-password-file", file]));
      await ana.stdout.waitFor(/^\* You are in lobby/);
      const browser = await TestBrowser.launch();
      try {
        const page = await browser.newPage();
        await page.goto(`http://127.0.0.1:${server.port}/`);
        await page.getByLabel("Nick").fill("bea");
        await page.getByRole("button", { name: "Enter" }).click();
        await page.getByText("This server is private: its password is needed to join").waitFor();
        await page.getByLabel("Server password").fill("wrong");
        await page.getByRole("button", { name: "Enter" }).click();
        await page.getByText("That is not the server's password").waitFor();
        await page.getByLabel("Server password").fill(PASSWORD);
        await page.getByRole("button", { name: "Enter" }).click();
        await page.getByText("Welcome, bea!").waitFor();
        await ana.stdout.waitFor("* bea joined");
        assert.deepEqual(browser.errors, []);
      } finally {
        await browser.close();
      }
    });
    await Deno.remove(file);
  },
});
