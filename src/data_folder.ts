/**
 * Where `chat serve` keeps its data when `--data` does not say: the platform's place for an
 * application's data. Pure: the operating system and the environment are passed in.
 */

/** Reads an environment variable (`Deno.env.get`). */
export type EnvGet = (name: string) => string | undefined;

/**
 * The default data folder, or undefined when the environment names no home to put it in.
 * Linux and other Unixes: `$XDG_DATA_HOME/chat` (an absolute one), else `~/.local/share/chat`;
 * macOS: `~/Library/Application Support/chat`; Windows: `%LOCALAPPDATA%\chat`.
 *
 * @example
 * ```ts
 * import { defaultDataFolder } from "./data_folder.ts";
 * const env = (name: string) => ({ HOME: "/home/ana" } as Record<string, string>)[name];
 * defaultDataFolder("linux", env); // "/home/ana/.local/share/chat"
 * defaultDataFolder("darwin", env); // "/home/ana/Library/Application Support/chat"
 * ```
 */
export function defaultDataFolder(os: string, env: EnvGet): string | undefined {
  const set = (name: string) => {
    const value = env(name);
    return value === undefined || value === "" ? undefined : value;
  };
  if (os === "windows") {
    const local = set("LOCALAPPDATA") ??
      (set("USERPROFILE") === undefined ? undefined : `${set("USERPROFILE")}\\AppData\\Local`);
    return local === undefined ? undefined : `${local}\\chat`;
  }
  const home = set("HOME");
  if (os === "darwin") {
    return home === undefined ? undefined : `${home}/Library/Application Support/chat`;
  }
  // The XDG spec ignores a relative XDG_DATA_HOME.
  const xdg = set("XDG_DATA_HOME");
  if (xdg !== undefined && xdg.startsWith("/")) return `${xdg}/chat`;
  return home === undefined ? undefined : `${home}/.local/share/chat`;
}
