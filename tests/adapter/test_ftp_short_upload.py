"""The real backend counts what an FTP upload really sent, so that a short one is seen.

savecore holds the count against the vmcore's size (features/savecore_ftp_short.feature);
here the count itself, against the test FTP server: a source that ends early (truncated
once the server has the STOR) counts the bytes that went, not the size it had.
"""

from __future__ import annotations

import os
from pathlib import Path

from backends.linux import LinuxHost
from backends.values import FtpTarget
from tests.ftpserver import FtpServer

SIZE = 1 << 20
SHORT = 4096


def test_a_raw_upload_that_ends_early_counts_only_what_was_sent(tmp_path: Path) -> None:
    (tmp_path / "proc").mkdir()
    vmcore = tmp_path / "proc/vmcore"
    vmcore.write_bytes(b"\x7fELF" + bytes(SIZE - 4))
    (tmp_path / "srv").mkdir()
    host = LinuxHost(str(tmp_path))

    def shorten(path: str) -> None:
        os.truncate(vmcore, SHORT)

    with FtpServer(tmp_path / "srv", before_stor=shorten) as server:
        result = host.ftp_upload(FtpTarget("127.0.0.1", server.port), "/vmcore-incomplete",
                                 None, source_path="/proc/vmcore")

    assert result.ok  # nothing failed on the way: only the count tells
    assert result.bytes_written == SHORT
    assert [(u.size, u.complete) for u in server.uploads] == [(SHORT, True)]


def test_a_whole_raw_upload_counts_every_byte(tmp_path: Path) -> None:
    (tmp_path / "proc").mkdir()
    (tmp_path / "proc/vmcore").write_bytes(b"\x7fELF" + bytes(SIZE - 4))
    (tmp_path / "srv").mkdir()

    with FtpServer(tmp_path / "srv") as server:
        result = LinuxHost(str(tmp_path)).ftp_upload(
            FtpTarget("127.0.0.1", server.port), "/vmcore-incomplete", None,
            source_path="/proc/vmcore")

    assert result.ok and result.bytes_written == SIZE
    assert (tmp_path / "srv/vmcore-incomplete").stat().st_size == SIZE
