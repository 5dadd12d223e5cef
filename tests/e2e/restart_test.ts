/**
 * End-to-end: a server restart does not end the terminal client. Told the server is shutting
 * down, it keeps the typed line and reconnects once the server is back on the same port.
 */
import assert from "node:assert/strict";
import { chatCommand, ChatProcess, joinedClient, startServer } from "./harness.ts";
import { shellQuote, TmuxSession } from "./tmux.ts";

const lastLine = (lines: string[]) => lines.filter((line) => line.trim() !== "").at(-1) ?? "";

Deno.test("the terminal client rides out a server restart, keeping what is being typed", async () => {
  const first = await startServer();
  const port = first.port;
  const session = new TmuxSession();
  let second: ChatProcess | undefined;
  try {
    const { command, args } = chatCommand(["join", `127.0.0.1:${port}`, "--nick", "ana"]);
    await session.start(`NO_COLOR=1 ${[command, ...args].map(shellQuote).join(" ")}; sleep 60`);
    await session.waitFor((lines) => lines.some((l) => l.includes("You are in lobby")), "join");
    await session.type("half a thou");
    first.kill("SIGTERM");
    assert.equal((await first.exit()).code, 0, first.stderr.text());
    await session.waitFor(
      (lines) =>
        lines.some((l) =>
          l.includes("* Server is shutting down: reconnecting when it is back (Ctrl-C to leave)")
        ) && lastLine(lines) === "[lobby] ana> half a thou",
      "the restart noted, the typed line kept",
    );
    // The same server again, on the same port.
    second = new ChatProcess(["serve", "--host", "127.0.0.1", "--port", String(port)], {});
    await second.stdout.waitFor(/listening/);
    await session.waitFor(
      (lines) =>
        lines.some((l) => l.includes(`* Reconnected to 127.0.0.1:${port}`)) &&
        lastLine(lines) === "[lobby] ana> half a thou",
      "back, the typed line still there",
    );
    const bob = await joinedClient({ host: "127.0.0.1", port }, "bob");
    try {
      await session.type("ght");
      await session.press("Enter");
      await bob.stdout.waitFor("<ana> half a thought");
    } finally {
      await bob.stop();
    }
    await session.press("C-c");
  } finally {
    await session.kill();
    await first.stop();
    await second?.stop();
  }
});
