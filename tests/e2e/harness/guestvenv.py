"""The project's venv for the guests (<cache>/venv/<arch>-<key>/), reused while the project
is unchanged; pip's download cache is <cache>/pip/."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

from harness.arches import Arch
from harness.host import log, run
from harness.sysroot import HOST_PYTHON, compile_python, stale_entries

VENV_SKIP = {
    ".git",
    ".venv",
    "__pycache__",
    "build",
    "dist",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
    "tests",
    "features",
    "bench",
}


def project_key(project: Path) -> str:
    """Hash of what `pip install DIR` would package: every file outside the usual
    caches and test trees (names, sizes and contents)."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(project):
        dirnames[:] = sorted(set(dirnames) - set(_skipped(dirpath, dirnames)))
        for name in sorted(filenames):
            p = Path(dirpath, name)
            if p.is_file():
                h.update(str(p.relative_to(project)).encode() + b"\0")
                h.update(p.read_bytes())
    return h.hexdigest()[:16]


def build_venv(
    cache: Path,
    project: Path,
    arch: Arch,
    host_venv: Path | None = None,
    sysroot: Path | None = None,
) -> Path:
    """A venv with the project installed, for guests of one architecture; reused while the
    project is unchanged. Built with Debian's /usr/bin/python3 (the same 3.11 as the guest
    sysroot's), so its pyvenv.cfg says home = /usr/bin, which in the guest is the sysroot's
    python. The guest mounts the cache at the same absolute path, so shebangs stay valid.

    For the host's architecture this is `pip install PROJECT` in the venv. For another one
    (ppc64el) pip cannot run there, and the dependencies are not all pure Python (typer needs
    pydantic, whose core is compiled), so the host's pip installs that platform's wheels
    with --target --platform, and the console scripts are written here."""
    if not (project / "pyproject.toml").exists():
        raise SystemExit(f"--project {project}: no pyproject.toml")
    key = project_key(project)
    dest = cache / "venv" / f"{arch.name}-{key}"
    if (dest / ".complete").exists():
        return dest
    log(f"building the {arch.name} guest venv from {project}")
    (cache / "venv").mkdir(parents=True, exist_ok=True)
    for stale in stale_entries(cache / "venv", arch):
        shutil.rmtree(stale, ignore_errors=True)
    pip_common = ["-q", "--disable-pip-version-check", "--cache-dir", str(cache / "pip")]
    # pip builds a local tree in place: build/ and *.egg-info would land in the project, and
    # setuptools' build/lib keeps modules deleted since. Build from a clean copy of exactly
    # what project_key() hashed.
    src = dest.with_name(dest.name + ".src")
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(project, src, symlinks=True, ignore=_skipped)
    try:
        _install(dest, src, arch, host_venv, pip_common)
        if arch.python != HOST_PYTHON and sysroot is not None:
            compile_python(arch, sysroot, [next(dest.glob(f"lib/python{arch.python}/"))])
    finally:
        shutil.rmtree(src, ignore_errors=True)
    if not (dest / "bin/kdump-config").exists():
        raise SystemExit("the project installed no kdump-config console script")
    (dest / ".complete").touch()
    return dest


def _skipped(directory: str, names: list[str]) -> list[str]:
    return [n for n in names if n in VENV_SKIP or n.endswith(".egg-info")]


def _install(
    dest: Path, project: Path, arch: Arch, host_venv: Path | None, pip_common: list[str]
) -> None:
    if host_venv is None:
        run(["/usr/bin/python3", "-m", "venv", str(dest)])
        run([str(dest / "bin/pip"), "install", *pip_common, str(project)])
    else:
        run(["/usr/bin/python3", "-m", "venv", "--without-pip", str(dest)])
        wheels = dest / ".wheels"
        # Wheels for the project and every dependency: sdist-only ones get built here
        # (pure Python ones then install anywhere); compiled ones are fetched below.
        run([str(host_venv / "bin/pip"), "wheel", *pip_common, "-w", str(wheels), str(project)])
        platforms = [f"manylinux_2_{minor}_{arch.uname}" for minor in range(17, 42)]
        # The guest's python finds lib/python<its version>/site-packages (pyvenv.cfg's home
        # is /usr/bin, which in the guest is the release's python3).
        site = dest / f"lib/python{arch.python}/site-packages"
        site.mkdir(parents=True, exist_ok=True)
        cp = "cp" + arch.python.replace(".", "")
        run(
            [
                str(host_venv / "bin/pip"),
                "install",
                *pip_common,
                "--target",
                str(site),
                "--python-version",
                arch.python,
                "--implementation",
                "cp",
                "--abi",
                cp,
                *(f"--platform={p}" for p in ["manylinux2014_" + arch.uname, *platforms]),
                "--only-binary=:all:",
                "--find-links",
                str(wheels),
                *(str(w) for w in wheels.glob(f"{project_dist_name(project)}-*.whl")),
            ]
        )
        shutil.rmtree(site / "bin", ignore_errors=True)  # scripts for the host's python
        write_console_scripts(dest)


def project_dist_name(project: Path) -> str:
    """The wheel-file prefix of the project ("kdump-config" -> "kdump_config")."""
    import tomllib

    name = tomllib.loads((project / "pyproject.toml").read_text())["project"]["name"]
    return re.sub(r"[-_.]+", "_", name).lower()


def write_console_scripts(venv: Path) -> None:
    """What pip writes for [console_scripts] entry points, for a venv pip did not install."""
    import configparser

    python = venv / "bin/python3"
    for eps in venv.glob("lib/python3*/site-packages/*.dist-info/entry_points.txt"):
        parser = configparser.ConfigParser(delimiters=("=",))
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        parser.read(eps)
        if not parser.has_section("console_scripts"):
            continue
        for name, target in parser.items("console_scripts"):
            module, _, func = target.strip().partition(":")
            script = venv / "bin" / name
            script.write_text(
                f"#!{python}\nimport sys\nfrom {module} import {func.split('.')[0]}\n"
                f"if __name__ == '__main__':\n    sys.exit({func}())\n"
            )
            script.chmod(0o755)
