/**
 * The IRC servers the benchmark compares us with (`--peers`): InspIRCd and ngIRCd from Debian.
 * Installs them when missing (and stops any service the packages start), writes their
 * configurations (scripts/bench/peer_configs.ts) into a temporary folder, runs one on a free
 * loopback port until it accepts, and removes the folder when it stops.
 *
 * InspIRCd refuses to run as root, so as root both peers run as `nobody` (through `setpriv`, which
 * execs: the process id stays the one /proc is read for) with their folder owned by it.
 */
import { inspircdConfig, ngircdConfig } from "./peer_configs.ts";
import {
  collectStderr,
  freePort,
  HOST,
  kill,
  spawnLimited,
  type Stderr,
  waitAccepting,
} from "./process.ts";

/** The IRC servers we compare with. */
export type Peer = "inspircd" | "ngircd";

/** Every peer, in report order. */
export const PEERS: readonly Peer[] = ["inspircd", "ngircd"];

/** Debian package and program of each peer. */
const PROGRAMS: Record<Peer, { packageName: string; program: string; versionArgs: string[] }> = {
  inspircd: { packageName: "inspircd", program: "inspircd", versionArgs: ["--version"] },
  ngircd: { packageName: "ngircd", program: "ngircd", versionArgs: ["--version"] },
};

/** The unprivileged user peers run as when the benchmark runs as root. */
const PEER_USER = "nobody";

/** A running peer. */
export interface StartedPeer extends Stderr {
  child: Deno.ChildProcess;
  port: number;
  /** Removes the temporary folder (after the process has exited). */
  cleanup: () => Promise<void>;
}

/** The first line of a peer's version output, or "" when it is not installed. */
export async function peerVersion(peer: Peer): Promise<string> {
  const { program, versionArgs } = PROGRAMS[peer];
  try {
    const output = await new Deno.Command(program, {
      args: versionArgs,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(output.stdout) +
      new TextDecoder().decode(output.stderr);
    return text.trim().split("\n")[0] ?? "";
  } catch {
    return "";
  }
}

/**
 * Installs the missing peers with apt-get (needs root), then stops and disables the services the
 * packages may have started, so that nothing else holds their ports or the cores.
 * Throws when a peer is still missing afterwards.
 */
export async function ensurePeers(log: (line: string) => void): Promise<void> {
  const missing: Peer[] = [];
  for (const peer of PEERS) if (await peerVersion(peer) === "") missing.push(peer);
  if (missing.length === 0) return;
  const packages = missing.map((peer) => PROGRAMS[peer].packageName);
  log(`bench: installing ${packages.join(" ")} (apt-get)`);
  let install = await aptGet(["install", "-y", "--no-install-recommends", ...packages]);
  if (!install.success) {
    // A fresh machine may not have the package lists yet.
    await aptGet(["update"]);
    install = await aptGet(["install", "-y", "--no-install-recommends", ...packages]);
  }
  for (const peer of missing) await stopService(PROGRAMS[peer].packageName);
  for (const peer of missing) {
    if (await peerVersion(peer) === "") {
      throw new Error(
        `Cannot install ${peer}: ${install.stderr.trim().split("\n").slice(-3).join(" | ")}`,
      );
    }
  }
}

/** Runs apt-get without questions; whether it succeeded and what it said on stderr. */
async function aptGet(args: string[]): Promise<{ success: boolean; stderr: string }> {
  try {
    const output = await new Deno.Command("apt-get", {
      args,
      env: { DEBIAN_FRONTEND: "noninteractive" },
      stdout: "null",
      stderr: "piped",
    }).output();
    return { success: output.success, stderr: new TextDecoder().decode(output.stderr) };
  } catch (error) {
    return { success: false, stderr: error instanceof Error ? error.message : String(error) };
  }
}

/** Stops and disables a packaged service; where there is no init system, nothing happens. */
async function stopService(name: string): Promise<void> {
  const attempts: [string, string[]][] = [
    ["systemctl", ["disable", "--now", name]],
    ["service", [name, "stop"]],
  ];
  for (const [command, args] of attempts) {
    await new Deno.Command(command, { args, stdout: "null", stderr: "null" }).output()
      .catch(() => {});
  }
}

/** Starts a peer on a free loopback port and waits until it accepts connections. */
export async function startPeer(
  peer: Peer,
  options: { nice: number; maxConnections: number },
): Promise<StartedPeer> {
  const dir = await Deno.makeTempDir({ prefix: `chat-bench-${peer}-` });
  const cleanup = () => Deno.remove(dir, { recursive: true }).catch(() => {});
  const port = freePort();
  const config = `${dir}/${peer}.conf`;
  const text = peer === "inspircd"
    ? inspircdConfig({ host: HOST, port, dir, maxConnections: options.maxConnections })
    : ngircdConfig({ host: HOST, port, dir });
  await Deno.writeTextFile(config, text);
  const asUser = Deno.uid() === 0 ? await dropTo(dir) : [];
  const command = peer === "inspircd"
    ? ["inspircd", "--nofork", "--nopid", "--config", config]
    : ["ngircd", "--nodaemon", "--config", config];
  const child = spawnLimited([...asUser, ...command], {
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }, options.nice);
  const stderr = collectStderr(child.stderr);
  try {
    await waitAccepting(port, 10_000);
  } catch {
    kill(child, "SIGKILL");
    await child.status;
    await cleanup();
    throw new Error(`${peer} did not start: ${stderr.tail().join(" | ")}`);
  }
  return { child, port, ...stderr, cleanup };
}

/** Gives the folder to the unprivileged user and returns the command prefix that runs as it. */
async function dropTo(dir: string): Promise<string[]> {
  const id = await new Deno.Command("id", { args: ["-u", PEER_USER], stdout: "piped" }).output();
  const gid = await new Deno.Command("id", { args: ["-g", PEER_USER], stdout: "piped" }).output();
  const uid = Number(new TextDecoder().decode(id.stdout).trim());
  const group = Number(new TextDecoder().decode(gid.stdout).trim());
  await Deno.chmod(dir, 0o755);
  await Deno.chown(dir, uid, group);
  for await (const entry of Deno.readDir(dir)) {
    await Deno.chown(`${dir}/${entry.name}`, uid, group);
  }
  return ["setpriv", `--reuid=${uid}`, `--regid=${group}`, "--clear-groups"];
}
