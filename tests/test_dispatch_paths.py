"""Issue 11, start-up: status and try-reload run without typer, from the same command table.

Every command of the table runs both ways (straight from the table, and through typer)
on two identical machines: same stdout, same exit status.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import kdump.cli as cli
from kdump.commands.table import TABLE, Spec
from sim.machine import Machine

pytestmark = pytest.mark.real_processes  # a fresh interpreter measures imports

CASES = [(spec, as_json) for spec in TABLE for as_json in (False, True)]


def _machine(path: Path) -> Path:
    Machine.create(path, "x86_64-ready")
    return path


def _direct(spec: Spec, as_json: bool, state: Path) -> int:
    cli._machine.backend, cli._machine.sim_state, cli._machine.root = "sim", str(state), None
    return cli.run_spec(spec, as_json)


def _typer(spec: Spec, as_json: bool, state: Path) -> int:
    from kdump.typer_app import app

    cli._machine.backend, cli._machine.sim_state, cli._machine.root = "sim", str(state), None
    args = [spec.name, *(["--json"] if as_json else [])]
    result = app(args=args, prog_name="kdump-config", standalone_mode=False)
    assert isinstance(result, int)
    return result


@pytest.mark.parametrize(("spec", "as_json"), CASES,
                         ids=[f"{s.name}{'-json' if j else ''}" for s, j in CASES])
@pytest.mark.parametrize("loaded", [False, True], ids=["unloaded", "loaded"])
def test_every_command_answers_the_same_both_ways(spec: Spec, as_json: bool, loaded: bool,
                                                  tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    outcomes = []
    for way, run in (("direct", _direct), ("typer", _typer)):
        state = _machine(tmp_path / way)
        if loaded:
            assert _direct(TABLE[[s.name for s in TABLE].index("load")], False, state) == 0
            capsys.readouterr()
        status = run(spec, as_json, state)
        out = capsys.readouterr()
        outcomes.append((status, out.out.replace(str(state), "STATE"), out.err))
    assert outcomes[0] == outcomes[1]


def _crashed(path: Path) -> Path:
    """A simulated machine in its capture kernel (loaded, then crashed)."""
    machine = Machine.create(path, "x86_64-ready")
    machine.state["kexec_loaded"] = ["/usr/sbin/kexec", "-p", "/var/lib/kdump/vmlinuz"]
    machine.save()
    machine.crash()
    return path


def _loaded(path: Path) -> Path:
    """A simulated machine with its capture kernel loaded: try-reload reloads, and logs."""
    _machine(path)
    assert _direct(TABLE[[s.name for s in TABLE].index("load")], False, path) == 0
    return path


# savecore runs in the capture kernel: typer's and pydantic's start-up would come out of the
# time before the dump is safe and out of the reservation. savecore and a reload log, and the
# logger must not bring rich in either.
@pytest.mark.parametrize("command", ["status", "status --json", "try-reload", "condreload",
                                     "savecore", "try-reload on a loaded machine"])
def test_what_machines_run_imports_no_cli_framework(command: str, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    make = {"savecore": _crashed, "try-reload on a loaded machine": _loaded}.get(command,
                                                                                _machine)
    state = make(tmp_path / "m")
    capsys.readouterr()
    command = command.split(" on ")[0]
    probe = ("import sys; from kdump.cli import main; "
             f"status = main(['--backend', 'sim', '--sim-state', {str(state)!r}, "
             f"*{command.split()!r}]); "
             "print(sorted(m for m in ('typer', 'click', 'rich', 'pydantic') "
             "if sys.modules.get(m)), status)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.strip().splitlines()
    assert out[-1] == "[] 0"


# Imported on the fast path, each would cost a few ms of every boot, monitoring probe and
# hotplug event: the CLI framework, dataclasses (and inspect behind it), --json's encoder,
# did-you-mean; on the real backend (what machines run) also typing and re (typing imports
# re, re imports enum), shlex (a load's KDUMP_KEXEC_ARGS only), contextlib with collections
# and functools (backends/scoped.py), importlib, the simulator's pathlib and json, the
# threads and signals of savecore's copy (backends/record.py, kdump/codes.py).
NEVER = ("typer", "click", "rich", "pydantic", "difflib", "dataclasses", "inspect")
NEVER_ON_LINUX = (*NEVER, "typing", "re", "enum", "shlex", "contextlib", "collections",
                  "functools", "importlib", "json", "pathlib", "threading", "signal",
                  "datetime", "sim.machine")
PROBE = """
import sys
sys.path.insert(0, {top!r})
from kdump.cli import main
status = main({argv!r})
executed = {{name for name in sys.modules if sys.modules[name] is not None}}
print(sorted(executed.intersection({names!r})), status)
"""


@pytest.mark.parametrize("command", ["status", "try-reload"])
@pytest.mark.parametrize("kind", ["sim", "linux"])
def test_the_fast_path_leaves_out_what_it_does_not_use(kind: str, command: str,
                                                        tmp_path: Path) -> None:
    if kind == "linux":
        from tests.steps.sandbox import SandboxMachine

        machine = SandboxMachine(state_dir=tmp_path / "m")
        machine.build("x86_64-ready")
        argv, names = machine.cli_argv([command]), NEVER_ON_LINUX
    else:
        state = _machine(tmp_path / "m")
        argv, names = ["--backend", "sim", "--sim-state", str(state), command], NEVER
    top = str(Path(__file__).resolve().parent.parent)
    # -S: no site, so no .pth of a development venv (its editable finder imports pathlib);
    # the fast path needs nothing from site-packages.
    probe = PROBE.format(top=top, argv=argv, names=names)
    out = subprocess.run([sys.executable, "-S", "-c", probe], capture_output=True, text=True,
                         check=True).stdout.strip().splitlines()
    assert out[-1] == "[] 0", out
