/**
 * End-to-end in a real terminal: the client runs inside tmux, keys are typed with send-keys and
 * the screen is read with capture-pane.
 */
import assert from "node:assert/strict";
import { chatCommand, joinedClient, startServer } from "./harness.ts";
import { shellQuote, TmuxSession } from "./tmux.ts";

const lastLine = (lines: string[]) => lines.filter((line) => line.trim() !== "").at(-1) ?? "";

Deno.test("the terminal client keeps the typed line intact while messages arrive", async () => {
  const server = await startServer();
  const session = new TmuxSession();
  const dir = await Deno.makeTempDir();
  const bob = await joinedClient(server, "bob");
  try {
    const { command, args } = chatCommand(["join", `127.0.0.1:${server.port}`, "--nick", "ana"]);
    const chat = [command, ...args].map(shellQuote).join(" ");
    await session.start(
      `stty -g > ${dir}/before; NO_COLOR=1 ${chat}; echo "EXIT=$?"; stty -g > ${dir}/after; ` +
        'echo "RESTORED"; sleep 60',
    );
    await session.waitFor((lines) => lines.some((l) => l.includes("You are in lobby")), "join");
    await session.type("hello wor");
    for (let i = 1; i <= 30; i++) await bob.send(`message number ${i}`);
    // Messages scroll past above; the input line stays the last line, exactly as typed.
    const screen = await session.waitFor(
      (lines) =>
        lines.some((l) => l.includes("<bob> message number 30")) &&
        lastLine(lines) === "[lobby] ana> hello wor",
      'bob\'s messages above "[lobby] ana> hello wor"',
    );
    assert.match(screen.find((l) => l.includes("<bob> message number 30")) ?? "", /^\d\d:\d\d /);
    await session.type("ld");
    await session.press("Enter");
    await bob.stdout.waitFor("<ana> hello world");
    await session.waitFor(
      (lines) =>
        lines.some((l) => /<ana> hello world$/.test(l)) &&
        lastLine(lines).trimEnd() === "[lobby] ana>",
      'the own line above an empty "[lobby] ana>" prompt',
    );
    // Ctrl-C leaves cleanly and restores the terminal.
    await session.press("C-c");
    // RESTORED is echoed once `stty -g` has written the settings after the exit.
    const after = await session.waitFor(
      (lines) => lines.some((l) => l.includes("RESTORED")),
      "exit and terminal settings read",
    );
    assert.ok(after.some((l) => l.includes("EXIT=0")), after.join("\n"));
    await bob.stdout.waitFor("* ana left");
    assert.equal(await Deno.readTextFile(`${dir}/after`), await Deno.readTextFile(`${dir}/before`));
  } finally {
    await session.kill();
    await bob.stop();
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the terminal client asks for the address and nick when they are missing", async () => {
  const server = await startServer();
  const session = new TmuxSession();
  // A port nobody listens on: bind, note it, close.
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedPort = (closed.addr as Deno.NetAddr).port;
  closed.close();
  try {
    const { command, args } = chatCommand(["join"]);
    await session.start(`NO_COLOR=1 ${[command, ...args].map(shellQuote).join(" ")}; sleep 60`);
    await session.waitFor(
      (lines) => lastLine(lines).startsWith("Server (host:port) [127.0.0.1:12345]:"),
      "the address prompt with its default",
    );
    // Nobody there: the error, and the question again.
    await session.type(`127.0.0.1:${closedPort}`);
    await session.press("Enter");
    await session.waitFor(
      (lines) =>
        lines.some((l) => l.includes(`! Cannot connect to 127.0.0.1:${closedPort}: connection`)) &&
        lastLine(lines).startsWith("Server (host:port)"),
      "the error and the address prompt again",
    );
    await session.type(`127.0.0.1:${server.port}`);
    await session.press("Enter");
    await session.waitFor((lines) => lastLine(lines).startsWith("Nick:"), "nick prompt");
    await session.type("newcomer");
    await session.press("Enter");
    await session.waitFor(
      (lines) => lines.some((l) => l.includes("Welcome, newcomer!")),
      "the welcome",
    );
    await session.press("C-d");
  } finally {
    await session.kill();
    await server.stop();
  }
});

/** Starts `chat join` as ana in a tmux session; resolves once she is in the lobby. */
async function startAna(session: TmuxSession, port: number): Promise<void> {
  const { command, args } = chatCommand(["join", `127.0.0.1:${port}`, "--nick", "ana"]);
  await session.start(`NO_COLOR=1 ${[command, ...args].map(shellQuote).join(" ")}; sleep 60`);
  await session.waitFor((lines) => lines.some((l) => l.includes("You are in lobby")), "join");
}

Deno.test("the terminal client shows the user's own /me, completes commands with Tab, and clears with Ctrl-L", async () => {
  const server = await startServer();
  const session = new TmuxSession();
  const bob = await joinedClient(server, "bob");
  try {
    await startAna(session, server.port);
    await session.enter("/me waves at everyone");
    await bob.stdout.waitFor("** ana waves at everyone");
    await session.waitFor(
      (lines) => lines.some((l) => /^\d\d:\d\d \*\* ana waves at everyone$/.test(l.trimEnd())),
      "ana's own action",
    );
    // Tab completes a command from the server's table, and one of the client's own.
    await session.type("/whoi");
    await session.press("Tab");
    await session.waitFor((lines) => lastLine(lines) === "[lobby] ana> /whois", "/whois");
    await session.type("bob");
    await session.press("Enter");
    await session.waitFor((lines) => lines.some((l) => l.includes("* bob: in lobby")), "whois");
    await session.type("/fil");
    await session.press("Tab");
    await session.waitFor((lines) => lastLine(lines) === "[lobby] ana> /files", "/files");
    await session.press("C-u");
    // Ctrl-L: the screen is cleared, the input line drawn again at the top.
    await session.type("half typed");
    await session.press("C-l");
    await session.waitFor(
      (lines) => lines.filter((l) => l.trim() !== "").join("|") === "[lobby] ana> half typed",
      "a clear screen with the input line",
    );
    await session.press("C-c");
  } finally {
    await session.kill();
    await bob.stop();
    await server.stop();
  }
});

Deno.test("the terminal client redraws a long typed line on a narrower terminal, leaving no stale copy", async () => {
  const server = await startServer();
  const session = new TmuxSession({ width: 100, height: 20, scrollback: 100 });
  try {
    await startAna(session, server.port);
    await session.type("x".repeat(80));
    await session.waitFor((lines) => lastLine(lines).endsWith("x".repeat(80)), "the typed line");
    await session.run("resize-window", "-t", session.name, "-x", "40");
    // 39 usable columns: the prompt, a `<` for the hidden start, the end of the line.
    await session.waitFor(
      (lines) => lastLine(lines) === `[lobby] ana> <${"x".repeat(24)}`,
      "the line redrawn for 40 columns",
    );
    await session.run("resize-window", "-t", session.name, "-x", "20");
    // 19 usable columns: the prompt's end, then the input.
    await session.waitFor(
      (lines) => lastLine(lines) === `\u2026> <${"x".repeat(14)}`,
      "the line redrawn for 20 columns",
    );
    await session.press("Enter");
    const screen = await session.waitFor(
      (lines) => lastLine(lines).trimEnd() === "\u2026>",
      "the empty prompt after sending",
    );
    // Nothing of the old input line is left behind: no other prompt anywhere.
    const prompts = screen.filter((line) => /\[lobby\] ana>|\u2026>/.test(line));
    assert.deepEqual(prompts.map((line) => line.trimEnd()), ["\u2026>"], screen.join("\n"));
    await session.press("C-c");
  } finally {
    await session.kill();
    await server.stop();
  }
});
