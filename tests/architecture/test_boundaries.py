"""The architecture's rules, enforced: the backends are the only door to the machine.

ruff's banned-api rule (pyproject.toml) keeps `subprocess` inside backends/runner.py;
this test covers what a linter cannot say: the core never touches files or
processes itself, and never picks a concrete backend.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TOP = Path(__file__).resolve().parents[2]
CORE = sorted((TOP / "kdump").rglob("*.py"))
PRODUCT = sorted([*CORE, *(TOP / "backends").rglob("*.py"), *(TOP / "sim").rglob("*.py")])

# Only environment reads are allowed from os in the core (NAME, TERM, KDUMP_*).
CORE_OS_ALLOWED = {"environ"}
CORE_BANNED_MODULES = {"subprocess", "shutil", "pathlib", "tempfile", "fcntl", "ftplib",
                       "socket", "backends.linux", "backends.sim", "backends.rooted",
                       "backends.runner", "backends.fadump_sysfs", "sim", "backends.sim_ftp",
                       # what the file layer and the real backend are built from
                       "backends.rooted_queries", "backends.rooted_walk",
                       "backends.rooted_lock", "backends.fdcopy", "backends.linux_ftp",
                       "backends.deadlines"}
PROCESS_MODULES = {"backends/runner.py"}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def _imports(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _rel(path: Path) -> str:
    return path.relative_to(TOP).as_posix()


@pytest.mark.parametrize("path", CORE, ids=_rel)
def test_core_reaches_the_machine_only_through_a_host(path: Path) -> None:
    tree = _tree(path)
    banned = {name for name in _imports(tree)
              if any(name == b or name.startswith(b + ".") for b in CORE_BANNED_MODULES)}
    assert not banned, f"{_rel(path)} imports {sorted(banned)}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in ("open", "exec", "eval", "compile"), \
                f"{_rel(path)}:{node.lineno} calls {node.func.id}()"
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == "os":
            assert node.attr in CORE_OS_ALLOWED, f"{_rel(path)}:{node.lineno} uses os.{node.attr}"


@pytest.mark.parametrize("path", PRODUCT, ids=_rel)
def test_only_the_runner_starts_processes(path: Path) -> None:
    tree = _tree(path)
    if _rel(path) not in PROCESS_MODULES:
        assert "subprocess" not in _imports(tree), f"{_rel(path)} imports subprocess"
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            assert node.func.attr not in ("system", "popen", "execv", "execvp", "spawnv"), \
                f"{_rel(path)}:{node.lineno} starts a process outside the runner"
        if isinstance(node, ast.keyword) and node.arg == "shell":
            assert isinstance(node.value, ast.Constant) and node.value.value is False, \
                f"{_rel(path)}:{node.lineno} passes shell="


def test_the_factory_is_the_only_place_that_picks_a_backend() -> None:
    offenders = []
    for path in PRODUCT:
        if _rel(path) in ("backends/__init__.py",) or _rel(path).startswith("sim/"):
            continue
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Compare) and any(
                    isinstance(c, ast.Constant) and c.value in ("sim", "linux")
                    for c in node.comparators):
                offenders.append(f"{_rel(path)}:{node.lineno}")
    assert not offenders, f"branches on the backend kind: {offenders}"


# -- the simulator is closed: it composes the neutral file layer, never the real backend ------
SIMULATOR = sorted([*(TOP / "backends").glob("sim*.py"), *(TOP / "sim").rglob("*.py")])
REAL_ONLY = {"backends.linux", "backends.linux_ftp", "backends.runner", "subprocess"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(TOP).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph() -> dict[str, set[str]]:
    """Every product module's imports (lazy ones inside functions included)."""
    return {_module_name(path): _imports(_tree(path)) for path in PRODUCT}


def _reachable(start: str, graph: dict[str, set[str]]) -> set[str]:
    """What importing ``start`` can ever load, through the product's own modules."""
    seen: set[str] = set()
    pending = [start]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        for imported in graph.get(name, set()):
            # "from sim import tools" names the package; the module is sim.tools.
            pending += [m for m in graph if m == imported or m.startswith(imported + ".")
                        and m.count(".") == imported.count(".") + 1] or [imported]
    return seen


@pytest.mark.parametrize("path", SIMULATOR, ids=_rel)
def test_the_simulator_never_reaches_the_real_backend_or_the_runner(path: Path) -> None:
    reached = _reachable(_module_name(path), _import_graph())
    assert not reached & REAL_ONLY, \
        f"{_rel(path)} can load {sorted(reached & REAL_ONLY)} (the real backend's machinery)"


def test_the_import_walk_sees_the_real_backends_own_imports() -> None:
    """The walk above is no walk at all if it cannot see this (the guard's own check)."""
    assert REAL_ONLY - {"backends.linux"} <= _reachable("backends.linux", _import_graph())


# -- the three rules of the import graph: core, simulator, simulated backend -----------------
# The command line's renderer, and the modules that make one (composition roots).
RENDERER = "kdump.reporter"
SHELL = {"kdump/cli.py", "kdump/typer_app.py", "kdump/setting.py", "kdump/reporter.py",
         "kdump/dispatch.py"}
# What both backends are built from; everything else under backends/ is the real backend's
# (a new module is real until it is added here).
NEUTRAL_BACKEND = {"backends.base", "backends.values", "backends.record",
                   "backends.rooted", "backends.rooted_queries", "backends.rooted_walk",
                   "backends.rooted_reads", "backends.rooted_lock", "backends.fdcopy",
                   "backends.fadump_sysfs"}
SIMULATED_BACKEND = sorted((TOP / "backends").glob("sim*.py"))


def _imported_names(tree: ast.Module) -> set[str]:
    """Every module an import can bind, ``from kdump import reporter`` as kdump.reporter."""
    names = _imports(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_the_rules_see_every_form_of_import() -> None:
    tree = ast.parse("from kdump import reporter\nimport backends.values\n"
                     "def lazy():\n    from backends.fadump_sysfs import FadumpSysfs\n")
    assert {"kdump.reporter", "backends.values", "backends.fadump_sysfs"} <= _imported_names(tree)


@pytest.mark.parametrize("path", [p for p in CORE if _rel(p) not in SHELL], ids=_rel)
def test_the_core_reports_through_its_own_interface(path: Path) -> None:
    """The core says what happened through kdump.reporting; how it is shown is the
    command line's (its renderer satisfies the interface, it is never imported here)."""
    imported = {n for n in _imported_names(_tree(path)) if _within(n, RENDERER)}
    assert not imported, f"{_rel(path)} imports the command line's renderer {sorted(imported)}"


@pytest.mark.parametrize("path", sorted((TOP / "sim").rglob("*.py")), ids=_rel)
def test_the_simulator_needs_nothing_from_the_backends(path: Path) -> None:
    imported = {n for n in _imported_names(_tree(path)) if _within(n, "backends")}
    assert not imported, f"{_rel(path)} imports {sorted(imported)}"


@pytest.mark.parametrize("path", SIMULATED_BACKEND, ids=_rel)
def test_the_simulated_backend_is_built_from_neutral_modules_only(path: Path) -> None:
    """Not one module of the real backend, directly or through another."""
    simulated = {_module_name(p) for p in SIMULATED_BACKEND}
    reached = {n for n in _reachable(_module_name(path), _import_graph())
               if _within(n, "backends") and n != "backends"}
    real = reached - NEUTRAL_BACKEND - simulated
    assert not real, f"{_rel(path)} can load {sorted(real)} (the real backend's modules)"


@pytest.mark.parametrize("path", PRODUCT, ids=_rel)
def test_the_product_never_imports_test_machinery(path: Path) -> None:
    imported = _imports(_tree(path))
    assert not {n for n in imported if n.split(".")[0] in ("tests", "sandbox")}, _rel(path)
    # Bind mounts and file-size limits are the sandbox tier's (sandbox/).
    assert "resource" not in imported, f"{_rel(path)} sets resource limits: test machinery"


def _bases(path: Path) -> dict[str, list[str]]:
    return {node.name: [ast.unparse(base) for base in node.bases]
            for node in ast.walk(_tree(path)) if isinstance(node, ast.ClassDef)}


def test_simhost_composes_the_file_layer_and_inherits_no_real_behaviour() -> None:
    from backends.linux import LinuxHost
    from backends.sim import SimHost

    for backend in (SimHost, LinuxHost):
        assert backend.__mro__[1:] == (object,), f"{backend.__name__} inherits behaviour"


# The file layer and the hosts: parts held, never a ladder of base classes.
COMPOSED = ["backends/rooted.py", "backends/rooted_queries.py", "backends/rooted_walk.py",
            "backends/rooted_reads.py", "backends/rooted_lock.py", "backends/linux.py",
            "backends/sim.py"]


@pytest.mark.parametrize("name", COMPOSED)
def test_the_file_layer_and_the_hosts_inherit_nothing(name: str) -> None:
    inherited = {klass: bases for klass, bases in _bases(TOP / name).items() if bases}
    assert not inherited, f"{name}: {inherited}"


def test_a_hosts_file_operation_is_the_part_that_does_it(tmp_path: Path) -> None:
    """Reading what host.exists does is reading one part: no forwarding in between."""
    from backends.linux import LinuxHost
    from backends.rooted import RootedFiles
    from backends.rooted_lock import FileLock
    from backends.rooted_queries import RootedQueries
    from backends.rooted_reads import OwnReads
    from backends.sim import SimHost
    from sim.machine import SimulatedMachine

    sim = SimHost(SimulatedMachine.create(tmp_path / "m", "x86_64-ready"))
    real = LinuxHost(str(tmp_path / "m" / "root"), env={})
    for host in (sim, real):
        assert host.exists.__func__ is RootedQueries.exists  # type: ignore[attr-defined]
        assert host.read_text.__self__ is host.files.paths  # type: ignore[attr-defined]
        assert type(host.read_own.__self__) is OwnReads  # type: ignore[attr-defined]
        assert host.fsync.__func__ is RootedFiles.fsync  # type: ignore[attr-defined]
    assert type(real.lock.__self__) is FileLock  # type: ignore[attr-defined]
    assert real.mkdir.__func__ is RootedFiles.mkdir  # type: ignore[attr-defined]


def test_both_backends_hold_a_rooted_file_layer(tmp_path: Path) -> None:
    from backends.linux import LinuxHost
    from backends.rooted import RootedFiles
    from backends.sim import SimHost
    from sim.machine import SimulatedMachine

    sim = SimHost(SimulatedMachine.create(tmp_path / "m", "x86_64-ready"))
    real = LinuxHost(str(tmp_path / "m" / "root"), env={})
    assert type(sim.files) is RootedFiles and type(real.files) is RootedFiles
    assert sim.files.root == real.files.root


def test_the_host_protocol_is_small_protocols_behind_one_aggregate() -> None:
    from backends import base

    def members(protocol: type) -> set[str]:
        return {name for klass in protocol.__mro__ if klass is not object
                for name in vars(klass) if not name.startswith("_")}

    parts = (base.FileReads, base.FileQueries, base.FileChanges, base.Kernel, base.Processes,
             base.Ftp, base.ClockAndLog)
    assert set(base.Host.__mro__) >= set(parts)
    own = [name for name in vars(base.Host) if not name.startswith("_")]
    assert own == [], f"members outside the small protocols: {own}"
    for part in parts:
        assert 4 <= len(members(part)) <= 12, (part.__name__, sorted(members(part)))
    assert set().union(*map(members, parts)) == members(base.Host)
    dropped = {"kind", "lexists", "mode", "disk_free", "write_sysfs"}
    assert not dropped & set(dir(base.Host)), "dead members came back to the Host"


# -- --root and the environment: nothing from the running host -----------------------------------
def test_under_a_root_nproc_and_hostname_come_from_the_tree(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from backends.linux import LinuxHost
    from backends.values import Uname

    def leak(*_args: object) -> object:
        raise AssertionError("asked the running host")

    monkeypatch.setattr(os, "uname", leak)
    monkeypatch.setattr(os, "cpu_count", leak)
    host = LinuxHost(str(tmp_path), env={})
    assert host.nproc() == 1 and host.hostname() == "localhost"
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/hostname").write_text("tree-host\n")
    (tmp_path / "proc").mkdir()
    (tmp_path / "proc/cpuinfo").write_text("processor\t: 0\n\nprocessor\t: 1\n\nprocessor\t: 2\n")
    assert host.nproc() == 3 and host.hostname() == "tree-host"
    (tmp_path / "proc/sys/kernel").mkdir(parents=True)
    (tmp_path / "proc/sys/kernel/hostname").write_text("kernel-host\n")
    assert host.hostname() == "kernel-host"
    assert host.uname() == Uname("", "")


def test_config_parsing_gets_its_environment_only_through_the_host() -> None:
    """No module of the core hands the process environment to the config parser."""
    offenders = []
    for path in CORE:
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.keyword) and node.arg == "environ" and \
                    "os.environ" in ast.unparse(node.value):
                offenders.append(f"{_rel(path)}:{node.value.lineno}")
    assert not offenders, f"the caller's environment reaches config parsing: {offenders}"


def _status(argv: list[str]) -> str:
    import io
    from contextlib import redirect_stdout

    from kdump.cli import main

    out = io.StringIO()
    with redirect_stdout(out):
        main(argv)
    return out.getvalue()


def test_the_callers_environment_never_reaches_a_simulated_machine(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sim.machine import SimulatedMachine

    SimulatedMachine.create(tmp_path / "m", "x86_64-ready")
    argv = ["--backend", "sim", "--sim-state", str(tmp_path / "m"), "status"]
    monkeypatch.delenv("NAME", raising=False)
    clean = _status(argv)
    monkeypatch.setenv("NFS", "x:/y")
    monkeypatch.setenv("SSH", "root@elsewhere")
    assert _status(argv) == clean
    # The machine's own environment is where its config keys come from.
    SimulatedMachine(tmp_path / "m").set_environ("NFS", "x:/y")
    SimulatedMachine(tmp_path / "m").set_environ("SSH", "root@elsewhere")
    assert "SSH and NFS cannot be defined concurrently" in _status(argv)


def test_the_real_backend_takes_the_callers_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from backends.linux import LinuxHost

    monkeypatch.setenv("NFS", "x:/y")
    assert LinuxHost(str(tmp_path)).environ()["NFS"] == "x:/y"


# -- default deny: a test that starts a real process without saying so fails ---------------------
def test_an_undeclared_process_is_refused_wherever_it_starts() -> None:
    import subprocess

    from backends.linux import LinuxHost
    from conftest import UndeclaredProcess

    with pytest.raises(UndeclaredProcess, match="without declaring it"):
        subprocess.run(["true"], check=False)
    with pytest.raises(UndeclaredProcess):  # the runner's own door, past its OSError handling
        LinuxHost("/").run(["true"])


@pytest.mark.real_processes
def test_a_declared_process_runs() -> None:
    from backends.linux import LinuxHost

    assert LinuxHost("/").run(["true"]).ok
