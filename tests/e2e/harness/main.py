"""tests/e2e/run-qemu: load, crash and capture on real Debian kernels inside QEMU.

One guest at a time (the machines have 2 cores), each with a hard timeout. See
tests/e2e/README.md for what the guests look like from the inside.
"""

from __future__ import annotations

import argparse
import fcntl
import sys
import time
import traceback
from pathlib import Path

from harness import verify
from harness.arches import ARCHES
from harness.cli import Timer, parse_as_root
from harness.guests import GUESTS
from harness.guestvenv import build_venv
from harness.host import ensure_host_packages, log
from harness.provision import prepare_arch
from harness.qemu import run_guest
from harness.sysroot import HOST_PYTHON, QEMU_USER_PACKAGE

REPO = Path(__file__).resolve().parents[3]


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
