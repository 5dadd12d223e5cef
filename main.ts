/**
 * The `chat` program: parse the command line, then run a server or join one. This is the only
 * place that exits the process; signals become a graceful shutdown or a clean leave.
 */
import { parseCli } from "./src/cli.ts";
import { connectTcp } from "./src/client/connection.ts";
import { join } from "./src/client/join.ts";
import { LineUi } from "./src/terminal/line_ui.ts";
import { denoStdio, type Stdio } from "./src/terminal/stdio.ts";
import { TerminalUi } from "./src/terminal/terminal_ui.ts";
import type { ChatUi } from "./src/terminal/ui.ts";
import { Logger } from "./src/log.ts";
import { writeAllSync } from "./src/pump.ts";
import { ChatServer } from "./src/server/server.ts";
import { listenTcp } from "./src/carrier/tcp_listener.ts";
import { MAX_LINE_BYTES, MAX_UNTERMINATED_BYTES } from "./src/limits.ts";
import { joinHints } from "./src/server/addresses.ts";
import { runConsole } from "./src/server/console.ts";
import type { JoinCommand, ServeCommand } from "./src/cli.ts";

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

async function serve(command: ServeCommand, stdio: Stdio): Promise<number> {
  const log = new Logger({ format: command.logFormat, sink: printErr });
  let server: ChatServer;
  try {
    const listener = listenTcp({
      hostname: command.hostname,
      port: command.port,
      maxLineBytes: MAX_LINE_BYTES,
      maxUnterminatedBytes: MAX_UNTERMINATED_BYTES,
    });
    server = new ChatServer({
      listener,
      rooms: command.rooms,
      historySize: command.history,
      userRooms: command.userRooms,
      maxClients: command.maxClients,
      maxPerIp: command.maxPerIp,
      maxOutboxBytes: command.maxQueueKiB * 1024,
      maxFileBytes: command.maxFileMiB * 1024 * 1024,
      resumeGraceMs: command.resumeGrace * 1000,
      serverName: command.serverName,
      limits: {
        flood: { burst: command.floodBurst, perSecond: command.floodRate },
        registrationTimeoutMs: command.registrationTimeout * 1000,
        pingAfterMs: command.pingInterval * 1000,
        pingTimeoutMs: command.pingInterval * 2000,
        writeStallMs: command.stallTimeout * 1000,
      },
    }, log);
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
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
  printOut(`chat server ${server.address} is listening (Ctrl-C to stop)`);
  for (const line of joinHints(server.addr, { interfaces: networkInterfaces() })) printOut(line);
  const adminConsole = stdio.isTerminal && Deno.stdout.isTerminal()
    ? startConsole(server, log, stdio, { color: command.color, stopping: () => stopping })
    : undefined;
  try {
    await server.finished;
  } finally {
    stopping = true;
    stop();
    adminConsole?.close();
  }
  return 0;
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
    ? new TerminalUi(stdio, { color: command.color && !Deno.env.get("NO_COLOR") })
    : new LineUi(stdio);
  const controller = new AbortController();
  const stop = onSignals(() => controller.abort());
  try {
    const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
    return await join(command, {
      ui,
      downloads: command.downloads ?? defaultDownloads(home),
      autoReceive: command.autoReceive,
      home,
      connect: connectTcp,
      error: printErr,
      echo: stdio.isTerminal,
      signal: controller.signal,
    });
  } finally {
    stop();
    ui.close();
  }
}

/** `~/Downloads/chat` (or `chat-downloads` here when there is no home directory). */
function defaultDownloads(home: string | undefined): string {
  return home === undefined ? "chat-downloads" : `${home}/Downloads/chat`;
}

async function main(args: string[]): Promise<number> {
  const stdio = denoStdio();
  const command = parseCli(args, { interactive: stdio.isTerminal });
  switch (command.kind) {
    case "exit":
      if (command.stdout) writeAllSync(Deno.stdout, encoder.encode(command.stdout));
      if (command.stderr) writeAllSync(Deno.stderr, encoder.encode(command.stderr));
      return command.code;
    case "serve":
      return await serve(command, stdio);
    case "join":
      return await joinServer(command, stdio);
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
