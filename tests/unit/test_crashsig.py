"""kdump.crashsig: the crash signature of real and written kernel logs (tests/unit/crashdata)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kdump.crashsig import CrashSignature, crash_signature, normalise, strip_prefixes

DMESG = Path(__file__).resolve().parent / "crashdata" / "dmesg"

SYSRQ_FRAMES = ("sysrq_handle_crash", "__handle_sysrq", "write_sysrq_trigger",
                "proc_reg_write", "vfs_write")
# The hash is a contract: dumps saved today must keep comparing equal to dumps saved
# after an upgrade.  A change of the scheme changes SCHEME, and this value with it.
SYSRQ_HASH = "30497c5bda40"


def sig(name: str) -> CrashSignature:
    result = crash_signature((DMESG / name).read_text(errors="replace"))
    assert result is not None, name
    return result


@pytest.mark.parametrize(("name", "task", "pid", "release"), [
    ("x86_64-6.1-sysrq.dmesg", "sh", 153, "6.1.0-57-amd64"),
    ("ppc64el-6.1-sysrq.dmesg", "sh", 150, "6.1.0-57-powerpc64le"),
    ("x86_64-6.12-sysrq.dmesg", "tee", 2225, "6.12.117+deb13-amd64"),
    ("arm64-6.12-sysrq.console", "sh", 188, "6.12.118+deb13-arm64"),
])
def test_the_guests_sysrq_panics_have_one_signature(
        name: str, task: str, pid: int, release: str) -> None:
    s = sig(name)
    assert (s.kind, s.panic, s.headline) == ("panic", "sysrq triggered crash",
                                             "sysrq triggered crash")
    assert s.frames == SYSRQ_FRAMES
    assert (s.task, s.pid, s.taint, s.release) == (task, pid, "", release)
    assert s.summary == "panic: sysrq triggered crash in sysrq_handle_crash"
    assert s.hash == SYSRQ_HASH


def test_a_noreturn_call_hides_the_crashing_frame_on_arm64_6_1() -> None:
    """bookworm's arm64 kernel shows the call to panic() as sysrq_reset_seq_param_set+0x0
    (the next function's start): that frame is dropped, the rest is the same trace."""
    s = sig("arm64-6.1-sysrq.console")
    assert s.frames == ("__handle_sysrq", "write_sysrq_trigger", "proc_reg_write",
                        "vfs_write", "ksys_write")
    assert s.kind == "panic" and s.release == "6.1.0-57-arm64"
    assert s.hash != SYSRQ_HASH


@pytest.mark.parametrize(("name", "kind", "frames", "taint"), [
    ("x86_64-4.19-null-deref.txt", "null-pointer-dereference",
     ("crashme_init", "do_one_initcall", "do_init_module", "load_module",
      "__do_sys_finit_module"), "OE"),
    ("x86_64-6.1-null-deref.txt", "null-pointer-dereference",
     ("crashme_init", "do_one_initcall", "do_init_module", "init_module_from_file",
      "idempotent_init_module"), "OE"),
    ("arm64-6.1-null-deref.txt", "null-pointer-dereference",
     ("crashme_init", "do_one_initcall", "do_init_module", "load_module",
      "__do_sys_finit_module"), "OE"),
    ("ppc64el-6.1-null-deref.txt", "null-pointer-dereference",
     ("crashme_init", "do_init_module", "__do_sys_finit_module", "system_call_exception",
      "system_call_vectored_common"), "OE"),
    ("x86_64-4.9-bug.txt", "bug",
     ("crashme_init", "do_one_initcall", "do_init_module", "load_module",
      "SYSC_finit_module"), "O"),
    ("x86_64-6.1-bug.txt", "bug",
     ("crashme_init", "do_one_initcall", "do_init_module", "init_module_from_file",
      "idempotent_init_module"), "OE"),
    ("arm64-6.12-bug.txt", "bug",
     ("crashme_init", "do_one_initcall", "do_init_module", "load_module",
      "init_module_from_file"), "OE"),
])
def test_oopses_of_several_kernels_and_arches(
        name: str, kind: str, frames: tuple[str, ...], taint: str) -> None:
    s = sig(name)
    assert (s.kind, s.where, s.frames, s.taint, s.task) == (
        kind, "crashme_init", frames, taint, "insmod")
    assert s.panic is not None and "Fatal exception" in s.panic
    assert s.summary.endswith(" in crashme_init")
    if kind == "bug":
        assert "detail: /build/crashme/crashme.c\n" in s.text
        assert s.headline == "kernel BUG at /build/crashme/crashme.c:N!"


def test_the_same_bug_on_another_machine_hashes_the_same() -> None:
    a, b = sig("x86_64-6.1-null-deref.txt"), sig("x86_64-6.1-null-deref-machine-b.txt")
    assert (a.task, a.pid, a.taint) != (b.task, b.pid, b.taint)
    assert a.hash == b.hash and a.text == b.text


def test_the_same_frames_on_two_arches_hash_the_same() -> None:
    assert sig("x86_64-4.19-null-deref.txt").hash == sig("arm64-6.1-null-deref.txt").hash


def test_different_bugs_hash_differently() -> None:
    names = [p.name for p in sorted(DMESG.glob("*.txt")) if "machine-b" not in p.name]
    hashes = {n: sig(n).hash for n in names}
    # the 4.19 x86_64 and 6.1 arm64 NULL dereferences are one bug with one trace
    assert len(set(hashes.values())) == len(names) - 1, hashes
    base = (DMESG / "x86_64-6.1-null-deref.txt").read_text()
    elsewhere = crash_signature(base.replace("crashme_init", "crashme_exit"))
    assert elsewhere is not None and elsewhere.hash != sig("x86_64-6.1-null-deref.txt").hash


def test_timestamps_caller_ids_and_syslog_tags_are_not_the_crash() -> None:
    text = (DMESG / "x86_64-6.1-sysrq.dmesg").read_text()
    tagged = "\n".join("Dec  8 01:58:00 kdump-e2e kernel: " + line
                       for line in text.splitlines())
    levels = "\n".join("<4>" + line for line in text.splitlines())
    for variant in (tagged, levels):
        s = crash_signature(variant)
        assert s is not None and s.hash == SYSRQ_HASH and s.task == "sh"


def test_normalise_drops_what_changes_between_occurrences() -> None:
    assert normalise("BUG: kernel NULL pointer dereference, address: 0000000000000010") \
        == "BUG: kernel NULL pointer dereference, address: X"
    assert normalise("watchdog: BUG: soft lockup - CPU#3 stuck for 22s! [kworker/3:1:88]") \
        == "watchdog: BUG: soft lockup - CPU#N stuck for 22s! [kworker/N:N:N]"
    assert normalise("exitcode=0x0000000b in  ext4_fill_super") \
        == "exitcode=X in ext4_fill_super"
    assert strip_prefixes("[   17.887695] [   T2225] Kernel panic") == "Kernel panic"
    assert strip_prefixes("Kernel panic - not syncing: kernel: panic_on_warn set ...") \
        == "Kernel panic - not syncing: kernel: panic_on_warn set ..."


WARN_REPORT = """\
[    5.100000] ------------[ cut here ]------------
[    5.100001] WARNING: CPU: 1 PID: 42 at drivers/gpu/drm/foo.c:1234 foo_probe+0x4c/0x90 [foo]
[    5.100002] Modules linked in: foo
[    5.100003] CPU: 1 PID: 42 Comm: systemd-udevd Tainted: G S      6.1.0-57-amd64 #1
[    5.100004] RIP: 0010:foo_probe+0x4c/0x90 [foo]
[    5.100005] Call Trace:
[    5.100006]  <TASK>
[    5.100007]  local_pci_probe+0x42/0x80
[    5.100008]  pci_device_probe+0xc3/0x230
[    5.100009]  really_probe+0xde/0x380
[    5.100010]  </TASK>
[    5.100011] ---[ end trace 0000000000000000 ]---
"""


def test_an_earlier_warning_is_not_why_a_sysrq_panic_crashed() -> None:
    text = WARN_REPORT + (DMESG / "x86_64-6.1-sysrq.dmesg").read_text()
    s = crash_signature(text)
    assert s is not None and s.kind == "panic" and s.hash == SYSRQ_HASH


def test_an_earlier_survived_oops_is_not_why_a_sysrq_panic_crashed() -> None:
    oops = (DMESG / "x86_64-6.1-null-deref.txt").read_text()
    oops = oops.replace("Kernel panic - not syncing: Fatal exception", "note: insmod exited")
    s = crash_signature(oops + (DMESG / "x86_64-6.1-sysrq.dmesg").read_text())
    assert s is not None and s.kind == "panic" and s.hash == SYSRQ_HASH


def test_panic_on_warn_makes_the_warning_the_crash() -> None:
    text = WARN_REPORT + "[    5.2] Kernel panic - not syncing: kernel: panic_on_warn set ...\n"
    s = crash_signature(text)
    assert s is not None
    assert (s.kind, s.where, s.frames) == (
        "warning", "foo_probe", ("foo_probe", "local_pci_probe", "pci_device_probe",
                                 "really_probe"))
    assert "detail: drivers/gpu/drm/foo.c\n" in s.text
    assert s.taint == "S"


def test_a_warning_message_is_no_warn_report() -> None:
    """ppc64el prints "WARNING: nvram corruption detected" at boot: a message, not a
    WARN() report, so it never becomes the crash's headline."""
    text = (
        "[ 1.0] INFO: task kworker/0:1:31 blocked for more than 120 seconds.\n"
        "[ 1.1] Call Trace:\n"
        "[ 1.2]  __schedule+0x2f4/0x9b0\n"
        "[ 1.3]  schedule+0x5e/0xd0\n"
        "[ 1.4] WARNING: nvram corruption detected: 0-length partition\n"
        "[ 1.5] Kernel panic - not syncing: hung_task: blocked tasks\n")
    s = crash_signature(text)
    assert s is not None and s.kind == "hung-task", s
    assert s.headline == "INFO: task kworker/N:N:N blocked for more than N seconds."


def test_an_oops_without_a_panic_line_is_the_crash() -> None:
    """crash_kexec() runs straight from the oops handler in interrupt context: the saved
    log then ends with the oops, no panic line."""
    text = (DMESG / "arm64-6.1-null-deref.txt").read_text()
    cut = text[:text.index("Kernel panic")]
    s = crash_signature(cut)
    assert s is not None and s.kind == "null-pointer-dereference" and s.panic is None
    assert s.hash == sig("arm64-6.1-null-deref.txt").hash


def test_a_log_without_a_crash_has_no_signature() -> None:
    text = (DMESG / "x86_64-6.1-sysrq.dmesg").read_text()
    assert crash_signature(text[:text.index("sysrq: Trigger")]) is None
    assert crash_signature("") is None


def test_an_old_headline_without_a_trace_is_not_part_of_the_crash() -> None:
    """ "BUG: Bad rss-counter state" is printed without a trace; a divide error much later
    is a report of its own."""
    old = "[ 3.0] BUG: Bad rss-counter state mm:000000006b8f7c2e type:MM_FILEPAGES val:-1\n"
    filler = "".join(f"[ 4.{i}] usb 1-1: new device {i}\n" for i in range(100))
    crash = (
        "[ 9.0] divide error: 0000 [#1] PREEMPT SMP NOPTI\n"
        "[ 9.1] CPU: 0 PID: 77 Comm: cat Not tainted 6.1.0-57-amd64 #1  Debian 6.1.192-3\n"
        "[ 9.2] RIP: 0010:div_show+0x12/0x30 [divmod]\n"
        "[ 9.3] Call Trace:\n"
        "[ 9.4]  <TASK>\n"
        "[ 9.5]  seq_read_iter+0x120/0x4b0\n"
        "[ 9.6]  vfs_read+0x1a1/0x2e0\n"
        "[ 9.7]  </TASK>\n"
        "[ 9.8] ---[ end trace 0000000000000000 ]---\n"
        "[ 9.9] Kernel panic - not syncing: Fatal exception\n")
    s = crash_signature(old + filler + crash)
    assert s is not None
    assert (s.kind, s.headline, s.where, s.frames) == (
        "oops", "divide error: N [#N] PREEMPT SMP NOPTI", "div_show",
        ("div_show", "seq_read_iter", "vfs_read"))
