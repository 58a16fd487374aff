"""Host side of the systemd guest: QEMU's serial console and the test agent's channel.

The serial console (ttyS0: kernel and systemd messages of every boot, including the capture
kernel's) is read by a thread into serial.log with host timestamps, and kept in memory so
steps can wait for a line. The agent (systemd-guest/e2e-agent) answers JSON requests over a
virtio-serial port whose host end is a unix socket.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


class Stuck(Exception):
    """The guest did not get somewhere within its time limit."""


class _Channel:
    """What Console and Agent share: a reader thread that appends under _cond and sets
    closed when QEMU's end of the stream goes away."""

    _cond: threading.Condition
    closed: bool

    def _wait(self, ready: Callable[[], T | None], timeout: float, exited: str, late: str) -> T:
        """Wait (holding _cond) until ready() returns something other than None, and return
        it; Stuck(exited) when the stream closes first, Stuck(late) after timeout seconds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = ready()
                if found is not None:
                    return found
                if self.closed:
                    raise Stuck(exited)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Stuck(late)
                self._cond.wait(left)


class Console(_Channel):
    def __init__(self, proc: subprocess.Popen[bytes], log_path: Path) -> None:
        self.lines: list[tuple[float, str]] = []
        self.t0 = time.monotonic()
        self._cond = threading.Condition()
        self._proc = proc
        self._log = log_path
        self.closed = False
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self._proc.stdout is not None
        with open(self._log, "w", errors="replace") as log_file:
            for raw in self._proc.stdout:
                now = time.monotonic() - self.t0
                line = raw.decode(errors="replace").rstrip("\r\n")
                log_file.write(f"[{now:8.2f}] {line}\n")
                log_file.flush()
                with self._cond:
                    self.lines.append((now, line))
                    self._cond.notify_all()
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def mark(self) -> int:
        with self._cond:
            return len(self.lines)

    def wait_for(self, pattern: str, since: int, timeout: float, what: str) -> tuple[int, str]:
        """The first line at or after index `since` matching the regex; Stuck on timeout or
        when QEMU exits first."""
        rx = re.compile(pattern)
        i = since

        def match() -> tuple[int, str] | None:
            nonlocal i
            while i < len(self.lines):
                if rx.search(self.lines[i][1]):
                    return i, self.lines[i][1]
                i += 1
            return None

        return self._wait(
            match,
            timeout,
            f"QEMU exited while waiting for {what}",
            f"no {what} within {timeout:.0f} s",
        )

    def find(self, pattern: str, since: int = 0) -> list[str]:
        rx = re.compile(pattern)
        with self._cond:
            return [line for _, line in self.lines[since:] if rx.search(line)]


class Agent(_Channel):
    def __init__(self, path: Path, connect_timeout: float = 30) -> None:
        deadline = time.monotonic() + connect_timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(str(path))
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self._cond = threading.Condition()
        self._hellos: list[dict[str, Any]] = []
        self._replies: dict[int, dict[str, Any]] = {}
        self._next = 0
        self.closed = False
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        buf = b""
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                # A boot cut short (the crash) can leave half a line: start at the last '{'
                # that parses.
                doc = None
                for start in [m.start() for m in re.finditer(rb"\{\"", line)]:
                    try:
                        doc = json.loads(line[start:])
                        break
                    except ValueError:
                        continue
                if doc is None:
                    continue
                with self._cond:
                    if "hello" in doc:
                        self._hellos.append(doc)
                    else:
                        self._replies[doc.get("id")] = doc
                    self._cond.notify_all()
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def hello(self, count: int, timeout: float, what: str) -> dict[str, Any]:
        """Wait for the count-th hello (one per boot of a first kernel)."""
        return self._wait(
            lambda: self._hellos[count - 1] if len(self._hellos) >= count else None,
            timeout,
            f"QEMU exited while waiting for {what}",
            f"no {what} within {timeout:.0f} s",
        )

    def hellos(self) -> int:
        with self._cond:
            return len(self._hellos)

    def send(self, argv: list[str], timeout: float = 120, input: str = "") -> int:
        with self._cond:
            self._next += 1
            rid = self._next
        doc = {"id": rid, "argv": argv, "timeout": timeout, "input": input}
        self.sock.sendall((json.dumps(doc) + "\n").encode())
        return rid

    def run(self, argv: list[str], timeout: float = 120, input: str = "") -> Result:
        rid = self.send(argv, timeout, input)
        doc = self._wait(
            lambda: self._replies.pop(rid, None),
            timeout + 30,
            f"QEMU exited while running {argv}",
            f"the agent did not answer {argv} within {timeout + 30:.0f} s",
        )
        return Result(
            argv, doc.get("rc"), doc.get("out", ""), doc.get("err", ""), doc.get("seconds", 0.0)
        )


class Result:
    def __init__(self, argv: list[str], rc: int | None, out: str, err: str, seconds: float):
        self.argv, self.rc, self.out, self.err, self.seconds = argv, rc, out, err, seconds

    def __str__(self) -> str:
        text = (self.out + self.err).strip()
        return f"`{' '.join(self.argv)}` exited {self.rc}: {text[-600:]!r}"
