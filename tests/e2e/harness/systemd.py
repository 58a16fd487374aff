"""tests/e2e/run-systemd: the package's whole life cycle on a systemd-booted Debian trixie.

Steps, each asserted and timed (see tests/e2e/README.md, "The systemd guest"):
  1 install   the .deb into the guest root with apt (chroot; Depends from Debian)
  2 boot      kdump-tools.service active, status ready, check 0, the load in the journal
  3 hotplug   cpu1 offline/online: udev runs the package's rule, kdump ready afterwards
  4 crash     per dump target (ssh, nfs, ftp, local; `propagate` first for ssh): the
              target in /etc/default/kdump-tools, sysrq: capture kernel ->
              kdump-tools-dump.service -> savecore -> reboot -> first kernel ready again;
              the dump complete where the target keeps it (host-side checks)
  5 purge     apt purge removes the package's state and leaves the dump
"""

from __future__ import annotations

import argparse
import dataclasses
import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
import traceback
from pathlib import Path

from harness import capture_probe, image, systemd_bisect, targets, verify
from harness.agent import Stuck
from harness.cli import Timer, parse_as_root
from harness.host import ensure_host_packages, log
from harness.qemu import qemu_opt
from harness.systemd_evidence import DUMP_UNIT
from harness.systemd_steps import Failed, Steps

REPO = Path(__file__).resolve().parents[3]


def qemu_argv(
    inst: image.Installed, disk: Path, sock: Path, memory: int, net: list[str]
) -> list[str]:
    append = f"root=/dev/vda rw console=ttyS0 panic=10 crashkernel={inst.crashkernel}"
    # fmt: off
    return [
        "qemu-system-x86_64", "-accel", "tcg", "-M", "pc", "-cpu", "qemu64",
        "-smp", "2", "-m", str(memory),
        "-nodefaults", "-no-user-config", "-display", "none", "-serial", "stdio",
        "-kernel", str(inst.kernel), "-initrd", str(inst.initrd), "-append", append,
        "-drive", f"file={qemu_opt(str(disk))},if=virtio,format=raw,cache=unsafe",
        "-device", "virtio-rng-pci",
        "-device", "virtio-serial-pci",
        "-chardev", f"socket,id=agent,path={qemu_opt(str(sock))},server=on,wait=on",
        "-device", "virtserialport,chardev=agent,name=e2e.agent",
        *(net or ["-nic", "none"]),
    ]
    # fmt: on


def find_deb(args: argparse.Namespace, cache: Path, base: Path) -> tuple[Path, str]:
    """The package under test and where it came from."""
    if args.deb:
        return args.deb.resolve(), "--deb"
    if args.debian_kdump_tools:
        return image.debian_package(cache, base, "kdump-tools"), "Debian's kdump-tools"
    builder = REPO / "dev/deb"
    if not builder.exists():
        print(
            "!! dev/deb does not exist in this tree: testing Debian's own kdump-tools "
            "instead of this project's package (pass --deb PATH to test a built one)",
            flush=True,
        )
        return image.debian_package(cache, base, "kdump-tools"), "Debian's kdump-tools (fallback)"
    outdir = cache / "systemd" / "deb-build"
    shutil.rmtree(outdir, ignore_errors=True)
    outdir.mkdir(parents=True)
    log(f"building the package: DEB_OUT={outdir} {builder}")
    env = dict(os.environ, DEB_OUT=str(outdir), KDUMP_CI_CACHE=str(cache))
    done = subprocess.run([str(builder)], stdout=sys.stderr, env=env)
    debs = sorted(outdir.glob("kdump-config_*.deb"))
    if done.returncode != 0 or len(debs) != 1:
        raise SystemExit(f"dev/deb exited {done.returncode} and left {debs} in {outdir}")
    return debs[0], "dev/deb"


def write_result(out: Path, steps: Steps, inst: image.Installed | None) -> None:
    """result.json: what bench/capture.py reads (passed, problems, times, memory)."""
    doc = {
        "passed": not steps.problems,
        "problems": steps.problems,
        "package": inst.package if inst else None,
        "version": inst.version if inst else None,
        "crashkernel": inst.crashkernel if inst else None,
        **steps.measure,
    }
    (out / "result.json").write_text(json.dumps(doc, indent=1) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="run-systemd",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--deb", type=Path, help="the package to test (default: build with dev/deb)")
    ap.add_argument(
        "--debian-kdump-tools",
        action="store_true",
        help="test Debian's own kdump-tools from trixie (proves the harness)",
    )
    ap.add_argument("--cache", type=Path, default=Path("/var/cache/kdump-config-ci"))
    ap.add_argument("--out", type=Path, default=Path("/tmp/kdump-systemd"))
    ap.add_argument("--memory", type=int, default=1024, help="guest RAM in MiB")
    ap.add_argument("--timeout-scale", type=float, default=1.0)
    ap.add_argument(
        "--crashkernel",
        help="crashkernel= for the guest instead of the package's grub snippet's (e.g. 256M)",
    )
    ap.add_argument(
        "--bisect-crashkernel",
        metavar="LO:HI",
        help="instead of steps 3-5: the smallest crashkernel= (MiB, 16 MiB steps, LO taken "
        "as failing, HI as working) with which a local capture saves a complete dump",
    )
    ap.add_argument(
        "--prepare-only",
        action="store_true",
        help="install the host packages and build the cached base root, then exit (CI runs "
        "this beside run-qemu)",
    )
    ap.add_argument(
        "--targets",
        default=",".join(targets.ORDER),
        help=f"dump targets to crash into, in this order (default {','.join(targets.ORDER)})",
    )
    parsed = parse_as_root(ap, argv, "debootstrap, chroot")
    if parsed is None:
        return 2
    args, cache, out = parsed
    wanted = [t for t in args.targets.split(",") if t]
    unknown = [t for t in wanted if t not in targets.TARGETS]
    if unknown or not wanted:
        ap.error(f"--targets: unknown {unknown}; known: {', '.join(targets.ORDER)}")
    timer = Timer()
    t_start = time.monotonic()
    cache.mkdir(parents=True, exist_ok=True)
    lock = open(cache / ".lock-systemd", "w")  # noqa: SIM115 - held until exit
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        log(f"waiting for another run-systemd using {cache}")
        fcntl.flock(lock, fcntl.LOCK_EX)

    image.remove_tree(out)
    out.mkdir(parents=True)
    steps = Steps(args, timer, out)
    result = 1
    installed: image.Installed | None = None
    try:
        print("== provisioning", flush=True)
        with timer.phase("host packages"):
            ensure_host_packages(
                ["debootstrap", "qemu-system-x86", "e2fsprogs", *targets.HOST_PACKAGES]
            )
        with timer.phase("trixie base root (debootstrap, cached)"):
            base = image.base_root(cache)
        if args.prepare_only:
            print(f"prepared: {base}")
            return 0
        deb, origin = find_deb(args, cache, base)
        print(f"   package under test: {deb} ({origin})", flush=True)

        steps.step = "1 install"
        print("== step 1: install with apt", flush=True)
        with timer.phase("install: copy root + apt-get install"):
            root, inst = image.install(base, deb, out)
            capture_probe.install(root)
        if args.crashkernel:
            inst = dataclasses.replace(inst, crashkernel=args.crashkernel)
        installed = inst
        steps.reference = inst.package == "kdump-tools"
        steps.release = inst.release
        steps.ok(f"{inst.package} {inst.version} installed (kernel {inst.release})")
        steps.ok(f"crashkernel={inst.crashkernel} from {inst.grub_snippet}")
        steps.ok(f"kdump initrd built at install: {inst.kdump_initrd_built}")
        for unit in ("kdump-tools.service", DUMP_UNIT):
            found = [
                p
                for d in ("usr/lib/systemd/system", "lib/systemd/system")
                if (p := root / d / unit).exists()
            ]
            steps.expect(bool(found), f"{unit} installed", f"{unit} not installed")
        # The links point at absolute paths of the guest: look at them, do not follow them.
        enabled = [
            w.name
            for w in (root / "etc/systemd/system").glob("*.wants")
            if os.path.lexists(w / "kdump-tools.service")
        ]
        steps.expect(
            bool(enabled),
            f"kdump-tools.service enabled ({', '.join(enabled)})",
            "kdump-tools.service is not enabled after install",
        )
        if not steps.reference and not args.bisect_crashkernel:
            with timer.phase("install: man pages (man-db in the guest root)"):
                good, said = image.check_man_pages(root, out)
            steps.expect(good, f"man pages in the guest: {said.splitlines()[-1] if said else ''}",
                         f"man pages in the guest: {said[-1500:]}")
        with timer.phase("install: ext4 image"):
            disk = out / "disk.img"
            image.make_image(root, disk)
            image.remove_tree(root)
        if steps.problems:
            raise Failed

        with timer.phase("servers: sshd, nfs-ganesha, pyftpdlib on 127.0.0.1"):
            servers = targets.Servers(out / "servers", wanted).__enter__()
        steps.servers = servers
        for name in wanted:
            print(f"   target {name}: {targets.TARGETS[name].where}", flush=True)
        steps.boot(
            qemu_argv(inst, disk, out / "agent.sock", args.memory, servers.qemu_net_args())
        )
        if args.bisect_crashkernel:
            if steps.problems:
                raise Failed
            # The same NIC and servers as a crash cycle: the image's network waits for it.
            net = servers.qemu_net_args()
            target = targets.TARGETS[wanted[0]]
            if target.name == "ssh":  # the key is made and sent once, in the template
                steps.propagate(servers, target)
            elif target.collect is not None:
                steps.set_target(target, servers)
            systemd_bisect.run(args, timer, out, steps, disk, inst,
                               lambda i, d, s, m: qemu_argv(i, d, s, m, net), target, servers)
            print(f"total wall time: {time.monotonic() - t_start:.1f} s")
            return 0
        steps.hotplug()
        if "ssh" in wanted:
            steps.propagate(servers, targets.TARGETS["ssh"])
        for name in wanted:
            target = targets.TARGETS[name]
            steps.set_target(target, servers)
            steps.crash(target, servers)
        steps.purge(inst.package)
        with timer.phase("poweroff"):
            steps.poweroff()

        steps.step = "4 crash local (host checks)"
        print("== host: the local dump is complete", flush=True)
        if "local" not in wanted:
            pass
        elif not hasattr(steps, "stamp"):
            steps.fail("no /var/crash/<stamp>/ to check")
        else:
            with timer.phase("host: extract + check the dump"):
                image.extract(disk, "/var/crash", out / "crash")
                problems = verify.check_dump_dir(out / "crash/crash" / steps.stamp, inst.release)
                # Complete whatever its files' modes (the bisection and the bench ask this).
                steps.measure["dump_complete"] = not verify.check_dump_dir(
                    out / "crash/crash" / steps.stamp, inst.release, modes=False)
            for p in problems:
                steps.fail(p)
            if not problems:
                steps.ok("dump complete, dmesg has the sysrq panic, files 0600, no leftovers")
        result = 0 if not steps.problems else 1
    except Failed:
        pass
    except Stuck as exc:
        steps.fail(f"stuck: {exc}")
    except (SystemExit, Exception) as exc:
        if not isinstance(exc, SystemExit):
            traceback.print_exc()
        steps.fail(f"harness error: {exc}")
    finally:
        proc = getattr(steps, "proc", None)
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        servers = getattr(steps, "servers", None)
        if servers is not None:
            servers.__exit__(None, None, None)
    for name, seconds in steps.cycles.items():
        print(f"crash cycle {name}: sysrq to ready again {seconds:.1f} s")
    print(f"total wall time: {time.monotonic() - t_start:.1f} s")
    write_result(out, steps, installed)
    if steps.problems:
        print("FAIL systemd guest")
        for p in steps.problems:
            print(f"  - {p}")
        console = getattr(steps, "console", None)
        if console is not None:
            print(f"  --- last 40 lines of {out / 'serial.log'}:")
            for _, line in console.lines[-40:]:
                print(f"  | {line}")
        print("0 passed, 1 failed")
        return 1
    print("PASS systemd guest")
    print("1 passed, 0 failed")
    return result
