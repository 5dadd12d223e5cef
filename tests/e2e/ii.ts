/**
 * Driving Debian's `ii` (an IRC client made of files and FIFOs) from e2e tests: whether it is
 * installed, and waiting for its files with a deadline.
 */

/** Whether `ii` is on the PATH. */
export async function iiInstalled(): Promise<boolean> {
  const found = await new Deno.Command("sh", { args: ["-c", "command -v ii"], stdout: "null" })
    .output().catch(() => undefined);
  return found?.success === true;
}

/** Waits (10 s at most) until `path` exists. */
export async function waitForFile(path: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      await Deno.stat(path);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`${path} did not appear`);
}

/** Waits (10 s at most) until the file at `path` holds `text`. */
export async function waitForText(path: string, text: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  let seen = "";
  while (Date.now() < deadline) {
    seen = await Deno.readTextFile(path).catch(() => "");
    if (seen.includes(text)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${path} never held ${JSON.stringify(text)}; it holds:\n${seen}`);
}

/** Writes `text` to a FIFO (ii's `in` files). */
export async function writeFifo(path: string, text: string): Promise<void> {
  const file = await Deno.open(path, { write: true });
  try {
    await file.write(new TextEncoder().encode(text));
  } finally {
    file.close();
  }
}
