"""Running the package's maintainer scripts for real, against a scratch root (DPKG_ROOT),
with a recording debconf frontend and a small ucf: the steps dpkg and debconf take.

The scripts run unchanged: DPKG_ROOT (dpkg --root's variable) puts every path they
touch under the scratch root; ``. /usr/share/debconf/confmodule`` is the system's, talking
to ``Debconf`` here over the confmodule protocol (commands on the script's stdout,
replies on its stdin, as debconf's frontend does); ``ucf``/``ucfr`` come first in PATH.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

TOP = Path(__file__).resolve().parents[2]
DEBIAN = TOP / "debian"
HELPER = DEBIAN / "root/usr/share/kdump-config/kdump-setting"
CONF = "etc/default/kdump-tools"
QUESTION = "kdump-tools/use_kdump"

# ucf as the postinst uses it: a missing file is installed; a file unchanged since ucf
# last installed it (its hash in the hashfile) follows the new version; any other is kept.
UCF = """#!/bin/sh
echo "ucf $*" >> "$DPKG_ROOT/ucf.log"
while [ "${1#--}" != "$1" ]; do shift; done
new=$1 dest=$2 hashes="$DPKG_ROOT/var/lib/ucf/hashfile"
mkdir -p "${hashes%/*}"
sum() { md5sum < "$1" | cut -d' ' -f1; }
if [ ! -e "$dest" ] || { [ -f "$hashes" ] && grep -qx "$(sum "$dest")  $dest" "$hashes"; }; then
    cp "$new" "$dest"
    echo "$(sum "$new")  $dest" > "$hashes"
    echo "ucf: installed $dest" >> "$DPKG_ROOT/ucf.log"
else
    echo "ucf: kept $dest" >> "$DPKG_ROOT/ucf.log"
fi
"""
UCFR = '#!/bin/sh\necho "ucfr $*" >> "$DPKG_ROOT/ucf.log"\n'
# kdump-setting as a version before use-kdump-state had it (what preconfiguration runs on
# an upgrade, before the new files are unpacked).
OLD_HELPER = '#!/bin/sh\necho "kdump-setting: unknown setting $1" >&2\nexit 2\n'


class Debconf:
    """A debconf database of the one question, and a frontend that records the dialogue.

    ``answer``: what the admin answers when the question is shown (None: keeps the value).
    """

    def __init__(self, value: str | None = None, seen: bool = False,
                 answer: str | None = None) -> None:
        self.value = value
        self.seen = seen
        self.answer = answer
        self.log: list[str] = []
        self.shown = 0
        self._pending = False

    def reply(self, command: str) -> str | None:
        self.log.append(command)
        verb, _, rest = command.partition(" ")
        words = rest.split()
        if verb == "STOP":
            return None
        if verb == "GET":
            return f"0 {self.value if self.value is not None else 'true'}"  # the default
        if verb == "SET":
            self.value = words[1]
            return "0 value set"
        if verb == "FSET":
            self.seen = words[2] == "true"
            return "0 true"
        if verb == "INPUT":
            if self.seen:
                return "30 question skipped"
            self._pending = True
            return "0 question will be asked"
        if verb == "GO":
            if self._pending:
                self.shown += 1
                if self.answer is not None:
                    self.value = self.answer
                self.seen = True
                self._pending = False
            return "0 ok"
        return "0"

    def run(self, script: Path, root: Path, *args: str, env: dict[str, str] | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """Run a confmodule script with this frontend; its stderr is the result's."""
        environ = {"PATH": f"{root / 'stub-bin'}:/usr/bin:/bin", "DPKG_ROOT": str(root),
                   "DEBIAN_HAS_FRONTEND": "1", "DPKG_MAINTSCRIPT_PACKAGE": "kdump-config",
                   "LC_ALL": "C.UTF-8", **(env or {})}
        err_path = root / "stderr.log"
        with open(err_path, "w") as err:
            proc = subprocess.Popen(["sh", str(script), *args], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=err, text=True, env=environ,
                                    umask=0o022, start_new_session=True)
            assert proc.stdin is not None and proc.stdout is not None
            # A script that hangs (on a FIFO, say) is killed: the test fails, never hangs.
            watchdog = threading.Timer(timeout, os.killpg, (proc.pid, signal.SIGKILL))
            watchdog.start()
            try:
                for line in proc.stdout:
                    answer = self.reply(line.rstrip("\n"))
                    if answer is not None:
                        proc.stdin.write(answer + "\n")
                        proc.stdin.flush()
                proc.stdin.close()
                code = proc.wait(timeout=timeout)
            finally:
                watchdog.cancel()
            assert code >= 0, f"{script.name} was killed after {timeout} s"
        return subprocess.CompletedProcess(proc.args, code, "", err_path.read_text())


def make_root(root: Path, *, product: str = "new") -> Path:
    """A scratch root with /etc/default and, per ``product``, kdump-config's files:
    "new" (this tree's), "old" (a kdump-setting without use-kdump-state) or "none"."""
    (root / "etc/default").mkdir(parents=True, exist_ok=True)
    stub = root / "stub-bin"
    stub.mkdir(exist_ok=True)
    for name, text in (("ucf", UCF), ("ucfr", UCFR)):
        (stub / name).write_text(text)
        (stub / name).chmod(0o755)
    install(root, product)
    return root


def install(root: Path, product: str = "new") -> None:
    """Unpack kdump-config's files (what dpkg does between preconfiguration and configure)."""
    share = root / "usr/share/kdump-config"
    share.mkdir(parents=True, exist_ok=True)
    helper = share / "kdump-setting"
    if product == "none":
        return
    if product == "old":
        helper.write_text(OLD_HELPER)
    else:
        # This interpreter (the test's, with the product's dependencies) instead of
        # /usr/bin/python3; the script is otherwise the one shipped.
        lines = HELPER.read_text().split("\n", 1)
        helper.write_text(f"#!{sys.executable} -I\n{lines[1]}")
        for package in ("kdump", "backends"):
            link = share / package
            if not link.exists():
                link.symlink_to(TOP / package)
        from kdump.docgen import config_template

        template = root / "usr/share/kdump-tools/kdump-tools.conf"
        template.parent.mkdir(parents=True, exist_ok=True)
        template.write_text(config_template())
    helper.chmod(0o755)


def remember_as_pristine(root: Path) -> None:
    """Tell the ucf stub the current file is the one it installed (an unmodified file)."""
    conf = root / CONF
    hashes = root / "var/lib/ucf/hashfile"
    hashes.parent.mkdir(parents=True, exist_ok=True)
    hashes.write_text(f"{hashlib.md5(conf.read_bytes()).hexdigest()}  {conf}\n")


def upgrade(root: Path, debconf: Debconf, *, before: str = "old",
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """dpkg's upgrade: preconfigure with the installed (``before``) files, unpack, then
    configure (debconf runs the config script again, then the postinst)."""
    install(root, before)
    config = debconf.run(DEBIAN / "kdump-config.config", root, "configure", "0.1", env=env)
    assert config.returncode == 0, config.stderr
    install(root, "new")
    return configure(root, debconf, "configure", env=env)


def configure(root: Path, debconf: Debconf, how: str = "configure",
              env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    config = debconf.run(DEBIAN / "kdump-config.config", root, how, "0.1", env=env)
    assert config.returncode == 0, config.stderr
    return debconf.run(DEBIAN / "kdump-config.postinst", root, "configure", "0.1", env=env)


def reconfigure(root: Path, debconf: Debconf) -> subprocess.CompletedProcess[str]:
    """dpkg-reconfigure: the config script with "reconfigure", the postinst with
    DEBCONF_RECONFIGURE=1."""
    return configure(root, debconf, "reconfigure", env={"DEBCONF_RECONFIGURE": "1"})


def helper(root: Path, *args: str, env: dict[str, str] | None = None,
           timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """The installed kdump-setting, reading the scratch root's file."""
    environ = {"PATH": "/usr/bin:/bin", "KDUMP_ROOT": str(root), **(env or {})}
    return subprocess.run([str(root / "usr/share/kdump-config/kdump-setting"), *args],
                          env=environ, capture_output=True, text=True, timeout=timeout)


def kdump_config(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """kdump-config itself on the scratch root (it wants a /proc there)."""
    (root / "proc").mkdir(exist_ok=True)
    return subprocess.run([sys.executable, "-c", "from kdump.cli import entry; entry()",
                           "--root", str(root), *args], cwd=TOP, capture_output=True,
                          text=True, env={"PATH": "/usr/bin:/bin", "NAME": "kdump-tools"},
                          timeout=60)


__all__ = ["CONF", "DEBIAN", "QUESTION", "Debconf", "configure", "helper", "install",
           "kdump_config", "make_root", "reconfigure", "remember_as_pristine", "upgrade"]
