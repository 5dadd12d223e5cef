import assert from "node:assert/strict";
import { isSecretCommand } from "../src/secret_commands.ts";
import { LineEditor } from "../src/terminal/line_editor.ts";

Deno.test("isSecretCommand() knows the lines that hold a password", () => {
  for (
    const line of [
      "/register pw",
      "/LOGIN ana pw",
      " /passwd a b",
      "/unregister x",
      "/login --token t",
    ]
  ) {
    assert.equal(isSecretCommand(line), true, line);
  }
  for (const line of ["/join games", "hello /login", "//login ana pw", "/loginx"]) {
    assert.equal(isSecretCommand(line), false, line);
  }
});

Deno.test("LineEditor keeps no line with a password in its history", () => {
  const editor = new LineEditor();
  editor.insert("/login ana hunter22");
  assert.equal(editor.submit(), "/login ana hunter22");
  editor.insert("hello");
  editor.submit();
  assert.deepEqual(editor.history, ["hello"]);
});
