"""The one fault registry (sim/faults.py), kdump-sim's fault and state commands, and
profile validation (issue 10, kdump-sim)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from sim import cli as sim_cli
from sim import faults
from sim.machine import MachineError, SimulatedMachine
from sim.profile import ProfileError, load_profile
from tests.scenarios.test_exception_boundary import run_main

ROOT = Path(__file__).resolve().parents[2]
# Everything that emulates the machine: the simulator, its backend, the sandbox's stubs
# and bind mounts.  Faults are read only through these three accessors.
EMULATORS = [*sorted((ROOT / "sim").glob("*.py")), *sorted((ROOT / "backends").glob("sim*.py")),
             ROOT / "tests" / "steps" / "sandbox.py"]
ACCESSORS = {"fault": 0, "fires": 1, "fault_message": 1}  # name -> index of the fault name


def _names(node: ast.expr) -> list[str] | None:
    """The fault names an argument can be: literals, or a choice between literals."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _names(node.body), _names(node.orelse)
        return None if body is None or orelse is None else body + orelse
    return None


def fault_reads(paths: list[Path]) -> tuple[dict[str, list[str]], list[str]]:
    """Every fault name an emulator reads (name -> where), and the reads with no literal name."""
    used: dict[str, list[str]] = {}
    opaque: list[str] = []
    for path in paths:
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else \
                func.id if isinstance(func, ast.Name) else None
            if called not in ACCESSORS or len(node.args) <= ACCESSORS[called]:
                continue
            where = f"{path.name}:{node.lineno}"
            names = _names(node.args[ACCESSORS[called]])
            if names is None:
                # The accessors' own bodies pass the name through; anything else must be
                # a literal, or this test could not see which fault it reads.
                if path.name not in ("faults.py", "machine.py", "tools.py", "programs.py") \
                        or not isinstance(node.args[ACCESSORS[called]], ast.Name):
                    opaque.append(where)
                continue
            for name in names:
                used.setdefault(name, []).append(where)
    return used, opaque


def test_every_fault_an_emulator_reads_is_registered_and_every_registered_one_is_read() -> None:
    used, opaque = fault_reads(EMULATORS)
    assert opaque == [], f"fault reads without a literal name: {opaque}"
    missing = {name: where for name, where in used.items() if name not in faults.FAULTS}
    assert missing == {}, f"emulators read faults missing from sim/faults.py: {missing}"
    unused = sorted(set(faults.FAULTS) - set(used))
    assert unused == [], f"sim/faults.py lists faults no emulator reads: {unused}"


def test_the_scan_sees_a_read_of_an_unregistered_fault(tmp_path: Path) -> None:
    emulator = tmp_path / "emulator.py"
    emulator.write_text('def f(machine):\n    return machine.fault("kexec-laod")\n')
    used, _ = fault_reads([emulator])
    assert list(used) == ["kexec-laod"] and "kexec-laod" not in faults.FAULTS


def test_reading_an_unregistered_fault_fails_at_run_time(tmp_path: Path) -> None:
    machine = SimulatedMachine.create(tmp_path / "m", "x86_64-ready")
    with pytest.raises(faults.FaultError, match="unknown fault 'kexec-laod'"):
        machine.fault("kexec-laod")
    assert machine.fault("kexec-load") is None


# -- kdump-sim faults / fault ---------------------------------------------------------------
@pytest.fixture
def state(tmp_path: Path) -> Path:
    SimulatedMachine.create(tmp_path / "m", "x86_64-ready")
    return tmp_path / "m"


def test_kdump_sim_faults_lists_every_fault_with_its_value_and_effect() -> None:
    code, out, err = run_main(sim_cli.main, ["faults"])
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == list(faults.FAULTS)
    line = next(x for x in lines if x.startswith("disk-full-after "))
    assert re.fullmatch(r"disk-full-after N +the machine's disk takes N bytes .*", line)


@pytest.mark.parametrize(("argv", "reason"), [
    (["kexec-laod"], "unknown fault 'kexec-laod' (did you mean kexec-load?)"),
    (["readonly"], "fault readonly takes an absolute path on the machine (without '..'), "
                   "not no value"),
    (["readonly", "var/crash"], "fault readonly takes an absolute path"),
    # The sandbox tier bind-mounts a readonly path: ".." would reach the host's own tree.
    (["readonly", "/var/../../../etc"], "fault readonly takes an absolute path on the "
                                        "machine (without '..'), not '/var/../../../etc'"),
    (["disk-full-after", "abc"], "fault disk-full-after takes a whole number of bytes"),
    (["disk-full-after"], "fault disk-full-after takes a whole number of bytes"),
    (["lock-held", "0"], "fault lock-held takes a process id"),
    (["hang", "kexce"], "fault hang takes a program name: "),
    (["compressor", "zstd"], "fault compressor takes no value (or true), or one of gzip"),
    (["ftp-login", "7"], "fault ftp-login takes no value (or true), not 7"),
])
def test_a_bad_fault_is_refused_with_the_list(state: Path, argv: list[str], reason: str) -> None:
    code, out, err = run_main(sim_cli.main, ["fault", str(state), *argv])
    assert code == 1 and out == ""
    assert err.startswith(f"kdump-sim: {reason}"), err
    assert err.endswith(f"faults:\n{faults.listing()}\n")
    assert SimulatedMachine(state).faults == {}


def test_good_faults_are_armed_with_typed_values(state: Path) -> None:
    for argv in (["kexec-load"], ["kexec-unload", "123"], ["nfs-mount", "2"],
                 ["hang", "makedumpfile"], ["lock-held", "4242"], ["compressor", "xz"]):
        assert run_main(sim_cli.main, ["fault", str(state), *argv])[0] == 0, argv
    assert SimulatedMachine(state).faults == {
        "kexec-load": True, "kexec-unload": "123", "nfs-mount": 2, "hang": "makedumpfile",
        "lock-held": 4242, "compressor": "xz"}
    assert run_main(sim_cli.main, ["fault", str(state), "nfs-mount", "--clear"])[0] == 0
    assert "nfs-mount" not in SimulatedMachine(state).faults


def test_the_readme_fault_table_is_the_registry() -> None:
    readme = (ROOT / "README.md").read_text()
    begin, end = "<!-- faults: python -m sim.faults -->\n", "\n<!-- /faults -->"
    assert begin in readme and end in readme
    table = readme.split(begin, 1)[1].split(end, 1)[0]
    assert table == faults.markdown_table()


# -- profiles ---------------------------------------------------------------------------------
def _profile(tmp_path: Path, text: str) -> str:
    path = tmp_path / "mine.toml"
    path.write_text('inherit = "x86_64-ready"\n' + text)
    return str(path)


@pytest.mark.parametrize(("text", "reason"), [
    ("[kernel]\nmemroy_mib = 4096\n",
     "[kernel] memroy_mib: unknown key (did you mean memory_mib?)"),
    ("[kernel]\nmemory_mib = -5\n", "[kernel] memory_mib: takes a whole number >= 1, not -5"),
    ("[kernel]\nnproc = \"4\"\n", "[kernel] nproc: takes a whole number >= 1, not '4'"),
    ("[kernel]\narch = \"sparc\"\n", "[kernel] arch: takes x86_64, aarch64 or ppc64le"),
    ("[kernel]\ncrash_base = \"lots\"\n", "[kernel] crash_base: takes an address string"),
    ("[machine]\ntools = [\"kexce\"]\n", "[machine] tools: takes a list of programs"),
    ("[machine]\nclock = \"soon\"\n", "[machine] clock: takes a date and time"),
    ("[sizes]\n\"/boot/x\" = -1\n", "[sizes] '/boot/x': takes a size in bytes >= 0"),
    ("[files]\n\"etc/x\" = \"y\"\n", "[files] 'etc/x': not an absolute path"),
    ("[faults]\ndisk-full-after = \"abc\"\n",
     "[faults] fault disk-full-after takes a whole number of bytes"),
    ("[faults]\nkexec-laod = true\n", "[faults] unknown fault 'kexec-laod'"),
    ("nprocs = 4\n", "nprocs: unknown key"),
])
def test_a_bad_profile_names_the_file_and_the_key(tmp_path: Path, text: str,
                                                  reason: str) -> None:
    path = _profile(tmp_path, text)
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert str(caught.value).startswith(f"{path}: {reason}"), caught.value
    code, _, err = run_main(sim_cli.main, ["init", str(tmp_path / "m"), "--profile", path])
    assert code == 1 and err.startswith(f"kdump-sim: {path}: {reason}"), err


def test_a_good_profile_with_faults_arms_them(tmp_path: Path) -> None:
    path = _profile(tmp_path, "[faults]\nnfs-mount = 2\nreadonly = [\"/var/crash\"]\n")
    machine = SimulatedMachine.create(tmp_path / "m", load_profile(path))
    assert machine.faults == {"nfs-mount": 2, "readonly": ["/var/crash"]}


@pytest.mark.parametrize("size", ["-5", "0", "4095", "abc"])
def test_a_vmcore_size_that_cannot_be_is_refused(state: Path, size: str) -> None:
    machine = SimulatedMachine(state)
    machine.state["kexec_loaded"] = ["/sbin/kexec", "-p", "/var/lib/kdump/vmlinuz"]
    machine.save()
    code, out, err = run_main(sim_cli.main, ["crash", str(state), "--vmcore-size", size])
    assert code == 1 and out == "" and err.startswith("kdump-sim: "), err
    assert ("vmcore size must be" in err) if size != "abc" else ("--vmcore-size" in err), err
    assert "Traceback" not in err
    assert SimulatedMachine(state).state["phase"] == "normal"
    with pytest.raises(MachineError, match="vmcore size must be a whole number of bytes >= 4096"):
        SimulatedMachine(state).crash(-5)


def test_state_shows_fadump_only_on_machines_with_fadump(tmp_path: Path) -> None:
    for profile, shown in (("x86_64-ready", None), ("arm64-ready", None),
                           ("ppc64le-fadump", "fadump:       not registered"),
                           ("ppc64le-fadump-legacy", "fadump:       not registered")):
        SimulatedMachine.create(tmp_path / profile, profile)
        code, out, _ = run_main(sim_cli.main, ["state", str(tmp_path / profile)])
        fadump = [line for line in out.splitlines() if "fadump" in line.split(":")[0]]
        assert code == 0 and fadump == ([shown] if shown else []), (profile, out)


def test_every_program_a_profile_can_install_has_one_row_in_the_table() -> None:
    """The one table says what runs for each name; a program a profile may list but the
    table lacks would answer "command not found" on a machine that has it."""
    from sim.profile import TOOL_DIRS
    from sim.programs import PROGRAMS

    assert set(PROGRAMS) <= set(TOOL_DIRS)
    # The kernel hook's initramfs builder runs inside the hook, never by itself.
    assert set(TOOL_DIRS) - set(PROGRAMS) == {"mkinitramfs"}
