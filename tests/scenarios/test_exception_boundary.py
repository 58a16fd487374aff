"""The exception boundaries of kdump-config and kdump-sim (issue 12, class 7), and the
machine options that must never fall back to the live host (class 4)."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

import kdump.cli as cli
from sim import cli as sim_cli
from sim.machine import SimulatedMachine
from tests.readable import kdump_config_argv

SIM = Path(sys.executable).parent / "kdump-sim"
SCRIPT = Path(sys.executable).parent / "kdump-config"


def run_main(main: object, argv: list[str], env: dict[str, str] | None = None,
             ) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    saved = dict(os.environ)
    os.environ.update(env or {})
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(argv)  # type: ignore[operator]
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def state(tmp_path: Path) -> Path:
    SimulatedMachine.create(tmp_path / "m", "x86_64-ready")
    return tmp_path / "m"


# -- kdump-config ------------------------------------------------------------------------
def test_an_exception_outside_any_command_is_caught_too(monkeypatch: pytest.MonkeyPatch) -> None:
    # Even a bug in option handling, before a command runs, ends at the boundary.
    def broken(*_args: object) -> None:
        raise KeyError("machine")

    monkeypatch.setattr(cli, "parse_command_line", broken)
    code, out, err = run_main(cli.main, ["status"])
    assert code == 1
    assert out == ("kdump-config: internal error: KeyError: 'machine' "
                   "(set KDUMP_DEBUG=1 for a traceback) ... failed!\n")
    assert err == ""


def test_the_traceback_needs_kdump_debug_exactly_1(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object) -> None:
        raise ValueError("x")

    monkeypatch.setattr(cli, "parse_command_line", broken)
    assert "Traceback" not in run_main(cli.main, ["status"], {"KDUMP_DEBUG": "0"})[2]
    assert "Traceback" in run_main(cli.main, ["status"], {"KDUMP_DEBUG": "1"})[2]


def test_an_exception_message_is_one_safe_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object) -> None:
        raise OSError("first\nsecond \udcff" + "x" * 1000)

    monkeypatch.setattr(cli, "parse_command_line", broken)
    code, out, _ = run_main(cli.main, ["status"])
    assert code == 1 and out.count("\n") == 1
    out.encode("utf-8")  # no lone surrogate reaches stdout
    assert "OSError: first second \\udcff" in out and len(out) < 400


def test_a_broken_syslog_does_not_hide_the_internal_error(state: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          ) -> None:
    import functools

    import kdump.context
    from backends.values import HostParts

    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the bug")

    tried: list[str] = []

    def no_syslog(_tag: str, message: str, _fields: object) -> None:
        tried.append(message)
        raise OSError("syslog is down")

    monkeypatch.setattr(kdump.context, "gather", boom)
    # The real backend on the machine's tree, its syslog the log sink given to it.
    main = functools.partial(cli.main, parts=HostParts(log=no_syslog))
    code, out, _ = run_main(main, ["--root", str(state / "root"), "status"])
    assert tried, "the internal error never reached the syslog sink"
    assert code == 1
    assert out == ("kdump-config: internal error: RuntimeError: the bug "
                   "(set KDUMP_DEBUG=1 for a traceback) ... failed!\n")


@pytest.mark.parametrize("argv", [["--root", "", "status"], ["--root=", "show"],
                                  ["--sim-state=", "status"], ["--backend=", "status"]])
def test_an_empty_machine_option_never_reaches_a_backend(argv: list[str],
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         ) -> None:
    import backends

    def forbidden(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a backend was selected")

    monkeypatch.setattr(backends, "select", forbidden)
    code, out, _ = run_main(cli.main, argv)
    assert code == 1 and out.splitlines()[0].endswith("must not be empty ... failed!")


@pytest.mark.parametrize("env", ["KDUMP_ROOT", "KDUMP_SIM_STATE", "KDUMP_BACKEND"])
def test_an_empty_machine_variable_is_a_usage_error(env: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import backends

    def forbidden(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a backend was selected")

    monkeypatch.setattr(backends, "select", forbidden)
    code, out, _ = run_main(cli.main, ["status"], {env: ""})
    assert code == 1
    assert out.splitlines()[0] == f"{env} (from the environment) must not be empty ... failed!"


def test_an_option_on_the_command_line_wins_over_an_empty_variable(state: Path) -> None:
    code, out, _ = run_main(cli.main, ["--backend", "sim", "--sim-state", str(state), "status"],
                            {"KDUMP_SIM_STATE": "x", "KDUMP_BACKEND": "linux"})
    assert code == 0 and "Not ready" in out


def test_a_corrupt_sim_state_is_a_backend_error(state: Path) -> None:
    (state / "state.json").write_text("{")
    code, out, err = run_main(cli.main, ["--backend", "sim", "--sim-state", str(state),
                                         "status", "--json"])
    document = json.loads(out)
    assert code == 1 and [m["code"] for m in document["messages"]] == ["backend-error"]
    assert "cannot read the machine's state" in document["messages"][0]["text"]
    assert err == ""


# -- kdump-sim ------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["abc", "x-1", "²", "1.5", "9" * 30])
def test_a_bad_fault_value_is_refused(state: Path, value: str) -> None:
    code, out, err = run_main(sim_cli.main, ["fault", str(state), "disk-full-after", value])
    assert code == 1 and err.startswith("kdump-sim: fault disk-full-after takes a whole number")
    assert "disk-full-after" not in SimulatedMachine(state).faults


def test_good_fault_values_are_kept(state: Path) -> None:
    assert run_main(sim_cli.main, ["fault", str(state), "disk-full-after", "4096"])[0] == 0
    assert run_main(sim_cli.main, ["fault", str(state), "readonly", "/var/crash"])[0] == 0
    assert run_main(sim_cli.main, ["fault", str(state), "kexec-load", "no way"])[0] == 0
    assert SimulatedMachine(state).faults == {"disk-full-after": 4096, "readonly": "/var/crash",
                                              "kexec-load": "no way"}


def test_a_relative_readonly_fault_is_refused(state: Path) -> None:
    code, _, err = run_main(sim_cli.main, ["fault", str(state), "readonly", "var/crash"])
    assert code == 1 and "absolute path" in err


@pytest.mark.parametrize("text", ["{", "[]", '"x"', "{}", '{"phase": 3}',
                                  "\udcff".encode("utf-8", "surrogateescape").decode("latin-1")])
def test_a_corrupt_state_file_is_a_clear_error_for_every_command(state: Path, text: str) -> None:
    good = json.loads((state / "state.json").read_text())
    (state / "state.json").write_text(text, encoding="latin-1")
    for argv in (["state", str(state)], ["crash", str(state)], ["reboot", str(state)],
                 ["effects", str(state)], ["fault", str(state), "sysctl"]):
        code, out, err = run_main(sim_cli.main, argv)
        assert code == 1 and "Traceback" not in err, (argv, err)
        assert err.startswith(f"kdump-sim: {state / 'state.json'}"), err
    assert good["phase"] == "normal"


@pytest.mark.parametrize(("key", "value"), [("clock", "yesterday"), ("phase", "panic"),
                                            ("faults", {"disk-full-after": "abc"}),
                                            ("kernel", [])])
def test_a_state_file_edited_into_nonsense_is_refused(state: Path, key: str,
                                                      value: object) -> None:
    data = json.loads((state / "state.json").read_text())
    data[key] = value
    (state / "state.json").write_text(json.dumps(data))
    code, _, err = run_main(sim_cli.main, ["state", str(state)])
    assert code == 1 and (key in err or "fault" in err), err


def test_missing_and_impossible_directories(tmp_path: Path) -> None:
    code, _, err = run_main(sim_cli.main, ["state", str(tmp_path / "none")])
    assert code == 1 and "is not a simulated machine" in err
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = run_main(sim_cli.main, ["init", str(blocker / "m")])
    assert code == 1 and err.startswith("kdump-sim: ") and "Traceback" not in err


def test_an_unexpected_error_in_kdump_sim(state: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: SimulatedMachine, vmcore_size: int = 0) -> str:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(SimulatedMachine, "crash", broken)
    code, _, err = run_main(sim_cli.main, ["crash", str(state)])
    assert (code, err) == (1, "kdump-sim: internal error: ZeroDivisionError: division by zero "
                              "(set KDUMP_DEBUG=1 for a traceback)\n")
    code, _, err = run_main(sim_cli.main, ["crash", str(state)], {"KDUMP_DEBUG": "1"})
    assert code == 1 and "Traceback" in err


@pytest.mark.real_processes
def test_kdump_sim_as_a_process_with_a_bad_fault_value(state: Path) -> None:
    done = subprocess.run([str(SIM), "fault", str(state), "disk-full-after", "abc"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr


# -- an unreadable config as a user who cannot read it (the sandbox tier's setpriv) ---------------
@pytest.mark.real_processes
@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                    reason="needs root to drop to nobody with setpriv")
def test_a_config_mode_000_as_non_root_says_unreadable(tmp_path_factory: pytest.TempPathFactory,
                                                       ) -> None:
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="kdump-nobody-", dir="/tmp"))
    try:
        base.chmod(0o755)
        machine = SimulatedMachine.create(base / "m", "x86_64-ready")
        for path in [base / "m", *sorted((base / "m").rglob("*"))]:
            if path.is_dir() and not path.is_symlink():
                path.chmod(path.stat().st_mode | 0o755)
        config = machine.path("/etc/default/kdump-tools")
        config.chmod(0)
        env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"}
        # The checkout (and its venv) may be where nobody cannot enter (under /root).
        done = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                               *kdump_config_argv(), "--root", str(machine.root), "status"],
                              capture_output=True, text=True, env=env, timeout=60, check=False)
        assert config.stat().st_mode & 0o777 == 0
        assert (done.returncode, done.stdout) == (
            1, "/etc/default/kdump-tools: cannot read the config file: Permission denied "
               "... failed!\n"), done.stderr
    finally:
        shutil.rmtree(base)


@pytest.mark.real_processes
@pytest.mark.parametrize("command", ["status", "show", "status --json", "help"])
def test_a_stdout_that_takes_nothing_fails_quietly(state: Path, command: str) -> None:
    # A full disk (or a closed pipe) on stdout: exit 1, and not a word of traceback.
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    with open("/dev/full", "w") as full:
        done = subprocess.run([str(SCRIPT), "--root", str(state / "root"), *command.split()],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=60,
                              check=False)
    assert (done.returncode, done.stderr) == (1, "")


@pytest.mark.real_processes
def test_bytes_that_are_not_utf8_in_argv_and_name_reach_a_strict_stdout_escaped(state: Path,
                                                                                  ) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KDUMP_")}
    env.update(PYTHONIOENCODING="utf-8:strict", NAME="kd\udcff")
    done = subprocess.run([os.fsencode(SCRIPT), b"--root", os.fsencode(state / "root"),
                           b"symlinks", b"6.1\xff"], capture_output=True, env=env, timeout=60,
                          check=False)
    assert (done.returncode, done.stdout, done.stderr) == (
        1, b"Invalid kernel version : 6.1\\xff ... failed!\n", b"")
    done = subprocess.run([os.fsencode(SCRIPT), b"--root", os.fsencode(state / "root"),
                           b"savecore"], capture_output=True, env=env, timeout=60, check=False)
    assert done.returncode == 1 and done.stdout.startswith(b"kd\\xff: /proc/vmcore does not ")


def test_kdump_sim_state_shows_a_machine_with_kernel_files_in_odd_shapes(state: Path) -> None:
    machine = SimulatedMachine(state)
    machine.write_bytes("/proc/cmdline", b"ro \xff\n")
    machine.write_bytes("/sys/kernel/kexec_crash_loaded", b"\xfe")
    code, out, err = run_main(sim_cli.main, ["state", str(state)])
    assert code == 0 and "cmdline:      ro \ufffd" in out, err
