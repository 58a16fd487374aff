"""Reading the config file through the file layer: absent is None, unreadable says why."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyfakefs.fake_filesystem import FakeFilesystem
from pyfakefs.fake_filesystem_unittest import Patcher

from backends.linux import LinuxHost
from backends.rooted import RootedFiles
from backends.values import HostError

ROOT = "/target"
CONFIG = "/etc/default/kdump-tools"


@pytest.fixture
def fs() -> Iterator[FakeFilesystem]:
    # allow_root_user=False: mode bits refuse reads although the tests run as root.
    with Patcher(allow_root_user=False) as patcher:
        assert patcher.fs is not None
        patcher.fs.create_dir(ROOT)
        yield patcher.fs


def test_an_absent_config_is_none(fs: FakeFilesystem) -> None:
    assert RootedFiles(ROOT).read_config_file(CONFIG, 100) is None


def test_a_config_mode_000_is_unreadable_not_absent(fs: FakeFilesystem) -> None:
    fs.create_file(ROOT + CONFIG, contents="USE_KDUMP=1\n", st_mode=0o100000)
    with pytest.raises(HostError) as caught:
        RootedFiles(ROOT).read_config_file(CONFIG, 100)
    assert caught.value.errno == errno.EACCES and caught.value.path == CONFIG


def test_the_read_is_bounded(fs: FakeFilesystem) -> None:
    fs.create_file(ROOT + CONFIG, contents="#" * 1000)
    assert len(RootedFiles(ROOT).read_config_file(CONFIG, 10) or b"") == 11


def test_a_directory_link_loop_dangling_link_and_fifo_say_why(tmp_path: Path) -> None:
    files = RootedFiles(str(tmp_path))
    config = tmp_path / CONFIG.lstrip("/")
    config.parent.mkdir(parents=True)
    cases = {"directory": "Is a directory", "loop": "Too many levels of symbolic links",
             "dangling": "dangling symbolic link", "fifo": "not a regular file"}
    for kind, reason in cases.items():
        if config.is_dir() and not config.is_symlink():
            config.rmdir()
        elif os.path.lexists(config):
            config.unlink()
        if kind == "directory":
            config.mkdir()
        elif kind == "loop":
            config.symlink_to("kdump-tools")
        elif kind == "dangling":
            config.symlink_to("/nowhere")
        else:
            os.mkfifo(config)  # opened without blocking: no writer must ever be needed
        with pytest.raises(HostError) as caught:
            files.read_config_file(CONFIG, 100)
        assert caught.value.reason == reason, kind


def test_on_the_live_root_a_link_loop_is_unreadable_too(tmp_path: Path) -> None:
    # root "/": the kernel resolves the path itself; the same class of answer.
    loop = tmp_path / "loop"
    loop.symlink_to("loop")
    with pytest.raises(HostError) as caught:
        RootedFiles("/").read_config_file(str(loop), 100)
    assert caught.value.errno == errno.ELOOP


def test_nproc_survives_odd_cpu_lists(tmp_path: Path) -> None:
    online = tmp_path / "sys/devices/system/cpu/online"
    online.parent.mkdir(parents=True)
    host = LinuxHost(str(tmp_path))
    # Under a root, an unusable list never falls back to the running host's CPUs: the
    # tree's /proc/cpuinfo says, else one.
    for text, expected in (("0-3\n", 4), ("a-b\n", 1), ("", 1)):
        online.write_text(text)
        assert host.nproc() == expected, text
    (tmp_path / "proc").mkdir()
    (tmp_path / "proc/cpuinfo").write_text("processor\t: 0\nflags\t: x\n\nprocessor\t: 1\n")
    assert host.nproc() == 2


def test_a_nul_in_a_path_is_refused_by_the_file_layer(tmp_path: Path) -> None:
    files = RootedFiles(str(tmp_path))
    assert files.exists("/boot/vmlinuz-6.1\0evil") is False
    assert files.read_text("/boot/vmlinuz-6.1\0evil") is None
