/** The IRC dialect's side of accounts: SASL, NickServ, OPER, KILL, +b, account numerics. */
import assert from "node:assert/strict";
import type { DialectView, Intent, UserInfo } from "../src/dialect/dialect.ts";
import { IrcDialect } from "../src/dialect/irc/dialect.ts";
import { FollowingRooms } from "./following_view.ts";
import { banMask, nickOfMask } from "../src/dialect/irc/channel_modes.ts";
import { ChatError } from "../src/errors.ts";
import type { HubEvent } from "../src/server/events.ts";

const decoder = new TextDecoder();

/** Who is in which room, as the hub would have it: follows the events tests show. */
const world = new FollowingRooms();

function view(nick?: string, users: Record<string, UserInfo> = {}): DialectView {
  return {
    nick,
    rooms: () => ["lobby"],
    user: (name) => users[name.toLowerCase()],
    departed: () => [],
    members: (key) => world.members(key),
    roomKeysOf: (name) => world.roomKeysOf(name),
  };
}

function rawLines(intents: Intent[]): string[] {
  return intents.flatMap((intent) =>
    intent.kind === "raw" ? decoder.decode(intent.bytes).split("\r\n").filter((l) => l !== "") : []
  );
}

function shown(irc: IrcDialect, event: HubEvent, on: DialectView = view("ana")): string[] {
  return decoder.decode(irc.encode(world.follow(event), on, new Map())).split("\r\n").filter((l) =>
    l !== ""
  );
}

function registered(nick = "ana", rooms: string[] = []): IrcDialect {
  world.reset();
  const irc = new IrcDialect();
  irc.read(`NICK ${nick}`, view());
  irc.read(`USER ${nick} 0 * :${nick}`, view());
  shown(irc, { type: "welcome", version: 1, server: "chat", nick }, view(nick));
  shown(irc, { type: "rooms", rooms: [{ name: "lobby", members: 2 }] }, view(nick));
  shown(irc, { type: "room", room: "lobby", members: [nick, "bob"], seq: 0 }, view(nick));
  for (const room of rooms) {
    shown(irc, { type: "room", room, members: [nick, "bob"], owner: nick, seq: 0 }, view(nick));
  }
  return irc;
}

/** The id of the last intent that carries one. */
function lastId(intents: Intent[]): string | undefined {
  return intents.flatMap((intent) => "id" in intent && intent.id !== undefined ? [intent.id] : [])
    .at(-1);
}

Deno.test("IrcDialect offers sasl=PLAIN in CAP LS 302 and plain names before 302", () => {
  const irc = new IrcDialect();
  assert.match(rawLines(irc.read("CAP LS 302", view()))[0] ?? "", / sasl=PLAIN /);
  assert.match(rawLines(new IrcDialect().read("CAP LS", view()))[0] ?? "", / sasl /);
  assert.deepEqual(rawLines(irc.read("CAP REQ :sasl account-tag", view())), [
    ":chat CAP * ACK :sasl account-tag",
  ]);
});

Deno.test("IrcDialect SASL PLAIN logs in before registration, which waits for CAP END", () => {
  const irc = new IrcDialect();
  irc.read("CAP LS 302", view());
  irc.read("CAP REQ sasl", view());
  assert.deepEqual(irc.read("NICK ana", view()), []);
  assert.deepEqual(irc.read("USER ana 0 * :Ana", view()), []);
  assert.deepEqual(rawLines(irc.read("AUTHENTICATE plain", view())), ["AUTHENTICATE +"]);
  const intents = irc.read(`AUTHENTICATE ${btoa("\0ana\0sesame")}`, view());
  assert.equal(intents.length, 1);
  const intent = intents[0];
  assert.ok(intent?.kind === "authenticate" && "password" in intent);
  assert.deepEqual(
    { account: intent.account, password: intent.password, purpose: intent.purpose },
    { account: "ana", password: "sesame", purpose: "sasl" },
  );
  assert.deepEqual(
    shown(irc, { type: "logged_in", account: "Ana", operator: false, purpose: "sasl" }, view()),
    [
      ":chat 900 * ana!ana@chat Ana :You are now logged in as Ana",
      ":chat 903 * :SASL authentication successful",
    ],
  );
  assert.deepEqual(rawLines(irc.read("AUTHENTICATE PLAIN", view())), [
    ":chat 907 * :You have already authenticated using SASL",
  ]);
  assert.deepEqual(irc.read("CAP END", view()), [
    { kind: "register", nick: "ana", user: "ana", realName: "Ana" },
  ]);
});

Deno.test("IrcDialect SASL failures: 904 for a wrong password, 908 mechanisms, 905, 906", () => {
  const irc = new IrcDialect();
  irc.read("CAP LS 302", view());
  assert.deepEqual(rawLines(irc.read("AUTHENTICATE EXTERNAL", view())), [
    ":chat 908 * PLAIN :are available SASL mechanisms",
    ":chat 904 * :SASL authentication failed: unknown mechanism",
  ]);
  irc.read("AUTHENTICATE PLAIN", view());
  const intents = irc.read(`AUTHENTICATE ${btoa("\0ana\0wrong!")}`, view());
  const error = new ChatError("login_failed", "Wrong nick or password");
  assert.deepEqual(shown(irc, { type: "failure", error, ref: lastId(intents) }, view()), [
    ":chat 904 * :SASL authentication failed: Wrong nick or password",
  ]);
  irc.read("AUTHENTICATE PLAIN", view());
  assert.deepEqual(rawLines(irc.read(`AUTHENTICATE ${"A".repeat(401)}`, view())), [
    ":chat 905 * :SASL message too long",
  ]);
  irc.read("AUTHENTICATE PLAIN", view());
  assert.deepEqual(rawLines(irc.read("AUTHENTICATE *", view())), [
    ":chat 906 * :SASL authentication aborted",
  ]);
  irc.read("AUTHENTICATE PLAIN", view());
  assert.deepEqual(rawLines(irc.read("AUTHENTICATE !!!!", view())), [
    ":chat 904 * :SASL authentication failed: the response is not base64",
  ]);
  irc.read("AUTHENTICATE PLAIN", view());
  assert.match(
    rawLines(irc.read(`AUTHENTICATE ${btoa("bob\0ana\0sesame")}`, view()))[0] ?? "",
    /^:chat 904 \* :SASL authentication failed: Logging in as another account/,
  );
  // Registration while an exchange is unfinished aborts it (906) and goes on without a login.
  irc.read("AUTHENTICATE PLAIN", view());
  irc.read("NICK ana", view());
  irc.read("USER ana 0 * :Ana", view());
  const end = irc.read("CAP END", view());
  assert.deepEqual(rawLines(end), [":chat 906 * :SASL authentication aborted"]);
  assert.equal(end.at(-1)?.kind, "register");
});

Deno.test("IrcDialect offers OAUTHBEARER only on a server that takes tokens", () => {
  const plain = new IrcDialect();
  assert.match(rawLines(plain.read("CAP LS 302", view()))[0] ?? "", / sasl=PLAIN /);
  plain.read("AUTHENTICATE OAUTHBEARER", view());
  assert.deepEqual(rawLines(plain.read("AUTHENTICATE OAUTHBEARER", view())), [
    ":chat 908 * PLAIN :are available SASL mechanisms",
    ":chat 904 * :SASL authentication failed: unknown mechanism",
  ]);
  const sso = new IrcDialect({ tokens: {} });
  assert.match(rawLines(sso.read("CAP LS 302", view()))[0] ?? "", / sasl=PLAIN,OAUTHBEARER /);
  assert.deepEqual(
    rawLines(sso.read("AUTHENTICATE EXTERNAL", view()))[0],
    ":chat 908 * PLAIN,OAUTHBEARER :are available SASL mechanisms",
  );
});

Deno.test("IrcDialect SASL OAUTHBEARER: a token login, then 900 and 903", () => {
  const irc = new IrcDialect({ tokens: { configuration: "https://id.example/.well-known/x" } });
  irc.read("CAP LS 302", view());
  irc.read("CAP REQ sasl", view());
  irc.read("NICK ana", view());
  irc.read("USER ana 0 * :Ana", view());
  assert.deepEqual(rawLines(irc.read("AUTHENTICATE oauthbearer", view())), ["AUTHENTICATE +"]);
  const message = "n,a=ana,\x01host=chat\x01port=6667\x01auth=Bearer eyJ.eyJ.sig\x01\x01";
  const intents = irc.read(`AUTHENTICATE ${btoa(message)}`, view());
  assert.deepEqual(intents, [{
    kind: "authenticate",
    token: "eyJ.eyJ.sig",
    account: "ana",
    purpose: "sasl",
    id: lastId(intents),
  }]);
  assert.deepEqual(
    shown(irc, { type: "logged_in", account: "ana", operator: false, purpose: "sasl" }, view()),
    [
      ":chat 900 * ana!ana@chat ana :You are now logged in as ana",
      ":chat 903 * :SASL authentication successful",
    ],
  );
  // Without a=, the token alone names the account.
  const bare = new IrcDialect({ tokens: {} });
  bare.read("AUTHENTICATE OAUTHBEARER", view());
  const alone = bare.read(`AUTHENTICATE ${btoa("n,,\x01auth=Bearer t.k.n\x01\x01")}`, view());
  assert.deepEqual(alone, [
    { kind: "authenticate", token: "t.k.n", purpose: "sasl", id: lastId(alone) },
  ]);
});

Deno.test("IrcDialect SASL OAUTHBEARER: a refused token is the RFC 7628 challenge, then 904", () => {
  const configuration = "http://127.0.0.1:9/.well-known/openid-configuration";
  const irc = new IrcDialect({ tokens: { configuration } });
  irc.read("CAP LS 302", view());
  irc.read("AUTHENTICATE OAUTHBEARER", view());
  const token = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
  const intents = irc.read(`AUTHENTICATE ${btoa(`n,,\x01auth=Bearer ${token}\x01\x01`)}`, view());
  const error = new ChatError("login_failed", "Token refused: it has expired");
  const challenge = shown(irc, { type: "failure", error, ref: lastId(intents) }, view());
  assert.equal(challenge.length, 1);
  const [verb, payload = ""] = (challenge[0] ?? "").split(" ");
  assert.equal(verb, "AUTHENTICATE");
  assert.deepEqual(JSON.parse(atob(payload)), {
    status: "invalid_token",
    "openid-configuration": configuration,
  });
  // The client answers with a single ^A; then the failure, with the reason (never the token).
  const failed = rawLines(irc.read("AUTHENTICATE AQ==", view()));
  assert.deepEqual(failed, [
    ":chat 904 * :SASL authentication failed: Token refused: it has expired",
  ]);
  assert.ok(!challenge.concat(failed).join("").includes("c2lnbmF0dXJl"));
  // The exchange is over: a new one may start.
  assert.deepEqual(rawLines(irc.read("AUTHENTICATE OAUTHBEARER", view())), ["AUTHENTICATE +"]);
  const again = irc.read(`AUTHENTICATE ${btoa("n,,\x01auth=Bearer a.b.c\x01\x01")}`, view());
  assert.equal(again[0]?.kind, "authenticate");
});

Deno.test("IrcDialect SASL OAUTHBEARER: a malformed message is 904 at once, a challenge left unanswered is aborted", () => {
  const irc = new IrcDialect({ tokens: {} });
  irc.read("CAP LS 302", view());
  irc.read("AUTHENTICATE OAUTHBEARER", view());
  assert.deepEqual(
    rawLines(irc.read(`AUTHENTICATE ${btoa("n,,\x01auth=Basic x\x01\x01")}`, view())),
    [
      ":chat 904 * :SASL authentication failed: Bad OAUTHBEARER message: auth must be Bearer TOKEN",
    ],
  );
  irc.read("AUTHENTICATE OAUTHBEARER", view());
  const intents = irc.read(`AUTHENTICATE ${btoa("n,,\x01auth=Bearer a.b.c\x01\x01")}`, view());
  const error = new ChatError("login_failed", "Token refused: its signature does not match");
  const challenge = shown(irc, { type: "failure", error, ref: lastId(intents) }, view());
  assert.deepEqual(challenge, [`AUTHENTICATE ${btoa('{"status":"invalid_token"}')}`]);
  assert.deepEqual(rawLines(irc.read("AUTHENTICATE *", view())), [
    ":chat 906 * :SASL authentication aborted",
  ]);
  // Registering instead of answering aborts it too.
  irc.read("AUTHENTICATE OAUTHBEARER", view());
  const more = irc.read(`AUTHENTICATE ${btoa("n,,\x01auth=Bearer a.b.c\x01\x01")}`, view());
  shown(irc, { type: "failure", error, ref: lastId(more) }, view());
  irc.read("NICK ana", view());
  irc.read("USER ana 0 * :Ana", view());
  const end = irc.read("CAP END", view());
  assert.deepEqual(rawLines(end), [":chat 906 * :SASL authentication aborted"]);
  assert.equal(end.at(-1)?.kind, "register");
});

Deno.test("IrcDialect NickServ IDENTIFY and REGISTER become /login and /register", () => {
  const irc = registered("ana");
  const lines = (line: string) =>
    irc.read(line, view("ana")).map((intent) => intent.kind === "command" ? intent.line : "");
  assert.deepEqual(lines("PRIVMSG NickServ :IDENTIFY sesame"), ["/login ana sesame"]);
  assert.deepEqual(lines("PRIVMSG nickserv :identify Ana sesame"), ["/login Ana sesame"]);
  assert.deepEqual(lines("NS IDENTIFY sesame"), ["/login ana sesame"]);
  assert.deepEqual(lines("NICKSERV IDENTIFY ana sesame"), ["/login ana sesame"]);
  // Never passed on, whatever else the line names; a notice or action to it is dropped.
  const both = irc.read("PRIVMSG bob,NickServ :IDENTIFY sesame", view("ana"));
  assert.deepEqual(both.map((intent) => intent.kind), ["tell", "command"]);
  assert.deepEqual(irc.read("NOTICE NickServ :IDENTIFY sesame", view("ana")), []);
  assert.deepEqual(lines("PRIVMSG NickServ :REGISTER sesame ana@example.org"), [
    "/register sesame",
  ]);
  assert.deepEqual(rawLines(irc.read("PRIVMSG NickServ :HELP", view("ana"))), [
    ":NickServ!NickServ@chat NOTICE ana :Commands: IDENTIFY [account] password, REGISTER password, LOGOUT",
  ]);
  const intents = irc.read("NS IDENTIFY ana wrong", view("ana"));
  const error = new ChatError("login_failed", "Wrong nick or password");
  assert.deepEqual(shown(irc, { type: "failure", error, ref: lastId(intents) }), [
    ":NickServ!NickServ@chat NOTICE ana :Wrong nick or password",
  ]);
});

Deno.test("IrcDialect OPER logs in as an operator: 381, or 464 and 491", () => {
  const irc = registered("ana");
  const oper = irc.read("OPER boss hunter22", view("ana"));
  assert.ok(oper[0]?.kind === "authenticate" && "password" in oper[0]);
  assert.deepEqual(
    { account: oper[0].account, password: oper[0].password, purpose: oper[0].purpose },
    { account: "boss", password: "hunter22", purpose: "oper" },
  );
  assert.deepEqual(
    shown(irc, { type: "logged_in", account: "boss", operator: true, purpose: "oper" }),
    [":chat 381 ana :You are now an IRC operator", ":ana!ana@chat MODE ana +o"],
  );
  const users = { ana: { nick: "ana", user: "ana", realName: "", operator: true } };
  assert.deepEqual(rawLines(irc.read("MODE ana", view("ana", users))), [":chat 221 ana +io"]);
  const wrong = irc.read("OPER boss nope", view("ana"));
  assert.deepEqual(
    shown(irc, {
      type: "failure",
      error: new ChatError("login_failed", "Wrong nick or password"),
      ref: lastId(wrong),
    }),
    [":chat 464 ana :Wrong nick or password"],
  );
  const notOp = irc.read("OPER bob secret", view("ana"));
  assert.deepEqual(
    shown(irc, {
      type: "failure",
      error: new ChatError("not_allowed", "Account bob is not an operator"),
      ref: lastId(notOp),
    }),
    [":chat 491 ana :Account bob is not an operator"],
  );
});

Deno.test("IrcDialect KILL is /kill; 481 for someone who is not an operator", () => {
  const irc = registered("ana");
  const kill = irc.read("KILL bob :go away", view("ana"));
  assert.ok(kill[0]?.kind === "command" && kill[0].line === "/kill bob go away");
  const error = new ChatError("not_allowed", "Only the server's operators may disconnect people");
  assert.deepEqual(shown(irc, { type: "failure", error, ref: lastId(kill) }), [
    ":chat 481 ana :Only the server's operators may disconnect people",
  ]);
  const bare = irc.read("KILL bob", view("ana"));
  assert.ok(bare[0]?.kind === "command" && bare[0].line === "/kill bob");
});

Deno.test("IrcDialect INFO answers 371 and 374, or 402 for another server", () => {
  const irc = registered("ana");
  assert.deepEqual(rawLines(irc.read("INFO", view("ana"))).map((l) => l.split(" ")[1]), [
    "371",
    "371",
    "374",
  ]);
  assert.equal(rawLines(irc.read("INFO chat", view("ana"))).length, 3);
  assert.deepEqual(rawLines(irc.read("INFO elsewhere.example", view("ana"))), [
    ":chat 402 ana elsewhere.example :No such server",
  ]);
});

Deno.test("nickOfMask() takes nick masks only; banMask() shows a nick ban", () => {
  assert.equal(nickOfMask("bar!*@*"), "bar");
  assert.equal(nickOfMask("bar!*"), "bar");
  assert.equal(nickOfMask("bar"), "bar");
  for (const mask of ["ba*!*@*", "*!*@host", "bar!user@*", "bar!*@host", "*", "!*@*"]) {
    assert.equal(nickOfMask(mask), undefined, mask);
  }
  assert.equal(banMask("bar"), "bar!*@*");
});

Deno.test("IrcDialect MODE +b, -b and b are room bans by nick, shown as MODE and 367/368", () => {
  const irc = registered("ana", ["games"]);
  const lines = (line: string) =>
    irc.read(line, view("ana")).map((intent) =>
      intent.kind === "command" ? intent.line : rawLines([intent]).join("|")
    );
  assert.deepEqual(lines("MODE #games +b bar!*@*"), ["/ban #games bar"]);
  assert.deepEqual(lines("MODE #games -b BAR!*@*"), ["/unban #games BAR"]);
  assert.deepEqual(lines("MODE #games +b"), ["/bans #games"]);
  assert.deepEqual(lines("MODE #games +b *!*@evil"), [
    ":chat 696 ana #games b *!*@evil :Only nick bans are supported: nick!*@*",
  ]);
  assert.deepEqual(
    shown(irc, {
      type: "mode",
      room: "games",
      by: "ana",
      changes: [{ kind: "ban", nick: "bar", set: true }],
    }),
    [":ana!ana@chat MODE #games +b bar!*@*"],
  );
  assert.deepEqual(
    shown(irc, {
      type: "room_bans",
      room: "games",
      bans: [{ nick: "bar", by: "ana", since: 5_000 }],
    }),
    [
      ":chat 367 ana #games bar!*@* ana 5",
      ":chat 368 ana #games :End of channel ban list",
    ],
  );
  // Lifting a ban that is not there changes nothing.
  const lift = irc.read("MODE #games -b zed", view("ana"));
  const none = new ChatError("bad_arguments", '"zed" is not banned from games');
  assert.deepEqual(shown(irc, { type: "failure", error: none, ref: lastId(lift) }), []);
  // Someone who may not see the list gets an empty one.
  const list = irc.read("MODE #games b", view("ana"));
  const error = new ChatError(
    "not_allowed",
    "Only the owner or operators of games may see its bans",
  );
  assert.deepEqual(shown(irc, { type: "failure", error, ref: lastId(list) }), [
    ":chat 368 ana #games :End of channel ban list",
  ]);
  // An operator banning from outside the room sees the change.
  assert.deepEqual(
    shown(irc, {
      type: "mode",
      room: "chess",
      by: "ana",
      changes: [{ kind: "ban", nick: "bar", set: false }],
    }),
    [":ana!ana@chat MODE #chess -b bar!*@*"],
  );
});

Deno.test("IrcDialect words the dedicated error codes: 433, 474, 465, 404", () => {
  const irc = registered("ana", ["games"]);
  const fail = (line: string, error: ChatError) =>
    shown(irc, { type: "failure", error, ref: lastId(irc.read(line, view("ana"))) });
  assert.deepEqual(fail("NICK Bob", new ChatError("nick_registered", "Nick is registered")), [
    ":chat 433 ana Bob :Nick is registered",
  ]);
  assert.deepEqual(fail("JOIN #chess", new ChatError("banned", "You are banned from it")), [
    ":chat 474 ana #chess :You are banned from it",
  ]);
  assert.deepEqual(fail("PRIVMSG #games :hi", new ChatError("muted", "You are muted")), [
    ":chat 404 ana #games :You are muted",
  ]);
  assert.deepEqual(fail("PRIVMSG bob :hi", new ChatError("muted", "You are muted")), [
    ":chat 400 ana PRIVMSG :You are muted",
  ]);
  const fresh = new IrcDialect();
  fresh.read("NICK eve", view());
  const register = fresh.read("USER eve 0 * :Eve", view());
  assert.equal(register[0]?.kind, "register");
  assert.deepEqual(
    shown(fresh, {
      type: "failure",
      error: new ChatError("banned", "You are banned from this server by op (for good)"),
    }, view()),
    [":chat 465 * :You are banned from this server by op (for good)"],
  );
});

Deno.test("IrcDialect shows accounts: WHOIS 330 and 313, WHO flags, account-tag", () => {
  const users: Record<string, UserInfo> = {
    ana: { nick: "ana", user: "ana", realName: "" },
    bob: { nick: "bob", user: "bob", realName: "Bob", account: "Bob", operator: true },
  };
  const irc = registered("ana", ["games"]);
  const on = view("ana", users);
  irc.read("WHOIS bob", on);
  const whois = shown(irc, {
    type: "whois",
    nick: "bob",
    rooms: ["games"],
    idle: 0,
    since: 0,
  }, on);
  assert.ok(whois.includes(":chat 313 ana bob :is an IRC operator"), whois.join("\n"));
  assert.ok(whois.includes(":chat 330 ana bob Bob :is logged in as"), whois.join("\n"));
  const who = rawLines(irc.read("WHO #games", on));
  assert.ok(who.includes(":chat 352 ana #games bob chat chat bob H* :0 Bob"), who.join("\n"));
  const whox = rawLines(irc.read("WHO #games %na", on));
  assert.ok(whox.includes(":chat 354 ana bob Bob"), whox.join("\n"));
  irc.read("CAP REQ account-tag", on);
  const message = shown(irc, {
    type: "message",
    room: "games",
    nick: "bob",
    text: "hi",
    seq: 1,
    time: 0,
  }, on);
  assert.deepEqual(message, ["@account=Bob :bob!bob@chat PRIVMSG #games hi"]);
});

Deno.test("IrcDialect extended-join gives the account (or *) and the real name with JOIN", () => {
  const users: Record<string, UserInfo> = {
    ana: { nick: "ana", user: "ana", realName: "Ana A" },
    bob: { nick: "bob", user: "b", realName: "Bob B", account: "Bob" },
    carl: { nick: "carl", user: "carl", realName: "" },
  };
  const irc = registered("ana", ["games"]);
  const on = view("ana", users);
  irc.read("CAP REQ extended-join", on);
  assert.deepEqual(shown(irc, { type: "join", room: "games", nick: "bob", time: 0 }, on), [
    ":bob!b@chat JOIN #games Bob :Bob B",
  ]);
  assert.deepEqual(shown(irc, { type: "join", room: "games", nick: "carl", time: 0 }, on), [
    ":carl!carl@chat JOIN #games * carl",
  ]);
  const own = shown(irc, { type: "room", room: "chess", members: ["ana"], seq: 0 }, on);
  assert.equal(own[0], ":ana!ana@chat JOIN #chess * :Ana A");
});

Deno.test("IrcDialect JOIN and QUIT lines are made once per capabilities for all viewers", () => {
  const users: Record<string, UserInfo> = { bob: { nick: "bob", user: "b", realName: "Bob B" } };
  const plain = registered("ana", ["games"]);
  const extended = registered("cy", ["games"]);
  world.follow({ type: "room", room: "games", members: ["ana", "bob", "cy"], seq: 0 });
  extended.read("CAP REQ extended-join", view("cy", users));
  // One delivery's shared encodings, as the server passes them to each recipient in turn.
  const shared = new Map<string, Uint8Array>();
  const join: HubEvent = { type: "join", room: "games", nick: "bob", time: 0 };
  const lines = (irc: IrcDialect, nick: string) =>
    decoder.decode(irc.encode(join, view(nick, users), shared)).trim();
  assert.equal(lines(plain, "ana"), ":bob!b@chat JOIN #games");
  assert.equal(lines(extended, "cy"), ":bob!b@chat JOIN #games * :Bob B");
  assert.equal(lines(plain, "ana"), ":bob!b@chat JOIN #games", "the same bytes again");
  assert.equal(shared.size, 2);
  // A quit: the same line for whoever sees it; one who shares no shown channel gets nothing.
  const quit: HubEvent = { type: "quit", nick: "bob", time: 0, roomKeys: ["games"] };
  const quits = new Map<string, Uint8Array>();
  const hidden: HubEvent = { ...quit, roomKeys: ["lobby"] };
  assert.equal(decoder.decode(plain.encode(hidden, view("ana", users), new Map())), "");
  assert.equal(
    decoder.decode(plain.encode(quit, view("ana", users), quits)).trim(),
    ":bob!b@chat QUIT Quit",
  );
  assert.equal(
    decoder.decode(extended.encode(quit, view("cy", users), quits)).trim(),
    ":bob!b@chat QUIT Quit",
  );
});

Deno.test("IrcDialect account-notify: ACCOUNT name, or *, for those who share a channel or monitor", () => {
  const users: Record<string, UserInfo> = {
    bob: { nick: "bob", user: "b", realName: "" },
    dee: { nick: "dee", user: "dee", realName: "" },
  };
  const on = view("ana", users);
  const irc = registered("ana", ["games"]);
  // Without the capability: nothing.
  assert.deepEqual(shown(irc, { type: "account", nick: "bob", account: "Bob" }, on), []);
  assert.deepEqual(rawLines(irc.read("CAP REQ account-notify", on)), [
    ":chat CAP ana ACK account-notify",
  ]);
  assert.deepEqual(shown(irc, { type: "account", nick: "bob", account: "Bob" }, on), [
    ":bob!b@chat ACCOUNT Bob",
  ]);
  assert.deepEqual(shown(irc, { type: "account", nick: "bob" }, on), [":bob!b@chat ACCOUNT *"]);
  // Someone in no channel the user sees: shown only to a watcher with extended-monitor.
  assert.deepEqual(shown(irc, { type: "account", nick: "dee", account: "dee" }, on), []);
  irc.read("MONITOR + dee", on);
  irc.read("CAP REQ extended-monitor", on);
  assert.deepEqual(shown(irc, { type: "account", nick: "dee", account: "dee" }, on), [
    ":dee!dee@chat ACCOUNT dee",
  ]);
});
