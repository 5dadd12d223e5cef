/**
 * A real `redis-server` (Debian's) for end-to-end tests: started on a free loopback port, with
 * nothing saved unless a folder for its append-only file is given.
 */
import { freePort, LineCollector } from "./harness.ts";

/** A running `redis-server`. */
export class RedisProcess {
  readonly port: number;
  readonly url: string;
  readonly #dir: string | undefined;
  #child: Deno.ChildProcess;
  #output: LineCollector;

  private constructor(port: number, dir: string | undefined) {
    this.port = port;
    this.url = `redis://127.0.0.1:${port}`;
    this.#dir = dir;
    this.#child = this.#spawn();
    this.#output = new LineCollector(this.#child.stdout);
  }

  /** Starts Redis and waits until it accepts connections. `dir`: keep an AOF there. */
  static async start(dir?: string): Promise<RedisProcess> {
    const redis = new RedisProcess(freePort(), dir);
    await redis.#ready();
    return redis;
  }

  #spawn(): Deno.ChildProcess {
    const persistence = this.#dir === undefined
      ? ["--appendonly", "no"]
      : ["--appendonly", "yes", "--appendfsync", "always", "--dir", this.#dir];
    return new Deno.Command("redis-server", {
      args: [
        "--port",
        String(this.port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        ...persistence,
      ],
      stdout: "piped",
      stderr: "null",
    }).spawn();
  }

  async #ready(): Promise<void> {
    await this.#output.waitFor(/Ready to accept connections/);
  }

  /** Freezes Redis (SIGSTOP): its connections stay open, nothing is answered. */
  pause(): void {
    this.#child.kill("SIGSTOP");
  }

  /** Thaws Redis after `pause`. */
  resume(): void {
    this.#child.kill("SIGCONT");
  }

  /** Stops Redis (SIGTERM: it finishes its append-only file) and starts it again, same port. */
  async restart(): Promise<void> {
    this.#child.kill("SIGTERM");
    await this.#child.status;
    await this.#output.done;
    this.#child = this.#spawn();
    this.#output = new LineCollector(this.#child.stdout);
    await this.#ready();
  }

  async stop(): Promise<void> {
    try {
      this.#child.kill("SIGCONT");
      this.#child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await this.#child.status;
    await this.#output.done;
  }
}
