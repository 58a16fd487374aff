"""A small FTP server for tests: standard library only, loopback only, bounded.

It speaks what Python's ``ftplib.FTP`` needs to connect, log in, ``storbinary``,
list, rename, delete and quit (USER, PASS, TYPE, PASV, EPSV, STOR, NLST, RNFR, RNTO,
DELE, SIZE, NOOP, QUIT), so the real
backend's FTP upload runs against a real socket.  Stored files land under
``root``; like the simulated FTP server, missing directories are created.

    with FtpServer(tmp_path, user="kdump", password="secret") as server:
        host.ftp_upload(FtpTarget("127.0.0.1", server.port, "kdump", "secret"), ...)

Bounded: every socket has a timeout, the server stops when the ``with`` block
ends, and on its own after ``lifetime`` seconds should a test never end it.
``refuse=True`` holds a port that refuses every connection (an unreachable server).
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

_HOST = "127.0.0.1"
_MAX_LINE = 8192
_BLOCK = 64 << 10


@dataclass(frozen=True)
class Upload:
    user: str
    path: str  # as the client named it
    size: int
    complete: bool  # the data connection ended normally and the file was written


class FtpServer:
    def __init__(self, root: Path | str, *, user: str | None = None,
                 password: str | None = None, refuse: bool = False,
                 timeout: float = 10.0, lifetime: float = 120.0) -> None:
        self.root = Path(root)
        self.user = user  # None: any user
        self.password = password  # None: any password
        self.refuse = refuse
        self.timeout = timeout
        self.lifetime = lifetime
        self.uploads: list[Upload] = []
        self.renames: list[str] = []  # the new names of files renamed (RNTO)
        self.commands: list[str] = []  # every command received, PASS arguments masked
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._listener: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._accepter: threading.Thread | None = None
        self._port: int | None = None
        self._open: set[socket.socket] = set()

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
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind((_HOST, 0))
        self._listener = listener
        self._port = int(listener.getsockname()[1])
        if self.refuse:
            return  # bound but not listening: the kernel answers every SYN with a reset
        listener.listen(8)
        listener.settimeout(0.1)  # so the accept loop notices stop() and the deadline
        self._accepter = self._spawn(self._accept_loop)

    def stop(self) -> None:
        self._stop.set()
        if self._accepter is not None:
            self._accepter.join(timeout=self.timeout)  # no new session after this
        with self._lock:
            sockets, threads = list(self._open), list(self._threads)
        for sock in sockets:
            _close(sock)  # wakes a session blocked on its client
        for thread in threads:
            thread.join(timeout=self.timeout)
        if self._listener is not None:
            self._listener.close()

    def store(self, path: str) -> Path:
        """Where the remote ``path`` lands; the login directory is ``root``."""
        root = self.root.resolve()
        target = (root / path.lstrip("/")).resolve()
        if target == root or not target.is_relative_to(root):
            raise ValueError(f"outside the server's root: {path}")
        return target

    # -- plumbing ------------------------------------------------------------------------
    def _spawn(self, target: Callable[..., None], *args: object) -> threading.Thread:
        thread = threading.Thread(target=target, args=args, daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()
        return thread

    def _track(self, sock: socket.socket) -> socket.socket:
        sock.settimeout(self.timeout)
        with self._lock:
            self._open.add(sock)
        return sock

    def _untrack(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.discard(sock)
        _close(sock)

    def _accept_loop(self) -> None:
        assert self._listener is not None
        deadline = time.monotonic() + self.lifetime
        while not self._stop.is_set() and time.monotonic() < deadline:
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            self._spawn(self._session, self._track(conn))
        self._listener.close()  # past the deadline, a client is refused instead of left waiting

    # -- one control connection ------------------------------------------------------------
    def _session(self, conn: socket.socket) -> None:
        session = _Session(self, conn)
        try:
            session.serve()
        except OSError:
            pass  # the client went away, or stop() closed the socket
        finally:
            session.close_passive()
            session.reader.close()
            self._untrack(conn)


class _Session:
    def __init__(self, server: FtpServer, conn: socket.socket) -> None:
        self.server = server
        self.conn = conn
        self.reader = conn.makefile("rb")
        self.user: str | None = None
        self.logged_in = False
        self.passive: socket.socket | None = None
        self.rename_from: Path | None = None

    def reply(self, code: int, text: str) -> None:
        self.conn.sendall(f"{code} {text}\r\n".encode())

    def serve(self) -> None:
        self.reply(220, "test FTP server ready")
        while not self.server._stop.is_set():
            line = self.reader.readline(_MAX_LINE)
            if not line:
                return
            verb, _, arg = line.decode("utf-8", "replace").rstrip("\r\n").partition(" ")
            verb = verb.upper()
            with self.server._lock:
                self.server.commands.append(f"{verb} ****" if verb == "PASS" else
                                            f"{verb} {arg}".rstrip())
            if not self.command(verb, arg):
                return

    def command(self, verb: str, arg: str) -> bool:
        """Answer one command; False ends the session."""
        if verb == "QUIT":
            self.reply(221, "bye")
            return False
        if verb == "NOOP":
            self.reply(200, "ok")
        elif verb == "USER":
            self.user, self.logged_in = arg, False
            self.reply(331, "password required")
        elif verb == "PASS":
            self.login(arg)
        elif not self.logged_in:
            self.reply(530, "please log in")
        elif verb == "TYPE":
            if arg.upper() in ("I", "A", "L 8"):
                self.reply(200, "type set")
            else:
                self.reply(504, "type not supported")
        elif verb in ("PASV", "EPSV"):
            self.open_passive(verb)
        elif verb == "STOR":
            self.stor(arg)
        elif verb == "SIZE":
            self.size(arg)
        elif verb == "NLST":
            self.nlst(arg)
        elif verb == "RNFR":
            self.rnfr(arg)
        elif verb == "RNTO":
            self.rnto(arg)
        elif verb == "DELE":
            self.dele(arg)
        else:
            self.reply(502, "command not implemented")
        return True

    def login(self, password: str) -> None:
        server = self.server
        if self.user is None:
            self.reply(503, "send USER first")
            return
        if (server.user is None or self.user == server.user) and \
                (server.password is None or password == server.password):
            self.logged_in = True
            self.reply(230, "logged in")
        else:
            self.reply(530, "login incorrect")

    def open_passive(self, verb: str) -> None:
        self.close_passive()
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind((_HOST, 0))
        listener.listen(1)
        self.passive = self.server._track(listener)
        port = listener.getsockname()[1]
        if verb == "PASV":
            address = _HOST.replace(".", ",")
            self.reply(227, f"entering passive mode ({address},{port >> 8},{port & 0xFF})")
        else:
            self.reply(229, f"entering extended passive mode (|||{port}|)")

    def close_passive(self) -> None:
        if self.passive is not None:
            self.server._untrack(self.passive)
            self.passive = None

    def stor(self, path: str) -> None:
        if self.passive is None:
            self.reply(425, "use PASV or EPSV first")
            return
        try:
            target = self.server.store(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            out = target.open("wb")
        except (ValueError, OSError) as exc:
            self.close_passive()
            self.reply(553, f"cannot store {path}: {exc}")
            return
        self.reply(150, "ok to send data")
        size, complete = 0, False
        try:
            data = self.server._track(self.passive.accept()[0])
            try:
                while block := data.recv(_BLOCK):
                    out.write(block)
                    size += len(block)
            finally:
                self.server._untrack(data)
            complete = True
        except OSError:
            pass
        finally:
            out.close()
            self.close_passive()
        with self.server._lock:
            self.server.uploads.append(Upload(self.user or "", path, size, complete))
        if complete:
            self.reply(226, "transfer complete")
        else:
            self.reply(426, "connection closed; transfer aborted")

    def nlst(self, path: str) -> None:
        if self.passive is None:
            self.reply(425, "use PASV or EPSV first")
            return
        try:
            folder = self.server.store(path) if path.strip("/") else self.server.root
        except ValueError:
            folder = None
        if folder is None or not folder.is_dir():
            self.close_passive()
            self.reply(550, "no such directory")
            return
        self.reply(150, "here comes the listing")
        try:
            data = self.server._track(self.passive.accept()[0])
            try:
                data.sendall("".join(f"{name}\r\n" for name in
                                     sorted(os.listdir(folder))).encode())
            finally:
                self.server._untrack(data)
        finally:
            self.close_passive()
        self.reply(226, "listing sent")

    def rnfr(self, path: str) -> None:
        try:
            source = self.server.store(path)
        except ValueError:
            source = None
        if source is None or not source.exists():
            self.reply(550, "no such file")
            return
        self.rename_from = source
        self.reply(350, "ready for RNTO")

    def rnto(self, path: str) -> None:
        source, self.rename_from = self.rename_from, None
        if source is None:
            self.reply(503, "send RNFR first")
            return
        try:
            source.rename(self.server.store(path))
        except (ValueError, OSError) as exc:
            self.reply(553, f"cannot rename: {exc}")
            return
        with self.server._lock:
            self.server.renames.append(path)
        self.reply(250, "renamed")

    def dele(self, path: str) -> None:
        try:
            self.server.store(path).unlink()
        except (ValueError, OSError):
            self.reply(550, "no such file")
            return
        self.reply(250, "deleted")

    def size(self, path: str) -> None:
        try:
            target = self.server.store(path)
        except ValueError:
            target = None
        if target is not None and target.is_file():
            self.reply(213, str(target.stat().st_size))
        else:
            self.reply(550, "no such file")


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # not connected: nothing to shut down
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
