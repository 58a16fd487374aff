"""Checks of an installed kdump-config package, run on the system that has it installed
(dev/deb runs it in its trixie root; a guest can run it too):

    python3 check_installed.py [PACKAGE.deb]

- `man kdump-config`, as a reader sees it, shows every catalog message, every command and
  the check, --json, reload and try-reload documentation;
- `man 5 kdump-tools` shows every setting of the config key table;
- the installed template is what the key table generates;
- given the .deb: installing it again (an upgrade) keeps /etc/default/kdump-tools, an
  enabled one enabled whatever a stale debconf answer says, with its owner and mode;
  dpkg-reconfigure keeps it; a file kdump-config refuses is left alone and fails the
  service's condition (exit 255); a fresh install (after a purge) creates it 0644.
Exits 1 listing what is missing.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys

sys.path.insert(0, "/usr/share/kdump-config")

from kdump.config import KNOWN_KEYS  # noqa: E402
from kdump.docgen import config_template, message_text  # noqa: E402
from kdump.messages import CATALOG  # noqa: E402


def rendered(*page: str) -> str:
    env = dict(os.environ, MANWIDTH="10000", LC_ALL="C.UTF-8", MAN_KEEP_FORMATTING="")
    out = subprocess.run(["man", "-P", "cat", *page], capture_output=True, text=True,
                         env=env, check=True).stdout
    # Backspace overstrikes (bold, underline) and the typographic characters groff may use
    # for ASCII ones.
    while "\b" in out:
        index = out.index("\b")
        out = out[:index - 1] + out[index + 1:]
    for fancy, plain in {"\u2010": "-", "\u2212": "-", "\u2019": "'", "\u2018": "`",
                         "\u201c": '"', "\u201d": '"'}.items():
        out = out.replace(fancy, plain)
    return " ".join(out.split())


CONF = "/etc/default/kdump-tools"
SETTING = "/usr/share/kdump-config/kdump-setting"
ENABLED = [b"USE_KDUMP=1   # enabled by ops\n", b"USE_KDUMP=1   # enabled by ops\r\n",
           b"USE_KDUMP=1\t# enabled by ops\n", b'export USE_KDUMP="yes"\n',
           b"USE_KDUMP=true\n", b"# r\xe9glages\nUSE_KDUMP=1 # ops\n"]


def run(*argv: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    return subprocess.run(argv, capture_output=True, text=True, env=env, input=stdin,
                          timeout=600)


def read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def use_kdump() -> int:
    return run(SETTING, "use_kdump").returncode


def package_checks(deb: str) -> list[str]:
    """The maintainer scripts, run by dpkg as on an administrator's machine."""
    problems: list[str] = []
    saved = read(CONF) if os.path.exists(CONF) else None

    def install(what: str) -> bool:
        result = run("dpkg", "-i", deb)
        if result.returncode != 0:
            problems.append(f"{what}: dpkg -i failed: {result.stderr.strip()[-400:]}")
        return result.returncode == 0

    for line in ENABLED:
        data = b"KDUMP_NUM_DUMPS=2\n" + line
        with open(CONF, "wb") as handle:
            handle.write(data)
        os.chmod(CONF, 0o640)
        # What the old config script recorded for such lines: a stale "disabled".
        run("debconf-set-selections", stdin="kdump-config kdump-tools/use_kdump boolean false\n")
        for what, argv in ((f"upgrade with {line!r}", None),
                           (f"dpkg-reconfigure with {line!r}",
                            ["dpkg-reconfigure", "-fnoninteractive", "kdump-config"])):
            if argv is None:
                if not install(what):
                    continue
            else:
                result = run(*argv)
                if result.returncode != 0:
                    problems.append(f"{what}: {result.stderr.strip()[-400:]}")
            if read(CONF) != data:
                problems.append(f"{what}: {CONF} changed")
            if stat.S_IMODE(os.stat(CONF).st_mode) != 0o640:
                problems.append(f"{what}: the mode of {CONF} changed")
            if use_kdump() != 0:
                problems.append(f"{what}: kdump-setting no longer reads it as enabled")
    broken = b"USE_KDUMP=1\nKDUMP_COREDIR=$(id)\n"
    with open(CONF, "wb") as handle:
        handle.write(broken)
    if install("upgrade over a file kdump-config refuses") and read(CONF) != broken:
        problems.append("the postinst rewrote a file kdump-config refuses")
    condition = run(SETTING, "use_kdump")
    if condition.returncode != 255 or "command substitution" not in condition.stderr:
        problems.append(f"a refused file does not fail the service's condition: "
                        f"exit {condition.returncode}, {condition.stderr.strip()!r}")
    purge = run("dpkg", "--purge", "kdump-config")
    if purge.returncode != 0 or os.path.exists(CONF):
        problems.append(f"dpkg --purge: {purge.stderr.strip()[-400:]}")
    if install("fresh install"):
        if not os.path.exists(CONF):
            problems.append(f"a fresh install made no {CONF}")
        else:
            mode = stat.S_IMODE(os.stat(CONF).st_mode)
            if mode != 0o644:
                problems.append(f"a fresh install made {CONF} {oct(mode)}, not 0644")
            if use_kdump() != 0:
                problems.append("a fresh install (debconf default: yes) did not enable kdump")
    if saved is not None:
        with open(CONF, "wb") as handle:
            handle.write(saved)
    print(f"maintainer scripts: {len(ENABLED)} enabled spellings kept over upgrade and "
          f"dpkg-reconfigure, refused file left alone, fresh install 0644: "
          f"{len(problems)} problems")
    return problems


def main() -> int:
    problems: list[str] = []
    page8 = rendered("8", "kdump-config")
    for message in CATALOG.values():
        for line in (message.template, *message.more):
            text = " ".join(message_text(line).split())
            if text not in page8:
                problems.append(f"kdump-config(8) lacks message {message.code}: {text}")
        if message.code not in page8:
            problems.append(f"kdump-config(8) lacks code {message.code}")
    for word in ("check", "--json", "reload", "try-reload", "savecore", "symlinks"):
        if word not in page8:
            problems.append(f"kdump-config(8) lacks {word}")
    page5 = rendered("5", "kdump-tools")
    problems += [f"kdump-tools(5) lacks {key}" for key in KNOWN_KEYS if key not in page5]
    with open("/usr/share/kdump-tools/kdump-tools.conf", encoding="utf-8") as handle:
        if handle.read() != config_template():
            problems.append("the installed template differs from the key table's")
    print(f"installed man pages: {len(CATALOG)} catalog messages, {len(KNOWN_KEYS)} settings, "
          f"{len(problems)} problems")
    if len(sys.argv) > 1:
        problems += package_checks(sys.argv[1])
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
