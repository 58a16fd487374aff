"""One run-qemu guest in QEMU: its command line, the serial console (serial.log and the
guest's E2E-MARK phase marks), and the verdict from what it left in its results directory."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from pathlib import Path

from harness import verify
from harness.cli import Timer
from harness.guestinputs import write_guest_inputs
from harness.guests import Guest
from harness.host import log
from harness.provision import Prepared


def qemu_opt(value: str) -> str:
    # QEMU's option syntax: a literal comma is written as two.
    return value.replace(",", ",,")


def qemu_argv(guest: Guest, prep: Prepared, cache: Path, res: Path, initrd: Path) -> list[str]:
    arch = prep.arch
    cmdline = ["panic=1"]
    if guest.crashkernel:
        cmdline.append(f"crashkernel={guest.crashkernel}")
    virtio_9p = "virtio-9p-pci"
    if arch.deb == "amd64":
        machine = ["-M", "pc", "-cpu", "qemu64"]
        cmdline.insert(0, "console=ttyS0")
    elif arch.deb == "arm64":
        # virt without firmware: QEMU loads the Image and hands it a device tree, which
        # kexec passes on to the capture kernel. cortex-a57 (ARMv8.0) is cheaper to emulate
        # than -cpu max (no pointer authentication). virtio over MMIO, no PCI.
        machine = ["-M", "virt", "-cpu", "cortex-a57"]
        cmdline.insert(0, "console=ttyAMA0")
        virtio_9p = "virtio-9p-device"
    else:
        # The cap-* settings silence TCG's "not supported" warnings for Spectre mitigations.
        # x-vof=on: QEMU's Virtual Open Firmware instead of SLOF boots -kernel directly,
        # ~10 s sooner under TCG; the capture kernel is unaffected (kexec brings its own
        # device tree).
        machine = [
            "-M",
            "pseries,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off,x-vof=on",
            "-cpu",
            "power9",
        ]
        cmdline.insert(0, "console=hvc0")
    share = "security_model=none,multidevs=remap"
    # fmt: off
    return [
        arch.qemu_binary, "-accel", "tcg", *machine, "-smp", "1", "-m", str(guest.memory_mib),
        "-nodefaults", "-no-user-config", "-display", "none", "-serial", "stdio",
        "-no-reboot",
        "-kernel", str(prep.kernel_for(guest).image), "-initrd", str(initrd),
        "-append", " ".join(cmdline),
        # The cache (sysroot, kernel, venv) read-only; the results read-write.
        "-fsdev", f"local,id=cache,path={qemu_opt(str(cache))},{share},readonly=on",
        "-device", f"{virtio_9p},fsdev=cache,mount_tag=e2e_cache",
        "-fsdev", f"local,id=results,path={qemu_opt(str(res))},{share}",
        "-device", f"{virtio_9p},fsdev=results,mount_tag=e2e_results",
    ]
    # fmt: on


def boot(argv: list[str], serial_log: Path, timeout: int) -> tuple[int | None, dict[str, float]]:
    """Run qemu with the serial console on a pipe; every line goes to serial.log with the
    host time since start, and E2E-MARK lines are remembered for the phase timings.
    Returns (exit status or None on timeout, {mark: seconds})."""
    marks: dict[str, float] = {}
    t0 = time.monotonic()
    proc = subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )

    def pump() -> None:
        assert proc.stdout is not None
        with open(serial_log, "w", errors="replace") as log_file:
            for raw in proc.stdout:
                now = time.monotonic() - t0
                line = raw.decode(errors="replace").rstrip("\r\n")
                log_file.write(f"[{now:8.2f}] {line}\n")
                log_file.flush()
                if line.startswith("E2E-MARK "):
                    key = line[len("E2E-MARK ") :].split(" (uptime")[0]
                    marks.setdefault(key, now)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        rc: int | None = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        rc = None
    reader.join(timeout=10)
    marks["qemu-exit"] = time.monotonic() - t0
    return rc, marks


KC_COMMANDS = ("load", "status", "test", "check", "savecore")


def report_marks(guest: Guest, marks: dict[str, float], timer: Timer, plain: bool) -> None:
    """Turn the guest's marks into phase durations."""

    def span(label: str, start: str | None, end: str) -> None:
        t_start = 0.0 if start is None else marks.get(start)
        t_end = marks.get(end)
        if t_start is not None and t_end is not None:
            timer.add(f"{guest.name}: {label}", t_end - t_start)

    span("boot to init", None, "init first")
    span("init to guest root", "init first", "root-ready first")
    for key in list(marks):
        if key.startswith("cmd-start "):
            name = key.split()[1]
            end = next((k for k in marks if k.startswith(f"cmd-end {name} ")), None)
            if end:
                kind = "guest" if name not in KC_COMMANDS else "plain" if plain else "kdump-config"
                span(f"{kind} {name}", key, end)
        elif key == "crash":
            span("crash to capture init", "crash", "init capture")
            span("capture init to guest root", "init capture", "root-ready capture")
    last = next((k for k in reversed(list(marks)) if k.startswith("phase-exit")), None)
    if last:
        span("power off", last, "qemu-exit")
    span("whole guest", None, "qemu-exit")


def run_guest(
    guest: Guest,
    prep: Prepared,
    cache: Path,
    out: Path,
    venv: Path | None,
    timer: Timer,
    profile: str = "",
    timeout_scale: float = 1.0,
) -> list[str]:
    res = out / guest.name
    shutil.rmtree(res, ignore_errors=True)
    res.mkdir(parents=True)
    (res / "crash").mkdir()
    initrd = write_guest_inputs(res, guest, prep, cache, venv, profile)
    argv = qemu_argv(guest, prep, cache, res, initrd)
    (res / "qemu.argv").write_text("\0".join(argv) + "\0")
    timeout = round(guest.timeout * timeout_scale)
    log(f"booting {guest.name} (timeout {timeout} s); serial log: {res / 'serial.log'}")
    rc, marks = boot(argv, res / "serial.log", timeout)
    report_marks(guest, marks, timer, plain=venv is None)

    problems = []
    if rc is None:
        problems.append(f"timed out after {timeout} s")
    elif rc != 0:
        problems.append(f"qemu exited {rc}")
    fails = [
        line for line in verify.read_text(res / "serial.log").splitlines() if "E2E-FAIL" in line
    ]
    problems += fails
    release = prep.kernel_for(guest).release
    if guest.scenario == "crash":
        notes: list[str] = []
        problems += verify.check_crash_guest(
            res, release, plain=venv is None, machine=prep.arch.uname, notes=notes
        )
        for note in notes:
            print(f"  note: {note}", flush=True)
    elif guest.scenario == "nosymbols":
        problems += verify.check_nosymbols_guest(res, release, plain=venv is None)
    else:
        problems += verify.check_nocrash_guest(res, plain=venv is None)
    return problems
