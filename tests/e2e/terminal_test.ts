/**
 * End-to-end in a real terminal: the client runs inside tmux, keys are typed with send-keys and
 * the screen is read with capture-pane.
 */
import assert from "node:assert/strict";
import { chatCommand, DEADLINE_MS, joinedClient, startServer } from "./harness.ts";

async function tmux(...args: string[]): Promise<string> {
  const output = await new Deno.Command("tmux", { args, stdout: "piped", stderr: "piped" })
    .output();
  if (!output.success) {
    throw new Error(`tmux ${args.join(" ")} failed: ${new TextDecoder().decode(output.stderr)}`);
  }
  return new TextDecoder().decode(output.stdout);
}

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A tmux session running one command in a 100x30 terminal. */
class TmuxSession {
  readonly name = `chat-test-${Deno.pid}-${Math.random().toString(36).slice(2, 8)}`;

  async start(command: string): Promise<void> {
    await tmux("new-session", "-d", "-s", this.name, "-x", "100", "-y", "30", command);
  }

  async screen(): Promise<string[]> {
    return (await tmux("capture-pane", "-p", "-t", this.name)).split("\n");
  }

  /** Types text literally (no Enter). */
  async type(text: string): Promise<void> {
    await tmux("send-keys", "-t", this.name, "-l", text);
  }

  /** Presses named keys such as Enter or C-c. */
  async press(...keys: string[]): Promise<void> {
    await tmux("send-keys", "-t", this.name, ...keys);
  }

  /** Polls the screen until `check` passes, or fails with the screen after the deadline. */
  async waitFor(check: (lines: string[]) => boolean, what: string): Promise<string[]> {
    const deadline = Date.now() + DEADLINE_MS;
    while (true) {
      const lines = await this.screen();
      if (check(lines)) return lines;
      if (Date.now() > deadline) {
        throw new Error(`Screen never showed ${what}:\n${lines.join("\n")}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50)); // poll interval, not a sync sleep
    }
  }

  async kill(): Promise<void> {
    await tmux("kill-session", "-t", this.name).catch(() => "");
  }
}

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
    const screen = await session.waitFor(
      (lines) => lines.some((l) => l.includes("<bob> message number 30")),
      "bob's messages",
    );
    // Messages scrolled past above; the input line is still the last line, exactly as typed.
    assert.equal(lastLine(screen), "[lobby] ana> hello wor");
    assert.match(screen.find((l) => l.includes("<bob> message number 30")) ?? "", /^\d\d:\d\d /);
    await session.type("ld");
    await session.press("Enter");
    await bob.stdout.waitFor("<ana> hello world");
    await session.waitFor((lines) => lines.some((l) => /<ana> hello world$/.test(l)), "own line");
    assert.equal(lastLine(await session.screen()).trimEnd(), "[lobby] ana>");
    // Ctrl-C leaves cleanly and restores the terminal.
    await session.press("C-c");
    await session.waitFor((lines) => lines.some((l) => l.includes("EXIT=")), "exit");
    assert.ok((await session.screen()).some((l) => l.includes("EXIT=0")));
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
