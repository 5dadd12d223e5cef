import assert from "node:assert/strict";
import type { DialectView, Intent } from "../src/dialect/dialect.ts";
import { detectDialect } from "../src/dialect/detect.ts";
import { IrcDialect, isIrcRegistration } from "../src/dialect/irc/dialect.ts";
import { parseMessage } from "../src/dialect/irc/message.ts";
import { ChatError } from "../src/errors.ts";
import type { HubEvent } from "../src/server/events.ts";
import { FollowingRooms } from "./following_view.ts";

const decoder = new TextDecoder();

/** Who is in which room, as the hub would have it: follows the events tests show. */
const world = new FollowingRooms();

function view(nick?: string): DialectView {
  return {
    nick,
    rooms: () => ["lobby"],
    user: () => undefined,
    departed: () => [],
    members: (key) => world.members(key),
    roomKeysOf: (name) => world.roomKeysOf(name),
  };
}

/** The lines of every raw intent. */
function rawLines(intents: Intent[]): string[] {
  return intents.flatMap((intent) =>
    intent.kind === "raw" ? decoder.decode(intent.bytes).split("\r\n").filter((l) => l !== "") : []
  );
}

/** What the dialect shows for one event. */
function shown(irc: IrcDialect, event: HubEvent, nick = "ana"): string[] {
  return decoder.decode(irc.encode(world.follow(event), view(nick), new Map())).split("\r\n")
    .filter((l) => l !== "");
}

/** A registered dialect: welcome, room list, lobby (hidden) and optionally channels. */
function registered(nick = "ana", rooms: string[] = []): IrcDialect {
  world.reset();
  const irc = new IrcDialect();
  irc.read(`NICK ${nick}`, view());
  irc.read(`USER ${nick} 0 * :${nick}`, view());
  shown(irc, { type: "welcome", version: 1, server: "chat", nick }, nick);
  shown(irc, { type: "rooms", rooms: [{ name: "lobby", members: 2 }] }, nick);
  shown(irc, { type: "room", room: "lobby", members: [nick, "bob"], seq: 0 }, nick);
  for (const room of rooms) {
    shown(irc, { type: "room", room, members: [nick, "bob"], owner: nick, seq: 0 }, nick);
  }
  return irc;
}

Deno.test("isIrcRegistration() takes IRC registration commands with a parameter only", () => {
  for (const line of ["CAP LS 302", "NICK ana", "nick ana", "USER a 0 * :A", "PASS secret"]) {
    assert.ok(isIrcRegistration(line), line);
    assert.equal(detectDialect(line).name, "irc");
  }
  assert.ok(isIrcRegistration("@label=1 :ana NICK ana"));
  // A plain-text user whose nick is "nick" (or "user", "cap", "pass") stays plain text.
  for (const line of ["nick", "NICK", "user", "cap", "pass", "NICK ", "nickname ana", "ana"]) {
    assert.ok(!isIrcRegistration(line), line);
    assert.equal(detectDialect(line).name, "plain");
  }
  assert.equal(detectDialect('{"type":"hello"}').name, "native");
});

Deno.test("IrcDialect.read() registers once NICK and USER have both come, in any order", () => {
  const first = new IrcDialect();
  assert.deepEqual(first.read("NICK ana", view()), []);
  const ana = { kind: "register", nick: "ana", user: "ana", realName: "Ana" };
  assert.deepEqual(first.read("USER ana 0 * :Ana", view()), [ana]);
  const second = new IrcDialect();
  assert.deepEqual(second.read("USER ana 0 * :Ana", view()), []);
  assert.deepEqual(second.read("NICK ana", view()), [ana]);
  // A second NICK after a refused one tries again.
  assert.deepEqual(second.read("NICK ana_", view()), [{ ...ana, nick: "ana_" }]);
});

Deno.test("IrcDialect.read() holds registration until CAP END when CAP LS was sent", () => {
  const irc = new IrcDialect();
  assert.deepEqual(rawLines(irc.read("CAP LS 302", view())), [
    ":chat CAP * LS :account-notify account-tag away-notify batch cap-notify draft/chathistory echo-message extended-join labeled-response extended-monitor message-tags multi-prefix sasl=PLAIN server-time setname userhost-in-names",
  ]);
  assert.deepEqual(irc.read("NICK ana", view()), []);
  assert.deepEqual(irc.read("USER ana 0 * :Ana", view()), []);
  assert.deepEqual(rawLines(irc.read("CAP REQ :server-time", view())), [
    ":chat CAP * ACK server-time",
  ]);
  assert.deepEqual(rawLines(irc.read("CAP REQ :frob", view())), [":chat CAP * NAK frob"]);
  assert.deepEqual(rawLines(irc.read("CAP LIST", view())), [":chat CAP * LIST server-time"]);
  assert.deepEqual(rawLines(irc.read("CAP FROB", view())), [
    ":chat 410 * FROB :Invalid CAP command",
  ]);
  assert.deepEqual(irc.read("CAP END", view()), [
    { kind: "register", nick: "ana", user: "ana", realName: "Ana" },
  ]);
  assert.deepEqual(irc.read("PASS ignored", view()), []);
});

Deno.test("IrcDialect.read() answers commands before registration with 451, 431, 461", () => {
  const irc = new IrcDialect();
  assert.deepEqual(rawLines(irc.read("JOIN #games", view())), [
    ":chat 451 * :You have not registered",
  ]);
  assert.deepEqual(rawLines(irc.read("NICK", view())), [":chat 431 * :No nickname given"]);
  assert.deepEqual(rawLines(irc.read("USER ana", view())), [
    ":chat 461 * USER :Not enough parameters",
  ]);
  assert.deepEqual(rawLines(irc.read("PING :tok", view())), [":chat PONG chat tok"]);
  assert.deepEqual(irc.read("QUIT :bye", view()), [
    { kind: "end", reason: "Quit: bye", bye: "Quit: bye" },
  ]);
});

Deno.test("IrcDialect.encode() sends 001-005, LUSERS and 422, and keeps the lobby hidden", () => {
  const irc = new IrcDialect();
  irc.read("NICK ana", view());
  irc.read("USER ana 0 * :Ana", view());
  const welcome = shown(irc, { type: "welcome", version: 1, server: "chat", nick: "ana" });
  // ISUPPORT in two 005s: a line holds at most 15 parameters.
  assert.deepEqual(welcome.map((line) => line.split(" ")[1]), [
    "001",
    "002",
    "003",
    "004",
    "005",
    "005",
  ]);
  for (const line of welcome) {
    const parsed = parseMessage(line);
    assert.ok(parsed.ok && parsed.message.params.length <= 15, line);
  }
  const isupport = welcome.slice(4).join(" ");
  for (
    const token of [
      "CASEMAPPING=ascii",
      "CHANTYPES=#",
      "CHANNELLEN=33",
      "NICKLEN=24",
      "TOPICLEN=300",
      "PREFIX=(ov)@+",
      "CHANMODES=b,k,l,imnst",
      "NETWORK=chat",
      "WHOX",
      "CHATHISTORY=100",
      "MSGREFTYPES=msgid,timestamp",
    ]
  ) assert.ok(isupport.includes(` ${token} `), token);
  assert.deepEqual(shown(irc, { type: "rooms", rooms: [{ name: "lobby", members: 3 }] }), []);
  const lobby = shown(irc, { type: "room", room: "lobby", members: ["ana", "bob"], seq: 0 });
  assert.deepEqual(lobby.map((line) => line.split(" ")[1]), [
    "251",
    "252",
    "254",
    "255",
    "265",
    "266",
    "422",
  ]);
  assert.equal(lobby[0], ":chat 251 ana :There are 3 users and 0 invisible on 1 servers");
  // Lobby traffic is not shown while the lobby is hidden.
  const message: HubEvent = {
    type: "message",
    room: "lobby",
    nick: "bob",
    text: "hi",
    time: 0,
    seq: 1,
  };
  assert.deepEqual(shown(irc, message), []);
  // JOIN #lobby shows it, from what the dialect knows: no hub round trip.
  assert.deepEqual(rawLines(irc.read("JOIN #lobby", view("ana"))), [
    ":ana!ana@chat JOIN #lobby",
    ":chat 353 ana = #lobby :ana bob",
    ":chat 366 ana #lobby :End of /NAMES list",
  ]);
  assert.deepEqual(shown(irc, message), [":bob!bob@chat PRIVMSG #lobby hi"]);
  // PART #lobby hides it again; the user stays in the lobby.
  assert.deepEqual(rawLines(irc.read("PART #lobby :later", view("ana"))), [
    ":ana!ana@chat PART #lobby later",
  ]);
  assert.deepEqual(shown(irc, message), []);
});

Deno.test("IrcDialect JOIN joins a room that exists and creates one that does not", () => {
  const irc = registered();
  const intents = irc.read("JOIN #games,#new,nohash,#keyed x,,,k", view("ana"));
  // Each a join that creates the room when it does not exist (the session decides).
  const joins = intents.flatMap((intent) =>
    intent.kind === "join" ? [[intent.room, intent.password, intent.create]] : []
  );
  assert.deepEqual(joins, [["games", "x", true], ["new", undefined, true], [
    "keyed",
    "k",
    true,
  ]]);
  assert.deepEqual(rawLines(intents), [":chat 403 ana nohash :No such channel"]);
  // Entering a room shows JOIN, topic and names, the owner marked @.
  assert.deepEqual(
    shown(irc, {
      type: "room",
      room: "games",
      members: ["bob", "ana"],
      topic: "fun times",
      owner: "bob",
      seq: 0,
    }),
    [
      ":ana!ana@chat JOIN #games",
      ":chat 332 ana #games :fun times",
      ":chat 353 ana = #games :@bob ana",
      ":chat 366 ana #games :End of /NAMES list",
    ],
  );
});

Deno.test("IrcDialect maps failures to numerics naming what the command named", () => {
  const irc = registered("ana", ["games"]);
  const fail = (line: string, error: ChatError): string[] => {
    const intents = irc.read(line, view("ana"));
    const ref = intents.flatMap((intent) =>
      intent.kind === "command" || intent.kind === "say" || intent.kind === "tell" ||
        intent.kind === "join"
        ? [intent.id]
        : []
    ).at(-1);
    return shown(irc, { type: "failure", error, ref });
  };
  assert.deepEqual(fail("JOIN #full", new ChatError("room_full", "Room is full")), [
    ":chat 471 ana #full :Room is full",
  ]);
  assert.deepEqual(fail("JOIN #locked", new ChatError("wrong_password", "Wrong password")), [
    ":chat 475 ana #locked :Wrong password",
  ]);
  assert.deepEqual(fail("TOPIC #games :x", new ChatError("not_allowed", "Owner only")), [
    ":chat 482 ana #games :Owner only",
  ]);
  assert.deepEqual(fail("PRIVMSG zed :hi", new ChatError("no_such_nick", "No such nick")), [
    ":chat 401 ana zed :No such nick",
  ]);
  assert.deepEqual(fail("PRIVMSG #gone :hi", new ChatError("not_in_room", "Not in room")), [
    ":chat 404 ana #gone :Not in room",
  ]);
  assert.deepEqual(fail("NICK bob", new ChatError("nick_taken", "Taken")), [
    ":chat 433 ana bob Taken",
  ]);
  assert.deepEqual(fail("NICK b!b", new ChatError("nick_invalid", "Not allowed")), [
    ":chat 432 ana b!b :Not allowed",
  ]);
  assert.deepEqual(fail("MODE #games +l 0", new ChatError("room_invalid", "Bad limit")), [
    ":chat 696 ana #games l 0 :Bad limit",
  ]);
  // NOTICE never gets an automatic reply.
  assert.deepEqual(fail("NOTICE zed :hi", new ChatError("no_such_nick", "No such nick")), []);
  // Registration failures name the nick tried, with * for the client's nick.
  const fresh = new IrcDialect();
  fresh.read("NICK bob", view());
  fresh.read("USER x 0 * :x", view());
  assert.deepEqual(
    shown(fresh, { type: "failure", error: new ChatError("nick_taken", "Taken") }, "*"),
    [":chat 433 * bob Taken"],
  );
});

Deno.test("IrcDialect PRIVMSG and NOTICE become says and private messages, actions or notices", () => {
  const irc = registered("ana", ["games"]);
  const plain = irc.read(":spoof!x@y PRIVMSG #games :\x02bold\x02 hi", view("ana"));
  assert.equal(plain.length, 1);
  assert.equal(plain[0]?.kind, "say");
  assert.ok(plain[0]?.kind === "say" && plain[0].room === "games" && plain[0].text === "bold hi");
  const action = irc.read("PRIVMSG #games :\x01ACTION waves\x01", view("ana"));
  assert.ok(action[0]?.kind === "say" && action[0].text === "waves" && action[0].action);
  const notice = irc.read("NOTICE #games :fyi", view("ana"));
  assert.ok(notice[0]?.kind === "say" && notice[0].text === "fyi" && notice[0].notice);
  const direct = irc.read("PRIVMSG bob :psst there", view("ana"));
  assert.ok(direct[0]?.kind === "tell" && direct[0].nick === "bob" && !direct[0].action);
  const privateAction = irc.read("PRIVMSG bob :\x01ACTION hugs\x01", view("ana"));
  assert.ok(privateAction[0]?.kind === "tell" && privateAction[0].action);
  assert.deepEqual(irc.read("PRIVMSG bob :\x01VERSION\x01", view("ana")), []);
  assert.deepEqual(rawLines(irc.read("PRIVMSG #games", view("ana"))), [
    ":chat 412 ana :No text to send",
  ]);
  assert.deepEqual(irc.read("NOTICE #games", view("ana")), []);
  // With echo-message, the sender's own channel message comes back once the hub took it: the
  // ack carries its time, shown with server-time.
  irc.read("CAP REQ :echo-message server-time", view("ana"));
  const echoed = irc.read("PRIVMSG #games :hi all", view("ana"));
  assert.equal(echoed[0]?.kind, "say");
  assert.deepEqual(rawLines(echoed), []);
  const id = echoed[0]?.kind === "say" ? echoed[0].id ?? "" : "";
  assert.deepEqual(shown(irc, { type: "ack", id, room: "games", seq: 7, time: 0 }), [
    "@time=1970-01-01T00:00:00.000Z :ana!ana@chat PRIVMSG #games :hi all",
  ]);
  const noticed = irc.read("NOTICE #games :note", view("ana"));
  const noticeId = noticed[0]?.kind === "say" ? noticed[0].id ?? "" : "";
  assert.deepEqual(shown(irc, { type: "ack", id: noticeId, room: "games", seq: 8, time: 0 }), [
    "@time=1970-01-01T00:00:00.000Z :ana!ana@chat NOTICE #games note",
  ]);
});

Deno.test("IrcDialect words events as IRC lines", () => {
  const irc = registered("ana", ["games"]);
  assert.deepEqual(shown(irc, { type: "join", room: "games", nick: "carl", time: 0 }), [
    ":carl!carl@chat JOIN #games",
  ]);
  assert.deepEqual(
    shown(irc, {
      type: "leave",
      room: "games",
      nick: "carl",
      reason: "rude",
      kickedBy: "ana",
      time: 0,
    }),
    [":ana!ana@chat KICK #games carl rude"],
  );
  assert.deepEqual(
    shown(irc, { type: "topic", room: "games", topic: "new topic", nick: "bob", time: 0 }),
    [
      ":bob!bob@chat TOPIC #games :new topic",
    ],
  );
  assert.deepEqual(
    shown(irc, { type: "mode", room: "games", by: "ana", changes: [{ kind: "limit", limit: 5 }] }),
    [":ana!ana@chat MODE #games +l 5"],
  );
  assert.deepEqual(
    shown(irc, {
      type: "mode",
      room: "games",
      by: "the server admin",
      changes: [{ kind: "listed", listed: false }],
    }),
    [":chat MODE #games +s"],
  );
  assert.deepEqual(shown(irc, { type: "nick", old: "bob", new: "rob", time: 0 }), [
    ":bob!bob@chat NICK rob",
  ]);
  assert.deepEqual(shown(irc, { type: "quit", nick: "rob", reason: "bye", time: 0 }), [
    ":rob!rob@chat QUIT bye",
  ]);
  // Someone sharing no shown channel: their quit is not shown.
  assert.deepEqual(shown(irc, { type: "quit", nick: "stranger", time: 0 }), []);
  assert.deepEqual(
    shown(irc, { type: "private", from: "bob", to: "ana", text: "hey", time: 0, action: true }),
    [":bob!bob@chat PRIVMSG ana :\x01ACTION hey\x01"],
  );
  assert.deepEqual(shown(irc, { type: "private", from: "ana", to: "bob", text: "x", time: 0 }), []);
  assert.deepEqual(shown(irc, { type: "bye", reason: "Server is shutting down" }), [
    "ERROR :Closing link: Server is shutting down",
  ]);
  assert.deepEqual(shown(irc, { type: "ping", token: "42" }), ["PING 42"]);
  assert.deepEqual(shown(irc, { type: "away", text: "lunch" }), [
    ":chat 306 ana :You have been marked as being away",
  ]);
  assert.deepEqual(shown(irc, { type: "left", room: "games", kickedBy: "bob", reason: "out" }), [
    ":bob!bob@chat KICK #games ana out",
  ]);
  assert.deepEqual(
    shown(irc, { type: "message", room: "games", nick: "bob", text: "x", time: 0, seq: 1 }),
    [],
  );
});

Deno.test("IrcDialect splits long messages to fit 512 bytes and tags them with server-time", () => {
  const irc = registered("ana", ["games"]);
  irc.read("CAP REQ server-time", view("ana"));
  const text = "\u00e9".repeat(1500);
  const lines = shown(irc, {
    type: "message",
    room: "games",
    nick: "bob",
    text,
    time: 0,
    seq: 1,
    history: true,
  });
  assert.ok(lines.length > 1);
  const prefix = /^@time=1970-01-01T00:00:00\.000Z :bob!bob@chat PRIVMSG #games :?/;
  for (const line of lines) {
    assert.match(line, prefix);
    assert.ok(new TextEncoder().encode(line.slice(line.indexOf(" ") + 1)).length <= 510);
  }
  assert.equal(lines.map((line) => line.replace(prefix, "")).join(""), text);
});

Deno.test("IrcDialect refuses hostile input with numerics and never forwards CR, LF or NUL", () => {
  const irc = registered("ana", ["games"]);
  assert.deepEqual(rawLines(irc.read(`PRIVMSG #games :${"x".repeat(20_000)}`, view("ana"))), [
    ":chat 417 ana :Input line was too long",
  ]);
  assert.deepEqual(rawLines(irc.read("PRIVMSG #games :a\0b", view("ana"))), [
    ":chat 400 ana * :Line contains a NUL, CR or LF character",
  ]);
  assert.deepEqual(rawLines(irc.read("FROB x", view("ana"))), [
    ":chat 421 ana FROB :Unknown command",
  ]);
  assert.deepEqual(rawLines(irc.read("JOIN", view("ana"))), [
    ":chat 461 ana JOIN :Not enough parameters",
  ]);
  assert.deepEqual(irc.read("", view("ana")), []);
  const notice = shown(irc, { type: "announce", text: "one\r\nQUIT :two", time: 0 });
  assert.deepEqual(notice, [":chat NOTICE ana :one  QUIT :two"]);
});

Deno.test("IrcDialect answers NAMES, WHO, TOPIC and MODE from what it knows", () => {
  const irc = registered("ana", ["games"]);
  assert.deepEqual(rawLines(irc.read("NAMES #games", view("ana"))), [
    ":chat 353 ana = #games :@ana bob",
    ":chat 366 ana #games :End of /NAMES list",
  ]);
  assert.deepEqual(rawLines(irc.read("WHO #games", view("ana"))), [
    ":chat 352 ana #games ana chat chat ana H@ :0 ana",
    ":chat 352 ana #games bob chat chat bob H :0 bob",
    ":chat 315 ana #games :End of WHO list",
  ]);
  assert.deepEqual(rawLines(irc.read("TOPIC #games", view("ana"))), [
    ":chat 331 ana #games :No topic is set",
  ]);
  assert.deepEqual(rawLines(irc.read("TOPIC #elsewhere", view("ana"))), [
    ":chat 403 ana #elsewhere :No such channel",
  ]);
  assert.deepEqual(rawLines(irc.read("TOPIC #lobby", view("ana"))), [
    ":chat 442 ana #lobby :You're not on that channel",
  ]);
  const query = irc.read("MODE #games", view("ana"));
  assert.ok(query[0]?.kind === "command" && query[0].line === "/rooms");
  assert.deepEqual(
    shown(irc, { type: "rooms", rooms: [{ name: "games", members: 2, limit: 5, password: true }] }),
    [":chat 324 ana #games +klnt 5"],
  );
  const set = irc.read("MODE #games +lk-s 9 key", view("ana"));
  assert.deepEqual(
    set.map((intent) => intent.kind === "command" ? intent.line : intent.kind),
    ["/limit 9", "/password key", "/private off"],
  );
  assert.deepEqual(rawLines(irc.read("MODE ana", view("ana"))), [":chat 221 ana +i"]);
  const bans = irc.read("MODE #games b", view("ana"));
  assert.ok(bans[0]?.kind === "command" && bans[0].line === "/bans #games");
});

Deno.test("IrcDialect answers HELP and WHOWAS without the hub, and pairs KICK targets", () => {
  const irc = registered("ana", ["games"]);
  assert.deepEqual(rawLines(irc.read("HELP PRIVMSG", view("ana"))).map((l) => l.split(" ")[1]), [
    "704",
    "705",
    "706",
  ]);
  assert.deepEqual(rawLines(irc.read("HELP FROB", view("ana"))), [
    ":chat 524 ana FROB :No help for that subject",
  ]);
  assert.deepEqual(rawLines(irc.read("WHOWAS bob", view("ana"))).map((l) => l.split(" ")[1]), [
    "406",
    "369",
  ]);
  const kicks = irc.read("KICK #games,#games bob,carl :out", view("ana"));
  assert.deepEqual(kicks.map((intent) => intent.kind === "command" ? intent.line : ""), [
    "/kick bob out",
    "/kick carl out",
  ]);
  // WHO of a nick nobody has: an empty answer.
  assert.deepEqual(rawLines(irc.read("WHO nobody", view("ana"))), [
    ":chat 315 ana nobody :End of WHO list",
  ]);
  const bare = irc.read("KICK #games bob", view("ana"));
  assert.ok(bare[0]?.kind === "command" && bare[0].line === "/kick bob ana");
  assert.deepEqual(rawLines(irc.read("NAMES #games,#nowhere", view("ana"))), [
    ":chat 353 ana = #games :@ana bob",
    ":chat 366 ana #games,#nowhere :End of /NAMES list",
  ]);
});

Deno.test("IrcDialect shows a shared file as a NOTICE ending with its download link", () => {
  const irc = registered("ana", ["games"]);
  const url = "http://192.168.1.5:12345/files/7/abcDEF123/notes.pdf";
  const file = {
    type: "file",
    id: "7",
    from: "bob",
    name: "notes.pdf",
    size: 48_000,
    room: "games",
    token: "t",
    time: 1,
    url,
  } as const;
  assert.deepEqual(shown(irc, file), [
    `:chat NOTICE #games :bob shared notes.pdf (46.9 KiB): ${url}`,
  ]);
  // Too long for one line with the link: the link goes on a line of its own, whole.
  const longUrl = url.replace("abcDEF123", "t".repeat(200));
  const lines = shown(irc, { ...file, name: "n".repeat(150) + ".pdf", url: longUrl });
  assert.equal(lines.length, 2);
  assert.equal(lines[1], `:chat NOTICE #games ${longUrl}`);
  // A hostile name is shown safe; without a link, how to get the file instead.
  const hostile = shown(irc, { ...file, name: "../../etc/pass\u202ewd", url: undefined });
  assert.deepEqual(hostile, [
    ":chat NOTICE #games :bob shared passwd (46.9 KiB): use chat join to get it",
  ]);
});
