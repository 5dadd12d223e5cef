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
