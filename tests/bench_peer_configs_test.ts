import assert from "node:assert/strict";
import {
  INSPIRCD_SENDQ_BYTES,
  inspircdConfig,
  ngircdConfig,
  PEER_PING_SECONDS,
} from "../scripts/bench/peer_configs.ts";

const options = { host: "127.0.0.1", port: 6000, dir: "/tmp/peer" };

Deno.test("ngircdConfig() turns off penalties, per-IP and join limits, DNS, ident and PAM", () => {
  const text = ngircdConfig(options);
  for (
    const line of [
      "Listen = 127.0.0.1",
      "Ports = 6000",
      "PidFile = /tmp/peer/ngircd.pid",
      "MaxPenaltyTime = 0",
      "MaxConnectionsIP = 0",
      "MaxJoins = 0",
      "DNS = no",
      "Ident = no",
      "PAM = no",
      `PingTimeout = ${PEER_PING_SECONDS}`,
    ]
  ) {
    assert.ok(text.includes(`\t${line}\n`), line);
  }
  // A large MaxConnections makes ngIRCd scan its pool every loop: it stays 0 (no limit).
  assert.ok(text.includes("\tMaxConnections = 0\n"));
  assert.ok(text.indexOf("[Global]") < text.indexOf("[Limits]"));
  assert.ok(text.indexOf("[Limits]") < text.indexOf("[Options]"));
});

Deno.test("inspircdConfig() relaxes flood control and queues in one connect class", () => {
  const text = inspircdConfig({ ...options, maxConnections: 10_100 });
  const connect = /<connect [^>]*>/.exec(text)?.[0] ?? "";
  for (
    const attribute of [
      'fakelag="no"',
      'threshold="1000000000"',
      'commandrate="1000000000"',
      `recvq="${INSPIRCD_SENDQ_BYTES}"`,
      `softsendq="${INSPIRCD_SENDQ_BYTES}"`,
      `hardsendq="${INSPIRCD_SENDQ_BYTES}"`,
      'localmax="10100"',
      'globalmax="10100"',
      'limit="10100"',
      'resolvehostnames="no"',
      `pingfreq="${PEER_PING_SECONDS}"`,
    ]
  ) {
    assert.ok(connect.includes(attribute), attribute);
  }
  const performance = /<performance [^>]*>/.exec(text)?.[0] ?? "";
  for (const attribute of ['somaxconn="4096"', 'softlimit="10100"', 'netbuffersize="65536"']) {
    assert.ok(performance.includes(attribute), attribute);
  }
  assert.match(text, /<bind address="127\.0\.0\.1" port="6000" type="clients">/);
  assert.match(text, /<pid file="\/tmp\/peer\/inspircd\.pid">/);
});

Deno.test("inspircdConfig() allows 20,000 connections by default", () => {
  assert.match(inspircdConfig(options), /softlimit="20000"/);
});
