#!/usr/bin/env python3
"""A real capture, this project's package against Debian's kdump-tools, side by side.

    bench/capture.py [--deb FILE] [--targets local] [--no-bisect] [--timeout-scale F]
                     [--cache DIR] [--out DIR]

Runs as root (QEMU, debootstrap, chroot). For each target, tests/e2e/run-systemd runs its
whole cycle (install, boot, hotplug, crash -> capture -> reboot, purge) once with this
project's package (--deb FILE, else built with dev/deb) and once with Debian's kdump-tools
(`--debian-kdump-tools`), in the identical image; then, per package, run-systemd
--bisect-crashkernel finds the smallest crashkernel= (16 MiB steps) with which a local
capture still saves a complete dump, between 0 and the reservation the cycle saved with.

Every figure comes from run-systemd's result.json / bisect.json of this run, measured the
same way for both packages from outside them (tests/e2e/harness/capture_probe.py: a
sampler in the capture kernel and a systemd-shutdown hook): crash -> dump saved (the dump's
final name appears), crash -> ready again (kdump-tools.service active after the reboot),
the dump's size, MemTotal of the capture kernel, the lowest MemAvailable while saving, and
memory.peak of kdump-tools-dump.service's cgroup. Ratios are ours / original.

The harness is run as a program (bench/ does not import tests/). Network targets (ssh,
nfs, ftp) run through run-systemd's `--targets NAME` (its loopback servers).
Each cycle takes 5-12 minutes under TCG; the whole bench with the bisection about an hour.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUN_SYSTEMD = REPO / "tests/e2e/run-systemd"
PACKAGES = ("ours", "original")
STEP_MIB = 16


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def build_ours(out: Path, cache: Path) -> Path:
    dest = out / "deb"
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.glob("kdump-config_*.deb"):
        old.unlink()
    log(f"building this project's package with dev/deb (log: {out / 'dev-deb.log'})")
    with open(out / "dev-deb.log", "w") as f:
        done = subprocess.run([str(REPO / "dev/deb")], stdout=f, stderr=subprocess.STDOUT,
                              env=dict(os.environ, DEB_OUT=str(dest),
                                       KDUMP_CI_CACHE=str(cache)))
    debs = sorted(dest.glob("kdump-config_*.deb"))
    if done.returncode != 0 or len(debs) != 1:
        raise SystemExit(f"dev/deb exited {done.returncode}; see {out / 'dev-deb.log'}")
    return debs[0]


def run_systemd(name: str, package: list[str], extra: list[str], args: argparse.Namespace,
                out: Path) -> tuple[int, Path, float]:
    """One run-systemd; its exit status, --out directory and wall time."""
    rout = out / name
    argv = [str(RUN_SYSTEMD), *package, "--cache", str(args.cache), "--out", str(rout),
            "--timeout-scale", str(args.timeout_scale), *extra]
    log(f"{name}: {' '.join(argv)}")
    t0 = time.monotonic()
    with open(out / f"{name}.log", "w") as f:
        done = subprocess.run(argv, stdout=f, stderr=subprocess.STDOUT)
    wall = time.monotonic() - t0
    log(f"{name}: exit {done.returncode} after {wall:.0f} s (log: {out / (name + '.log')})")
    return done.returncode, rout, wall


def read_json(path: Path) -> dict[str, object]:
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


def has_target_option() -> bool:
    done = subprocess.run([str(RUN_SYSTEMD), "--help"], capture_output=True, text=True)
    return "--targets" in done.stdout


def num(doc: dict[str, object], key: str) -> float | None:
    v = doc.get(key)
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def mib(value: float | None, scale: float) -> str:
    return "-" if value is None else f"{value / scale:.1f}"


def ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None or b == 0 else f"{a / b:.2f}"


ROWS = (
    # label, key, unit scale (value / scale), format
    ("crash -> dump saved (s)", "crash_to_saved_s", 1.0),
    ("crash -> ready again (s)", "crash_to_ready_s", 1.0),
    ("dump size (MiB)", "dump_bytes", float(1 << 20)),
    ("capture MemTotal (MiB)", "mem_total_kib", 1024.0),
    ("lowest MemAvailable (MiB)", "min_available_kib", 1024.0),
    ("dump unit memory.peak (MiB)", "peak_bytes", float(1 << 20)),
    ("dump unit anon, max (MiB)", "anon_peak_bytes", float(1 << 20)),
    ("reservation used (MiB)", "crash_size_bytes", float(1 << 20)),
)


def table(results: dict[str, dict[str, dict[str, object]]]) -> str:
    lines = []
    for target, by_pkg in results.items():
        ours, orig = by_pkg.get("ours", {}), by_pkg.get("original", {})
        lines.append(f"target {target}")
        lines.append(f"  {'':<30} {'ours':>12} {'original':>12} {'ours/orig':>10}")
        if "unavailable" in ours:
            lines.append(f"  {ours['unavailable']}")
            continue

        def verdict(doc: dict[str, object]) -> str:
            if not doc:
                return "not run"
            return "passed" if doc.get("passed") else "FAILED"

        lines.append(f"  {'result':<30} {verdict(ours):>12} {verdict(orig):>12}")
        def complete(doc: dict[str, object]) -> str:
            said = doc.get("dump_complete")
            return "-" if said is None else "yes" if said else "no"

        lines.append(f"  {'complete dump saved':<30} {complete(ours):>12} {complete(orig):>12}")
        for label, key, scale in ROWS:
            a, b = num(ours, key), num(orig, key)
            lines.append(f"  {label:<30} {mib(a, scale):>12} {mib(b, scale):>12} "
                         f"{ratio(a, b):>10}")
        for name, doc in (("ours", ours), ("original", orig)):
            for problem in doc.get("problems", []) or []:  # type: ignore[union-attr]
                lines.append(f"  {name} failed: {problem}")
    return "\n".join(lines)


def bisect_lines(target: str, found: dict[str, dict[str, object]]) -> str:
    lines = [f"smallest crashkernel= with which a {target} capture saves a complete dump "
             f"({STEP_MIB} MiB steps):"]
    values: dict[str, float | None] = {}
    for name in PACKAGES:
        doc = found.get(name, {})
        if not doc or "smallest_working_mib" not in doc:
            lines.append(f"  {name:<9} not found: {doc.get('why', 'the bisection did not end')}")
            values[name] = None
            continue
        values[name] = num(doc, "smallest_working_mib")
        probes = doc.get("probes", [])
        said = ", ".join(
            f"{p['crashkernel_mib']}M {'ok' if p['passed'] else 'fail'}"
            for p in probes if isinstance(p, dict)) if isinstance(probes, list) else ""
        lines.append(f"  {name:<9} {doc['smallest_working_mib']}M (largest failing "
                     f"{doc['largest_failing_mib']}M; probes: {said})")
    lines.append(f"  ours/original {ratio(values.get('ours'), values.get('original'))}")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--deb", type=Path, help="this project's .deb (default: build with dev/deb)")
    ap.add_argument("--targets", default="local,ssh",
                    help="comma-separated, of local, ssh, nfs, ftp (default: local,ssh)")
    ap.add_argument("--no-bisect", action="store_true", help="skip the crashkernel= bisection")
    ap.add_argument("--cache", type=Path, default=Path("/var/cache/kdump-config-ci"))
    ap.add_argument("--out", type=Path, default=Path("/tmp/kdump-bench-capture"))
    ap.add_argument("--timeout-scale", type=float, default=1.0)
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("bench/capture.py must run as root (QEMU, debootstrap, chroot)")
        return 2
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    args.cache = args.cache.resolve()
    t0 = time.monotonic()
    deb = args.deb.resolve() if args.deb else build_ours(out, args.cache)
    log(f"ours: {deb}")
    packages = {"ours": ["--deb", str(deb)], "original": ["--debian-kdump-tools"]}
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    networked = has_target_option()

    results: dict[str, dict[str, dict[str, object]]] = {}
    for target in targets:
        results[target] = {}
        if target != "local" and not networked:
            results[target]["ours"] = {
                "unavailable": f"not run: tests/e2e/run-systemd has no --target option "
                               f"(the network targets' harness), so no {target} capture"}
            continue
        extra = ["--targets", target]
        for name in PACKAGES:
            rc, rout, wall = run_systemd(f"{name}-{target}", packages[name], extra, args, out)
            doc = read_json(rout / "result.json")
            doc.setdefault("passed", rc == 0)
            doc["wall_s"] = round(wall)
            results[target][name] = doc

    # Local and SSH: the reservation a plain capture needs, and one that brings the network up.
    found: dict[str, dict[str, dict[str, object]]] = {}
    for target in [] if args.no_bisect else [t for t in ("local", "ssh") if t in targets]:
        if target != "local" and not networked:
            continue
        found[target] = {}
        for name in PACKAGES:
            cycle = results.get(target, {}).get(name, {})
            size = num(cycle, "crash_size_bytes")
            if not cycle.get("dump_complete") or size is None:
                found[target][name] = {"why": f"its {target} cycle saved no complete dump, "
                                              "so no known-good size"}
                continue
            high = -(-int(size) // (STEP_MIB << 20)) * STEP_MIB
            extra = ["--targets", target]
            _, rout, _ = run_systemd(f"{name}-{target}-bisect", packages[name],
                                     [*extra, "--bisect-crashkernel", f"0:{high}"], args, out)
            found[target][name] = read_json(rout / "bisect.json") or {"why": f"see {rout}"}

    report = [f"bench/capture.py: {deb.name} (ours) against Debian's kdump-tools (original), "
              f"QEMU TCG, guest RAM 1024 MiB, wall {time.monotonic() - t0:.0f} s",
              table(results)]
    for target, by_pkg in found.items():
        report.append(bisect_lines(target, by_pkg))
    text = "\n".join(report)
    (out / "capture.txt").write_text(text + "\n")
    (out / "capture.json").write_text(json.dumps({"cycles": results, "bisect": found},
                                                 indent=1) + "\n")
    print(text)
    passed = all(doc.get("passed") for by in results.values() for doc in by.values()
                 if "unavailable" not in doc)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
