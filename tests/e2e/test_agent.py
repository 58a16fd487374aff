"""The QEMU harness's waits (tests/e2e/harness/agent.py): each one returns what it waited
for, says Stuck when QEMU's stream closes first, and says Stuck when its time is up. The
harness runs on Debian's /usr/bin/python3 with tests/e2e on its path, so it is imported the
same way here; no QEMU, no process: a pipe stands in for the console, a unix socket served by
a thread for the agent's channel."""

from __future__ import annotations

import io
import json
import os
import socket
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness.agent import Agent, Console, Stuck  # noqa: E402


class _Proc:
    """The one thing Console reads of a Popen: its stdout."""

    def __init__(self, stdout: Any) -> None:
        self.stdout = stdout


def test_console_returns_the_first_match_at_or_after_since(tmp_path: Path) -> None:
    con = Console(_Proc(io.BytesIO(b"boot ok 1\nnoise\nboot ok 2\n")), tmp_path / "serial.log")  # type: ignore[arg-type]
    assert con.wait_for(r"boot ok", 1, 10, "boot") == (2, "boot ok 2")


def test_console_says_qemu_exited_when_the_stream_ends_first(tmp_path: Path) -> None:
    con = Console(_Proc(io.BytesIO(b"boot ok\n")), tmp_path / "serial.log")  # type: ignore[arg-type]
    with pytest.raises(Stuck, match="QEMU exited while waiting for the panic"):
        con.wait_for(r"panic", 0, 10, "the panic")


def test_console_says_stuck_when_time_is_up(tmp_path: Path) -> None:
    read_fd, write_fd = os.pipe()
    with os.fdopen(read_fd, "rb") as reader:
        con = Console(_Proc(reader), tmp_path / "serial.log")  # type: ignore[arg-type]
        with pytest.raises(Stuck, match="no login prompt within 0 s"):
            con.wait_for(r"login:", 0, 0, "login prompt")
        os.close(write_fd)
        with pytest.raises(Stuck, match="QEMU exited"):  # the reader is done with the pipe
            con.wait_for(r"login:", 0, 10, "login prompt")


class _Guest:
    """The guest end of the agent's channel: says hello, answers the first request."""

    def __init__(self, path: Path, answer: bool) -> None:
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(path))
        self.server.listen(1)
        self.answer = answer
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.server.accept()
        with conn:
            conn.sendall(b'{"hello": 1}\n')
            request = json.loads(conn.makefile("rb").readline())
            if self.answer:
                conn.sendall(json.dumps({"id": request["id"], "rc": 0, "out": "hi"}).encode())
                conn.sendall(b"\n")
                conn.makefile("rb").readline()  # hold the channel open until the host closes


def test_agent_returns_hello_and_reply(tmp_path: Path) -> None:
    guest = _Guest(tmp_path / "agent.sock", answer=True)
    agent = Agent(tmp_path / "agent.sock")
    try:
        assert agent.hello(1, 10, "first boot") == {"hello": 1}
        res = agent.run(["echo", "hi"], timeout=10)
        assert (res.rc, res.out) == (0, "hi")
        with pytest.raises(Stuck, match="no second boot within 0 s"):
            agent.hello(2, 0, "second boot")
    finally:
        agent.sock.shutdown(socket.SHUT_RDWR)
        guest.thread.join()


def test_agent_says_qemu_exited_when_the_channel_closes_first(tmp_path: Path) -> None:
    guest = _Guest(tmp_path / "agent.sock", answer=False)
    agent = Agent(tmp_path / "agent.sock")
    try:
        with pytest.raises(Stuck, match=r"QEMU exited while running \['true'\]"):
            agent.run(["true"], timeout=10)
        with pytest.raises(Stuck, match="QEMU exited while waiting for second boot"):
            agent.hello(2, 10, "second boot")
    finally:
        agent.sock.shutdown(socket.SHUT_RDWR)
        guest.thread.join()
