/** The AccountStore contract, run against every implementation. */
import assert from "node:assert/strict";
import type { AccountRecord, AccountStore } from "../src/store/account_store.ts";
import { MemoryAccountStore } from "../src/store/memory_account_store.ts";
import { SqliteAccountStore } from "../src/store/sqlite_account_store.ts";
import { SqliteDatabase } from "../src/store/sqlite_database.ts";

const IMPLEMENTATIONS: [string, () => AccountStore][] = [
  ["MemoryAccountStore", () => new MemoryAccountStore()],
  ["SqliteAccountStore", () => new SqliteAccountStore(SqliteDatabase.open(":memory:"))],
];

function account(name: string, fields: Partial<AccountRecord> = {}): AccountRecord {
  return {
    key: name.toLowerCase(),
    name,
    hash: `hash-of-${name}`,
    created: 1,
    operator: false,
    ...fields,
  };
}

for (const [name, make] of IMPLEMENTATIONS) {
  Deno.test(`${name} creates and finds accounts, and refuses a second with the same key`, () => {
    const accounts = make();
    assert.equal(accounts.find("ana"), undefined);
    accounts.create(account("Ana"));
    assert.deepEqual(accounts.find("ana"), account("Ana"));
    assert.throws(() => accounts.create(account("Ana", { hash: "other" })), RangeError);
    assert.equal(accounts.find("ana")?.hash, "hash-of-Ana");
  });

  Deno.test(`${name} changes a hash, makes operators, and removes accounts`, () => {
    const accounts = make();
    accounts.create(account("Ana"));
    accounts.create(account("Bob"));
    accounts.setHash("ana", "new");
    assert.equal(accounts.find("ana")?.hash, "new");
    assert.deepEqual(accounts.operators(), []);
    accounts.setOperator("bob", true);
    assert.deepEqual(accounts.operators(), ["Bob"]);
    assert.equal(accounts.find("bob")?.operator, true);
    accounts.setOperator("bob", false);
    assert.deepEqual(accounts.operators(), []);
    assert.throws(() => accounts.setHash("nobody", "x"), RangeError);
    assert.throws(() => accounts.setOperator("nobody", true), RangeError);
    assert.equal(accounts.remove("ana"), true);
    assert.equal(accounts.remove("ana"), false);
    assert.equal(accounts.find("ana"), undefined);
    assert.equal(accounts.find("bob")?.name, "Bob");
  });
}

Deno.test("SqliteAccountStore keeps accounts across reopening the database file", async () => {
  const folder = await Deno.makeTempDir({ prefix: "chat-accounts-" });
  const file = `${folder}/chat.db`;
  const first = SqliteDatabase.open(file);
  new SqliteAccountStore(first).create(account("Ana", { operator: true }));
  first.commit();
  first.close();
  const second = SqliteDatabase.open(file);
  assert.deepEqual(new SqliteAccountStore(second).find("ana"), account("Ana", { operator: true }));
  second.close();
  await Deno.remove(folder, { recursive: true });
});
