import assert from "node:assert/strict";
import { parseHistoryRequest } from "../src/dialect/irc/chathistory.ts";
import { hashMsgid, privateMsgid, roomMsgid, seqOfMsgid } from "../src/dialect/irc/msgid.ts";

Deno.test("roomMsgid() names the seq, which seqOfMsgid() reads back; others have none", () => {
  const msgid = roomMsgid({ room: "Games", seq: 42, time: 1_700_000_000_000 });
  assert.equal(msgid, `42-${(1_700_000_000_000).toString(36)}-games`);
  assert.equal(seqOfMsgid(msgid), 42);
  assert.equal(seqOfMsgid("p123-abc"), undefined);
  assert.equal(seqOfMsgid("bogus"), undefined);
  const pm = { from: "ana", to: "bob", time: 5, text: "hi" };
  assert.equal(privateMsgid(pm), privateMsgid({ ...pm }));
  assert.notEqual(privateMsgid(pm), privateMsgid({ ...pm, text: "ho" }));
  assert.match(hashMsgid("t", 5, ["x"]), /^t5-[0-9a-z]+$/);
});

Deno.test("parseHistoryRequest() reads each subcommand's references and limit", () => {
  const msgid = roomMsgid({ room: "games", seq: 7, time: 1000 });
  assert.deepEqual(parseHistoryRequest("LATEST", ["*", "10"]), { limit: 10, from: "newest" });
  assert.deepEqual(parseHistoryRequest("LATEST", [`msgid=${msgid}`, "5"]), {
    after: { seq: 7 },
    limit: 5,
    from: "newest",
  });
  assert.deepEqual(parseHistoryRequest("BEFORE", ["timestamp=1970-01-01T00:00:01.000Z", "3"]), {
    before: { time: 1000 },
    limit: 3,
    from: "newest",
  });
  assert.deepEqual(parseHistoryRequest("AFTER", [`msgid=${msgid}`, "999999"]), {
    after: { seq: 7 },
    limit: 100,
    from: "oldest",
  });
  assert.deepEqual(parseHistoryRequest("AROUND", [`msgid=${msgid}`, "4"]), {
    around: { seq: 7 },
    limit: 4,
  });
  assert.deepEqual(
    parseHistoryRequest("BETWEEN", [`msgid=${msgid}`, "timestamp=1970-01-01T00:00:00.000Z", "2"]),
    { between: [{ seq: 7 }, { time: 0 }], limit: 2 },
  );
  for (
    const [sub, params] of [
      ["FROB", ["*", "1"]],
      ["LATEST", ["*"]],
      ["LATEST", ["*", "-1"]],
      ["BEFORE", ["*", "1"]],
      ["BEFORE", ["msgid=nope", "1"]],
      ["AFTER", ["timestamp=yesterday", "1"]],
      ["BETWEEN", ["msgid=1-a-x", "2"]],
    ] as const
  ) {
    assert.equal(typeof parseHistoryRequest(sub, params), "string", `${sub} ${params}`);
  }
});
