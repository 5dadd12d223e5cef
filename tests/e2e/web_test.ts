/**
 * The browser client against the real server, in a real Chromium: the page comes from the chat
 * port itself, and browser users, a `chat join` user and an `nc` user talk in one room. Also the
 * web front's refusals on the real port: a cross-origin WebSocket and oversized headers.
 *
 * `CHAT_SCREENSHOT=docs/web_client.png` saves a screenshot of the page for README.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { TestBrowser } from "./browser.ts";
import { joinedClient, ncUser, RawClient, withServer } from "./harness.ts";
import { Proxy } from "./proxy.ts";

/** Opens the page from the server and enters as `nick`. */
async function enter(browser: TestBrowser, port: number, nick: string): Promise<Page> {
  const page = await open(browser, port);
  await page.getByLabel("Nick").fill(nick);
  await page.getByRole("button", { name: "Enter" }).click();
  await page.getByText(`Welcome, ${nick}!`).waitFor();
  return page;
}

/** Opens the page from the server. */
async function open(browser: TestBrowser, port: number): Promise<Page> {
  const page = await browser.newPage();
  const response = await page.goto(`http://127.0.0.1:${port}/`);
  assert.equal(response?.status(), 200);
  return page;
}

async function say(page: Page, text: string): Promise<void> {
  const input = page.getByLabel("Message", { exact: true });
  await input.fill(text);
  await input.press("Enter");
}

Deno.test({
  name: "web: two browser users, a chat join user and an nc user talk in one room",
  // Playwright keeps a child process and pipes of its own between steps.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withServer({}, async (server, track) => {
      const browser = await TestBrowser.launch();
      try {
        const ana = await enter(browser, server.port, "ana");
        const bea = await enter(browser, server.port, "bea");
        const term = track(await joinedClient(server, "term"));
        const nc = track(await ncUser(server, "nc"));
        await ana.getByText("nc joined").waitFor();

        await say(ana, "hello from the browser");
        await bea.getByText("hello from the browser").waitFor();
        await term.stdout.waitFor("<ana> hello from the browser");
        await nc.lines.waitFor("<ana> hello from the browser");

        await term.send("hello from the terminal");
        await nc.sendLine("hello from nc");
        for (const page of [ana, bea]) {
          await page.getByText("hello from the terminal").waitFor();
          await page.getByText("hello from nc").waitFor();
        }
        await term.stdout.waitFor("<nc> hello from nc");

        // Hostile text from others is shown as text: no element made, no script run.
        const dialogs: string[] = [];
        ana.on("dialog", (dialog) => {
          dialogs.push(dialog.message());
          void dialog.dismiss();
        });
        await nc.sendLine('<img src=x onerror="alert(1)"></script><script>alert(2)</script>');
        await ana.getByText('<img src=x onerror="alert(1)">', { exact: false }).waitFor();
        assert.equal(await ana.locator("#logs img, #logs script").count(), 0);

        // A mention is highlighted; a message in another room counts as unread on its tab.
        await term.send("bea: look at this");
        await bea.locator("#logs li.mention", { hasText: "bea: look at this" }).waitFor();
        await say(bea, "/create side");
        await bea.getByText("You are in #side").waitFor();
        await say(ana, "in the lobby meanwhile");
        await bea.getByRole("button", { name: "#lobby (1)" }).waitFor();

        // A private message from the terminal to a browser user.
        await term.send("/msg bea just for you");
        await bea.getByText("just for you").waitFor();

        // Someone quits: one line in the room they shared.
        await nc.sendLine("/quit bye now");
        await ana.getByText("nc left (Quit: bye now)").waitFor();
        assert.equal(await ana.getByText("nc left (Quit: bye now)").count(), 1);

        const shot = Deno.env.get("CHAT_SCREENSHOT");
        if (shot !== undefined) await ana.screenshot({ path: shot });
        assert.deepEqual(dialogs, []);
        assert.deepEqual(browser.errors, []);
      } finally {
        await browser.close();
      }
    });
  },
});

Deno.test("web: a cross-origin WebSocket and 100 KB of headers are refused on the chat port", async () => {
  await withServer({}, async (server, track) => {
    const key = "dGhlIHNhbXBsZSBub25jZQ==";
    const crossSite = track(await RawClient.connect(server.port));
    await crossSite.write(
      `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\n` +
        `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
        `Origin: http://evil.example\r\n\r\n`,
    );
    await crossSite.lines.waitFor(/^HTTP\/1\.1 403 /);
    await crossSite.lines.done;

    const huge = track(await RawClient.connect(server.port));
    await huge.write(
      `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: ${"a".repeat(100 * 1024)}\r\n\r\n`,
    ).catch(() => {}); // the server may close before reading it all
    await huge.lines.waitFor(/^HTTP\/1\.1 (431|400) /);
    await huge.lines.done;

    // Chat on the same port is unaffected.
    const nc = track(await ncUser(server, "after"));
    await nc.sendLine("/users");
    await nc.lines.waitFor(/after/);
  });
});

Deno.test({
  name: "web: a dropped WebSocket resumes with nothing lost or twice; a full room is refused",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withServer({ args: ["--room", "duo:1"] }, async (server, track) => {
      const proxy = new Proxy(server.port);
      const browser = await TestBrowser.launch();
      try {
        const ana = await enter(browser, proxy.port, "ana");
        const nc = track(await ncUser(server, "nc"));
        await say(ana, "before the drop");
        await nc.lines.waitFor("<ana> before the drop");

        // The connection drops; the page reconnects by itself and gets back what it missed.
        proxy.cut();
        await nc.sendLine("while you were away");
        await ana.getByText(/Reconnected/).waitFor({ timeout: 20_000 });
        await ana.getByText("while you were away").waitFor();
        await say(ana, "after the drop");
        await nc.lines.waitFor("<ana> after the drop");
        for (const text of ["before the drop", "while you were away", "after the drop"]) {
          assert.equal(await ana.locator("#logs li", { hasText: text }).count(), 1, text);
        }
        assert.equal(nc.lines.lines.filter((line) => line.includes("<ana> before")).length, 1);

        // A full room: the page says why, and the user stays where they were.
        await nc.sendLine("/join duo");
        await nc.lines.waitFor("* You are in duo");
        await say(ana, "/join duo");
        await ana.getByText('Cannot join room "duo": room is full (1/1)').waitFor();
        assert.deepEqual(browser.errors, []);
      } finally {
        await browser.close();
        await proxy.close();
      }
    });
  },
});

Deno.test({
  name:
    "web: the room list shows members/limit and topics before choosing; /help adds the page's commands",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withServer({ args: ["--room", "games:8"] }, async (server, track) => {
      const browser = await TestBrowser.launch();
      try {
        const term = track(await joinedClient(server, "term"));
        await term.send("/create side 5");
        await term.stdout.waitFor("You are in side");
        await term.send("/topic dice and cards");
        await term.stdout.waitFor("dice and cards");

        const ana = await enter(browser, server.port, "ana");
        const panel = ana.locator("#rooms-panel");
        const side = panel.locator("tr", { hasText: "#side" });
        await side.waitFor();
        assert.equal(await side.locator("td").nth(1).innerText(), "1/5");
        assert.equal(await side.locator("td").nth(2).innerText(), "dice and cards");
        assert.equal(
          await panel.locator("tr", { hasText: "#games" }).locator("td").nth(1).innerText(),
          "0/8",
        );
        await panel.locator("tr", { hasText: "#lobby" }).getByText("you are here").waitFor();

        await ana.getByRole("button", { name: "Join #side" }).click();
        await ana.getByText("You are in #side with term").waitFor();
        await side.getByText("you are here").waitFor();
        await term.stdout.waitFor("ana joined");
        assert.equal(await side.locator("td").nth(1).innerText(), "2/5");
        // Someone leaves a room you are in: its count follows.
        await term.send("/leave side");
        await ana.getByText("term left").waitFor();
        assert.equal(await side.locator("td").nth(1).innerText(), "1/5");

        await say(ana, "/help");
        await ana.getByText(/\/rooms \(\/list\) \u2014 /).waitFor();
        await ana.getByText(/\/send \[NICK\] \(\/upload\) \u2014 Pick a file/).waitFor();
        assert.deepEqual(browser.errors, []);
      } finally {
        await browser.close();
      }
    });
  },
});

Deno.test("web: an IRC client over WebSocket (text.ircv3.net) talks with an nc user", async () => {
  await withServer({ args: ["--allow-origin", "https://web.example"] }, async (server, track) => {
    // A web IRC client served by another site the operator allowed may connect; others not.
    for (const [origin, status] of [["https://web.example", 101], ["https://evil.example", 403]]) {
      const raw = track(await RawClient.connect(server.port));
      await raw.write(
        `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n` +
          `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: text.ircv3.net\r\n` +
          `Origin: ${origin}\r\n\r\n`,
      );
      await raw.lines.waitFor(new RegExp(`^HTTP/1\\.1 ${status} `));
      if (status === 101) await raw.lines.waitFor("Sec-WebSocket-Protocol: text.ircv3.net");
      raw.close();
    }
    const nc = track(await ncUser(server, "nc"));
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, ["text.ircv3.net"]);
    const messages: string[] = [];
    let wake = () => {};
    socket.addEventListener("message", (event) => {
      messages.push(String(event.data));
      wake();
    });
    const closed = new Promise((resolve) => socket.addEventListener("close", resolve));
    /** Waits for a message matching `pattern`, one IRC line each, with no line end. */
    const waitFor = async (pattern: RegExp): Promise<string> => {
      const deadline = Date.now() + 10_000;
      while (true) {
        const found = messages.find((message) => pattern.test(message));
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`No ${pattern} in ${JSON.stringify(messages)}`);
        let timer: ReturnType<typeof setTimeout> | undefined;
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, deadline - Date.now());
        });
        clearTimeout(timer);
      }
    };
    try {
      await new Promise((resolve, reject) => {
        socket.addEventListener("open", resolve);
        socket.addEventListener("error", reject);
      });
      assert.equal(socket.protocol, "text.ircv3.net");
      socket.send("NICK webirc");
      socket.send("USER webirc 0 * :Web IRC");
      await waitFor(/^:\S+ 001 webirc /);
      socket.send("JOIN #lobby");
      await waitFor(/^:webirc!\S+ JOIN #lobby/);
      await nc.lines.waitFor("* webirc joined");
      await nc.sendLine("hello over there");
      await waitFor(/^:nc!\S+ PRIVMSG #lobby :hello over there$/);
      socket.send("PRIVMSG #lobby :hi from a web IRC client");
      await nc.lines.waitFor("<webirc> hi from a web IRC client");
      assert.ok(messages.every((message) => !/[\r\n]/.test(message)), "one line per message");
    } finally {
      socket.close();
      await closed;
    }
  });
});
