/**
 * The `chat` program: parse the command line, then run a server or join one. This is the only
 * place that exits the process; signals become a graceful shutdown or a clean leave.
 */
import { parseCli } from "./src/cli.ts";
import { connectTcp } from "./src/client/connection.ts";
import { DataLink } from "./src/client/data_link.ts";
import { defaultKnownHostsFile, dialTcp, tlsDialer } from "./src/client/tls_dial.ts";
import { join } from "./src/client/join.ts";
import { LineUi } from "./src/terminal/line_ui.ts";
import { denoStdio, type Stdio } from "./src/terminal/stdio.ts";
import { TerminalUi } from "./src/terminal/terminal_ui.ts";
import type { ChatUi } from "./src/terminal/ui.ts";
import { Logger } from "./src/log.ts";
import { writeAllSync } from "./src/pump.ts";
import { ChatServer } from "./src/server/server.ts";
import { listenTcp } from "./src/carrier/tcp_listener.ts";
import { listenTls, type TlsListener } from "./src/carrier/tls_listener.ts";
import {
  fingerprintOfPem,
  loadOrCreateTlsIdentity,
  makeSelfSigned,
  readTlsIdentity,
  type TlsIdentity,
} from "./src/carrier/tls_certificate.ts";
import { defaultDataFolder } from "./src/data_folder.ts";
import { ChatError, StoreError } from "./src/errors.ts";
import { MAX_LINE_BYTES, MAX_UNTERMINATED_BYTES, TLS_HANDSHAKE_TIMEOUT_MS } from "./src/limits.ts";
import { joinHints, webAddress } from "./src/server/addresses.ts";
import { runConsole } from "./src/server/console.ts";
import type { BackupCommand, JoinCommand, ServeCommand } from "./src/cli.ts";
import { resolve } from "node:path";
import { SqliteDatabase } from "./src/store/sqlite_database.ts";
import { DATABASE_FILE, openSqliteStore, type SqliteStore } from "./src/store/sqlite_store.ts";
import { formatBytes } from "./src/units.ts";
import type { RedisOpLog } from "./src/cluster/redis_op_log.ts";
import { hidePassword } from "./src/hide_password.ts";
import { readTextFile } from "./src/read_text_file.ts";
import { hostname } from "node:os";
import { OidcVerifier } from "./src/server/token_login.ts";

const encoder = new TextEncoder();

/** Writes all of `text` to stderr, then a line end if it has none. */
function printErr(text: string): void {
  writeAllSync(Deno.stderr, encoder.encode(text.endsWith("\n") ? text : text + "\n"));
}

/** Writes all of `text` to stdout, then a line end if it has none. */
function printOut(text: string): void {
  writeAllSync(Deno.stdout, encoder.encode(text.endsWith("\n") ? text : text + "\n"));
}

/** Calls `handler` on SIGINT and SIGTERM; returns a function that removes it. */
function onSignals(handler: () => void): () => void {
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, handler);
  return () => {
    for (const signal of signals) Deno.removeSignalListener(signal, handler);
  };
}

/**
 * Opens the server's store as the command says: none for `--memory`, else the database in the
 * data folder. Prints why and returns 1 when it cannot.
 */
function openStore(command: ServeCommand): SqliteStore | undefined | 1 {
  if (command.memory) return undefined;
  const folder = command.data ??
    defaultDataFolder(Deno.build.os, (name) => Deno.env.get(name));
  if (folder === undefined) {
    printErr(
      "chat: Cannot find a data folder: HOME is not set (choose one with --data DIR, or keep " +
        "nothing with --memory)",
    );
    return 1;
  }
  try {
    return openSqliteStore(folder, { historySize: command.history });
  } catch (error) {
    if (!(error instanceof StoreError)) throw error;
    printErr(`chat: ${error.message}`);
    return 1;
  }
}

async function serve(command: ServeCommand, stdio: Stdio): Promise<number> {
  const log = new Logger({ format: command.logFormat, sink: printErr });
  // A cluster keeps its rooms and history in Redis.
  const store = command.redis === undefined ? openStore(command) : undefined;
  if (store === 1) return 1;
  if (command.compact && store !== undefined) {
    try {
      const { before, after } = store.database.compact();
      printOut(`Compacted ${store.location}: ${formatBytes(before)} -> ${formatBytes(after)}`);
      return 0;
    } catch (error) {
      printErr(`chat: Cannot compact ${store.location}: ${(error as Error).message}`);
      return 1;
    } finally {
      store.close();
    }
  }
  try {
    return await serveWith(command, stdio, log, store);
  } finally {
    try {
      store?.close();
    } catch (error) {
      printErr(`chat: Cannot close the database ${store?.location}: ${error}`);
    }
  }
}

async function serveWith(
  command: ServeCommand,
  stdio: Stdio,
  log: Logger,
  store: SqliteStore | undefined,
): Promise<number> {
  let identity: TlsIdentity | undefined;
  let serverPassword: string | undefined;
  let opLog: RedisOpLog | undefined;
  try {
    if (command.tlsPort !== undefined) identity = await tlsIdentity(command);
    serverPassword = await secret(command.passwordFile, "server password");
    if (command.redis !== undefined) {
      const password = await secret(
        command.redisPasswordFile,
        "Redis password",
        "CHAT_REDIS_PASSWORD",
      );
      // The Redis client is loaded only by a cluster node: a server alone starts without it.
      const { RedisOpLog } = await import("./src/cluster/redis_op_log.ts");
      opLog = await RedisOpLog.connect({
        url: command.redis,
        password,
        name: command.node ?? `${hostName()}:${command.port}`,
        log,
      });
    }
  } catch (error) {
    if (!(error instanceof ChatError)) throw error;
    printErr(`chat: ${error.message}`);
    return 1;
  }
  const tokens = command.oidc === undefined ? undefined : new OidcVerifier(command.oidc);
  let server: ChatServer;
  let tls: TlsListener | undefined;
  try {
    const lines = { maxLineBytes: MAX_LINE_BYTES, maxUnterminatedBytes: MAX_UNTERMINATED_BYTES };
    const plain = command.tlsOnly
      ? undefined
      : listenTcp({ hostname: command.hostname, port: command.port, ...lines });
    if (identity !== undefined && command.tlsPort !== undefined) {
      try {
        tls = await listenTls({
          hostname: command.hostname,
          port: command.tlsPort,
          cert: identity.cert,
          key: identity.key,
          handshakeTimeoutMs: TLS_HANDSHAKE_TIMEOUT_MS,
          ...lines,
        });
      } catch (error) {
        plain?.close();
        throw tlsListenError(error, command.tlsPort);
      }
    }
    const listener = plain ?? tls;
    if (listener === undefined) throw new ChatError("bad_arguments", "--tls-only needs --tls-port");
    server = new ChatServer({
      listener,
      serverPassword,
      moreListeners: plain !== undefined && tls !== undefined ? [tls] : [],
      rooms: command.rooms,
      historySize: command.history,
      userRooms: command.userRooms,
      maxClients: command.maxClients,
      maxPerIp: command.maxPerIp,
      maxOutboxBytes: command.maxQueueKiB * 1024,
      maxFileBytes: command.maxFileMiB * 1024 * 1024,
      resumeGraceMs: command.resumeGrace * 1000,
      webAddress: webAddress(listener.addr, {
        interfaces: networkInterfaces(),
        tlsOnly: command.tlsOnly,
      }),
      allowedOrigins: command.allowOrigins,
      admins: command.admins,
      tokens,
      store,
      opLog,
      retainMs: command.retainDays === undefined ? undefined : command.retainDays * 86_400_000,
      serverName: command.serverName,
      ...command.serverInfo === undefined ? {} : { serverInfo: command.serverInfo },
      limits: {
        flood: { burst: command.floodBurst, perSecond: command.floodRate },
        registrationTimeoutMs: command.registrationTimeout * 1000,
        pingAfterMs: command.pingInterval * 1000,
        pingTimeoutMs: command.pingInterval * 2000,
        writeStallMs: command.stallTimeout * 1000,
      },
    }, log);
  } catch (error) {
    await opLog?.close();
    if (error instanceof ChatError) {
      printErr(`chat: ${error.message}`);
    } else if (error instanceof Deno.errors.AddrInUse) {
      printErr(`chat: Cannot listen on port ${command.port}: it is already in use`);
    } else if (error instanceof Deno.errors.AddrNotAvailable) {
      printErr(`chat: Cannot listen on ${command.hostname}: no such address on this machine`);
    } else if (error instanceof Deno.errors.PermissionDenied) {
      printErr(`chat: Cannot listen on port ${command.port}: permission denied`);
    } else {
      printErr(`chat: Cannot start the server: ${error instanceof Error ? error.message : error}`);
    }
    return 1;
  }
  // Signals are handled before the server says it listens: a signal right after is a clean stop.
  let stopping = false;
  const stop = onSignals(() => {
    stopping = true;
    void server.shutdown("Server is shutting down");
  });
  if (opLog !== undefined && command.redis !== undefined) {
    // The rooms as the cluster has them, before anyone is let in.
    await server.ready;
    printOut(`Node ${opLog.node} (${opLog.name}) of the cluster at ${hidePassword(command.redis)}`);
  }
  printOut(`chat server ${server.address} is listening (Ctrl-C to stop)`);
  const stopReloads = tls === undefined || identity === undefined
    ? () => {}
    : announceTls(tls, identity, command, log);
  const hints = joinHints(server.addr, {
    interfaces: networkInterfaces(),
    tlsPort: tls?.addr.port,
    tlsOnly: command.tlsOnly,
  });
  for (const line of hints) printOut(line);
  if (tokens !== undefined) void announceSingleSignOn(tokens);
  printOut(
    opLog !== undefined
      ? "Rooms and history are kept in Redis, shared by every node"
      : store === undefined
      ? "Rooms and history are kept in memory only (--memory): a restart forgets them"
      : `Rooms and history are kept in ${store.location}`,
  );
  const migrated = store?.database.migrated;
  if (migrated !== undefined && migrated.from > 0 && migrated.from < migrated.to) {
    printOut(`The database was brought up to date (schema ${migrated.from} to ${migrated.to})`);
  }
  const adminConsole = stdio.isTerminal && Deno.stdout.isTerminal()
    ? startConsole(server, log, stdio, { color: command.color, stopping: () => stopping })
    : undefined;
  try {
    await server.finished;
  } finally {
    stopping = true;
    stop();
    stopReloads();
    adminConsole?.close();
  }
  if (server.storeError !== undefined) {
    printErr(`chat: Stopped: cannot write the database ${store?.location}: ${server.storeError}`);
    return 1;
  }
  return 0;
}

/**
 * Says whether single sign-on is ready: the issuer's discovery document names its keys. A
 * provider that cannot be reached now is asked again at the next token login.
 */
async function announceSingleSignOn(tokens: OidcVerifier): Promise<void> {
  try {
    await tokens.ready();
    printOut(`Single sign-on: tokens from ${tokens.issuer} are logins (keys: ${tokens.jwksUri})`);
  } catch (error) {
    if (!(error instanceof ChatError)) throw error;
    printErr(`chat: Single sign-on: ${error.message} (asked again at the next token login)`);
  }
}

/**
 * A password from the first line of `file`, else from the variable `env`; undefined when
 * neither gives one. Throws `ChatError` for a file that cannot be read or has an empty first line.
 */
async function secret(
  file: string | undefined,
  what: string,
  env = "CHAT_SERVER_PASSWORD",
): Promise<string | undefined> {
  if (file === undefined) {
    const fromEnv = Deno.env.get(env);
    return fromEnv === undefined || fromEnv === "" ? undefined : fromEnv;
  }
  const text = await readTextFile(file, `the ${what} from ${file}`);
  const password = text.split(/\r?\n/)[0]?.trim() ?? "";
  if (password === "") throw new ChatError("bad_arguments", `The first line of ${file} is empty`);
  return password;
}

/** This machine's name, for a cluster node's default name ("node" when it may not be asked). */
function hostName(): string {
  try {
    return hostname();
  } catch {
    return "node";
  }
}

/** The operator's certificate, or the one kept in the data folder (made on first start). */
async function tlsIdentity(command: ServeCommand): Promise<TlsIdentity> {
  if (command.tlsCert !== undefined && command.tlsKey !== undefined) {
    return readTlsIdentity(command.tlsCert, command.tlsKey);
  }
  const names = ["localhost", "127.0.0.1", "::1"];
  for (const entry of networkInterfaces() ?? []) names.push(entry.address);
  if (!["0.0.0.0", "::", "[::]"].includes(command.hostname)) names.unshift(command.hostname);
  if (command.memory) {
    // Nothing on disk: a new certificate each start (clients that pinned the last one refuse).
    const made = await makeSelfSigned(names);
    return { ...made, fingerprint: await fingerprintOfPem(made.cert), selfSigned: true };
  }
  const data = command.data ?? defaultDataFolder(Deno.build.os, (name) => Deno.env.get(name));
  if (data === undefined) {
    throw new ChatError(
      "bad_arguments",
      "No home folder to keep a TLS certificate in: give --data DIR, or --tls-cert and --tls-key",
    );
  }
  return loadOrCreateTlsIdentity(`${data}/tls`, names);
}

/** A TLS port that cannot be opened, in the words the plain port's errors use. */
function tlsListenError(error: unknown, port: number): unknown {
  if (error instanceof Deno.errors.AddrInUse) {
    return new ChatError(
      "bad_arguments",
      `Cannot listen on TLS port ${port}: it is already in use`,
    );
  }
  const code = (error as { code?: unknown }).code;
  if (error instanceof Error && typeof code === "string" && /^ERR_(OSSL|SSL|TLS)/.test(code)) {
    return new ChatError(
      "bad_arguments",
      `Cannot use the TLS certificate and key: ${error.message.split("\n")[0]}`,
    );
  }
  return error;
}

/**
 * Says where TLS listens and the certificate's fingerprint, and reloads the operator's
 * certificate files on SIGHUP (a renewed certificate needs no restart). Returns a function that
 * stops listening for SIGHUP.
 */
function announceTls(
  tls: TlsListener,
  identity: TlsIdentity,
  command: ServeCommand,
  log: Logger,
): () => void {
  printOut(
    `TLS on port ${tls.addr.port}: certificate ${identity.fingerprint}` +
      (identity.selfSigned ? " (self-signed: chat join --tls pins it)" : ""),
  );
  if (Deno.build.os === "windows" || command.tlsCert === undefined) return () => {};
  const certFile = command.tlsCert;
  const keyFile = command.tlsKey ?? "";
  const reload = () => {
    readTlsIdentity(certFile, keyFile).then((next) => {
      tls.reload(next.cert, next.key);
      log.info("tls_reload", { fingerprint: next.fingerprint });
    }).catch((error) => {
      log.warn("tls_reload_failed", { error: error instanceof Error ? error.message : error });
    });
  };
  Deno.addSignalListener("SIGHUP", reload);
  return () => Deno.removeSignalListener("SIGHUP", reload);
}

/**
 * This machine's network interfaces, or undefined without `--allow-sys=networkInterfaces` (or
 * where they cannot be listed): the listening message then leaves them out.
 */
function networkInterfaces(): Deno.NetworkInterfaceInfo[] | undefined {
  try {
    const status = Deno.permissions.querySync({ name: "sys", kind: "networkInterfaces" });
    return status.state === "granted" ? Deno.networkInterfaces() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs the admin console on the terminal; log lines print above its input line. `stopping`
 * tells whether the server is on its way out (a signal), when the console closes.
 */
function startConsole(
  server: ChatServer,
  log: Logger,
  stdio: Stdio,
  options: { color: boolean; stopping: () => boolean },
): TerminalUi {
  const ui = new TerminalUi(stdio, {
    color: options.color && !Deno.env.get("NO_COLOR"),
    timestamps: false,
  });
  log.redirect((line) => ui.show([{ spans: [{ text: line, style: "dim" }] }]));
  void runConsole(server, ui).then((outcome) => {
    ui.close();
    log.redirect(printErr);
    if (outcome === "interrupt") void server.shutdown("Server is shutting down");
    // Only input that really ended leaves a server running without its console; closed because
    // the server stops (a signal, /shutdown), there is nothing more to say.
    if (outcome === "end" && !options.stopping()) {
      printErr(
        "chat: Admin console closed; the server keeps running (stop it with SIGINT or SIGTERM)",
      );
    }
  });
  return ui;
}

async function joinServer(command: JoinCommand, stdio: Stdio): Promise<number> {
  const ui: ChatUi = stdio.isTerminal
    ? new TerminalUi(stdio, {
      color: command.color && !Deno.env.get("NO_COLOR"),
      // PageUp pages back through the room's messages, from the oldest shown.
      pageUp: "/history",
    })
    : new LineUi(stdio);
  const controller = new AbortController();
  const stop = onSignals(() => controller.abort());
  try {
    const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
    let serverPassword: string | undefined;
    let login: string | undefined;
    let token: string | undefined;
    try {
      serverPassword = await secret(command.serverPasswordFile, "server password");
      login = await secret(command.passwordFile, "account password", "CHAT_PASSWORD");
      if (command.passwordFile === undefined || command.tokenFile !== undefined) {
        token = await secret(command.tokenFile, "token", "CHAT_TOKEN");
      }
    } catch (error) {
      if (!(error instanceof ChatError)) throw error;
      printErr(`chat: ${error.message}`);
      return 1;
    }
    const dial = command.tls
      ? tlsDialer({
        knownHostsFile: defaultKnownHostsFile((name) => Deno.env.get(name)),
        trustOnFirstUse: command.trustOnFirstUse,
        fingerprint: command.fingerprint,
        ask: stdio.isTerminal ? (question) => askYes(ui, question) : undefined,
      })
      : dialTcp;
    return await join(command, {
      ui,
      downloads: command.downloads ?? defaultDownloads(home),
      autoReceive: command.autoReceive,
      home,
      connect: (host, port) => connectTcp(host, port, dial),
      openData: (host, port) => DataLink.open(host, port, dial),
      serverPassword,
      login: login === undefined || command.nick === undefined
        ? undefined
        : { nick: command.nick, password: login },
      token: token === undefined ? undefined : async () => {
        // Read again at every connection (it may have been renewed); the last good one if not.
        if (command.tokenFile !== undefined) {
          token = await secret(command.tokenFile, "token").catch(() => token) ?? token;
        }
        return token ?? "";
      },
      error: printErr,
      echo: stdio.isTerminal,
      signal: controller.signal,
    });
  } finally {
    stop();
    ui.close();
  }
}

/** Asks a yes-or-no question on the terminal; anything but yes is no. */
async function askYes(ui: ChatUi, question: string): Promise<boolean> {
  ui.show([{ spans: [{ text: `* ${question}`, style: "system" }] }]);
  ui.setPrompt("Trust it? (yes/no): ");
  const answer = await ui.nextLine();
  return answer !== null && /^\s*y(es)?\s*$/i.test(answer);
}

/** `~/Downloads/chat` (or `chat-downloads` here when there is no home directory). */
function defaultDownloads(home: string | undefined): string {
  return home === undefined ? "chat-downloads" : `${home}/Downloads/chat`;
}

async function main(args: string[]): Promise<number> {
  const stdio = denoStdio();
  const command = parseCli(args, {
    interactive: stdio.isTerminal,
    tokenInEnv: (Deno.env.get("CHAT_TOKEN") ?? "") !== "",
  });
  switch (command.kind) {
    case "exit":
      if (command.stdout) writeAllSync(Deno.stdout, encoder.encode(command.stdout));
      if (command.stderr) writeAllSync(Deno.stderr, encoder.encode(command.stderr));
      return command.code;
    case "serve":
      return await serve(command, stdio);
    case "join":
      return await joinServer(command, stdio);
    case "backup":
      return await backupData(command);
  }
}

/**
 * `chat backup FILE`: copies a stopped server's database. A running server holds it: it is
 * backed up from the server's admin console then (`/backup FILE`).
 */
async function backupData(command: BackupCommand): Promise<number> {
  const folder = command.data ??
    defaultDataFolder(Deno.build.os, (name) => Deno.env.get(name));
  if (folder === undefined) {
    printErr("chat: Cannot find a data folder: HOME is not set (name one with --data DIR)");
    return 1;
  }
  const path = resolve(folder, DATABASE_FILE);
  try {
    Deno.statSync(path);
  } catch {
    printErr(`chat: No database to back up: ${path} does not exist`);
    return 1;
  }
  let database: SqliteDatabase;
  try {
    database = SqliteDatabase.open(path, { migrate: false });
  } catch (error) {
    if (!(error instanceof StoreError)) throw error;
    const running = error.message.endsWith("database is in use by another chat server");
    printErr(
      `chat: ${error.message}` +
        (running ? " (while it runs, use /backup FILE at its admin console)" : ""),
    );
    return 1;
  }
  try {
    await database.backup(command.file);
    const size = formatBytes(Deno.statSync(command.file).size);
    printOut(`Backed up ${path} to ${command.file} (${size})`);
    return 0;
  } catch (error) {
    printErr(`chat: Cannot back up to ${command.file}: ${(error as Error).message}`);
    return 1;
  } finally {
    database.close();
  }
}

if (import.meta.main) {
  // Anything unexpected is a bug: report it in one line (the details only with CHAT_DEBUG=1).
  const report = (error: unknown) => {
    printErr(`chat: Internal error: ${error instanceof Error ? error.message : String(error)}`);
    if (Deno.env.get("CHAT_DEBUG") && error instanceof Error) printErr(error.stack ?? "");
  };
  globalThis.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    report(event.reason);
  });
  let code: number;
  try {
    code = await main(Deno.args);
  } catch (error) {
    report(error);
    code = 1;
  }
  Deno.exit(code);
}
