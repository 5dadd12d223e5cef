/**
 * A `--preload` module for the server: writes a V8 heap snapshot each time the process gets
 * SIGUSR2, so a running server can be looked at before and after clients connect. Compare two
 * with `heap_diff.ts`.
 *
 * ```sh
 * deno run -A --preload scripts/bench/heap_snapshot.ts main.ts serve --port 12345 &
 * kill -USR2 $!      # writes chat-<pid>-0.heapsnapshot into the working directory
 * # ... connect 5,000 clients ...
 * kill -USR2 $!      # chat-<pid>-1.heapsnapshot
 * deno run -A scripts/bench/heap_diff.ts chat-*-0.heapsnapshot chat-*-1.heapsnapshot --per 5000
 * ```
 */
import v8 from "node:v8";

let taken = 0;
Deno.addSignalListener("SIGUSR2", () => {
  const file = v8.writeHeapSnapshot(`chat-${Deno.pid}-${taken++}.heapsnapshot`);
  console.error(`heap snapshot written: ${file}`);
});
