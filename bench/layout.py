"""kdump-config laid out as the Debian package installs it, for the benchmarks.

What production runs is not the editable checkout of a development venv: its
``__editable__`` and ``distutils-precedence`` .pth files cost every Python start in
that venv (``python3 -c pass`` included) tens of milliseconds, which would hide the
command's own cost in the baseline.  The package (debian/rules) puts the modules in a
private directory with their bytecode compiled, and /usr/sbin/kdump-config (in
debian/root) is a three-line launcher run by ``python3 -I``.  This builds the same in a
temporary directory: a venv without pip whose only site addition is the dependency
set's site-packages (typer, structlog: a plain path, none of that venv's .pth files
run), the modules copied and compiled, and the launcher with its paths changed.  The
simulator stays in (the package leaves it out) so that both backends can be measured.
"""

from __future__ import annotations

import compileall
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

TOP = Path(__file__).resolve().parents[1]
LAUNCHER = TOP / "debian" / "root" / "usr" / "sbin" / "kdump-config"
PACKAGES = ("kdump", "backends", "sim")


class Installed:
    """A throwaway installation: ``python`` (the interpreter) and ``command`` (argv prefix)."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="kdump-installed-"))
        venv = self.dir / "venv"
        base = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True)
        self.python = str(venv / "bin" / "python")
        site = subprocess.run([self.python, "-c", "import sysconfig; "
                               "print(sysconfig.get_paths()['purelib'])"],
                              check=True, capture_output=True, text=True).stdout.strip()
        deps = sysconfig.get_paths()["purelib"]  # this interpreter's: the dependency set
        Path(site, "dependencies.pth").write_text(deps + "\n")
        private = self.dir / "private"
        for package in PACKAGES:
            shutil.copytree(TOP / package, private / package,
                            ignore=shutil.ignore_patterns("__pycache__"))
        compileall.compile_dir(str(private), quiet=1)  # as py3compile does at install
        text = LAUNCHER.read_text()
        text = text.replace("#!/usr/bin/python3", f"#!{self.python}", 1)
        text = text.replace('"/usr/share/kdump-config"', repr(str(private)))
        launcher = self.dir / "kdump-config"
        launcher.write_text(text)
        launcher.chmod(0o755)
        self.command = [str(launcher)]

    def cleanup(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
