import assert from "node:assert/strict";
import {
  type InterfaceAddress,
  joinHints,
  reachableAddresses,
  webAddress,
} from "../src/server/addresses.ts";

const LAPTOP: InterfaceAddress[] = [
  { name: "lo", family: "IPv4", address: "127.0.0.1" },
  { name: "lo", family: "IPv6", address: "::1" },
  { name: "wlan0", family: "IPv6", address: "fd00::2" },
  { name: "wlan0", family: "IPv6", address: "fe80::fc:ff:fe00:1" },
  { name: "wlan0", family: "IPv4", address: "192.168.1.20" },
  { name: "docker0", family: "IPv4", address: "172.17.0.1" },
];

Deno.test("joinHints() on 0.0.0.0 lists the IPv4 addresses others can use, and what to type", () => {
  assert.deepEqual(joinHints({ hostname: "0.0.0.0", port: 12345 }, { interfaces: LAPTOP }), [
    "Others can reach it at any of:",
    "  192.168.1.20  (wlan0)",
    "  172.17.0.1    (docker0)",
    "To join, type:",
    "  chat join 192.168.1.20:12345",
    "or, without chat (nc or any plain TCP client):",
    "  nc 192.168.1.20 12345",
    "or open in a web browser:",
    "  http://192.168.1.20:12345/",
  ]);
});

Deno.test("joinHints() on :: lists IPv4 first, then IPv6 without link-local addresses", () => {
  const lines = joinHints({ hostname: "::", port: 4000 }, { interfaces: LAPTOP });
  assert.deepEqual(lines.slice(0, 4), [
    "Others can reach it at any of:",
    "  192.168.1.20  (wlan0)",
    "  172.17.0.1    (docker0)",
    "  fd00::2       (wlan0)",
  ]);
  assert.ok(lines.includes("  chat join 192.168.1.20:4000"));
  assert.ok(!lines.some((line) => line.includes("fe80") || line.includes("127.0.0.1")));
});

Deno.test("joinHints() brackets an IPv6 address in the chat join line, not in the nc line", () => {
  const interfaces: InterfaceAddress[] = [{ name: "eth0", family: "IPv6", address: "fd00::2" }];
  assert.deepEqual(joinHints({ hostname: "::", port: 4000 }, { interfaces }), [
    "Others can reach it at:",
    "  fd00::2  (eth0)",
    "To join, type:",
    "  chat join [fd00::2]:4000",
    "or, without chat (nc or any plain TCP client):",
    "  nc fd00::2 4000",
    "or open in a web browser:",
    "  http://[fd00::2]:4000/",
  ]);
});

Deno.test("joinHints() bound to one address gives that address", () => {
  assert.deepEqual(joinHints({ hostname: "10.0.0.7", port: 12345 }, { interfaces: LAPTOP }), [
    "To join, type:",
    "  chat join 10.0.0.7:12345",
    "or, without chat (nc or any plain TCP client):",
    "  nc 10.0.0.7 12345",
    "or open in a web browser:",
    "  http://10.0.0.7:12345/",
  ]);
});

Deno.test("joinHints() bound to loopback says only this machine can connect", () => {
  const lines = joinHints({ hostname: "127.0.0.1", port: 12345 });
  assert.ok(lines.includes("  chat join 127.0.0.1:12345"));
  assert.match(lines.at(-1) ?? "", /^Only this machine can connect: .*--host 0\.0\.0\.0/);
});

Deno.test("joinHints() on 0.0.0.0 without the interface list says nothing more", () => {
  assert.deepEqual(joinHints({ hostname: "0.0.0.0", port: 12345 }), []);
});

Deno.test("joinHints() on 0.0.0.0 with only loopback says others cannot join yet", () => {
  const lines = joinHints({ hostname: "0.0.0.0", port: 12345 }, {
    interfaces: LAPTOP.filter((entry) => entry.name === "lo"),
  });
  assert.match(lines[0] ?? "", /only this machine can join/);
  assert.ok(lines.includes("  chat join 127.0.0.1:12345"));
});

Deno.test("reachableAddresses() keeps each address once and IPv6 only when asked", () => {
  const twice = [...LAPTOP, { name: "br0", family: "IPv4" as const, address: "192.168.1.20" }];
  assert.deepEqual(reachableAddresses(twice, false).map((entry) => entry.address), [
    "192.168.1.20",
    "172.17.0.1",
  ]);
  assert.deepEqual(reachableAddresses(twice, true).map((entry) => entry.address), [
    "192.168.1.20",
    "172.17.0.1",
    "fd00::2",
  ]);
});

Deno.test("webAddress() is the address of the printed http:// line", () => {
  const lines = joinHints({ hostname: "0.0.0.0", port: 12345 }, { interfaces: LAPTOP });
  const web = webAddress({ hostname: "0.0.0.0", port: 12345 }, { interfaces: LAPTOP });
  assert.ok(lines.includes(`  ${web}/`), web);
  assert.equal(webAddress({ hostname: "127.0.0.1", port: 80 }), "http://127.0.0.1:80");
  assert.equal(webAddress({ hostname: "::1", port: 8080 }), "http://[::1]:8080");
  assert.equal(webAddress({ hostname: "0.0.0.0", port: 1 }), "http://127.0.0.1:1");
  assert.equal(webAddress({ hostname: "::", port: 1 }, { interfaces: [] }), "http://[::1]:1");
});

Deno.test("joinHints() adds the TLS lines after the plain ones, or gives only them with tlsOnly", () => {
  const bound = { hostname: "192.168.1.20", port: 12345 };
  const both = joinHints(bound, { tlsPort: 6697 });
  assert.deepEqual(both.slice(-4), [
    "or, encrypted:",
    "  chat join --tls 192.168.1.20:6697",
    "or open in a web browser:",
    "  https://192.168.1.20:6697/",
  ]);
  assert.ok(both.includes("  nc 192.168.1.20 12345"));
  const only = joinHints({ hostname: "::1", port: 6697 }, { tlsOnly: true });
  assert.deepEqual(only, [
    "To join (TLS only), type:",
    "  chat join --tls [::1]:6697",
    "or open in a web browser:",
    "  https://[::1]:6697/",
    "Only this machine can connect: serve with --host 0.0.0.0 to let others join",
  ]);
  assert.equal(
    webAddress({ hostname: "::1", port: 6697 }, { tlsOnly: true }),
    "https://[::1]:6697",
  );
});
