"""run-systemd --bisect-crashkernel LO:HI: the smallest crashkernel= (in 16 MiB steps) with
which the installed package's capture still saves a complete dump, to the first of
--targets (local, or a network target: its config, and for ssh the propagated key, are in
the template; each probe's dump is fetched from the server and the landing emptied).

One boot with the package's own reservation makes the kdump initrd (as the cycle's step 2);
the guest is powered off and its disk kept as a template. Each probe boots a copy of it with
`crashkernel=<N>M` on QEMU's -append line and `-no-reboot`, waits until kdump is ready
(a size the package refuses to load with fails there), crashes it with sysrq and waits for
QEMU to exit: the capture kernel's own reboot, a panic (panic=10 on the command line), or the
capture probe's sysrq-b when the dump unit ended without rebooting. The dump is then read
from the disk and checked as the cycle checks it. LO is taken as failing and HI as working
(pass HI = a reservation the full cycle saved with); every probe lies strictly between.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from harness import capture_probe, image, verify
from harness.agent import Stuck
from harness.cli import Timer
from harness.systemd_steps import Steps
from harness.targets import Servers, Target

STEP_MIB = 16
T_PROBE_CAPTURE = 420  # sysrq to QEMU's exit (before --timeout-scale)


def parse_range(text: str) -> tuple[int, int]:
    lo, _, hi = text.partition(":")
    low, high = int(lo), int(hi)
    if low % STEP_MIB or high % STEP_MIB or not 0 <= low < high:
        raise SystemExit(f"--bisect-crashkernel {text}: want LO:HI in MiB, multiples of "
                         f"{STEP_MIB}, LO < HI")
    return low, high


def bisect(low: int, high: int, works: Callable[[int], bool]) -> tuple[int, int]:
    """(largest size seen failing, smallest size seen working), LO failing and HI working
    assumed; sizes in STEP_MIB steps."""
    while high - low > STEP_MIB:
        mid = (low + high) // 2 // STEP_MIB * STEP_MIB
        if works(mid):
            high = mid
        else:
            low = mid
    return low, high


def probe(args: object, timer: Timer, out: Path, template: Path, inst: image.Installed,
          qemu_argv: Callable[..., list[str]], mib: int, reference: bool,
          target: Target, servers: Servers) -> dict[str, object]:
    """One capture with crashkernel=<mib>M from a copy of the template disk."""
    pout = out / f"bisect-{mib}M"
    image.remove_tree(pout)
    pout.mkdir(parents=True)
    disk = pout / "disk.img"
    subprocess.run(["cp", "--sparse=always", str(template), str(disk)], check=True)
    steps = Steps(args, timer, pout)  # type: ignore[arg-type]
    steps.reference = reference
    sized = dataclasses.replace(inst, crashkernel=f"{mib}M")
    argv = [*qemu_argv(sized, disk, pout / "agent.sock", steps.args.memory), "-no-reboot"]
    result: dict[str, object] = {"crashkernel_mib": mib, "passed": False}
    print(f"== bisect: crashkernel={mib}M", flush=True)
    try:
        steps.boot(argv)
        if steps.problems:
            result["why"] = f"not ready: {steps.problems[0]}"
            return result
        steps.run("sync")
        mark = steps.console.mark()
        t0 = time.monotonic()
        steps.agent.send(["tee", "/proc/sysrq-trigger"], 10, "c")
        try:
            steps.proc.wait(steps.t(T_PROBE_CAPTURE))
        except subprocess.TimeoutExpired:
            result["why"] = f"capture still running {steps.t(T_PROBE_CAPTURE):.0f} s after sysrq"
            return result
        result["crash_to_exit_s"] = round(time.monotonic() - t0, 1)
        found = capture_probe.parse(steps.console.lines[mark:])
        result.update({k: v for k, v in found.items() if k != "saved_at"})
        if target.collect is not None:
            stamp_dir, problems = target.collect(servers, pout / "fetched")
            _empty(servers.landing(target.name))
            if stamp_dir is None:
                result["why"] = "; ".join(problems)[:300] or f"no dump on {target.where}"
                return result
        else:
            image.extract(disk, "/var/crash", pout / "crash")
            stamps = [p for p in (pout / "crash/crash").iterdir() if p.is_dir()] \
                if (pout / "crash/crash").is_dir() else []
            if len(stamps) != 1:
                result["why"] = (f"expected one /var/crash/<stamp>/, "
                                 f"found {[p.name for p in stamps]}")
                return result
            stamp_dir, problems = stamps[0], []
        # Complete is the question here; the files' modes are the cycle's (step 4).
        problems += verify.check_dump_dir(stamp_dir, inst.release, modes=False)
        if found["no_reboot"]:
            problems.append(str(found["no_reboot"]))
        result["passed"] = not problems
        if problems:
            result["why"] = "; ".join(problems)[:300]
        return result
    except Stuck as exc:
        result["why"] = f"stuck: {exc}"
        return result
    finally:
        proc = getattr(steps, "proc", None)
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        disk.unlink(missing_ok=True)
        print(f"   crashkernel={mib}M: {'works' if result['passed'] else 'fails'}"
              f"{'' if result['passed'] else ' (' + str(result.get('why')) + ')'}", flush=True)


def _empty(landing: Path) -> None:
    """The next probe's dump must be the only one on the server."""
    for entry in landing.iterdir() if landing.is_dir() else []:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def run(args: object, timer: Timer, out: Path, steps: Steps, disk: Path,
        inst: image.Installed, qemu_argv: Callable[..., list[str]],
        target: Target, servers: Servers) -> dict[str, object]:
    """The template boot (already started by the caller as steps.boot) is powered off, then
    the probes; returns the summary written to bisect.json."""
    low, high = parse_range(getattr(args, "bisect_crashkernel"))  # noqa: B009
    with timer.phase("poweroff (template)"):
        steps.poweroff()
    template = out / "template.img"
    disk.rename(template)
    probes: list[dict[str, object]] = []

    def works(mib: int) -> bool:
        with timer.phase(f"bisect probe {mib}M"):
            res = probe(args, timer, out, template, inst, qemu_argv, mib, steps.reference,
                        target, servers)
        probes.append(res)
        return bool(res["passed"])

    failing, smallest = bisect(low, high, works)
    summary: dict[str, object] = {
        "package": inst.package,
        "target": target.name,
        "version": inst.version,
        "range_mib": [low, high],
        "largest_failing_mib": failing,
        "smallest_working_mib": smallest,
        "smallest_probed": any(p["crashkernel_mib"] == smallest and p["passed"] for p in probes),
        "probes": probes,
    }
    (out / "bisect.json").write_text(json.dumps(summary, indent=1) + "\n")
    template.unlink(missing_ok=True)
    print(f"smallest working crashkernel: {smallest}M (largest failing: {failing}M; "
          f"{len(probes)} probes)", flush=True)
    return summary
