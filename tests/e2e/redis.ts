/**
 * A real `redis-server` (Debian's) for end-to-end tests: started on a free loopback port, with
 * nothing saved unless a folder for its append-only file is given.
 */
import { DEADLINE_MS, freePort, LineCollector } from "./harness.ts";

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

/** A Redis Cluster of three masters on loopback (`redis-cli --cluster create`), no replicas. */
export class RedisClusterProcess {
  readonly ports: number[];
  readonly #dir: string;
  readonly #children: Deno.ChildProcess[];

  private constructor(dir: string, ports: number[], children: Deno.ChildProcess[]) {
    this.#dir = dir;
    this.ports = ports;
    this.#children = children;
  }

  /** The URL of one of its masters. */
  url(index: number): string {
    return `redis://127.0.0.1:${this.ports[index % this.ports.length]}`;
  }

  /** Starts three masters, joins them into one cluster and waits until it serves every slot. */
  static async start(): Promise<RedisClusterProcess> {
    const dir = await Deno.makeTempDir({ prefix: "chat-redis-cluster-" });
    const ports = [freePort(), freePort(), freePort()];
    const children: Deno.ChildProcess[] = [];
    const cluster = new RedisClusterProcess(dir, ports, children);
    try {
      for (const port of ports) {
        const child = new Deno.Command("redis-server", {
          args: [
            "--port",
            String(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            `${dir}/nodes-${port}.conf`,
          ],
          stdout: "piped",
          stderr: "null",
        }).spawn();
        children.push(child);
        await new LineCollector(child.stdout).waitFor(/Ready to accept connections/);
      }
      const created = await new Deno.Command("redis-cli", {
        args: [
          "--cluster",
          "create",
          ...ports.map((port) => `127.0.0.1:${port}`),
          "--cluster-replicas",
          "0",
          "--cluster-yes",
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      if (!created.success) throw new Error(new TextDecoder().decode(created.stderr));
      // Each master learns the others' slots by gossip: wait until every one says the cluster is ok.
      const deadline = Date.now() + DEADLINE_MS;
      for (const port of ports) {
        while (!(await clusterOk(port))) {
          if (Date.now() > deadline) throw new Error(`Redis Cluster on ${port} is not ok in time`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    for (const child of this.#children) {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
      await child.status;
    }
    await Deno.remove(this.#dir, { recursive: true }).catch(() => {});
  }
}

/** Whether the Redis at `port` says its cluster serves every slot. */
async function clusterOk(port: number): Promise<boolean> {
  const output = await new Deno.Command("redis-cli", {
    args: ["-p", String(port), "cluster", "info"],
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(output.stdout).includes("cluster_state:ok");
}
