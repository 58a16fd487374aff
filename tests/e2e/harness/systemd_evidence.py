"""What the systemd guest's checks look for: `kdump-config status` saying ready, the load
entry in the journal (text and MESSAGE_ID), the dump unit, a /var/crash stamp, and the
journal lines that show udev ran the package's hotplug rule."""

from __future__ import annotations

import re

READY = re.compile(r"current state\s*:\s*ready to kdump")
LOAD_ENTRY = "loaded kdump kernel"
# ... and not "unloaded kdump kernel", which contains it.
LOADED = re.compile(r"(?<!un)loaded kdump kernel")
# The journal's MESSAGE_ID of "loaded" (docs/message-ids.md; tests/adapter/test_journal.py
# pins it): what `journalctl MESSAGE_ID=...` finds across a fleet.
LOADED_MESSAGE_ID = "000209579f545e43b325358ca0a00f3e"
# try-reload's answer where the kernel keeps the loaded image current on hotplug itself
# (catalog code hotplug-by-kernel; trixie's 6.12 with kexec-tools 2.0.29): a good outcome.
KERNEL_HANDLES = re.compile(r"updates the loaded crash image on CPU and memory hotplug itself")
DUMP_UNIT = "kdump-tools-dump.service"
STAMP = re.compile(r"^\d{12}(-\d+)?$")


def hotplug_evidence(lines: list[str]) -> tuple[list[str], list[str], list[str]]:
    """From the journal since the hotplug: udevd's lines starting the package's rule for a
    CPU, the load entries (or the kernel-handles-hotplug answers) after the first of them, and
    udevd's reports of that rule failing.

    udevd's worker logs, at debug level, "cpu1: .../50-kdump-tools.rules:3 Running
    PROGRAM=..." and "Starting '...'", then the program's output and how it ended. The rule
    may run `kdump-config try-reload` itself or hand it to systemd (systemctl ...
    kdump-tools.service); either way a load must follow."""
    udev = [
        (i, ln)
        for i, ln in enumerate(lines)
        if "udev" in ln and re.search(r"\bcpu\d+: ", ln) and "kdump" in ln
    ]
    ran = [(i, ln) for i, ln in udev if re.search(r"Running|Starting", ln)]
    loads = (
        [ln for ln in lines[ran[0][0] :] if LOADED.search(ln) or KERNEL_HANDLES.search(ln)]
        if ran
        else []
    )
    errors = [
        ln.split(": ", 1)[-1] for _, ln in udev if re.search(r"failed|returned [1-9]|\(err\)", ln)
    ]
    return [ln for _, ln in ran], loads, errors
