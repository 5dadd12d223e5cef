/** The hub's part in accounts: a registered nick is only for whoever is logged in to it. */
import assert from "node:assert/strict";
import { Hub } from "../src/server/hub.ts";
import { MemoryAccountStore } from "../src/store/memory_account_store.ts";
import { assertChatError } from "./assert_chat_error.ts";

function hubWithAccount(): Hub {
  const accounts = new MemoryAccountStore();
  accounts.create({ key: "ana", name: "Ana", hash: "h", created: 0, operator: false });
  return new Hub({ accounts });
}

Deno.test("Hub.register() refuses a registered nick to anyone not logged in to it", () => {
  const hub = hubWithAccount();
  assertChatError(() => hub.register(1, "ANA", 0), "nick_registered", /registered: log in/);
  assert.equal(hub.nickOf(1), undefined, "the connection may try again");
  hub.login(2, "Ana");
  hub.register(2, "ana", 0);
  assert.equal(hub.nickOf(2), "ana");
  assert.equal(hub.accountOf(2), "ana");
  assert.equal(hub.loggedIn("ANA"), 2);
});

Deno.test("Hub.rename() refuses a registered nick; logout ends the login, disconnect too", () => {
  const hub = hubWithAccount();
  hub.register(1, "bob", 0);
  assertChatError(() => hub.rename(1, "ana", 0), "nick_registered", /registered/);
  hub.login(1, "ana");
  hub.rename(1, "Ana", 0);
  assert.equal(hub.nickOf(1), "Ana");
  hub.logout(1);
  assert.equal(hub.accountOf(1), undefined);
  assert.equal(hub.nickOf(1), "Ana", "the nick stays on this connection");
  hub.login(1, "ana");
  hub.disconnect(1, "", 0);
  assert.equal(hub.loggedIn("ana"), undefined);
});

Deno.test("Hub.disconnect() ends a login made before any nick was taken", () => {
  const hub = hubWithAccount();
  hub.login(4, "ana");
  assert.equal(hub.loggedIn("ana"), 4);
  hub.disconnect(4, "", 0);
  assert.equal(hub.loggedIn("ana"), undefined);
});

Deno.test("Hub.login() and logout() tell those sharing a room or watching the nick (account-notify)", () => {
  const hub = hubWithAccount();
  // A login before registration tells nobody: the member is in no room yet.
  assert.deepEqual(hub.login(1, "ana"), []);
  hub.register(1, "ana", 0);
  hub.register(2, "bob", 0);
  hub.register(3, "cy", 0);
  hub.createRoom(2, "games", {}, 0);
  hub.join(1, "games", undefined, 0);
  hub.watch(3, ["dee"], true);
  // Everyone is in the lobby: bob and cy share it with ana.
  assert.deepEqual(hub.logout(1), [{ to: [2, 3], frame: { type: "account", nick: "ana" } }]);
  assert.deepEqual(hub.logout(1), [], "not logged in: nothing changes");
  // The account's name, as it was registered.
  assert.deepEqual(hub.login(1, "ANA"), [
    { to: [2, 3], frame: { type: "account", nick: "ana", account: "Ana" } },
  ]);
  assert.deepEqual(hub.login(1, "ana"), [], "the same login again is no change");
  // Someone alone in no shared room, but watched, is told to the watcher.
  hub.register(4, "dee", 0);
  hub.createRoom(4, "alone", {}, 0);
  hub.leave(4, "lobby", "", 0);
  assert.deepEqual(hub.login(4, "dee"), [
    { to: [3], frame: { type: "account", nick: "dee", account: "dee" } },
  ]);
});
