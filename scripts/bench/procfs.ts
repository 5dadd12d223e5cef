/** What the benchmark reads about a process from Linux's /proc: CPU time and memory. */

/** Clock ticks per second for /proc/PID/stat times (`getconf CLK_TCK`; 100 on Linux). */
export async function clockTicks(): Promise<number> {
  try {
    const output = await new Deno.Command("getconf", { args: ["CLK_TCK"], stderr: "null" })
      .output();
    const ticks = Number(new TextDecoder().decode(output.stdout).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/** User plus system CPU time of a process (all its threads), in seconds. */
export async function cpuSeconds(pid: number, ticks: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  // The command name (field 2) is in parentheses and may hold spaces: count from after it.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / ticks;
}

/** Resident memory now and its peak since start (or since `resetPeak`), in KiB. */
export interface Memory {
  rssKiB: number;
  peakKiB: number;
}

/** Reads VmRSS and VmHWM from /proc/PID/status. */
export async function memory(pid: number): Promise<Memory> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const read = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(status)?.[1]);
  return { rssKiB: read("VmRSS"), peakKiB: read("VmHWM") };
}

/**
 * Resets the peak (VmHWM) to the current RSS, so the next `memory()` shows the peak of what
 * happened since. Needs to own the process (or root). Returns false if the kernel refused.
 */
export async function resetPeak(pid: number): Promise<boolean> {
  try {
    await Deno.writeTextFile(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/**
 * CPU time the whole machine spent busy (user, nice, system, irq, softirq, steal; all cores), in
 * seconds: minus the server's and the generator's, it shows what else competed for the cores.
 */
export async function machineBusySeconds(ticks: number): Promise<number> {
  const stat = await Deno.readTextFile("/proc/stat");
  const fields = (stat.split("\n")[0] ?? "").trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, _idle, _iowait, irq = 0, softirq = 0, steal = 0] = fields;
  return (user + nice + system + irq + softirq + steal) / ticks;
}
