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
        "sleep 60",
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
    const after = await session.waitFor((lines) => lines.some((l) => l.includes("EXIT=")), "exit");
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
  try {
    const { command, args } = chatCommand(["join"]);
    await session.start(`NO_COLOR=1 ${[command, ...args].map(shellQuote).join(" ")}; sleep 60`);
    await session.waitFor((lines) => lastLine(lines).startsWith("Server (host:port):"), "address");
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
