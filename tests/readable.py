"""kdump-config as another user can run it: for the tests that drop privileges.

A root user's checkout may sit where no other user can enter (under /root, 0700), and
its .venv with it; a test that runs kdump-config as nobody cannot start the venv's
script there.  So such a test runs a copy: the product's packages and the
distributions they need (their closure, from the installed metadata), copied into a
directory under /tmp that every user can read, started by the base interpreter with
nothing else on its path (``-I -S``: no site-packages, no environment).  Files are made
world-readable whatever the checkout's umask made them.  The copy is made once per test
session, on first use, and removed at exit.
"""

from __future__ import annotations

import atexit
import functools
import os
import re
import shutil
import stat
import sys
import sysconfig
import tempfile
from importlib import metadata
from pathlib import Path

TOP = Path(__file__).resolve().parents[1]
PACKAGES = ("kdump", "backends", "sim")  # the project's own (an editable install)
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _closure(project: str) -> list[metadata.Distribution]:
    """The installed distributions ``project`` needs to run, itself excluded."""
    seen: dict[str, metadata.Distribution] = {}
    pending = [project]
    while pending:
        name = pending.pop()
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # a requirement for another platform (colorama on Windows)
        for requirement in dist.requires or []:
            if "extra ==" in requirement.replace("extra==", "extra =="):
                continue
            match = _NAME.match(requirement)
            if match is not None:
                key = match.group(0).lower().replace("_", "-")
                if key not in seen and key != project:
                    pending.append(key)
        if name != project:
            seen[name] = dist
    return list(seen.values())


def _copy_distribution(dist: metadata.Distribution, lib: Path) -> None:
    for file in dist.files or []:
        if file.parts and file.parts[0] == "..":  # a script in the venv's bin: not needed
            continue
        source = Path(str(dist.locate_file(file)))
        if source.is_file():
            target = lib / file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


def _open_up(top: Path) -> None:
    for folder, _dirs, files in os.walk(top):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)


def _reachable(path: str) -> bool:
    """Whether every user can reach ``path`` and run (a file) or search (a directory) it."""
    resolved = Path(path).resolve()
    return all(os.stat(part).st_mode & stat.S_IXOTH for part in (resolved, *resolved.parents))


def _interpreter() -> str:
    """This Python (the base interpreter, not the venv's link), or, where other users
    cannot reach it or its standard library (a pyenv build under /root), the system's
    build of the same version: the copied compiled modules need the same ABI."""
    candidates = [os.path.realpath(sys.executable)]
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    candidates += [f"{prefix}/bin/python{version}" for prefix in ("/usr", "/usr/local")]
    for python in candidates:
        if not os.path.exists(python) or not _reachable(python):
            continue
        if python == candidates[0] and not _reachable(sysconfig.get_paths()["stdlib"]):
            continue
        return python
    raise RuntimeError(f"no Python {version} another user can run: tried "
                       + ", ".join(candidates))


@functools.cache
def kdump_config_argv() -> list[str]:
    """The command (interpreter and arguments) that runs kdump-config from a copy any
    user can read; append kdump-config's own arguments."""
    base = Path(tempfile.mkdtemp(prefix="kdump-readable-", dir="/tmp"))
    atexit.register(shutil.rmtree, base, True)
    lib = base / "lib"
    for package in PACKAGES:
        shutil.copytree(TOP / package, lib / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for dist in _closure("kdump-config"):
        _copy_distribution(dist, lib)
    _open_up(base)
    python = _interpreter()
    code = (f"import sys; sys.path.insert(0, {str(lib)!r}); "
            "from kdump.cli import main; sys.exit(main(sys.argv[1:]))")
    return [python, "-I", "-S", "-c", code]
