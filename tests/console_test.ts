import assert from "node:assert/strict";
import type { Line } from "../src/render.ts";
import { CONSOLE_BANNER, type ConsoleUi, runConsole } from "../src/server/console.ts";
import type { AdminApi } from "../src/server/console_commands.ts";
import { Hub } from "../src/server/hub.ts";

/** A console UI that yields `inputs`, then ends the way `endedBy` says. */
class FakeUi implements ConsoleUi {
  readonly shown: string[] = [];
  endedBy: "interrupt" | "end" | "close" | undefined;
  readonly #inputs: string[];
  readonly #end: "interrupt" | "end" | "close";

  constructor(inputs: string[], end: "interrupt" | "end" | "close") {
    this.#inputs = [...inputs];
    this.#end = end;
  }

  show(lines: readonly Line[]): void {
    for (const line of lines) this.shown.push(line.spans.map((span) => span.text).join(""));
  }
  setPrompt(): void {}
  setCompletions(): void {}
  setStatus(): void {}
  bell(): void {}
  clear(): void {}
  close(): void {}
  nextLine(): Promise<string | null> {
    const line = this.#inputs.shift();
    if (line === undefined) this.endedBy = this.#end;
    return Promise.resolve(line ?? null);
  }
}

function api(): AdminApi {
  return {
    hub: new Hub(),
    connections: 0,
    now: () => 0,
    deliver: () => {},
    kick: () => false,
    shutdown: () => {},
    recentEvents: () => [],
    log: { info: () => {} },
    storeStats: () => undefined,
    backup: () => Promise.resolve(0),
  };
}

Deno.test("runConsole() shows its banner as one line, for the terminal to wrap at its width", async () => {
  const ui = new FakeUi([], "end");
  await runConsole(api(), ui);
  assert.deepEqual(ui.shown, [CONSOLE_BANNER]);
  assert.ok(!CONSOLE_BANNER.includes("\n"));
  assert.match(CONSOLE_BANNER, /Ctrl-D closes the console \(the server keeps running\)/);
});

Deno.test("runConsole() tells input that ended from a console closed from outside", async () => {
  // A closed UI means the server is stopping (a signal): not "the server keeps running".
  assert.equal(await runConsole(api(), new FakeUi(["/rooms"], "close")), "close");
  assert.equal(await runConsole(api(), new FakeUi([], "end")), "end");
  assert.equal(await runConsole(api(), new FakeUi([], "interrupt")), "interrupt");
  assert.equal(await runConsole(api(), new FakeUi(["/shutdown", "/rooms"], "end")), "stop");
});
