"""Checks of an installed kdump-config package, run on the system that has it installed
(dev/deb runs it in its trixie root; a guest can run it too):

    python3 check_installed.py

- `man kdump-config`, as a reader sees it, shows every catalog message, every command and
  the check, --json, reload and try-reload documentation;
- `man 5 kdump-tools` shows every setting of the config key table;
- the installed template is what the key table generates.
Exits 1 listing what is missing.
"""

from __future__ import annotations

import os
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
    for problem in problems:
        print(problem)
    print(f"installed man pages: {len(CATALOG)} catalog messages, {len(KNOWN_KEYS)} settings, "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
