import assert from "node:assert/strict";
import { defaultDataFolder } from "../src/data_folder.ts";

const envOf = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("defaultDataFolder() follows XDG on Linux, with ~/.local/share as its default", () => {
  assert.equal(
    defaultDataFolder("linux", envOf({ HOME: "/home/ana", XDG_DATA_HOME: "/data/ana" })),
    "/data/ana/chat",
  );
  assert.equal(
    defaultDataFolder("linux", envOf({ HOME: "/home/ana" })),
    "/home/ana/.local/share/chat",
  );
  assert.equal(
    defaultDataFolder("linux", envOf({ HOME: "/home/ana", XDG_DATA_HOME: "relative" })),
    "/home/ana/.local/share/chat",
    "a relative XDG_DATA_HOME is ignored",
  );
  assert.equal(
    defaultDataFolder("freebsd", envOf({ HOME: "/home/ana", XDG_DATA_HOME: "" })),
    "/home/ana/.local/share/chat",
  );
  assert.equal(defaultDataFolder("linux", envOf({})), undefined);
});

Deno.test("defaultDataFolder() uses Application Support on macOS and LOCALAPPDATA on Windows", () => {
  assert.equal(
    defaultDataFolder("darwin", envOf({ HOME: "/Users/ana", XDG_DATA_HOME: "/x" })),
    "/Users/ana/Library/Application Support/chat",
  );
  assert.equal(
    defaultDataFolder("windows", envOf({ LOCALAPPDATA: "C:\\Users\\ana\\AppData\\Local" })),
    "C:\\Users\\ana\\AppData\\Local\\chat",
  );
  assert.equal(
    defaultDataFolder("windows", envOf({ USERPROFILE: "C:\\Users\\ana" })),
    "C:\\Users\\ana\\AppData\\Local\\chat",
  );
  assert.equal(defaultDataFolder("windows", envOf({ HOME: "/home/ana" })), undefined);
});
