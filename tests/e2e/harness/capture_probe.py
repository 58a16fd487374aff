"""What a capture costs, measured from outside the package under test (so Debian's
kdump-tools is measured exactly as the project's package is).

The harness puts into the guest root, after the package is installed:

  /usr/local/sbin/e2e-capture-probe                  a bash loop (builtins only: no fork per
                                                     sample) that runs in the capture kernel
  /etc/systemd/system/e2e-capture-probe.service      started with the dump unit, before it
  /etc/systemd/system/kdump-tools-dump.service.d/e2e-capture-probe.conf   Wants= it
  /usr/lib/systemd/system-shutdown/e2e-capture-probe the last word before the reboot

The probe samples /proc/meminfo and the dump unit's cgroup every 0.25 s and writes to
/dev/kmsg at priority 2, so its lines reach the serial console (host-timestamped in
serial.log) whatever the unit's StandardOutput says:

  e2e-capture-probe: start MemTotal=<kB> MemAvailable=<kB>
  e2e-capture-probe: saved <path> min_available=... peak=... anon=...
                                                the dump's final name appeared
  e2e-capture-probe: sample min_available=<kB> peak=<bytes> anon=<bytes>
                                                when a figure moved, and every 5 s
  e2e-capture-probe: final state=<total> <min> <peak> <anon> peak_now=<bytes>
                                                 (systemd-shutdown's hook)

memory.peak includes the page cache the dump's writes leave in the cgroup (it grows with
the dump); the largest `anon` of the cgroup's memory.stat (sampled) is the processes' own.

The dump script ends with `reboot -f`, so no ExecStopPost of the dump unit runs. The
systemd-shutdown hook is a last try at memory.peak; on trixie Debian's kdump-tools reached
the kernel's restart 0.4 s after the dump without it running (measured), so the sampler says
every change itself and the figures are the last ones it saw (the dump's final rename and
the dmesg file come within its last 0.25 s). A dump unit that ended without rebooting
within 30 s is reported (`e2e-capture-probe: no reboot ...`) and the guest is rebooted with
sysrq-b, so a failing capture ends in seconds (the host fails the run on that line).
"""

from __future__ import annotations

import re
from pathlib import Path

UNIT = "e2e-capture-probe.service"
TAG = "e2e-capture-probe:"
NO_REBOOT = "no reboot"

PROBE = r"""#!/bin/bash
# tests/e2e/run-systemd: memory of the capture, sampled from outside the package.
cg=/sys/fs/cgroup/system.slice/kdump-tools-dump.service
state=/run/e2e-capture-probe.state
exec 3>/dev/kmsg
say() { printf '<2>e2e-capture-probe: %s\n' "$*" >&3; }
# A FIFO nobody writes to: `read -t` on it is a sleep without a fork.
mkfifo /run/e2e-capture-probe.fifo 2>/dev/null
exec 9<>/run/e2e-capture-probe.fifo
meminfo() {
    local k v rest
    while read -r k v rest; do
        case $k in MemTotal:) total=$v ;; MemAvailable:) avail=$v ;; esac
    done </proc/meminfo
}
shopt -s nullglob
meminfo
say "start MemTotal=$total MemAvailable=$avail"
min=$avail peak=0 anon=0 saved= seen= gone=0 n=0 last=
while :; do
    meminfo
    (( avail < min )) && min=$avail
    if [[ -r $cg/memory.peak ]]; then
        seen=1 gone=0
        read -r p <"$cg/memory.peak" && [[ $p =~ ^[0-9]+$ ]] && (( p > peak )) && peak=$p
        # memory.peak counts the page cache the dump's writes leave behind; the processes'
        # own memory is memory.stat's anon (sampled: the cgroup keeps no maximum of it).
        while read -r k v; do
            [[ $k == anon ]] && { (( v > anon )) && anon=$v; break; }
        done <"$cg/memory.stat"
    elif [[ -n $seen ]]; then
        gone=$((gone + 1))
    fi
    if [[ -z $saved ]]; then
        for f in /var/crash/*/dump.* /var/crash/*/vmcore.*; do
            saved=$f
            say "saved $f min_available=$min peak=$peak anon=$anon"
            break
        done
    fi
    printf '%s %s %s %s\n' "$total" "$min" "$peak" "$anon" >"$state"
    # Said whenever a figure moved (at most every 0.25 s), and every 5 s: the dump script's
    # `reboot -f` may leave no time for anything after its last step.
    n=$((n + 1))
    now="$min $peak $anon"
    if [[ $now != "$last" ]] || (( n % 20 == 0 )); then
        say "sample min_available=$min peak=$peak anon=$anon"
        last=$now
    fi
    if (( gone >= 120 )); then
        say "no reboot 30 s after kdump-tools-dump.service ended: rebooting with sysrq-b"
        echo 1 >/proc/sys/kernel/sysrq
        echo b >/proc/sysrq-trigger
    fi
    read -r -t 0.25 -u 9
done
"""

HOOK = r"""#!/bin/sh
# tests/e2e/run-systemd: the capture's memory, read as the capture kernel reboots.
[ -e /proc/vmcore ] || exit 0
peak=$(cat /sys/fs/cgroup/system.slice/kdump-tools-dump.service/memory.peak 2>/dev/null)
state=$(cat /run/e2e-capture-probe.state 2>/dev/null)
printf '<2>e2e-capture-probe: final state=%s peak_now=%s\n' "$state" "$peak" >/dev/kmsg
"""

SERVICE = """\
# tests/e2e/run-systemd: memory of the capture (capture kernel only).
[Unit]
Description=kdump-config e2e capture probe
DefaultDependencies=no
ConditionPathExists=/proc/vmcore
Before=kdump-tools-dump.service

[Service]
ExecStart=/usr/local/sbin/e2e-capture-probe
StandardOutput=null
"""

DROPIN = """\
# tests/e2e/run-systemd: sample the capture's memory (see e2e-capture-probe.service).
[Unit]
Wants=e2e-capture-probe.service
"""


def install(root: Path) -> None:
    """Put the probe into an installed guest root (the package's own files untouched)."""
    files = {
        "usr/local/sbin/e2e-capture-probe": (PROBE, 0o755),
        "usr/lib/systemd/system-shutdown/e2e-capture-probe": (HOOK, 0o755),
        f"etc/systemd/system/{UNIT}": (SERVICE, 0o644),
        "etc/systemd/system/kdump-tools-dump.service.d/e2e-capture-probe.conf": (DROPIN, 0o644),
    }
    for rel, (text, mode) in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        path.chmod(mode)


def _kib(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def parse(lines: list[tuple[float, str]]) -> dict[str, float | int | None | str]:
    """The probe's findings from the capture kernel's console lines (host time, text):
    MemTotal and the lowest MemAvailable (KiB), the dump unit's memory.peak (bytes), the host
    time the dump's final name appeared, and whether the probe had to reboot the guest."""
    found: dict[str, float | int | None | str] = {
        "mem_total_kib": None,
        "min_available_kib": None,
        "peak_bytes": None,
        "anon_peak_bytes": None,
        "saved_at": None,
        "saved_path": None,
        "no_reboot": None,
    }
    mins: list[int] = []
    peaks: list[int] = []
    anons: list[int] = []
    for t, line in lines:
        if TAG not in line:
            continue
        said = line.split(TAG, 1)[1].strip()
        if said.startswith("start "):
            m = re.search(r"MemTotal=(\d+) MemAvailable=(\d+)", said)
            if m:
                found["mem_total_kib"] = int(m.group(1))
                mins.append(int(m.group(2)))
        elif said.startswith("saved ") and found["saved_at"] is None:
            found["saved_at"] = t
            found["saved_path"] = said.split()[1]
        if said.startswith(("saved ", "sample ")):
            m = re.search(r"min_available=(\d+) peak=(\d+)(?: anon=(\d+))?", said)
            if m:
                mins.append(int(m.group(1)))
                peaks.append(int(m.group(2)))
                if m.group(3):
                    anons.append(int(m.group(3)))
        elif said.startswith("final "):
            m = re.search(r"state=(\d+) (\d+) (\d+)(?: (\d+))?", said)
            if m:
                if found["mem_total_kib"] is None:
                    found["mem_total_kib"] = int(m.group(1))
                mins.append(int(m.group(2)))
                peaks.append(int(m.group(3)))
                if m.group(4):
                    anons.append(int(m.group(4)))
            m = re.search(r"peak_now=(\d+)", said)
            if m:
                peaks.append(int(m.group(1)))
        elif said.startswith(NO_REBOOT):
            found["no_reboot"] = said
    found["min_available_kib"] = min(mins) if mins else None
    found["peak_bytes"] = max(peaks) if peaks else None
    found["anon_peak_bytes"] = max(anons) if anons else None
    return found
