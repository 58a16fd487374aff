"""An FTP server for tests: pyftpdlib on the loopback, bounded, recording what it got.

The real backend's FTP upload (Python's ``ftplib.FTP``) runs against a real server:
log in, ``storbinary``, list, rename, delete, quit.  Stored files land under ``root``;
as on the simulated FTP server, missing directories are created.

    with FtpServer(tmp_path, user="kdump", password="secret") as server:
        host.ftp_upload(FtpTarget("127.0.0.1", server.port, "kdump", "secret"), ...)

What it records: ``uploads`` (who stored which path, how many bytes, and whether the
transfer ended normally), ``renames`` (RNTO targets) and ``commands`` (every command,
PASS arguments masked).  Bounded: every connection has a timeout, the server stops
when the ``with`` block ends, and on its own after ``lifetime`` seconds should a test
never end it.  ``refuse=True`` holds a port that refuses every connection (an
unreachable server); ``before_stor`` is called with each STOR's path before it is answered.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from pyftpdlib.authorizers import AuthenticationFailed, DummyAuthorizer
from pyftpdlib.filesystems import AbstractedFS
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer

_HOST = "127.0.0.1"
# A handler of its own, so that pyftpdlib (1.5) does not install a stderr one, and no INFO
# line per session (or, in 1.5, per serve_forever call).
logging.getLogger("pyftpdlib").addHandler(logging.NullHandler())
logging.getLogger("pyftpdlib").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Upload:
    user: str
    path: str  # as the client named it
    size: int
    complete: bool  # the data connection ended normally and the file was written


class _Authorizer(DummyAuthorizer):  # type: ignore[misc]
    """One user (or any, when None) with one password (or any), at home in ``root``."""

    def __init__(self, server: FtpServer) -> None:
        super().__init__()
        self.server = server

    def validate_authentication(self, username: str, password: str, handler: Any) -> None:
        server = self.server
        if (server.user is None or username == server.user) and \
                (server.password is None or password == server.password):
            return
        raise AuthenticationFailed("login incorrect")

    def has_user(self, username: str) -> bool:
        return True

    def get_home_dir(self, username: str) -> str:
        return str(self.server.root)

    def get_perms(self, username: str) -> str:
        return "elradfmw"

    def has_perm(self, username: str, perm: str, path: str | None = None) -> bool:
        return True  # pyftpdlib keeps every path inside the home directory itself

    def get_msg_login(self, username: str) -> str:
        return "logged in"

    def get_msg_quit(self, username: str) -> str:
        return "bye"


class _FileSystem(AbstractedFS):  # type: ignore[misc]
    def open(self, filename: str, mode: str) -> Any:
        if "w" in mode:  # as the simulated server: missing directories are created
            os.makedirs(os.path.dirname(filename), exist_ok=True)
        return super().open(filename, mode)


class _Handler(FTPHandler):  # type: ignore[misc]
    server_record: FtpServer  # set on the per-server subclass
    abstracted_fs = _FileSystem
    auth_failed_timeout = 0  # pyftpdlib waits 3 s after a failed login by default
    banner = "test FTP server ready"

    def pre_process_command(self, line: str, cmd: str, arg: str) -> None:
        self.server_record._note(f"{cmd} ****" if cmd == "PASS" else line)
        if cmd == "STOR" and self.server_record.before_stor is not None:
            self.server_record.before_stor(arg)
        super().pre_process_command(line, cmd, arg)

    def _upload(self, file: str, complete: bool) -> None:
        size = os.path.getsize(file) if os.path.exists(file) else 0
        self.server_record._uploaded(Upload(self.username or "", self.fs.fs2ftp(file), size,
                                            complete))

    def on_file_received(self, file: str) -> None:
        self._upload(file, True)

    def on_incomplete_file_received(self, file: str) -> None:
        self._upload(file, False)

    def ftp_RNTO(self, path: str) -> Any:
        renamed = super().ftp_RNTO(path)
        if renamed:
            self.server_record._renamed(self.fs.fs2ftp(path))
        return renamed


class FtpServer:
    def __init__(self, root: Path | str, *, user: str | None = None,
                 password: str | None = None, refuse: bool = False,
                 timeout: float = 10.0, lifetime: float = 120.0,
                 before_stor: Callable[[str], None] | None = None) -> None:
        self.root = Path(root)
        self.user = user  # None: any user
        self.password = password  # None: any password
        self.refuse = refuse
        self.timeout = timeout
        self.lifetime = lifetime
        # Called with the path of each STOR before the server answers it (a test's fault).
        self.before_stor = before_stor
        self.uploads: list[Upload] = []
        self.renames: list[str] = []  # the new names of files renamed (RNTO)
        self.commands: list[str] = []  # every command received, PASS arguments masked
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._refusing: socket.socket | None = None
        self._port: int | None = None

    # -- lifecycle ---------------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._port is not None, "the server is not running"
        return self._port

    def __enter__(self) -> FtpServer:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    def start(self) -> None:
        if self.refuse:  # bound but not listening: the kernel answers every SYN with a reset
            self._refusing = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self._refusing.bind((_HOST, 0))
            self._port = int(self._refusing.getsockname()[1])
            return
        self.root.mkdir(parents=True, exist_ok=True)
        handler = type("Handler", (_Handler,), {
            "server_record": self, "authorizer": _Authorizer(self), "timeout": self.timeout})
        handler.dtp_handler = type("DTPHandler", (handler.dtp_handler,),
                                   {"timeout": self.timeout})
        server = FTPServer((_HOST, 0), handler)
        self._port = int(server.socket.getsockname()[1])
        self._thread = threading.Thread(target=self._serve, args=(server,), daemon=True)
        self._thread.start()

    def _serve(self, server: FTPServer) -> None:
        deadline = time.monotonic() + self.lifetime
        try:
            while not self._stop.is_set() and time.monotonic() < deadline:
                server.serve_forever(timeout=0.05, blocking=False, handle_exit=False)
        finally:
            server.close_all()  # past the deadline, a client is refused, not left waiting

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout)
        if self._refusing is not None:
            self._refusing.close()

    def store(self, path: str) -> Path:
        """Where the remote ``path`` lands; the login directory is ``root``."""
        root = self.root.resolve()
        target = (root / path.lstrip("/")).resolve()
        if target == root or not target.is_relative_to(root):
            raise ValueError(f"outside the server's root: {path}")
        return target

    # -- what the handlers report (from the server's thread) ---------------------------
    def _note(self, command: str) -> None:
        with self._lock:
            self.commands.append(command)

    def _uploaded(self, upload: Upload) -> None:
        with self._lock:
            self.uploads.append(upload)

    def _renamed(self, path: str) -> None:
        with self._lock:
            self.renames.append(path)
