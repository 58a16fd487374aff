"""The real backend's journal: structured fields over journald's native protocol, to a
stand-in journald socket in a sandbox root, and the syslog fallback without one.

The sockets obey the file layer's rules (root's or ours, reached through no other user's
link: another user is nobody, 65534, given the entry with lchown; this tier runs as root),
and a send never waits for a full queue.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from backends import journald
from backends.linux import LinuxHost
from kdump.docgen import message_ids
from kdump.logging import message_id
from kdump.messages import CATALOG
from kdump.reporter import Reporter

TOP = Path(__file__).resolve().parents[2]
NOBODY = 65534


def _listening(path: Path) -> socket.socket:
    path.parent.mkdir(parents=True, exist_ok=True)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(0)  # whatever was sent is already queued: never wait
    return sock


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[socket.socket]:
    with _listening(tmp_path / journald.SOCKET.lstrip("/")) as sock:
        yield sock


def _reporter(root: Path, command: str = "load") -> Reporter:
    return Reporter(json_mode=True, syslog=LinuxHost(str(root)).syslog, command=command)


def test_a_logged_message_reaches_journald_with_its_fields(tmp_path: Path,
                                                             journal: socket.socket) -> None:
    _reporter(tmp_path).emit("load-failed")
    fields = journald.decode(journal.recv(65536))
    assert fields == {
        "MESSAGE": "failed to load kdump kernel",
        "MESSAGE_ID": message_id("load-failed"),
        "PRIORITY": "3",
        "SYSLOG_FACILITY": "1",
        "SYSLOG_IDENTIFIER": "kdump-config",
        "KDUMP_CODE": "load-failed",
        "KDUMP_SEVERITY": "failure",
        "KDUMP_COMMAND": "load",
    }


def test_the_name_prefix_is_not_part_of_the_journal_message(tmp_path: Path,
                                                            journal: socket.socket) -> None:
    _reporter(tmp_path, "savecore").emit("vmcore-saved", where="/var/crash/202401010000")
    fields = journald.decode(journal.recv(65536))
    assert fields["MESSAGE"] == "saved vmcore in /var/crash/202401010000"
    assert fields["PRIORITY"] == "5"
    assert fields["KDUMP_COMMAND"] == "savecore"


def test_messages_not_flagged_for_the_journal_stay_out_of_it(tmp_path: Path,
                                                            journal: socket.socket) -> None:
    _reporter(tmp_path).emit("creating-symlink", link="/var/lib/kdump/vmlinuz")
    with pytest.raises(BlockingIOError):
        journal.recv(65536)


def test_without_a_journal_the_text_goes_to_syslog_with_its_priority(tmp_path: Path) -> None:
    with _listening(tmp_path / "dev" / "log") as syslog:
        _reporter(tmp_path).emit("loaded")
        _reporter(tmp_path).emit("load-failed")
        assert syslog.recv(65536) == b"<13>kdump-config: loaded kdump kernel"  # user.notice
        assert syslog.recv(65536) == b"<11>kdump-config: failed to load kdump kernel"  # .err


def test_a_value_with_a_newline_uses_the_binary_form() -> None:
    fields = {"MESSAGE": "two\nlines", "PRIORITY": "3"}
    data = journald.encode(fields)
    assert data.startswith(b"MESSAGE\n" + (9).to_bytes(8, "little") + b"two\nlines\n")
    assert journald.decode(data) == fields


def test_message_ids_are_distinct_and_shaped_as_journald_wants() -> None:
    ids = {message_id(code) for code in CATALOG}
    assert len(ids) == len(CATALOG)
    assert all(len(i) == 32 and i == i.lower() and int(i, 16) for i in ids)
    assert message_id("loaded") == "000209579f545e43b325358ca0a00f3e"  # stable for ever


def test_docs_list_every_message_id() -> None:
    doc = TOP / "docs" / "message-ids.md"
    assert doc.read_text() == message_ids(), (
        "docs/message-ids.md is stale: python -c 'from kdump.docgen import message_ids; "
        "print(message_ids(), end=\"\")' > docs/message-ids.md")


# -- whose socket, and a journal that cannot take more ------------------------------------------
def _nothing_queued(sock: socket.socket) -> bool:
    try:
        sock.recv(65536)
    except BlockingIOError:
        return True
    return False


def test_another_users_journal_socket_gets_no_entry(tmp_path: Path) -> None:
    # Under --root, a socket nobody bound in the tree received root's entries.
    with _listening(tmp_path / journald.SOCKET.lstrip("/")) as foreign, \
            _listening(tmp_path / "dev/log") as syslog:
        os.lchown(tmp_path / journald.SOCKET.lstrip("/"), NOBODY, NOBODY)
        _reporter(tmp_path).emit("load-failed")
        assert _nothing_queued(foreign)
        assert syslog.recv(65536) == b"<11>kdump-config: failed to load kdump kernel"


def test_another_users_syslog_socket_gets_no_line_either(tmp_path: Path) -> None:
    with _listening(tmp_path / "dev/log") as foreign:
        os.lchown(tmp_path / "dev/log", NOBODY, NOBODY)
        _reporter(tmp_path).emit("load-failed")
        assert _nothing_queued(foreign)


def test_a_socket_reached_through_another_users_link_gets_nothing(tmp_path: Path) -> None:
    elsewhere = tmp_path / "srv/journal"
    with _listening(elsewhere / "socket") as foreign:
        (tmp_path / "run/systemd").mkdir(parents=True)
        link = tmp_path / "run/systemd/journal"
        link.symlink_to("/srv/journal")
        os.lchown(link, NOBODY, NOBODY)
        _reporter(tmp_path).emit("load-failed")
        assert _nothing_queued(foreign)


def test_roots_own_links_are_followed_as_dev_log_is_on_systemd_hosts(tmp_path: Path) -> None:
    with _listening(tmp_path / "run/systemd/journal/dev-log") as syslog:
        (tmp_path / "dev").mkdir()
        (tmp_path / "dev/log").symlink_to("/run/systemd/journal/dev-log")
        _reporter(tmp_path).emit("loaded")
        assert syslog.recv(65536) == b"<13>kdump-config: loaded kdump kernel"


def _fill(path: Path) -> socket.socket:
    """A sender that has filled the socket's queue: the next blocking send would wait."""
    sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sender.setblocking(False)
    try:
        while True:
            sender.sendto(b"MESSAGE=filler\n", str(path))
    except BlockingIOError:
        return sender


def _returns_within(seconds: float, action: object) -> bool:
    thread = threading.Thread(target=action, daemon=True)  # type: ignore[arg-type]
    thread.start()
    thread.join(seconds)
    return not thread.is_alive()


def test_a_full_journal_never_holds_up_the_command(tmp_path: Path,
                                                  journal: socket.socket) -> None:
    # A full queue hung `reload` after it had unloaded: the entry goes to syslog instead.
    with _listening(tmp_path / "dev/log") as syslog, \
            _fill(tmp_path / journald.SOCKET.lstrip("/")):
        assert _returns_within(10, lambda: _reporter(tmp_path).emit("load-failed"))
        assert syslog.recv(65536) == b"<11>kdump-config: failed to load kdump kernel"


def test_when_every_log_is_full_the_entry_is_dropped_not_waited_for(
        tmp_path: Path, journal: socket.socket) -> None:
    with _listening(tmp_path / "dev/log"), _fill(tmp_path / "dev/log"), \
            _fill(tmp_path / journald.SOCKET.lstrip("/")):
        assert _returns_within(10, lambda: _reporter(tmp_path).emit("load-failed"))
