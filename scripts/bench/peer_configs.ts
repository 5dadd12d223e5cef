/**
 * Configuration files for the IRC servers the benchmark compares us with (`--peers`): InspIRCd
 * and ngIRCd from Debian, on loopback, with flood control and per-client limits relaxed as the
 * benchmark relaxes ours (scripts/bench/runner.ts `LIFTED_LIMITS`). Pure: the text only; writing
 * the files and running the servers is scripts/bench/peers.ts.
 *
 * @example
 * ```ts
 * import { ngircdConfig } from "./peer_configs.ts";
 * const text = ngircdConfig({ host: "127.0.0.1", port: 6667, dir: "/tmp/peer" });
 * text.includes("MaxPenaltyTime = 0"); // true
 * ```
 */

/** Where and how a peer listens. */
export interface PeerConfigOptions {
  /** Address to listen on (loopback). */
  host: string;
  /** TCP port. */
  port: number;
  /** Folder for the pid file and anything else the server writes. */
  dir: string;
  /**
   * Most connections the server may hold (InspIRCd's `softlimit` and class `limit`; ngIRCd keeps
   * `MaxConnections` at 0, no limit, because a large value makes it scan its pool every loop).
   * @default 20000
   */
  maxConnections?: number;
}

/**
 * Seconds between a peer's pings of a silent client. The generator answers every PING, but
 * receivers are silent for minutes while big rooms fill, so pings are kept out of the way.
 */
export const PEER_PING_SECONDS = 3600;

/**
 * Bytes a peer may queue for one client before dropping it. Ours is 256 KiB; InspIRCd's example
 * configuration ships 1 MiB, which we keep. ngIRCd's queue is fixed at compile time (32 KiB).
 */
export const INSPIRCD_SENDQ_BYTES = 1024 * 1024;

/**
 * ngIRCd: penalties off (`MaxPenaltyTime = 0`), no per-IP or join limit, no DNS, ident or PAM,
 * pings out of the way. `MaxConnections` stays 0.
 */
export function ngircdConfig(options: PeerConfigOptions): string {
  return [
    "[Global]",
    "\tName = bench.peer",
    "\tInfo = chat benchmark peer",
    `\tListen = ${options.host}`,
    `\tPorts = ${options.port}`,
    `\tPidFile = ${options.dir}/ngircd.pid`,
    "\tMotdPhrase = benchmark",
    "[Limits]",
    "\tMaxConnections = 0",
    "\tMaxConnectionsIP = 0",
    "\tMaxJoins = 0",
    "\tMaxPenaltyTime = 0",
    `\tPingTimeout = ${PEER_PING_SECONDS}`,
    "\tPongTimeout = 600",
    "[Options]",
    "\tDNS = no",
    "\tIdent = no",
    "\tPAM = no",
    "",
  ].join("\n");
}

/**
 * InspIRCd 3: one connect class for everyone with flood control off (`fakelag=no`, a huge
 * `threshold` and `commandrate`), large receive and send queues, no per-IP limits and no DNS;
 * `<performance>` with a deep accept queue, room for every connection and 64 KiB reads.
 */
export function inspircdConfig(options: PeerConfigOptions): string {
  const max = options.maxConnections ?? 20_000;
  return [
    `<server name="bench.peer" description="chat benchmark peer" network="bench">`,
    `<admin name="bench" nick="bench" email="bench@localhost">`,
    `<bind address="${options.host}" port="${options.port}" type="clients">`,
    `<connect name="bench" allow="*" timeout="600" pingfreq="${PEER_PING_SECONDS}"` +
    ` threshold="1000000000" commandrate="1000000000" fakelag="no"` +
    ` recvq="${INSPIRCD_SENDQ_BYTES}" softsendq="${INSPIRCD_SENDQ_BYTES}"` +
    ` hardsendq="${INSPIRCD_SENDQ_BYTES}" localmax="${max}" globalmax="${max}"` +
    ` limit="${max}" maxchans="1000" resolvehostnames="no" useident="no">`,
    `<performance somaxconn="4096" softlimit="${max}" netbuffersize="65536"` +
    ` clonesonconnect="no" quietbursts="yes">`,
    `<pid file="${options.dir}/inspircd.pid">`,
    `<dns server="127.0.0.1" timeout="1">`,
    `<options syntaxhints="no" announcets="no">`,
    `<log method="file" type="* -USERINPUT -USEROUTPUT" level="default"` +
    ` target="${options.dir}/inspircd.log">`,
    "",
  ].join("\n");
}
