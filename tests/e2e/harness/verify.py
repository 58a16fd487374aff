"""Host-side judgement of what a guest left in its results directory.

Every check returns a list of problems (empty = passed), so one run reports all of them.
The dump files themselves are read by harness/dumpfile.py.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from harness.dumpfile import check_dump_file, memory_has_panic


def read_text(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except FileNotFoundError:
        return ""


def rc_of(path: Path) -> int | None:
    text = read_text(path).strip()
    return int(text) if text.lstrip("-").isdigit() else None


def kexec_calls(res: Path) -> list[tuple[list[str], int | None]]:
    calls = []
    argv_dir = res / "argv"
    n = 0
    while (argv_dir / f"kexec.{n}").exists():
        argv = (argv_dir / f"kexec.{n}").read_bytes().split(b"\0")[:-1]
        calls.append(
            ([a.decode(errors="surrogateescape") for a in argv], rc_of(argv_dir / f"kexec.{n}.rc"))
        )
        n += 1
    return calls


def printed_kexec_command(test_out: str) -> list[str] | None:
    """The command `kdump-config test` prints under "kexec command to be used:"."""
    lines = test_out.splitlines()
    for i, line in enumerate(lines):
        if line.strip().startswith("kexec command to be used") and i + 1 < len(lines):
            try:
                return shlex.split(lines[i + 1].strip())
            except ValueError:
                return None
    return None


def same_kexec(run: list[str], printed: list[str]) -> bool:
    # argv[0] as the wrapper saw it is the path the caller executed (/sbin/kexec, or the
    # PATH-resolved /usr/sbin/kexec); the rest must be identical, word for word.
    return (Path(run[0]).name == Path(printed[0]).name) and run[1:] == printed[1:]


def check_cmd(
    res: Path, phase: str, name: str, want_rc: int | None = 0, want_text: str | None = None
) -> list[str]:
    base = res / phase / name
    rc = rc_of(base.with_suffix(".rc"))
    if rc is None:
        return [f"{phase}/{name} never finished"]
    problems = []
    output = read_text(base.with_suffix(".out")) + read_text(base.with_suffix(".err"))
    if want_rc is not None and rc != want_rc:
        problems.append(
            f"{phase}/{name} exited {rc}, expected {want_rc}: {output.strip()[-300:]!r}"
        )
    if want_text is not None and want_text not in output:
        problems.append(f"{phase}/{name} output lacks {want_text!r}: {output.strip()[-300:]!r}")
    return problems


def check_crash_guest(
    res: Path,
    release: str,
    plain: bool,
    machine: str | None = None,
    notes: list[str] | None = None,
) -> list[str]:
    """The whole cycle. Where makedumpfile cannot read the crashed kernel's dump (arm64
    6.12 with 52-bit VA before makedumpfile 1.7.7), savecore's fallback is a raw vmcore and
    no dmesg file: then the vmcore itself must hold the panic's log lines (noted in
    ``notes``)."""
    problems = check_cmd(res, "first", "load")
    problems += check_cmd(res, "first", "status")
    status = read_text(res / "first/status.out")
    if not re.search(r"current state\s*:\s*ready to kdump", status):
        problems.append(f"status does not say 'ready to kdump': {status.strip()!r}")
    problems += check_cmd(res, "first", "test")
    if (res / "first/check.rc").exists() and not plain:
        problems += check_cmd(res, "first", "check", 0, "ready to kdump")

    # The argv kexec really got equals what `test` printed.
    loads = [
        (argv, rc) for argv, rc in kexec_calls(res) if "-p" in argv and "-u" not in argv and rc == 0
    ]
    printed = printed_kexec_command(read_text(res / "first/test.out"))
    if not loads:
        problems.append("no successful `kexec -p` load was recorded")
    elif printed is None:
        problems.append("`test` printed no parsable 'kexec command to be used:' line")
    elif not same_kexec(loads[-1][0], printed):
        problems.append(f"kexec ran {loads[-1][0]} but `test` printed {printed}")

    if not (res / "capture").is_dir():
        return [*problems, "the capture kernel never ran the capture phase"]
    problems += check_cmd(res, "capture", "savecore")

    dump_dirs = [d for d in sorted((res / "crash").glob("*")) if d.is_dir()]
    if len(dump_dirs) != 1:
        return [*problems, f"expected one dump directory in crash/, found {dump_dirs}"]
    return problems + check_dump_dir(dump_dirs[0], release, modes=not plain, machine=machine,
                                     savecore_out=read_text(res / "capture/savecore.out"),
                                     notes=notes)


def check_dump_dir(
    stamp_dir: Path,
    release: str,
    modes: bool = True,
    machine: str | None = None,
    savecore_out: str = "",
    notes: list[str] | None = None,
) -> list[str]:
    """One KDUMP_COREDIR/<stamp>/ as savecore leaves it: one complete dump.*/vmcore.*, one
    dmesg.* holding the sysrq panic, no *incomplete* files, every file 0600 (when `modes`).
    Where savecore said makedumpfile failed and kept the raw vmcore without dmesg, the
    vmcore itself must hold the panic's log lines (noted in ``notes``)."""
    if not stamp_dir.is_dir():
        return [f"{stamp_dir} is missing"]
    problems = []
    files = sorted(p for p in stamp_dir.iterdir() if p.is_file())
    dumps = [p for p in files if p.name.startswith(("dump.", "vmcore."))]
    dmesgs = [p for p in files if p.name.startswith("dmesg.")]
    leftovers = [p.name for p in files if "incomplete" in p.name]
    if leftovers:
        problems.append(f"incomplete files left: {leftovers}")
    if len(dumps) != 1:
        problems.append(f"expected one dump.* or vmcore.* file, found {[p.name for p in files]}")
    for dump in dumps:
        problems += check_dump_file(dump, release, machine)
    raw = [p for p in dumps if p.name.startswith("vmcore.")]
    if not dmesgs and raw and "makedumpfile failed" in savecore_out:
        lacking = memory_has_panic(raw[0])
        if lacking:
            problems.append(f"{raw[0].name} (no dmesg file) lacks the panic's log: {lacking}")
        elif notes is not None:
            notes.append(
                "makedumpfile could not read this kernel's dump: savecore saved the raw "
                f"vmcore ({raw[0].stat().st_size >> 20} MiB) without dmesg; the panic's log "
                "lines were found in it"
            )
    elif len(dmesgs) != 1:
        problems.append(f"expected one dmesg.* file, found {[p.name for p in files]}")
    for dmesg in dmesgs:
        text = read_text(dmesg)
        if "sysrq" not in text.lower() or "Kernel panic" not in text:
            problems.append(f"{dmesg.name} lacks the sysrq panic ({len(text)} bytes)")
    if modes:
        for p in files:
            mode = p.stat().st_mode & 0o777
            if mode != 0o600:
                problems.append(f"{p.name} has mode {mode:o}, expected 600")
    return problems


def check_nocrash_guest(res: Path, plain: bool) -> list[str]:
    problems = []
    if plain:
        # The kernel itself refuses: no crash kernel memory was reserved.
        loads = [rc for argv, rc in kexec_calls(res) if "-p" in argv and "-u" not in argv]
        if not loads:
            problems.append("kexec -p was never tried")
        elif any(rc == 0 for rc in loads):
            problems.append("kexec -p succeeded without crashkernel=")
    else:
        problems += check_cmd(
            res, "first", "load", 1, "no crashkernel= parameter in the kernel cmdline ... failed!"
        )
        problems += check_cmd(res, "first", "check", 3, "crashkernel")
        loads = [argv for argv, rc in kexec_calls(res) if "-u" not in argv]
        if loads:
            problems.append(f"load ran kexec although it had to stop first: {loads}")
    if read_text(res / "first/kexec_crash_loaded").strip() not in ("0", ""):
        problems.append("kexec_crash_loaded is set")
    if (res / "capture").exists():
        problems.append("a capture phase ran")
    return problems


# The catalog text `load` prints where kexec_load cannot build a valid core header and the
# kernel has no kexec_file_load (kdump/messages.py, code kexec-symbols-missing).
NOSYMBOLS_TEXT = "_text"


def check_nosymbols_guest(res: Path, release: str, plain: bool) -> list[str]:
    """An arm64 kernel on which no load method yields a dump: load refuses (exit 1, saying
    why), check names the failing check (exit 3), status never says ready, kexec_load was
    never run, and the forced crash captured nothing. If a capture did run (something
    loaded anyway), whatever it saved is judged too, so the report says what came of it."""
    problems = []
    if not plain:
        problems += check_cmd(res, "first", "load", 1, NOSYMBOLS_TEXT)
        problems += check_cmd(res, "first", "check", 3, "kexec-symbols")
    status = read_text(res / "first/status.out")
    if re.search(r"current state\s*:\s*ready to kdump", status):
        problems.append(f"status says 'ready to kdump': {status.strip()!r}")
    # Plain mode tries kexec -s, which this kernel refuses (253): only a success counts.
    loads = [
        argv
        for argv, rc in kexec_calls(res)
        if "-p" in argv and "-u" not in argv and (rc == 0 or not plain)
    ]
    if loads:
        problems.append(f"kexec was asked to load on a kernel where no method works: {loads}")
    if read_text(res / "first/kexec_crash_loaded").strip() not in ("0", ""):
        problems.append("kexec_crash_loaded is set")
    if (res / "capture").exists():
        problems.append("a capture kernel ran after the crash")
        for dump in sorted((res / "crash").glob("*/*")):
            if dump.name.startswith(("dump.", "vmcore.")):
                found = check_dump_file(dump, release, "aarch64")
                problems += [f"captured {dump.name}: {p}" for p in found] or [
                    f"captured {dump.name} looks valid"
                ]
        savecore = read_text(res / "capture/savecore.err").strip()
        if savecore:
            problems.append(f"savecore said: {savecore[-300:]!r}")
    return problems
