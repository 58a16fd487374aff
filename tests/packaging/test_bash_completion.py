"""The bash completion of kdump-config (debian/root/usr/share/bash-completion/completions),
run by bash against a scratch /boot: kernel version names come back as the names they are,
and nothing in a name is ever run or globbed.

bash-completion's ``_init_completion`` is replaced by a minimal one (words from COMP_WORDS),
so the test needs bash alone; ``_kdump_config_boot`` points the function at the scratch
directory instead of /boot.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.real_processes  # bash itself

COMPLETION = (Path(__file__).resolve().parents[2]
              / "debian/root/usr/share/bash-completion/completions/kdump-config")
INIT = """
_init_completion() {
    words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD
    cur=${words[cword]}; prev=${words[cword-1]}
}
"""
# Names a user who can write to /boot, or a package, could give a kernel image.
HOSTILE = ["$(touch pwned-dollar)", "`touch pwned-backtick`", "*", "?", "a b",
           "${HOME}", "$((1+1))", "x;touch pwned-semicolon", "new\nline", "'\"quote"]


def complete(boot: Path, words: list[str], cwd: Path) -> list[str]:
    """What the completion offers for the last of ``words`` (run in ``cwd``)."""
    script = (INIT + COMPLETION.read_text() + "\n_kdump_config_boot=$1; shift\n"
              'COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))\n'
              "_kdump_config\n"
              "((${#COMPREPLY[@]} == 0)) || printf '%s\\0' \"${COMPREPLY[@]}\"\n")
    done = subprocess.run(["bash", "--norc", "--noprofile", "-c", script, "bash", str(boot),
                           *words], cwd=cwd, capture_output=True, check=True, timeout=30)
    return [word.decode() for word in done.stdout.split(b"\0")[:-1]]


@pytest.fixture
def boot(tmp_path: Path) -> Path:
    directory = tmp_path / "boot"
    directory.mkdir()
    for version in ["6.1.0-18-amd64", "6.12.9-cloud", *HOSTILE]:
        (directory / f"vmlinuz-{version}").write_bytes(b"")
    (directory / "vmlinux-6.1.0-18-amd64").write_bytes(b"")  # the same version twice
    (directory / "vmlinux-5.10.0-debug").write_bytes(b"")
    (directory / "initrd.img-9.9.9").write_bytes(b"")  # no kernel image: no version
    return directory


def test_kernel_versions_come_back_literally_and_nothing_runs(boot: Path,
                                                              tmp_path: Path) -> None:
    offered = complete(boot, ["kdump-config", "symlinks", ""], cwd=tmp_path)

    assert sorted(offered) == sorted(
        ["6.1.0-18-amd64", "6.12.9-cloud", "5.10.0-debug", *HOSTILE])
    assert not list(tmp_path.glob("pwned*")), "a kernel version name was run"


def test_a_prefix_is_matched_as_text_not_as_a_pattern(boot: Path, tmp_path: Path) -> None:
    assert sorted(complete(boot, ["kdump-config", "symlinks", "6.1"], cwd=tmp_path)) == \
        ["6.1.0-18-amd64", "6.12.9-cloud"]
    assert complete(boot, ["kdump-config", "symlinks", "*"], cwd=tmp_path) == ["*"]
    assert complete(boot, ["kdump-config", "symlinks", "$(t"], cwd=tmp_path) == \
        ["$(touch pwned-dollar)"]
    assert not list(tmp_path.glob("pwned*"))


def test_global_options_before_the_command_are_skipped(boot: Path, tmp_path: Path) -> None:
    words = ["kdump-config", "--root", "/mnt", "--json", "symlinks", "6.12"]
    assert complete(boot, words, cwd=tmp_path) == ["6.12.9-cloud"]


def test_no_boot_directory_offers_nothing(tmp_path: Path) -> None:
    assert complete(tmp_path / "absent", ["kdump-config", "symlinks", ""], cwd=tmp_path) == []
