"""irctest controller for chat (`chat serve`): irctest imports this module (--controller chat)
and starts our server once per test with the port it picked.

The server runs from source with the pinned Deno (scripts/deno execs Deno itself, so the process
irctest terminates is Deno and nothing is left running). CHAT_REPO names the checkout to run
(default: the one this file is in); CHAT_IRCTEST_ARGS adds arguments to `chat serve`.
"""

import atexit
import os
import shlex
import socket
import subprocess
import time
from pathlib import Path
from typing import Optional, Set, Type

from irctest.basecontrollers import BaseServerController, DirectoryBasedController
from irctest.runner import NotImplementedByController

REPO = Path(os.environ.get("CHAT_REPO", Path(__file__).resolve().parents[2]))

# The operator irctest's tests OPER as (its configs give every server this one).
OPER_NAME = "operuser"
OPER_PASSWORD = "operpassword"

# irctest skips some tests from setUp after the server started, without killing it: every
# server this controller started is stopped when pytest exits.
_started: "list[subprocess.Popen]" = []


@atexit.register
def _stop_all() -> None:
    for proc in _started:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()


class ChatController(BaseServerController, DirectoryBasedController):
    software_name = "chat"
    supported_sasl_mechanisms: Set[str] = {"PLAIN"}
    supports_sts = False

    def run(
        self,
        hostname: str,
        port: int,
        *,
        password: Optional[str],
        ssl: bool,
        run_services: bool,
        faketime: Optional[str],
        **kwargs: object,
    ) -> None:
        if ssl:
            raise NotImplementedByController("TLS")
        # Accounts are built in (no services to run): registerUser makes them.
        if kwargs.get("websocket_hostname") or kwargs.get("websocket_port"):
            raise NotImplementedByController("Websocket")
        assert self.proc is None
        self.port = port
        self.hostname = hostname
        self.create_config()
        # A private server when irctest gives a server password (PASS): its file, first line.
        private: "list[str]" = []
        if password is not None:
            with self.open_file("server-password", "w") as f:
                f.write(password + "\n")
            private = ["--password-file", str(self.directory / "server-password")]
        self.proc = self.execute(
            [
                str(REPO / "scripts" / "deno"),
                "run",
                "--quiet",
                "--no-check",
                "--config",
                str(REPO / "deno.json"),
                "--allow-net",
                "--allow-env",
                "--allow-read",
                "--allow-write",
                "--allow-sys=networkInterfaces",
                str(REPO / "main.ts"),
                "serve",
                # Every test starts a server: nothing kept on disk.
                "--memory",
                "--host",
                hostname,
                "--port",
                str(port),
                # irctest sends as fast as it can, from one address.
                "--flood-rate",
                "0",
                "--max-per-ip",
                "0",
                # The server name irctest's own configs give the servers it tests.
                "--server-name",
                "My.Little.Server",
                # ... and that description (LINKS shows it).
                "--server-info",
                "test server",
                # irctest's operator: its account is made once the server is up.
                "--admin",
                OPER_NAME,
                *private,
                *shlex.split(os.environ.get("CHAT_IRCTEST_ARGS", "")),
            ],
            stdin=subprocess.DEVNULL,
        )
        _started.append(self.proc)
        self.wait_for_port()
        self.server_password = password
        self._register(OPER_NAME, OPER_PASSWORD)

    def wait_for_services(self) -> None:
        # No services: accounts are the server's own.
        self.wait_for_port()

    def registerUser(self, case, username: str, password: Optional[str] = None) -> None:
        if password is None:
            raise NotImplementedByController("accounts without a password")
        self._register(username, password)

    def _register(self, nick: str, password: str) -> None:
        """Makes `nick` an account from a plain-text connection (a nick line, then /register)."""
        deadline = time.monotonic() + 10
        with socket.create_connection((self.hostname, self.port), timeout=10) as conn:
            # A private server asks for its password after the nick.
            server_password = getattr(self, "server_password", None)
            given = "" if server_password is None else f"{server_password}\n"
            conn.sendall(f"{nick}\n{given}/register {password}\n".encode())
            seen = b""
            while b"is now your account" not in seen:
                if b"\n! " in seen:
                    # Refused, such as a password over 128 characters: not one of ours.
                    reason = seen.split(b"\n! ", 1)[1].split(b"\n", 1)[0].decode()
                    raise NotImplementedByController(f"account {nick}: {reason}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"could not register {nick}: {seen[-500:]!r}")
                chunk = conn.recv(4096)
                if not chunk:
                    raise RuntimeError(f"could not register {nick}: {seen[-500:]!r}")
                seen += chunk
            # Gone before any test counts users (LUSERS): wait for the server to close.
            conn.sendall(b"/quit\n")
            while conn.recv(4096):
                pass


def get_irctest_controller_class() -> Type[ChatController]:
    return ChatController
