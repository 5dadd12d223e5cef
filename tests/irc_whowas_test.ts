import * as assert from "node:assert/strict";
import type { UserInfo } from "../src/dialect/dialect.ts";
import { whowasReplies } from "../src/dialect/irc/whowas.ts";

const OPTIONS = { host: "chat", server: "irc.example", serverInfo: "test server" };

/** Departed users, newest first, as the hub keeps them. */
const HISTORY: UserInfo[] = [
  { nick: "cy", user: "cy3", realName: "Cy" },
  { nick: "Bea", user: "bea2", realName: "" },
  { nick: "cy", user: "cy1", realName: "Cy" },
  { nick: "bea", user: "bea0", realName: "Bea" },
];

function departed(...nicks: string[]): UserInfo[] {
  const wanted = new Set(nicks.map((nick) => nick.toLowerCase()));
  return HISTORY.filter((info) => wanted.has(info.nick.toLowerCase()));
}

Deno.test("whowasReplies() lists several targets newest first across them, then one 369", () => {
  const replies = whowasReplies("bea,cy", "", departed, OPTIONS);
  assert.deepEqual(replies.filter(([code]) => code === "314").map((reply) => reply[2]), [
    "cy3",
    "bea2",
    "cy1",
    "bea0",
  ]);
  assert.deepEqual(replies[1], ["312", "cy", "irc.example", "test server"]);
  assert.deepEqual(replies.at(-1), ["369", "bea,cy", "End of WHOWAS"]);
});

Deno.test("whowasReplies() applies the count to each nick", () => {
  const replies = whowasReplies("cy,BEA", "1", departed, OPTIONS);
  assert.deepEqual(replies.filter(([code]) => code === "314").map((reply) => reply[2]), [
    "cy3",
    "bea2",
  ]);
  // A real name left empty shows the nick.
  assert.deepEqual(replies[2], ["314", "Bea", "bea2", "chat", "*", "Bea"]);
});

Deno.test("whowasReplies() answers 406 for each unknown nick and 431 for none", () => {
  assert.deepEqual(whowasReplies("dan", "", departed, OPTIONS), [
    ["406", "dan", "There was no such nickname"],
    ["369", "dan", "End of WHOWAS"],
  ]);
  const mixed = whowasReplies("dan,cy", "-1", departed, OPTIONS);
  assert.deepEqual(mixed.map(([code]) => code), ["314", "312", "314", "312", "406", "369"]);
  assert.deepEqual(whowasReplies(",", "", departed, OPTIONS), [["431", "No nickname given"]]);
});
