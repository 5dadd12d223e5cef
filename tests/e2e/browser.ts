/**
 * A real browser for end-to-end tests: the system Chromium (`apt-get install chromium`, which
 * .ci/run does), driven through playwright-core, in a persistent context on a fresh profile
 * folder that is deleted on close. Nothing is downloaded: playwright-core brings no browser.
 *
 * @example
 * ```ts ignore
 * import { TestBrowser } from "./browser.ts";
 *
 * await using browser = await TestBrowser.launch();
 * const page = await browser.newPage();
 * await page.goto("http://127.0.0.1:12345/");
 * ```
 */
import { type BrowserContext, chromium, type Page } from "playwright-core";

/** Where Debian's package puts Chromium. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/**
 * Flags for a quiet, reproducible browser in a container: no sandbox (tests run as root), no
 * GPU, and none of the background traffic (updates, sync, QUIC probes) a fresh profile starts.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Options for {@linkcode TestBrowser.launch}. */
export interface TestBrowserOptions {
  /** @default {CHROMIUM_PATH} */
  executablePath?: string;
  /** @default {true} */
  headless?: boolean;
  /**
   * Time allowed for launching, and for each Playwright action and wait, in ms.
   * @default {15000}
   */
  timeoutMs?: number;
  /** Page size, in CSS pixels. @default {{ width: 1024, height: 768 }} */
  viewport?: { width: number; height: number };
}

/** Time allowed for closing the browser before its folder is removed anyway. */
const CLOSE_TIMEOUT_MS = 10_000;

/** Whether the system Chromium is installed (tests can be skipped with a clear message if not). */
export function hasChromium(path = CHROMIUM_PATH): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** A Chromium on a throwaway profile. Close it (or `await using` it) to end the process. */
export class TestBrowser implements AsyncDisposable {
  readonly context: BrowserContext;
  readonly profileDir: string;
  readonly #errors: string[] = [];
  #closed: Promise<void> | undefined;

  private constructor(context: BrowserContext, profileDir: string) {
    this.context = context;
    this.profileDir = profileDir;
  }

  /** Starts Chromium on a new temporary profile folder. */
  static async launch(options: TestBrowserOptions = {}): Promise<TestBrowser> {
    const executablePath = options.executablePath ?? CHROMIUM_PATH;
    if (!hasChromium(executablePath)) {
      throw new Error(`Chromium not found at ${executablePath}: run apt-get install -y chromium`);
    }
    const timeout = options.timeoutMs ?? 15_000;
    const profileDir = await Deno.makeTempDir({ prefix: "chat-browser-" });
    let context: BrowserContext;
    try {
      context = await chromium.launchPersistentContext(profileDir, {
        executablePath,
        headless: options.headless ?? true,
        args: [...CHROMIUM_ARGS],
        timeout,
        viewport: options.viewport ?? { width: 1024, height: 768 },
        // The tests run in a container without a desktop session.
        env: { ...Deno.env.toObject(), DBUS_SESSION_BUS_ADDRESS: "/dev/null" },
      });
    } catch (error) {
      await removeQuietly(profileDir);
      throw error;
    }
    context.setDefaultTimeout(timeout);
    const browser = new TestBrowser(context, profileDir);
    context.on("page", (page) => browser.#watch(page));
    for (const page of context.pages()) browser.#watch(page);
    return browser;
  }

  /** Errors thrown in pages and console errors, for a test to check or print on failure. */
  get errors(): readonly string[] {
    return this.#errors;
  }

  #watch(page: Page): void {
    page.on("pageerror", (error) => this.#errors.push(`pageerror: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") this.#errors.push(`console: ${message.text()}`);
    });
  }

  /** A page: the one a persistent context opens with, then new ones. */
  async newPage(): Promise<Page> {
    const blank = this.context.pages().find((page) => page.url() === "about:blank");
    return blank ?? await this.context.newPage();
  }

  /**
   * Closes the browser and removes its profile folder. Bounded in time: if Chromium does not
   * close within 10 s the folder is removed anyway. Safe to call more than once.
   */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        this.context.close().catch(() => {}),
        new Promise<void>((resolve) => timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)),
      ]);
    } finally {
      clearTimeout(timer);
      await removeQuietly(this.profileDir);
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

async function removeQuietly(path: string): Promise<void> {
  try {
    await Deno.remove(path, { recursive: true });
  } catch {
    // Already gone.
  }
}
