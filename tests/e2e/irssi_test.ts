/**
 * End to end: irssi, a real IRC client, driven inside tmux against a real server. It is set up
 * the way README tells people to (`/network add -sasl_mechanism PLAIN ...`), logs in with SASL
 * PLAIN before registering (so it may take its account's registered nick), joins #lobby and
 * talks with a `chat join` user both ways. Skipped when irssi is not installed
 * (`apt-get install irssi`; `.ci/run` installs it).
 */
import assert from "node:assert/strict";
import { joinedClient, ncUser, withServer } from "./harness.ts";
import { shellQuote, TmuxSession } from "./tmux.ts";

/** Whether `irssi` is on the PATH. */
async function irssiInstalled(): Promise<boolean> {
  const found = await new Deno.Command("sh", { args: ["-c", "command -v irssi"], stdout: "null" })
    .output().catch(() => undefined);
  return found?.success === true;
}

/** Whether any line of the screen holds `text`. */
function shows(text: string): (lines: string[]) => boolean {
  return (lines) => lines.some((line) => line.includes(text));
}

Deno.test("irssi logs in with SASL PLAIN, joins #lobby and talks with a chat join user", async (t) => {
  if (!await irssiInstalled()) {
    t.step({ name: "irssi is not installed (apt-get install irssi)", ignore: true, fn: () => {} });
    return;
  }
  await withServer({}, async (server, track) => {
    // The account irssi logs in to; its nick is then refused to anyone not logged in.
    const maker = track(await ncUser(server, "ana"));
    await maker.sendLine("/register sesame123");
    await maker.lines.waitFor("* Nick ana is now your account");
    await maker.sendLine("/quit");
    await maker.lines.done;

    const bob = track(await joinedClient(server, "bob"));
    // Its own settings folder: nothing of this machine's ~/.irssi is read or written.
    const home = await Deno.makeTempDir({ prefix: "chat_irssi_" });
    const irssi = new TmuxSession({ width: 140, height: 40 });
    try {
      await irssi.start(`irssi --home=${shellQuote(home)} -n ana --noconnect`);
      await irssi.waitFor(shows("[(status)]"), "irssi's status window");
      await irssi.enter(
        "/network add -sasl_username ana -sasl_password sesame123 -sasl_mechanism PLAIN chat",
      );
      await irssi.waitFor(shows("Network chat saved"), "the network saved");
      await irssi.enter(`/server add -network chat -notls 127.0.0.1 ${server.port}`);
      await irssi.waitFor(shows(`Server 127.0.0.1 saved`), "the server saved");
      await irssi.enter("/connect chat");
      // 900, then 903, then the welcome, for the registered nick.
      const screen = await irssi.waitFor(
        shows("Welcome to the chat IRC network, ana"),
        "the welcome after SASL",
      );
      const at = (text: string) => screen.findIndex((line) => line.includes(text));
      assert.ok(at("You are now logged in as ana") >= 0, screen.join("\n"));
      assert.ok(at("SASL authentication succeeded") > at("You are now logged in as ana"));
      assert.ok(at("Welcome to the chat IRC network") > at("SASL authentication succeeded"));

      await irssi.enter("/join #lobby");
      // irssi opens the window when it sends JOIN; the names list comes with the server's answer.
      await irssi.waitFor(shows("#lobby: Total of 2 nicks"), "the names in #lobby");
      // Everyone is in the lobby underneath from registration on (IRC users see it once joined).
      await bob.stdout.waitFor("* ana joined");
      await bob.send("hello from chat join");
      await irssi.waitFor(shows("< bob> hello from chat join"), "bob's message");
      await irssi.enter("hi bob, this is irssi");
      await bob.stdout.waitFor("<ana> hi bob, this is irssi");
    } finally {
      await irssi.kill();
      await Deno.remove(home, { recursive: true });
    }
  });
});
