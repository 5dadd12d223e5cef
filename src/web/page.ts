/**
 * The browser client, embedded as text so that a bundled or compiled `chat` stays one file and
 * the page needs nothing from anywhere else. It is three documents rather than one, so that the
 * Content-Security-Policy can forbid inline script and style outright (`script-src 'self'`): the
 * page (`/`), its script (`/app.js`) and its style sheet (`/app.css`). The HTTP front
 * (`src/carrier/http_front.ts`) serves them.
 *
 * The script speaks the native protocol of docs/PROTOCOL.md over a WebSocket on `/ws`: `hello`
 * with the nick, `say` for typed text, `command` for `/...` lines, `pong` for every `ping`, and
 * on a dropped connection `hello` with `resume` after a growing, jittered delay (section 11.4),
 * resending every `say` not yet acknowledged. Text from the server is only ever put in the page
 * with `textContent`.
 *
 * The script is written in plain JavaScript inside `String.raw`, so its backslashes reach the
 * browser as written: it uses no template literals of its own.
 */
import { PROTOCOL_VERSION, VERSION } from "../version.ts";
import { FILES_SCRIPT } from "./files_script.ts";
import { SHA256_SCRIPT } from "./sha256_script.ts";
import { PAGE_HELP, SEND_NAMES } from "./page_commands.ts";

/** The page: markup only; the script and the style sheet come from `/app.js` and `/app.css`. */
export const CLIENT_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>chat</title>
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
</head>
<body>
<header class="bar">
  <h1>chat</h1>
  <p id="status" role="status" aria-live="polite">Not connected</p>
</header>
<main>
  <form id="login" class="login" autocomplete="off">
    <h2>Pick a nick</h2>
    <label for="nick">Nick</label>
    <input id="nick" name="nick" maxlength="24" required autocapitalize="off" spellcheck="false"
      aria-describedby="nick-rule login-error">
    <p id="nick-rule" class="hint">1 to 24 letters or digits, plus _ - . (not first: - or .)</p>
    <div id="password-row" hidden>
      <label for="server-password">Server password</label>
      <input id="server-password" name="server-password" type="password" autocomplete="off"
        aria-describedby="login-error">
    </div>
    <button type="submit">Enter</button>
    <p id="login-error" class="error" role="alert"></p>
  </form>
  <section id="chat" class="chat" hidden aria-label="Chat">
    <details id="rooms-panel" class="rooms-panel">
      <summary>Rooms on this server</summary>
      <table>
        <thead><tr><th scope="col">Room</th><th scope="col">People</th>
          <th scope="col">Topic</th><th scope="col"><span class="visually-hidden">Join</span></th>
        </tr></thead>
        <tbody id="room-list"></tbody>
      </table>
      <p class="hint"><button type="button" id="rooms-refresh" class="secondary">Refresh</button>
        Or create one: <code>/create NAME</code></p>
    </details>
    <nav aria-label="Rooms"><ul id="tabs" class="tabs"></ul></nav>
    <p id="topic" class="topic"></p>
    <div id="logs" class="logs"></div>
    <form id="send" class="send" autocomplete="off">
      <label for="line" class="visually-hidden">Message</label>
      <input id="line" name="line" enterkeyhint="send" placeholder="Message, or /help"
        autocapitalize="sentences">
      <button type="submit">Send</button>
      <button type="button" id="file-button" class="secondary"
        title="Send a file (or drop one on the messages)">Send a file</button>
      <input type="file" id="file" multiple hidden aria-label="File to send">
    </form>
  </section>
</main>
</body>
</html>
`;

/** The style sheet: a column that fits a phone, the log filling the space between bars. */
export const CLIENT_PAGE_CSS = `:root {
  color-scheme: light dark;
  --fg: #1b1b1b; --bg: #fafafa; --muted: #666; --accent: #2557a7; --error: #b00020;
  --line: #ddd; --own: #0b6b3a;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root { --fg: #e8e8e8; --bg: #161616; --muted: #9a9a9a; --accent: #8fb4ff; --error: #ff7b8a;
    --line: #333; --own: #6fd19b; }
}
* { box-sizing: border-box; }
html, body { height: 100%; margin: 0; }
body { display: flex; flex-direction: column; color: var(--fg); background: var(--bg);
  height: 100dvh; }
.bar { display: flex; align-items: baseline; gap: 1em; padding: .4em .8em;
  border-bottom: 1px solid var(--line); }
.bar h1 { font-size: 1.1em; margin: 0; }
#status { margin: 0; color: var(--muted); font-size: .9em; overflow: hidden;
  text-overflow: ellipsis; white-space: nowrap; }
main { flex: 1; display: flex; flex-direction: column; min-height: 0; }
.login { margin: 2em auto; padding: 1em; max-width: 24em; width: 100%; display: flex;
  flex-direction: column; gap: .5em; }
.login h2 { margin: 0 0 .5em; font-size: 1.1em; }
.hint { color: var(--muted); font-size: .85em; margin: 0; }
.error { color: var(--error); min-height: 1.2em; margin: 0; }
input, button { font: inherit; padding: .5em .6em; border-radius: 4px;
  border: 1px solid var(--line); background: var(--bg); color: var(--fg); }
button { background: var(--accent); color: var(--bg); border-color: var(--accent);
  cursor: pointer; }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
.chat { flex: 1; display: flex; flex-direction: column; min-height: 0; }
.chat[hidden], .login[hidden] { display: none; }
.tabs { list-style: none; margin: 0; padding: .3em .5em 0; display: flex; gap: .3em;
  overflow-x: auto; border-bottom: 1px solid var(--line); }
.tabs button { background: transparent; color: var(--fg); border: 1px solid var(--line);
  border-bottom: none; border-radius: 4px 4px 0 0; white-space: nowrap; }
.tabs button[aria-current="page"] { background: var(--accent); color: var(--bg); }
.tabs button.unread { font-weight: 700; }
.log .mention { background: color-mix(in srgb, var(--accent) 14%, transparent); }
.topic { margin: 0; padding: .2em .8em; color: var(--muted); font-size: .9em; min-height: 1.4em; }
.logs { flex: 1; min-height: 0; display: flex; flex-direction: column; }
.log { flex: 1; overflow-y: auto; margin: 0; padding: .3em .8em; list-style: none;
  overflow-wrap: anywhere; }
.log li { padding: .1em 0; line-height: 1.35; }
.log time { color: var(--muted); font-variant-numeric: tabular-nums; margin-right: .4em; }
.log .nick { font-weight: 600; }
.log .c0 { color: #b23b3b; } .log .c1 { color: #2f7d32; } .log .c2 { color: #8a5a00; }
.log .c3 { color: #2557a7; } .log .c4 { color: #8e3b9e; } .log .c5 { color: #00796b; }
.log .c6 { color: #a33d6b; } .log .c7 { color: #5d6b00; }
@media (prefers-color-scheme: dark) {
  .log .c0 { color: #ff8a80; } .log .c1 { color: #81c784; } .log .c2 { color: #ffcc80; }
  .log .c3 { color: #90caf9; } .log .c4 { color: #ce93d8; } .log .c5 { color: #80cbc4; }
  .log .c6 { color: #f48fb1; } .log .c7 { color: #dce775; }
}
.log .own .nick { color: var(--own); }
.log .pending { opacity: .6; }
.log .system { color: var(--muted); }
.log .error { color: var(--error); }
.log .private .nick { color: var(--accent); }
.send { display: flex; gap: .4em; padding: .5em; border-top: 1px solid var(--line); }
.send input { flex: 1; min-width: 0; }
.rooms-panel { padding: .3em .8em; border-bottom: 1px solid var(--line); max-height: 40vh;
  overflow-y: auto; }
.rooms-panel summary { cursor: pointer; color: var(--accent); }
.rooms-panel table { border-collapse: collapse; width: 100%; margin: .3em 0; }
.rooms-panel th, .rooms-panel td { text-align: left; padding: .15em .5em .15em 0;
  vertical-align: baseline; overflow-wrap: anywhere; }
.rooms-panel th { color: var(--muted); font-weight: 400; font-size: .85em; }
.rooms-panel td button { padding: .1em .6em; }
.rooms-panel .here { color: var(--muted); font-size: .9em; }
button.secondary { background: transparent; color: var(--accent); }
.logs.dropping { outline: 2px dashed var(--accent); outline-offset: -4px; }
.log progress { width: 8em; vertical-align: middle; }
.log .download { padding: .1em .5em; margin-left: .3em; font-size: .9em; }
.log .file-name { font-weight: 600; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; }
`;

/** The script: connection, protocol state and rendering. */
export const CLIENT_PAGE_JS = String.raw`"use strict";
(function () {
  var PROTOCOL_VERSION = ${PROTOCOL_VERSION};
  var CLIENT_NAME = "chat-web ${VERSION}";
  var FIRST_DELAY_MS = 500;
  var MAX_DELAY_MS = 30000;
  var GIVE_UP_MS = 5 * 60 * 1000;
  var PING_AFTER_MS = 45000;
  var DEAD_AFTER_MS = 90000;
  var MAX_LOG_ITEMS = 1000;
  var PAGE_HELP = ${JSON.stringify(PAGE_HELP)};
  var SEND_COMMAND = new RegExp("^/(" + ${JSON.stringify(SEND_NAMES.join("|"))} +
    ")(?:\\s+(\\S+))?\\s*$", "i");

  var $ = function (id) { return document.getElementById(id); };
  var statusEl = $("status");
  var loginForm = $("login");
  var nickInput = $("nick");
  var passwordRow = $("password-row");
  var passwordInput = $("server-password");
  var loginError = $("login-error");
  var chatEl = $("chat");
  var tabsEl = $("tabs");
  var topicEl = $("topic");
  var logsEl = $("logs");
  var sendForm = $("send");
  var lineInput = $("line");
  var roomsPanel = $("rooms-panel");
  var roomList = $("room-list");

  var state = {
    socket: null,
    nick: "",
    token: "",
    registered: false,
    hadSession: false,
    resuming: false,
    byeReason: "",
    early: [],
    rooms: new Map(),
    active: "",
    pending: new Map(),
    nextId: 1,
    attempt: 0,
    lostAt: 0,
    stopped: false,
    lastHeard: 0,
    timer: 0,
    retryTimer: 0,
    quietRooms: 0,
    roomRows: new Map()
  };

  function setStatus(text) { statusEl.textContent = text; }

  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function clock(time) {
    var d = typeof time === "number" ? new Date(time) : new Date();
    return pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  function formatSize(bytes) {
    if (typeof bytes !== "number" || !isFinite(bytes) || bytes < 0) return "? B";
    if (bytes < 1024) return Math.floor(bytes) + " B";
    var units = ["KiB", "MiB", "GiB", "TiB"];
    var value = bytes / 1024;
    var i = 0;
    while (value >= 1024 && i < units.length - 1) { value /= 1024; i++; }
    return value.toFixed(1) + " " + units[i];
  }

  function str(value) { return typeof value === "string" ? value : ""; }

  // ---- rooms and logs -------------------------------------------------------------------------

  function roomKey(name) { return String(name).normalize("NFC").toLowerCase(); }

  function ensureRoom(name) {
    var key = roomKey(name);
    var room = state.rooms.get(key);
    if (room) return room;
    var log = document.createElement("ol");
    log.className = "log";
    log.setAttribute("aria-live", "polite");
    log.setAttribute("aria-relevant", "additions");
    log.setAttribute("aria-label", "Messages in #" + name);
    log.hidden = true;
    logsEl.appendChild(log);
    var item = document.createElement("li");
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = "#" + name;
    button.addEventListener("click", function () { activate(key); lineInput.focus(); });
    item.appendChild(button);
    tabsEl.appendChild(item);
    room = { name: name, key: key, seq: 0, topic: "", members: [], log: log, tab: item,
      button: button, replaying: false };
    state.rooms.set(key, room);
    state.early.forEach(function (li) { log.appendChild(li); });
    state.early = [];
    if (!state.active) activate(key);
    return room;
  }

  function removeRoom(name) {
    var key = roomKey(name);
    var room = state.rooms.get(key);
    if (!room) return;
    state.rooms.delete(key);
    room.log.remove();
    room.tab.remove();
    if (state.active === key) {
      state.active = "";
      var first = state.rooms.keys().next();
      if (!first.done) activate(first.value);
    }
  }

  function activate(key) {
    var room = state.rooms.get(key);
    if (!room) return;
    state.active = key;
    state.rooms.forEach(function (other) {
      var on = other.key === key;
      other.log.hidden = !on;
      if (on) other.button.setAttribute("aria-current", "page");
      else other.button.removeAttribute("aria-current");
    });
    room.unread = 0;
    room.button.classList.remove("unread");
    room.button.textContent = "#" + room.name;
    topicEl.textContent = room.topic ? "Topic: " + room.topic : "";
    room.log.scrollTop = room.log.scrollHeight;
  }

  function activeRoom() { return state.rooms.get(state.active); }
  function activeName() { var room = activeRoom(); return room ? room.name : "lobby"; }

  /** Adds a line to a room's log (the active one when no room is given). */
  function addLine(roomName, kind, parts, time) {
    var room = roomName ? state.rooms.get(roomKey(roomName)) : activeRoom();
    if (!room && roomName) room = activeRoom();
    var log = room ? room.log : null;
    var stick = log ? log.scrollHeight - log.scrollTop - log.clientHeight < 40 : false;
    var li = document.createElement("li");
    li.className = kind;
    var t = document.createElement("time");
    var date = typeof time === "number" ? new Date(time) : new Date();
    t.dateTime = date.toISOString();
    t.textContent = clock(time);
    li.appendChild(t);
    parts.forEach(function (part) {
      if (typeof part === "string") { li.appendChild(document.createTextNode(part)); return; }
      var span = document.createElement("span");
      span.className = part.cls;
      span.textContent = part.text;
      li.appendChild(span);
    });
    if (!log) {
      // Nothing to show it in yet (before the first room): it goes into the first room's log.
      state.early.push(li);
      return li;
    }
    log.appendChild(li);
    while (log.childElementCount > MAX_LOG_ITEMS) log.firstElementChild.remove();
    if (stick) log.scrollTop = log.scrollHeight;
    if (room && room.key !== state.active && kind.indexOf("message") === 0) {
      room.unread = (room.unread || 0) + 1;
      room.button.classList.add("unread");
      room.button.textContent = "#" + room.name + " (" + room.unread + ")";
    }
    return li;
  }

  function system(roomName, text, time) { return addLine(roomName, "system", ["* " + text], time); }
  function showError(roomName, text) { return addLine(roomName, "error", ["! " + text]); }

  /** One of eight colour classes, the same for a nick everywhere and every time. */
  function nickColor(nick) {
    var hash = 0;
    var key = nick.toLowerCase();
    for (var i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) >>> 0;
    return "c" + (hash % 8);
  }

  /** Whether a text from someone else names you (your nick as a word, ignoring case). */
  function mentions(text) {
    if (!state.nick) return false;
    var lower = text.toLowerCase();
    var nick = state.nick.toLowerCase();
    var at = lower.indexOf(nick);
    while (at >= 0) {
      var before = at === 0 ? "" : lower.charAt(at - 1);
      var after = lower.charAt(at + nick.length);
      if (!/[\p{L}\p{Nd}_]/u.test(before) && !/[\p{L}\p{Nd}_]/u.test(after)) return true;
      at = lower.indexOf(nick, at + 1);
    }
    return false;
  }

  /** A desktop notification for a mention or a private message, if allowed and not looking. */
  function notify(title, body) {
    if (typeof Notification === "undefined" || Notification.permission !== "granted") return;
    if (document.visibilityState === "visible" && document.hasFocus()) return;
    try { new Notification(title, { body: body }); } catch (_) { /* not allowed here */ }
  }

  function showMessage(frame, own) {
    var nick = str(frame.nick);
    if (!own && !frame.history && mentions(str(frame.text))) {
      var li = showMessageLine(frame, own);
      li.classList.add("mention");
      notify(nick + " in #" + str(frame.room), str(frame.text));
      return li;
    }
    return showMessageLine(frame, own);
  }

  function showMessageLine(frame, own) {
    var nick = str(frame.nick);
    if (frame.action) {
      return addLine(frame.room, "message" + (own ? " own" : ""),
        ["** ", { cls: "nick", text: nick }, " " + str(frame.text)], frame.time);
    }
    return addLine(frame.room, "message" + (own ? " own" : ""),
      [{ cls: "nick " + nickColor(nick), text: "<" + nick + ">" }, " " + str(frame.text)],
      frame.time);
  }

  // ---- the connection -------------------------------------------------------------------------

  function send(frame) {
    var socket = state.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(frame) + "\n");
    return true;
  }

  function socketUrl() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + location.host + "/ws";
  }

  function connect() {
    clearTimeout(state.retryTimer);
    var socket;
    try {
      socket = new WebSocket(socketUrl());
    } catch (error) {
      onClosed(null);
      return;
    }
    state.socket = socket;
    setStatus(state.hadSession ? "Reconnecting\u2026" : "Connecting\u2026");
    socket.addEventListener("open", function () {
      state.lastHeard = Date.now();
      state.registered = false;
      state.resuming = state.hadSession && state.token !== "";
      var hello = { type: "hello", version: PROTOCOL_VERSION, nick: state.nick,
        client: CLIENT_NAME };
      if (state.password) hello.password = state.password;
      if (state.resuming) {
        var rooms = [];
        state.rooms.forEach(function (room) { rooms.push({ room: room.name, seq: room.seq }); });
        hello.resume = { token: state.token, rooms: rooms };
      }
      send(hello);
    });
    socket.addEventListener("message", function (event) {
      if (typeof event.data !== "string") return;
      state.lastHeard = Date.now();
      var lines = event.data.split("\n");
      for (var i = 0; i < lines.length; i++) {
        var line = lines[i];
        if (!/^\s*\{/.test(line)) continue; // plain-text lines such as the greeting
        var frame;
        try { frame = JSON.parse(line); } catch (error) { continue; }
        if (!frame || typeof frame.type !== "string") continue;
        try { handle(frame); } catch (error) { console.error(error); }
      }
    });
    socket.addEventListener("close", function () {
      if (state.socket === socket) onClosed(socket);
    });
  }

  function onClosed(socket) {
    state.socket = null;
    state.registered = false;
    if (state.stopped || !state.hadSession) {
      // Ended on purpose (bye), or never got in: back to the form, nothing to resume.
      var reason = state.byeReason ? "Disconnected: " + state.byeReason
        : state.stopped ? "" : "Could not connect to the server";
      state.hadSession = false;
      state.token = "";
      setStatus(state.byeReason ? "Disconnected" : "Not connected");
      showLogin(reason);
      return;
    }
    if (!state.lostAt) state.lostAt = Date.now();
    if (Date.now() - state.lostAt > GIVE_UP_MS) {
      setStatus("Disconnected");
      showError(null, "Could not reconnect for 5 minutes: reload the page to try again");
      return;
    }
    state.attempt += 1;
    var delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * Math.pow(2, state.attempt - 1));
    delay = Math.round(delay * (0.5 + Math.random()));
    setStatus("Connection lost: reconnecting in " + Math.ceil(delay / 1000) + " s (attempt " +
      state.attempt + ")");
    if (state.attempt === 1) showError(null, "Connection lost: reconnecting");
    state.retryTimer = setTimeout(connect, delay);
  }

  function showLogin(message) {
    chatEl.hidden = true;
    loginForm.hidden = false;
    if (message) loginError.textContent = message;
    nickInput.disabled = false;
    loginForm.querySelector("button").disabled = false;
    nickInput.focus();
  }

  function watchdog() {
    if (!state.socket || state.socket.readyState !== WebSocket.OPEN) return;
    var silent = Date.now() - state.lastHeard;
    if (silent > DEAD_AFTER_MS) state.socket.close();
    else if (silent > PING_AFTER_MS) send({ type: "ping", token: "w" + Date.now() });
  }

  // ---- frames ---------------------------------------------------------------------------------

  function handle(frame) {
    switch (frame.type) {
      case "welcome": return onWelcome(frame);
      case "rooms": return onRooms(frame);
      case "room": return onRoom(frame);
      case "left":
        system(frame.room, (frame.kickedBy
          ? "You were kicked from #" + str(frame.room) + " by " + str(frame.kickedBy) +
            (frame.reason ? ": " + str(frame.reason) : "")
          : frame.closedBy
          ? "#" + str(frame.room) + " was closed by " + str(frame.closedBy) +
            (frame.reason ? ": " + str(frame.reason) : "")
          : "You left #" + str(frame.room) + (frame.reason ? " (" + str(frame.reason) + ")" : "")));
        removeRoom(frame.room);
        return;
      case "join":
        trackMember(frame.room, frame.nick, true);
        system(frame.room, str(frame.nick) + " joined", frame.time);
        return;
      case "leave":
        trackMember(frame.room, frame.nick, false);
        system(frame.room, str(frame.nick) +
          (frame.kickedBy ? " was kicked by " + str(frame.kickedBy) : " left") +
          (frame.reason ? " (" + str(frame.reason) + ")" : ""), frame.time);
        return;
      case "quit":
        // One quit for all the rooms: said once in each room's log the person was in.
        state.rooms.forEach(function (room) {
          if (room.members.indexOf(str(frame.nick)) < 0) return;
          trackMember(room.name, frame.nick, false);
          system(room.name, str(frame.nick) + " left" +
            (frame.reason ? " (" + str(frame.reason) + ")" : ""), frame.time);
        });
        return;
      case "nick": return onNick(frame);
      case "message": return onMessage(frame);
      case "topic": return onTopic(frame);
      case "private": return onPrivate(frame);
      case "users":
        system(frame.room, "In #" + str(frame.room) + ": " +
          (Array.isArray(frame.nicks) ? frame.nicks.join(", ") : ""));
        return;
      case "whois": return onWhois(frame);
      case "help": return onHelp(frame);
      case "notice": system(frame.room || null, str(frame.text)); return;
      case "announce":
        addLine(frame.room || null, "system", ["* Announcement: " + str(frame.text)], frame.time);
        return;
      case "error": return onError(frame);
      case "ping": send({ type: "pong", token: frame.token }); return;
      case "pong": return;
      case "bye": return onBye(frame);
      case "ack": return onAck(frame);
      case "file":
      case "offer_ok":
      case "transfer":
        files.handle(frame);
        return;
      default:
        return; // unknown frames are skipped (section 6)
    }
  }

  function onWelcome(frame) {
    var resumed = state.resuming;
    var sameSession = resumed && frame.token === state.token;
    if (!state.hadSession) {
      // A new session: the rooms of an old one are gone.
      Array.from(state.rooms.values()).forEach(function (room) { removeRoom(room.name); });
    }
    state.nick = str(frame.nick) || state.nick;
    state.quietRooms = 0; // refreshes asked on a connection that dropped get no answer
    state.token = str(frame.token);
    state.registered = true;
    state.hadSession = true;
    state.resuming = false;
    state.stopped = false;
    state.byeReason = "";
    loginForm.hidden = true;
    chatEl.hidden = false;
    setStatus("Connected as " + state.nick + " to " + str(frame.server));
    if (resumed) {
      system(null, "Reconnected (attempt " + state.attempt + ")" +
        (sameSession ? "" : ": a new session, some messages may be lost"));
    } else {
      system(null, "Welcome, " + state.nick + "! Type /help for commands.");
      roomsPanel.open = true; // the room list, before choosing one
      lineInput.focus();
    }
    state.attempt = 0;
    state.lostAt = 0;
    // Resend what was never acknowledged, in order, with the same ids (section 11.4).
    state.pending.forEach(function (entry, id) {
      send({ type: "say", room: entry.room, text: entry.text, id: id });
    });
  }

  function onRooms(frame) {
    if (!Array.isArray(frame.rooms)) return;
    showRoomList(frame.rooms);
    if (state.quietRooms > 0) { state.quietRooms -= 1; return; } // the panel's own refresh
    var names = frame.rooms.map(function (room) {
      var text = "#" + str(room.name) + " " + room.members + (room.limit ? "/" + room.limit : "");
      return room.topic ? text + " (" + str(room.topic) + ")" : text;
    });
    system(null, "Rooms: " + names.join(", ") + ". Type /join ROOM to join one");
  }

  /** The rooms panel: every listed room, its people (of its limit), topic, and a Join button. */
  function showRoomList(rooms) {
    roomList.textContent = "";
    state.roomRows = new Map();
    rooms.forEach(function (room) {
      var name = str(room.name);
      var row = document.createElement("tr");
      var cells = ["#" + name + (room.password ? " (password)" : "") +
          (room.private ? " (private)" : ""),
        String(room.members) + (room.limit ? "/" + room.limit : ""), str(room.topic)];
      var tds = cells.map(function (text) {
        var cell = document.createElement("td");
        cell.textContent = text;
        row.appendChild(cell);
        return cell;
      });
      state.roomRows.set(roomKey(name), { people: tds[1], limit: room.limit });
      var action = document.createElement("td");
      if (state.rooms.has(roomKey(name))) {
        var here = document.createElement("span");
        here.className = "here";
        here.textContent = "you are here";
        action.appendChild(here);
      } else {
        var join = document.createElement("button");
        join.type = "button";
        join.textContent = "Join";
        join.setAttribute("aria-label", "Join #" + name);
        join.addEventListener("click", function () {
          if (room.password) {
            // The password is typed after the name, in the message box.
            lineInput.value = "/join " + name + " ";
            lineInput.focus();
            return;
          }
          submitLine("/join " + name);
          lineInput.focus();
        });
        action.appendChild(join);
      }
      row.appendChild(action);
      roomList.appendChild(row);
    });
  }

  /** Asks for the room list again, for the panel alone. */
  function refreshRooms() {
    if (send({ type: "command", line: "/rooms", room: activeName() })) state.quietRooms += 1;
  }

  function onRoom(frame) {
    var room = ensureRoom(str(frame.room));
    room.name = str(frame.room);
    room.button.textContent = "#" + room.name;
    room.topic = str(frame.topic);
    room.members = Array.isArray(frame.members) ? frame.members.slice() : [];
    room.replaying = typeof frame.since === "number";
    // The room's latest number (it may have started again: the server restarted).
    if (typeof frame.seq === "number") room.seq = frame.seq;
    if (room.replaying) {
      if (frame.gap) showError(room.name, "Some messages in #" + room.name + " were lost");
    } else {
      var others = room.members.filter(function (n) { return n !== state.nick; });
      system(room.name, "You are in #" + room.name + (others.length === 0
        ? " (just you so far)"
        : " with " + others.join(", ") + " (" + room.members.length + " here)"));
    }
    if (room.topic) system(room.name, "Topic: " + room.topic);
    if (state.active === room.key) topicEl.textContent = room.topic ? "Topic: " + room.topic : "";
    if (!state.active || !room.replaying) activate(room.key);
    if (roomsPanel.open && !room.replaying) refreshRooms();
  }

  function trackMember(roomName, nick, present) {
    var room = state.rooms.get(roomKey(roomName));
    if (!room) return;
    room.members = room.members.filter(function (n) { return n !== nick; });
    if (present) room.members.push(nick);
    // The rooms panel follows the rooms you are in as people come and go.
    var row = state.roomRows.get(room.key);
    if (row) row.people.textContent = room.members.length + (row.limit ? "/" + row.limit : "");
  }

  function onNick(frame) {
    var old = str(frame.old);
    var now = str(frame.new);
    if (old === state.nick) {
      state.nick = now;
      setStatus("Connected as " + now);
    }
    state.rooms.forEach(function (room) {
      if (room.members.indexOf(old) === -1) return;
      room.members = room.members.map(function (n) { return n === old ? now : n; });
      system(room.name, old + " is now known as " + now, frame.time);
    });
  }

  function onMessage(frame) {
    var room = state.rooms.get(roomKey(frame.room));
    var own = frame.nick === state.nick;
    if (frame.history && room && room.replaying && own) {
      // Our own message, replayed after a resume: shown already; its resend will be acked.
      var shown = false;
      state.pending.forEach(function (entry) {
        if (!shown && roomKey(entry.room) === room.key && entry.text === frame.text) shown = true;
      });
      if (shown) { bumpSeq(room, frame.seq); return; }
    }
    showMessage(frame, own);
    if (room) bumpSeq(room, frame.seq);
  }

  function bumpSeq(room, seq) {
    if (typeof seq !== "number") return;
    if (seq > room.seq) room.seq = seq;
  }

  function onTopic(frame) {
    var room = state.rooms.get(roomKey(frame.room));
    if (room) {
      room.topic = str(frame.topic);
      if (room.key === state.active) topicEl.textContent = room.topic ? "Topic: " + room.topic : "";
    }
    system(frame.room, frame.topic
      ? str(frame.nick) + " set the topic: " + str(frame.topic)
      : str(frame.nick) + " cleared the topic", frame.time);
  }

  function onPrivate(frame) {
    var outgoing = frame.from === state.nick;
    var who = outgoing ? "-> " + str(frame.to) : str(frame.from);
    addLine(null, "private", ["[private] ", { cls: "nick", text: "<" + who + ">" },
      " " + str(frame.text)], frame.time);
    if (!outgoing) notify("Private message from " + str(frame.from), str(frame.text));
  }

  function onWhois(frame) {
    var text = str(frame.nick) + ": in " + (Array.isArray(frame.rooms) ? frame.rooms.join(", ") : "") +
      "; idle " + frame.idle + "s; here since " + clock(frame.since);
    if (frame.away) text += "; away: " + str(frame.away);
    system(null, text);
  }

  function onHelp(frame) {
    if (!Array.isArray(frame.commands)) return;
    system(null, "Commands:");
    frame.commands.forEach(function (c) {
      var aliases = Array.isArray(c.aliases) && c.aliases.length ? " (" + c.aliases.join(", ") + ")" : "";
      system(null, "  " + str(c.usage) + aliases + " \u2014 " + str(c.summary));
    });
    PAGE_HELP.forEach(function (c) {
      var aliases = c.aliases.length ? " (" + c.aliases.join(", ") + ")" : "";
      system(null, "  " + c.usage + aliases + " \u2014 " + c.summary);
    });
    system(null, "  //TEXT \u2014 send TEXT starting with /");
  }

  function onError(frame) {
    var message = str(frame.message);
    if (!state.registered) {
      // A refused hello (a resume too: stop trying): the user may pick another nick, on the
      // same connection unless the server ends it.
      if (frame.code === "bad_version" || frame.code === "server_full") state.stopped = true;
      if (frame.code === "password_required" || frame.code === "bad_server_password") {
        // A private server: the password goes with the nick from now on.
        passwordRow.hidden = false;
        passwordInput.value = "";
        state.password = "";
      }
      state.hadSession = false;
      state.resuming = false;
      state.token = "";
      chatEl.hidden = true;
      setStatus("Not connected");
      showLogin(message);
      return;
    }
    if (files.refused(frame)) return;
    if (typeof frame.id === "string" && state.pending.has(frame.id)) {
      var entry = state.pending.get(frame.id);
      state.pending.delete(frame.id);
      if (entry.element) entry.element.classList.remove("pending");
      showError(entry.room, "Not sent: " + message);
      return;
    }
    showError(null, message);
  }

  function onBye(frame) {
    if (frame.shutdown === true) {
      // The whole server is stopping (a restart, most likely): come back when it is back.
      showError(null, "Server is shutting down: reconnecting when it is back");
      if (state.socket) state.socket.close();
      return;
    }
    state.stopped = true;
    state.byeReason = str(frame.reason);
    var lost = state.pending.size;
    setStatus("Disconnected: " + str(frame.reason));
    showError(null, "Disconnected: " + str(frame.reason) +
      (lost ? " (" + lost + " messages not delivered)" : ""));
    if (state.socket) state.socket.close();
  }

  function onAck(frame) {
    var entry = state.pending.get(str(frame.id));
    if (!entry) return;
    state.pending.delete(str(frame.id));
    if (entry.element) entry.element.classList.remove("pending");
    var room = state.rooms.get(roomKey(frame.room));
    if (room) bumpSeq(room, frame.seq);
  }

  // ---- input ----------------------------------------------------------------------------------

  function submitLine(text) {
    if (text.trim() === "") return;
    var id = String(state.nextId++);
    var sendCommand = SEND_COMMAND.exec(text);
    if (sendCommand) {
      // Files are picked in the browser: the picker opens, for the room or for one person.
      files.choose(sendCommand[2] || "");
      return;
    }
    if (text.charAt(0) === "/" && text.charAt(1) !== "/") {
      if (!send({ type: "command", line: text, room: activeName(), id: id })) {
        showError(null, "Not connected: the command was not sent");
      }
      return;
    }
    if (text.charAt(0) === "/") text = text.slice(1);
    var room = activeName();
    var element = showMessage({ room: room, nick: state.nick, text: text }, true);
    element.classList.add("pending");
    state.pending.set(id, { room: room, text: text, element: element });
    send({ type: "say", room: room, text: text, id: id });
  }

  loginForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var nick = nickInput.value;
    if (!nick) return;
    state.nick = nick;
    state.password = passwordRow.hidden ? "" : passwordInput.value;
    state.stopped = false;
    state.byeReason = "";
    loginError.textContent = "";
    // Asked once, on the user's own click: mentions and private messages may then notify.
    if (typeof Notification !== "undefined" && Notification.permission === "default") {
      Notification.requestPermission().catch(function () {});
    }
    if (state.socket && state.socket.readyState === WebSocket.OPEN) {
      var hello = { type: "hello", version: PROTOCOL_VERSION, nick: nick, client: CLIENT_NAME };
      if (state.password) hello.password = state.password;
      send(hello);
    } else {
      nickInput.disabled = true;
      loginForm.querySelector("button").disabled = true;
      connect();
    }
  });

  sendForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = lineInput.value;
    lineInput.value = "";
    submitLine(text);
  });

${SHA256_SCRIPT}
${FILES_SCRIPT}
  roomsPanel.addEventListener("toggle", function () { if (roomsPanel.open) refreshRooms(); });
  $("rooms-refresh").addEventListener("click", refreshRooms);
  state.timer = setInterval(watchdog, 5000);
  nickInput.focus();
})();
`;
