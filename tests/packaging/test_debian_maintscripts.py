"""The maintainer scripts and helpers of the Debian package, run (not read) against a
scratch root: the config file is read and changed only by kdump-config's own reader,
USE_KDUMP survives installs and upgrades whatever its spelling, only the admin's
dpkg-reconfigure answer changes it, and an unreadable file is never touched."""

from __future__ import annotations

import os
import re
import stat
import subprocess
from pathlib import Path

import pytest

from tests.packaging.debian_maint import (
    CONF,
    DEBIAN,
    Debconf,
    configure,
    helper,
    kdump_config,
    make_root,
    reconfigure,
    remember_as_pristine,
    upgrade,
)

pytestmark = pytest.mark.real_processes  # sh runs the package's scripts

ROOT = DEBIAN / "root"
HELPERS = ROOT / "usr/share/kdump-config"

ENABLED = [
    b"USE_KDUMP=1   # enabled by ops\n",
    b"USE_KDUMP=1   # enabled by ops\r\n",
    b"USE_KDUMP=1\t# enabled by ops\n",
    b'export USE_KDUMP="yes"\n',
    b"USE_KDUMP=true\n",
    b"# r\xe9glages de l'\xe9quipe (Latin-1)\nUSE_KDUMP=1 # ops\n",
]


def write_conf(root: Path, data: bytes, mode: int = 0o644) -> Path:
    conf = root / CONF
    conf.write_bytes(data)
    conf.chmod(mode)
    return conf


def enabled(root: Path) -> bool:
    result = helper(root, "use_kdump")
    assert result.returncode in (0, 1), result.stderr
    return result.returncode == 0


@pytest.mark.parametrize("line", ENABLED, ids=repr)
@pytest.mark.parametrize("before", ["old", "none"])
def test_an_upgrade_keeps_an_enabled_file_as_it_is(tmp_path: Path, line: bytes,
                                                   before: str) -> None:
    root = make_root(tmp_path, product=before)
    data = b"KDUMP_COREDIR=/var/crash\n" + line
    conf = write_conf(root, data, 0o640)
    # A stale answer (what the old config script recorded for such a line): never applied.
    debconf = Debconf(value="false", seen=True)
    result = upgrade(root, debconf, before=before)
    assert result.returncode == 0, result.stderr
    assert conf.read_bytes() == data
    assert stat.S_IMODE(conf.stat().st_mode) == 0o640
    assert enabled(root)
    assert debconf.shown == 0 and debconf.value == "true"


def test_an_upgrade_keeps_a_disabled_file_disabled(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    data = b"USE_KDUMP=0   # off on this host\r\n"
    conf = write_conf(root, data)
    debconf = Debconf(value="true", seen=True)
    result = upgrade(root, debconf)
    assert result.returncode == 0, result.stderr
    assert conf.read_bytes() == data and not enabled(root)
    assert debconf.value == "false"


@pytest.mark.parametrize(("data", "stale"), [(b"USE_KDUMP=1   # enabled by ops\r\n", "false"),
                                             (b"USE_KDUMP=no\n", "true")])
def test_the_postinst_never_applies_a_stale_answer(tmp_path: Path, data: bytes,
                                                   stale: str) -> None:
    # Whatever the database holds when the postinst runs (here: the config script did
    # not update it), outside dpkg-reconfigure the file keeps what kdump-config reads.
    root = make_root(tmp_path)
    conf = write_conf(root, data)
    was = enabled(root)
    debconf = Debconf(value=stale, seen=True)
    result = debconf.run(DEBIAN / "kdump-config.postinst", root, "configure", "0.1")
    assert result.returncode == 0, result.stderr
    assert conf.read_bytes() == data and enabled(root) == was


def test_a_stale_false_answer_never_disables_when_the_reader_is_missing(tmp_path: Path) -> None:
    # Preconfiguration could not read the file (no kdump-config yet): it records nothing,
    # asks nothing, and the configure run reads the file with the new reader.
    root = make_root(tmp_path, product="none")
    conf = write_conf(root, b"USE_KDUMP=1   # enabled by ops\n")
    debconf = Debconf(value="false", seen=False)
    result = upgrade(root, debconf, before="none")
    assert result.returncode == 0, result.stderr
    assert debconf.shown == 0
    assert enabled(root) and conf.read_bytes() == b"USE_KDUMP=1   # enabled by ops\n"


def test_a_fresh_install_asks_and_creates_the_file_0644(tmp_path: Path) -> None:
    root = make_root(tmp_path, product="none")
    debconf = Debconf(answer="true")
    result = upgrade(root, debconf, before="none")
    assert result.returncode == 0, result.stderr
    conf = root / CONF
    assert stat.S_IMODE(conf.stat().st_mode) == 0o644
    assert debconf.shown == 1 and enabled(root)
    assert "USE_KDUMP=1\n" in conf.read_text()
    assert not list(conf.parent.glob("kdump-tools.*")), "the postinst left its temporary file"


def test_a_fresh_install_answered_no_creates_a_disabled_file(tmp_path: Path) -> None:
    root = make_root(tmp_path, product="none")
    debconf = Debconf(answer="false")
    result = upgrade(root, debconf, before="none")
    assert result.returncode == 0, result.stderr
    conf = root / CONF
    assert stat.S_IMODE(conf.stat().st_mode) == 0o644 and not enabled(root)
    assert "USE_KDUMP=0\n" in conf.read_text()


def test_dpkg_reconfigure_changes_only_the_value(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    data = b'# \xe9quipe\nexport USE_KDUMP="yes"   # ops\r\nKDUMP_NUM_DUMPS=3\n'
    conf = write_conf(root, data, 0o640)
    owner = 1234 if os.geteuid() == 0 else os.getuid()
    os.chown(conf, owner, owner)
    debconf = Debconf(value="false", seen=True, answer="false")
    result = reconfigure(root, debconf)
    assert result.returncode == 0, result.stderr
    assert debconf.shown == 1
    assert conf.read_bytes() == data.replace(b'"yes"', b'"no"')
    info = conf.stat()
    assert (stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid) == (0o640, owner, owner)
    assert not enabled(root)
    # And back: the admin's answer "yes" enables it again, in the same spelling.
    debconf.answer = "true"
    assert reconfigure(root, debconf).returncode == 0
    assert conf.read_bytes() == data


def test_reconfigure_keeping_the_answer_changes_nothing(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    data = b"USE_KDUMP=On\t# enabled by ops\n"
    conf = write_conf(root, data)
    debconf = Debconf(value="false", seen=True)  # the admin keeps the shown default
    assert reconfigure(root, debconf).returncode == 0
    assert debconf.shown == 1 and conf.read_bytes() == data


def test_an_unmodified_file_follows_the_template_with_its_value_owner_and_mode(
        tmp_path: Path) -> None:
    root = make_root(tmp_path)
    conf = write_conf(root, b"# an older template\nUSE_KDUMP=0\n", 0o600)
    remember_as_pristine(root)
    debconf = Debconf(value="true", seen=True)
    result = upgrade(root, debconf)
    assert result.returncode == 0, result.stderr
    assert "ucf: installed" in (root / "ucf.log").read_text()
    assert "an older template" not in conf.read_text() and "USE_KDUMP=0\n" in conf.read_text()
    assert stat.S_IMODE(conf.stat().st_mode) == 0o600 and not enabled(root)


def test_a_fifo_as_the_config_is_left_alone_without_hanging(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    conf = root / CONF
    os.mkfifo(conf)
    debconf = Debconf(value="false", seen=True)
    result = upgrade(root, debconf)  # each run is bounded: a hang fails the test
    assert result.returncode == 0, result.stderr
    assert "not a regular file" in result.stderr and "was not changed" in result.stderr
    assert stat.S_ISFIFO(conf.lstat().st_mode)
    assert "ucf " not in (root / "ucf.log").read_text()  # ucf would read (hang on) it
    condition = helper(root, "use_kdump", timeout=10)
    assert condition.returncode == 255 and "not a regular file" in condition.stderr


BROKEN = b"USE_KDUMP=1\nKDUMP_COREDIR=$(id)\n"


def test_a_file_kdump_config_refuses_is_never_rewritten(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    conf = write_conf(root, BROKEN)
    debconf = Debconf(value="false", seen=True, answer="false")
    for result in (upgrade(root, debconf), reconfigure(root, debconf)):
        assert result.returncode == 0, result.stderr
        assert "command substitution $(...) is not allowed" in result.stderr
        assert conf.read_bytes() == BROKEN


def test_a_config_error_fails_the_service_condition_with_kdump_configs_message(
        tmp_path: Path) -> None:
    root = make_root(tmp_path)
    write_conf(root, BROKEN)
    condition = helper(root, "use_kdump", env={"NAME": "kdump-tools"})
    # ExecCondition: 1-254 would skip the service silently; 255 fails it.
    assert condition.returncode == 255 and condition.stdout == ""
    load = kdump_config(root, "load")
    assert load.returncode == 1
    message = (load.stdout + load.stderr).strip()
    assert message and message in condition.stderr
    assert condition.stderr.strip() == message


def test_a_latin1_comment_reads_as_kdump_config_reads_it(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    write_conf(root, b"# \xe9t\xe9\nUSE_KDUMP=1\nKDUMP_FAIL_CMD='reboot -f'\n")
    assert enabled(root)
    fail = helper(root, "kdump_fail_cmd")
    assert (fail.returncode, fail.stdout) == (0, "reboot -f\n")
    value = helper(root, "use-kdump-state")
    assert (value.returncode, value.stdout) == (0, "enabled\n")


def test_the_helper_never_answers_disabled_when_it_cannot_tell(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    write_conf(root, b"USE_KDUMP=1\n")
    for args in ([], ["no_such_setting"], ["set-use-kdump", "2"], ["use_kdump", "x"],
                 ["__class__"], ["use_kdump_raw"], ["path"], ["__init__"]):
        assert helper(root, *args).returncode == 255, args
    assert helper(root, "use_kdump", env={"KDUMP_ROOT": ""}).returncode == 255
    # Even when Python cannot load kdump-config's modules.
    package = root / "usr/share/kdump-config/kdump"
    package.unlink()
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "setting.py").write_text("raise ImportError('a half-unpacked upgrade')\n")
    broken = helper(root, "use_kdump")
    assert broken.returncode == 255 and "cannot read the configuration" in broken.stderr


def test_configure_twice_is_idempotent(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    data = b"USE_KDUMP=1   # enabled by ops\r\n"
    conf = write_conf(root, data)
    debconf = Debconf(value="true", seen=True)
    for _ in range(2):
        assert configure(root, debconf).returncode == 0
    assert conf.read_bytes() == data


def test_the_dump_script_splits_kdump_fail_cmd_into_words_and_nothing_else(
        tmp_path: Path) -> None:
    root = make_root(tmp_path / "root")
    record = tmp_path / "record"
    record.write_text('#!/bin/sh\nfor arg in "$@"; do printf "%s\\n" "$arg"; done > "$OUT"\n')
    record.chmod(0o755)
    write_conf(root, f"KDUMP_FAIL_CMD='{record} * $HOME ~ x?y  [ab]\tlast'\n".encode())
    work = tmp_path / "cwd"
    work.mkdir()
    for name in ("a", "b", "xzy"):
        (work / name).write_text("")
    vmcore = tmp_path / "vmcore"
    vmcore.write_text("core")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, code in (("kdump-config", 1), ("reboot", 0), ("sync", 0), ("date", 0)):
        (bin_dir / name).write_text(f"#!/bin/sh\necho {name} >> {tmp_path}/ran\nexit {code}\n")
        (bin_dir / name).chmod(0o755)
    script = (HELPERS / "kdump-tools-dump").read_text()
    script = script.replace("/proc/vmcore", str(vmcore))
    script = script.replace("/usr/sbin/kdump-config", str(bin_dir / "kdump-config"))
    script = script.replace("/usr/share/kdump-config/kdump-setting",
                            str(root / "usr/share/kdump-config/kdump-setting"))
    out = tmp_path / "argv"
    result = subprocess.run(["sh", "-c", script], cwd=work, capture_output=True, text=True,
                            env={"PATH": f"{bin_dir}:/usr/bin:/bin", "KDUMP_ROOT": str(root),
                                 "HOME": "/root", "OUT": str(out)}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert out.read_text().splitlines() == ["*", "$HOME", "~", "x?y", "[ab]", "last"]
    assert (tmp_path / "ran").read_text() == "kdump-config\n"  # savecore failed; no reboot


# What reading the config file with a grammar of a script's own looks like.
_OWN_GRAMMAR = re.compile(r"\b(sed|grep|awk|cut|tr|source|while read)\b|^\s*\.\s")


def test_no_package_script_reads_the_config_with_its_own_grammar() -> None:
    scripts = [path for path in [*DEBIAN.glob("kdump-config.*"), *ROOT.rglob("*")]
               if path.is_file() and path.read_bytes().startswith(b"#!")]
    assert len(scripts) >= 12
    for path in scripts:
        text = path.read_text()
        names = {"/etc/default/kdump-tools", "$CONF", '"$CONF"', "${CONF}"}
        for number, line in enumerate(text.splitlines(), 1):
            if line.lstrip().startswith("#"):
                continue
            if any(name in line for name in names) or "USE_KDUMP" in line:
                assert not _OWN_GRAMMAR.search(line), f"{path.name}:{number}: {line}"


def test_set_use_kdump_never_replaces_a_link_by_a_file(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    target = root / "etc/kdump-real.conf"
    target.write_text("USE_KDUMP=1 # ops\n")
    (root / CONF).symlink_to("/etc/kdump-real.conf")
    assert enabled(root)  # read through the link, as kdump-config reads it
    result = helper(root, "set-use-kdump", "0")
    assert result.returncode == 255 and "symbolic link" in result.stderr
    assert (root / CONF).is_symlink() and target.read_text() == "USE_KDUMP=1 # ops\n"
    assert helper(root, "set-use-kdump", "1").stdout == "unchanged\n"
