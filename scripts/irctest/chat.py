"""irctest controller for chat (`chat serve`): irctest imports this module (--controller chat)
and starts our server once per test with the port it picked.

The server runs from source with the pinned Deno (scripts/deno execs Deno itself, so the process
irctest terminates is Deno and nothing is left running). CHAT_REPO names the checkout to run
(default: the one this file is in); CHAT_IRCTEST_ARGS adds arguments to `chat serve`.
"""

import atexit
import os
import shlex
import subprocess
from pathlib import Path
from typing import Optional, Set, Type

from irctest.basecontrollers import BaseServerController, DirectoryBasedController
from irctest.runner import NotImplementedByController

REPO = Path(os.environ.get("CHAT_REPO", Path(__file__).resolve().parents[2]))

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
    supported_sasl_mechanisms: Set[str] = set()
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
        if password is not None:
            raise NotImplementedByController("PASS (server passwords)")
        if ssl:
            raise NotImplementedByController("TLS")
        if run_services:
            raise NotImplementedByController("Services")
        if kwargs.get("websocket_hostname") or kwargs.get("websocket_port"):
            raise NotImplementedByController("Websocket")
        assert self.proc is None
        self.port = port
        self.hostname = hostname
        self.create_config()
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
                *shlex.split(os.environ.get("CHAT_IRCTEST_ARGS", "")),
            ],
            stdin=subprocess.DEVNULL,
        )
        _started.append(self.proc)


def get_irctest_controller_class() -> Type[ChatController]:
    return ChatController
