import assert from "node:assert/strict";
import { freePort, HOST, lines, waitAccepting } from "../scripts/bench/process.ts";

Deno.test("waitAccepting() resolves once something listens on the port", async () => {
  const listener = Deno.listen({ hostname: HOST, port: 0 });
  const accepted = listener.accept().then((conn) => conn.close());
  try {
    await waitAccepting(listener.addr.port, 5000);
    await accepted;
  } finally {
    listener.close();
  }
});

Deno.test("waitAccepting() gives up after its timeout when nothing listens", async () => {
  const port = freePort();
  await assert.rejects(() => waitAccepting(port, 100));
});

Deno.test("lines() splits a byte stream into lines across chunks, keeping a last partial line", async () => {
  const chunks = ["one\ntw", "o\n", "thr", "ee"].map((text) => new TextEncoder().encode(text));
  const stream = ReadableStream.from(chunks);
  const seen: string[] = [];
  for await (const line of lines(stream)) seen.push(line);
  assert.deepEqual(seen, ["one", "two", "three"]);
});
