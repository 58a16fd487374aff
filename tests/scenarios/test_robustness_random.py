"""Randomized: arbitrary config text and kernel files never break the read-only commands.

status, show, test and check run in-process on both backends (the simulated machine,
and the real Linux backend over the same root tree) with a config file and kernel
files drawn by hypothesis.  Whatever they hold: no traceback and no internal error,
an exit code in {0, 1, 3}, and never "ready" unless the kernel files say loaded
(issue 12, classes 4 and 7).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kdump.config import KNOWN_KEYS
from sandbox import stub
from sim.machine import SimulatedMachine
from tests.inprocess import run_in_process

CONFIG = "/etc/default/kdump-tools"
LOADED = "/sys/kernel/kexec_crash_loaded"
FADUMP_REGISTERED = "/sys/kernel/fadump/registered"
KERNEL_FILES = (
    LOADED, "/sys/kernel/kexec_crash_size", "/proc/cmdline", "/proc/iomem", "/proc/meminfo",
    "/sys/devices/system/cpu/online", "/proc/sys/kernel/osrelease", "/proc/sys/kernel/arch",
    "/sys/kernel/security/lockdown", "/sys/kernel/security/securelevel",
    "/sys/kernel/fadump/enabled", FADUMP_REGISTERED,
    "/var/lib/kdump/size_initrd.img-6.1.0-18-amd64",
)
ODD_CONTENTS = [
    b"", b"\n", b"0\n", b"1\n", b"01\n", b"a-b\n", b"0-3\n", b"3-1\n", b"0-\n", b"9" * 5000,
    b"\xff\xfe", b"1\x00", b"\x00", b"1_0\n", "１\n".encode(), b"-1\n", b"0x10\n",
    b"2b000000-3affffff : Crash kernel\n", b"zz-yy : Crash kernel\n",
    b"ro crashkernel=256M quiet\n", b'crashkernel="a b\n', b"[integrity] none\n",
    b"MemTotal: 99999999999999999999999 kB\n", b"6.1.0-18-amd64\n", b"../../etc\n",
    b"ppc64le\n", b"x86_64\n",
]
ODD_VALUES = ["1", "0", "yes", "/var/crash", "crash", "$X$X", "${X}", "9" * 30, "'open",
              "$(id)", "`id`", "caf\udce9", "user@host", "nfs:/export", "-oProxyCommand=x",
              "/var/lib/kdump/vmlinuz", '"a b"', "~/x", "a;b", "\\", "{a,b}"]

kernel_file = st.one_of(st.none(), st.sampled_from(ODD_CONTENTS), st.binary(max_size=48),
                        st.text(max_size=48).map(lambda t: t.encode("utf-8", "surrogatepass")))
config_value = st.one_of(st.sampled_from(ODD_VALUES), st.text(max_size=24))
config_line = st.one_of(
    st.tuples(st.sampled_from((*KNOWN_KEYS, "X", "export X")), config_value)
    .map(lambda pair: f"{pair[0]}={pair[1]}"),
    st.text(max_size=40),
)
config_file = st.one_of(
    st.none(),
    st.lists(config_line, max_size=8).map(
        lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass")),
    st.binary(max_size=200),
)


@pytest.fixture(scope="module")
def machine(tmp_path_factory: pytest.TempPathFactory) -> SimulatedMachine:
    made = SimulatedMachine.create(tmp_path_factory.mktemp("random") / "machine", "x86_64-ready")
    stub.install(made, None)
    return made


def _says_one(data: bytes | None) -> bool:
    """The oracle: the kernel's own spelling of 1, give or take blanks and zeros."""
    return data is not None and re.fullmatch(rb"[ \t\n]*0*1[ \t\n]*", data) is not None


def _put(machine: SimulatedMachine, target: str, data: bytes | None) -> None:
    path = machine.path(target)
    if path.is_dir() and not path.is_symlink():
        import shutil

        shutil.rmtree(path)
    elif os.path.lexists(path):
        path.unlink()
    if data is not None:
        machine.write_bytes(target, data)



@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(config=config_file, files=st.fixed_dictionaries({p: kernel_file for p in KERNEL_FILES}))
@example(config=b"X=ab\n" + b"X=$X$X\n" * 35, files={p: None for p in KERNEL_FILES})
@example(config=b"USE_KDUMP=1\nKDUMP_COREDIR=crash\n",
         files={**{p: None for p in KERNEL_FILES}, LOADED: b"1\n"})
@example(config=b"USE_KDUMP=1\nKDUMP_NUM_DUMPS=" + b"9" * 5000 + b"\n",
         files={**{p: None for p in KERNEL_FILES}, "/sys/devices/system/cpu/online": b"a-b\n"})
@example(config=b"USE_KDUMP=1\n",
         files={**{p: None for p in KERNEL_FILES}, LOADED: "１\n".encode(),
                "/proc/sys/kernel/osrelease": b"6.1\x00x\n", "/proc/cmdline": b"crashkernel=1G"})
@example(config=b"USE_KDUMP=1\nKDUMP_COREDIR=/var/caf\xe9\n",
         files={p: None for p in KERNEL_FILES})
@example(config=b"USE_KDUMP=1\n",
         files={**{p: None for p in KERNEL_FILES}, "/sys/kernel/kexec_crash_size": b"9" * 5000,
                "/sys/kernel/fadump/enabled": b"1\n", FADUMP_REGISTERED: b"9" * 5000})
def test_read_only_commands_survive_anything(machine: SimulatedMachine, config: bytes | None,
                                            files: dict[str, bytes | None]) -> None:
    _put(machine, CONFIG, config)
    for target, data in files.items():
        _put(machine, target, data)
    loaded = _says_one(files[LOADED]) or _says_one(files[FADUMP_REGISTERED])
    machines = {"sim": ["--backend", "sim", "--sim-state", str(machine.dir)],
                "linux": ["--backend", "linux", "--root", str(machine.root)]}
    for backend, options in machines.items():
        for command in ("status", "show", "test", "check"):
            code, out, err = run_in_process([*options, command])
            where = f"{backend} {command}: exit {code}\n{out}{err}"
            assert "Traceback" not in out + err, where
            assert "internal error" not in out, where
            assert code in {0, 1, 3}, where
            if not loaded:
                assert ": ready to" not in out and "state:    ready" not in out, where
                assert not (command == "check" and code == 0), where


def test_the_oracle_reads_the_kernels_spelling() -> None:
    assert _says_one(b"1\n") and _says_one(b" 01 ") and not _says_one(b"10\n")
    assert not _says_one(None) and not _says_one("１".encode())


def test_a_loaded_machine_is_ready_so_the_property_is_not_vacuous(machine: SimulatedMachine,
                                                                    tmp_path: Path) -> None:
    _put(machine, CONFIG, b"USE_KDUMP=1\n")
    _put(machine, LOADED, b"1\n")
    _put(machine, "/proc/cmdline", b"crashkernel=512M ro\n")
    # The module's machine keeps what the random test left: it may be in fadump mode.
    _put(machine, "/sys/kernel/fadump/enabled", None)
    _put(machine, "/proc/sys/kernel/arch", b"x86_64\n")
    code, out, _ = run_in_process(["--backend", "linux", "--root", str(machine.root), "status"])
    assert code == 0 and out.splitlines()[-1] == "current state   : ready to kdump", out
