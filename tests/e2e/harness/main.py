"""tests/e2e/run-qemu: load, crash and capture on real Debian kernels inside QEMU.

One guest at a time (the machines have 2 cores), each with a hard timeout. See
tests/e2e/README.md for what the guests look like from the inside.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import fcntl
import os
import shutil
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from pathlib import Path

from harness import initramfs, verify
from harness.aptroot import BACKPORTS, AptRoot
from harness.arches import ARCHES, Arch
from harness.guestvenv import build_venv
from harness.host import ensure_host_packages, log
from harness.kernel import Kernel, unpack_kernel
from harness.provision import GUEST_PACKAGES
from harness.sysroot import HOST_PYTHON, QEMU_USER_PACKAGE, build_sysroot

REPO = Path(__file__).resolve().parents[3]


@dataclasses.dataclass(frozen=True)
class Guest:
    name: str
    arch: str
    # "crash": full cycle; "nocrash": no crashkernel=, load must refuse; "nosymbols": an
    # arm64 kernel whose kexec_load cannot build a valid core header and that has no
    # kexec_file_load: load must refuse and nothing may say ready (a crash is still
    # forced, and must not leave a dump that passes)
    scenario: str
    crashkernel: str | None
    timeout: int  # seconds, hard limit for the whole qemu run
    kernel_suite: str = ""  # "" = the release's own kernel; or BACKPORTS
    memory_mib: int = 1024
    kexec_args: str = ""  # KDUMP_KEXEC_ARGS in the guest's /etc/default/kdump-tools
    optional: bool = False  # run only when named with --guest


# Timeouts are about 3x what a cycle takes with a CLI that needs ~5 s per command under TCG.
GUESTS = [
    Guest("x86_64", "amd64", "crash", "256M", 180),
    Guest("x86_64-no-crashkernel", "amd64", "nocrash", None, 120),
    Guest("ppc64el", "ppc64el", "crash", "256M", 240),
    # arm64: Debian 13 (kernel 6.12 with _text in /proc/kallsyms, makedumpfile 1.7.6) does
    # the whole cycle; bookworm's own kernel (6.1, no CONFIG_KALLSYMS_ALL, no
    # CONFIG_KEXEC_FILE) has no load method that yields a dump, so load must refuse.
    # 768 MiB keeps the vmcore (and makedumpfile's pass over it under TCG) small;
    # --no-checks skips purgatory's SHA-256 pass over the loaded segments, ~10 s under TCG.
    Guest("arm64", "arm64-trixie", "crash", "256M", 420, memory_mib=768, kexec_args="--no-checks"),
    Guest("arm64-bookworm", "arm64", "nosymbols", "256M", 300, memory_mib=768),
    # bookworm with bookworm-backports' 6.12 kernel: it loads and crashes, but bookworm's
    # makedumpfile 1.7.2 cannot read a 52-bit-VA dump ("VA Bits 52 not supported"), so
    # savecore falls back to cp and no dmesg is extracted: it fails the dmesg check. Kept
    # to reproduce that (--guest arm64-bookworm-bpo), not run by default.
    Guest(
        "arm64-bookworm-bpo",
        "arm64",
        "crash",
        "256M",
        420,
        BACKPORTS,
        memory_mib=768,
        kexec_args="--no-checks",
        optional=True,
    ),
]


class Timer:
    """Wall time of each phase, printed as it ends."""

    def add(self, name: str, seconds: float) -> None:
        print(f"  {name:<44} {seconds:7.1f} s", flush=True)

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        t0 = time.monotonic()
        try:
            yield
        finally:
            self.add(name, time.monotonic() - t0)


# ---------------------------------------------------------------- provisioning --------------


@dataclasses.dataclass
class Prepared:
    arch: Arch
    kernels: dict[str, Kernel]  # by suite ("" = the release's own)
    sysroot: Path

    def kernel_for(self, guest: Guest) -> Kernel:
        return self.kernels[guest.kernel_suite]


def prepare_arch(
    cache: Path, arch: Arch, suites: list[str], refresh: bool, timer: Timer
) -> Prepared:
    apt = AptRoot(cache, arch)
    with timer.phase(f"{arch.name}: apt lists + resolve"):
        apt.prepare(refresh)
        kpins = {suite: apt.kernel_pin(suite) for suite in suites}
        closure = apt.pins(list(GUEST_PACKAGES))
    with timer.phase(f"{arch.name}: download"):
        debs = apt.fetch(closure)
        kernel_debs = {suite: apt.fetch([pin])[0] for suite, pin in kpins.items()}
    with timer.phase(f"{arch.name}: kernel + sysroot"):
        kernels = {s: unpack_kernel(cache, arch, d) for s, d in kernel_debs.items()}
        sysroot = build_sysroot(cache, arch, debs)
    return Prepared(arch, kernels, sysroot)


# ---------------------------------------------------------------- one guest -----------------


def write_guest_inputs(
    res: Path, guest: Guest, prep: Prepared, cache: Path, venv: Path | None, profile: str
) -> Path:
    inp = res / "in"
    inp.mkdir(parents=True)
    kernel = prep.kernel_for(guest)
    kver = kernel.release
    conf = {
        "E2E_MODE": "project" if venv else "plain",
        "E2E_SCENARIO": guest.scenario,
        "E2E_CACHE": str(cache),
        "E2E_SYSROOT": str(prep.sysroot),
        "E2E_KERNEL_IMAGE": str(kernel.image),
        "E2E_KERNEL_CONFIG": str(kernel.config),
        "E2E_KVER": kver,
        "E2E_IMAGE_NAME": kernel.image.name,
        "E2E_VENV": str(venv or ""),
        "E2E_PROFILE": profile,
    }
    for key, value in conf.items():
        if "\n" in value:
            raise SystemExit(f"{key} contains a newline: {value!r}")
    (inp / "e2e.conf").write_text("".join(f"{k}={v}\n" for k, v in conf.items()))
    append = DEFAULT_APPEND[prep.arch.deb]
    tools = KDUMP_TOOLS.format(guest=guest.name, append=append)
    if guest.kexec_args:
        tools += f'KDUMP_KEXEC_ARGS="{guest.kexec_args}"\n'
    (inp / "kdump-tools").write_text(tools)
    (inp / "sysctl.conf").write_text("vm.nr_hugepages=0\nvm.nr_hugepages_mempolicy=0\n")
    return initramfs.build(prep.sysroot, kernel, inp / "initrd.img")


# Debian's default KDUMP_CMDLINE_APPEND (kdump-tools 1:1.8.1 and later).
DEFAULT_APPEND = {
    "amd64": "reset_devices systemd.unit=kdump-tools-dump.service nr_cpus=1 irqpoll usbcore.nousb",
    "ppc64el": "reset_devices systemd.unit=kdump-tools-dump.service maxcpus=1 irqpoll "
    "noirqdistrib usbcore.nousb",
    "arm64": "reset_devices systemd.unit=kdump-tools-dump.service nr_cpus=1",
}

# The guest's /etc/default/kdump-tools. Kernel and initrd are Debian's defaults: the init
# makes /var/lib/kdump/{vmlinuz,initrd.img} point at /boot/<image>-<ver> and at this
# harness's initramfs, as the kernel postinst hook would.
KDUMP_TOOLS = """\
# /etc/default/kdump-tools for the e2e guest {guest} (written by tests/e2e/run-qemu)
USE_KDUMP=1
KDUMP_KERNEL=/var/lib/kdump/vmlinuz
KDUMP_INITRD=/var/lib/kdump/initrd.img
KDUMP_COREDIR="/e2e/results/crash"
KDUMP_DUMP_DMESG=1
# lzo instead of Debian's default zlib (-c): the same code path, ~10 s less per capture
# under TCG.
MAKEDUMP_ARGS="-l -d 31"
KDUMP_CMDLINE_APPEND="{append}"
"""


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


# ---------------------------------------------------------------- main ----------------------


def parse_as_root(
    ap: argparse.ArgumentParser, argv: list[str] | None, why: str
) -> tuple[argparse.Namespace, Path, Path] | None:
    """The command line of a runner (run-qemu, run-systemd): its arguments and its resolved
    --cache and --out; None, once it has said so, when not run as root (--help still works
    for anyone)."""
    args = ap.parse_args(argv)
    if os.geteuid() != 0:
        print(f"{ap.prog} must run as root ({why})")
        return None
    return args, args.cache.resolve(), args.out.resolve()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="run-qemu", description=__doc__)
    ap.add_argument(
        "--cache",
        type=Path,
        default=Path("/var/cache/kdump-e2e"),
        help="downloads, sysroots, kernels and the guest venv (kept across runs)",
    )
    ap.add_argument(
        "--out",
        type=Path,
        default=Path("/tmp/kdump-e2e"),
        help="results: one directory per guest, wiped when that guest starts",
    )
    ap.add_argument(
        "--project",
        type=Path,
        default=REPO,
        help="source tree with pyproject.toml to pip install for the guests",
    )
    ap.add_argument(
        "--plain",
        action="store_true",
        help="do not use the project: drive kexec/makedumpfile directly",
    )
    ap.add_argument(
        "--guest",
        action="append",
        choices=[g.name for g in GUESTS],
        help="run only this guest (repeatable); default: all but the optional ones",
    )
    ap.add_argument(
        "--profile-imports",
        metavar="MODULE",
        default="",
        help="also time `python3 -c pass` and `python3 -X importtime -c 'import "
        "MODULE'` in each first kernel (e.g. kdump.cli)",
    )
    ap.add_argument(
        "--timeout-scale",
        type=float,
        default=1.0,
        help="multiply every guest's hard timeout (slow machines)",
    )
    ap.add_argument(
        "--refresh",
        action="store_true",
        help="re-run apt-get update even if the package lists are recent",
    )
    parsed = parse_as_root(ap, argv, "apt-get, 9p exports of root-owned files")
    if parsed is None:
        return 2
    args, cache, out = parsed
    guests = (
        [g for g in GUESTS if g.name in args.guest]
        if args.guest
        else [g for g in GUESTS if not g.optional]
    )
    arches = sorted({g.arch for g in guests}, key=list(ARCHES).index)
    timer = Timer()
    t_start = time.monotonic()
    passed = failed = 0

    cache.mkdir(parents=True, exist_ok=True)
    # One run per cache at a time: runs would rebuild each other's sysroots and venvs, and
    # the machines have room for one TCG guest only.
    lock = open(cache / ".lock", "w")  # noqa: SIM115 - held until the process exits
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        log(f"waiting for another run-qemu using {cache}")
        fcntl.flock(lock, fcntl.LOCK_EX)

    try:
        print("== provisioning", flush=True)
        with timer.phase("host packages"):
            wanted = [ARCHES[a].qemu_package for a in arches]
            if any(ARCHES[a].python != HOST_PYTHON for a in arches):
                wanted.append(QEMU_USER_PACKAGE)
            if not args.plain:
                wanted.append("python3-venv")
            ensure_host_packages(wanted)
        out.mkdir(parents=True, exist_ok=True)
        prepared = {
            a: prepare_arch(
                cache,
                ARCHES[a],
                sorted({g.kernel_suite for g in guests if g.arch == a}),
                args.refresh,
                timer,
            )
            for a in arches
        }
        venvs: dict[str, Path | None] = dict.fromkeys(arches)
        if not args.plain:
            project = args.project.resolve()
            with timer.phase("guest venvs (pip install --project)"):
                host = build_venv(cache, project, ARCHES["amd64"])
                for a in arches:
                    venvs[a] = (
                        host
                        if a == "amd64"
                        else build_venv(
                            cache, project, ARCHES[a], host_venv=host, sysroot=prepared[a].sysroot
                        )
                    )
    except (SystemExit, Exception) as exc:
        if not isinstance(exc, SystemExit):
            traceback.print_exc()
        print(f"provisioning failed: {exc}")
        print(f"0 passed, {len(guests)} failed")
        return 1

    for guest in guests:
        print(f"== guest {guest.name} ({'plain' if args.plain else 'project'} mode)", flush=True)
        try:
            problems = run_guest(
                guest,
                prepared[guest.arch],
                cache,
                out,
                venvs[guest.arch],
                timer,
                args.profile_imports,
                args.timeout_scale,
            )
        except (SystemExit, Exception) as exc:
            if not isinstance(exc, SystemExit):
                traceback.print_exc()
            problems = [f"harness error: {exc}"]
        if problems:
            failed += 1
            print(f"FAIL {guest.name}")
            for p in problems:
                print(f"  - {p}")
            serial = verify.read_text(out / guest.name / "serial.log").splitlines()
            print(f"  --- last 40 lines of {out / guest.name / 'serial.log'}:")
            for line in serial[-40:]:
                print(f"  | {line}")
        else:
            passed += 1
            print(f"PASS {guest.name}")
        sys.stdout.flush()

    print(f"total wall time: {time.monotonic() - t_start:.1f} s")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1
