"""LinuxHost.ftp_upload against a real FTP server on the loopback (tests/ftpserver.py,
pyftpdlib).

The live root ("/") so that real programs (cat, gzip, false) feed the upload:
LinuxHost under a tree root would look for them in the tree's /usr/bin.
"""

from __future__ import annotations

import gzip
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from backends.linux import LinuxHost
from backends.values import FTP_NOT_LOGGED_IN, FtpTarget, PipelineResult
from tests.ftpserver import FtpServer

pytestmark = pytest.mark.real_processes  # producer chains of real programs

USER, PASSWORD = "kdump", "s3cret-pass"
# Several storbinary blocks (8 KiB each) and a last short one.
DATA = os.urandom(5 * 8192 + 321)


@pytest.fixture
def host() -> LinuxHost:
    return LinuxHost(root="/")


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "vmcore"
    path.write_bytes(DATA)
    return path


@pytest.fixture
def server(tmp_path: Path) -> Iterator[FtpServer]:
    (tmp_path / "srv").mkdir()
    with FtpServer(tmp_path / "srv", user=USER, password=PASSWORD) as running:
        yield running


def _target(server: FtpServer, password: str = PASSWORD) -> FtpTarget:
    return FtpTarget("127.0.0.1", server.port, USER, password)


def _assert_secret_kept(result: PipelineResult, password: str = PASSWORD) -> None:
    for stage in result.stages:
        assert all(password not in word for word in stage.argv), stage
        assert password not in stage.stdout + stage.stderr, stage
    assert password not in repr(result)


def test_a_producer_chain_is_stored_and_its_bytes_counted(
        host: LinuxHost, server: FtpServer, source: Path) -> None:
    result = host.ftp_upload(_target(server), "/incoming/dump.1", [["cat", str(source)]])

    assert result.ok, result
    assert (server.root / "incoming/dump.1").read_bytes() == DATA
    assert result.bytes_written == len(DATA)
    # argv[0] is the name the program was invoked as, never the resolved path.
    assert [stage.argv[0] for stage in result.stages] == ["cat", "ftp-stor"]
    _assert_secret_kept(result)


def test_a_compressed_chain_reports_what_the_server_stored(
        host: LinuxHost, server: FtpServer, source: Path) -> None:
    result = host.ftp_upload(_target(server), "dump.gz", [["gzip", "-c", str(source)]])

    stored = server.root / "dump.gz"
    assert result.ok, result
    assert result.bytes_written == stored.stat().st_size > 0
    assert gzip.decompress(stored.read_bytes()) == DATA


def test_a_file_is_stored_without_producers(
        host: LinuxHost, server: FtpServer, source: Path) -> None:
    result = host.ftp_upload(_target(server), "/dmesg.1", None, source_path=str(source))

    assert result.ok, result
    assert result.bytes_written == len(DATA) == (server.root / "dmesg.1").stat().st_size
    assert [upload.complete for upload in server.uploads] == [True]


def test_a_failing_producer_fails_the_upload(host: LinuxHost, server: FtpServer) -> None:
    result = host.ftp_upload(_target(server), "/dump.1", [["false"]])

    assert not result.ok
    assert result.failed_stage is not None and result.failed_stage.argv[0] == "false"


def test_a_wrong_password_is_a_failed_result(
        host: LinuxHost, server: FtpServer, source: Path) -> None:
    result = host.ftp_upload(_target(server, "wrong-pass"), "/dump.1", [["cat", str(source)]])

    assert not result.ok
    assert result.bytes_written == 0
    assert result.failed_stage is not None and "530" in result.failed_stage.stderr
    assert result.failed_stage.returncode == FTP_NOT_LOGGED_IN  # a login failure, as such
    assert not (server.root / "dump.1").exists()
    _assert_secret_kept(result, "wrong-pass")


def test_a_refused_connection_is_a_failed_result(
        host: LinuxHost, tmp_path: Path, source: Path) -> None:
    with FtpServer(tmp_path, refuse=True) as server:
        result = host.ftp_upload(_target(server), "/dump.1", None, source_path=str(source))

    assert not result.ok
    assert result.bytes_written == 0
    assert result.failed_stage is not None and result.failed_stage.argv[0] == "ftp-stor"
    _assert_secret_kept(result)


def test_a_server_that_hangs_up_at_once_is_a_failed_result(
        host: LinuxHost, source: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(10)
        closer = threading.Thread(target=lambda: listener.accept()[0].close(), daemon=True)
        closer.start()
        target = FtpTarget("127.0.0.1", listener.getsockname()[1], USER, PASSWORD)
        result = host.ftp_upload(target, "/dump.1", None, source_path=str(source))
        closer.join(10)

    assert not result.ok
    assert result.failed_stage is not None and result.failed_stage.stderr


def test_a_server_echoing_the_password_does_not_leak_it(
        host: LinuxHost, server: FtpServer, source: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import tests.ftpserver as ftpserver

    def echo(handler: ftpserver._Handler, password: str) -> None:
        handler.respond(f"530 password {password} is wrong")

    monkeypatch.setattr(ftpserver._Handler, "ftp_PASS", echo)
    result = host.ftp_upload(_target(server), "/dump.1", None, source_path=str(source))

    assert not result.ok
    _assert_secret_kept(result)



def test_savecore_stores_the_vmcore_on_a_real_server(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from kdump.cli import main

    root = tmp_path / "root"
    (root / "proc").mkdir(parents=True)
    (root / "proc/vmcore").write_bytes(DATA)
    (root / "etc/default").mkdir(parents=True)
    (tmp_path / "srv/incoming").mkdir(parents=True)
    with FtpServer(tmp_path / "srv", user=USER, password=PASSWORD) as server:
        # No makedumpfile in this tree: the raw vmcore goes, and its size is checked.
        (root / "etc/default/kdump-tools").write_text(
            f"FTP=127.0.0.1:/incoming\nFTP_PORT={server.port}\nFTP_USER={USER}\n"
            f"FTP_PASSWORD={PASSWORD}\nHOSTTAG=hostname\n")
        status = main(["--backend", "linux", "--root", str(root), "savecore"])

    out, err = capsys.readouterr()
    assert status == 0, out + err
    [upload] = server.uploads
    # Uploaded under a -incomplete name, renamed only once the server held all of it.
    assert upload.complete and upload.path.startswith("/incoming/")
    assert upload.path.endswith("-incomplete")
    [final] = server.renames
    assert final == upload.path.removesuffix("-incomplete")
    assert (server.store(final)).read_bytes() == DATA
    assert os.listdir(tmp_path / "srv/incoming") == [os.path.basename(final)]
    assert PASSWORD not in out + err
