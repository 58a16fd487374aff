"""kdump.facts: pure parsers, and gather() through the real backend on a built root tree."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from backends.linux import LinuxHost
from backends.values import FadumpState
from kdump.checks import invalid_links
from kdump.facts import Facts, LinkFact, crash_ranges, gather, lockdown_mode

R = "6.1.0-18-amd64"
EFI_GUID = "8be4df61-93ca-11d2-aa0d-00e098032b8c"
EFIVARS = "sys/firmware/efi/efivars"

# -- crash_ranges (B4) ---------------------------------------------------------------------

IOMEM = """\
00000000-00000fff : Reserved
00001000-0009ffff : System RAM
00100000-bffdffff : System RAM
  01000000-0bffffff : Crash kernel
  2c000000-2ce01fff : Kernel code
fee00000-fee00fff : Local APIC
"""


def test_one_crash_range() -> None:
    assert crash_ranges(IOMEM) == ((0x1000000, 0xbffffff),)


def test_high_and_low_ranges_are_listed_separately() -> None:
    iomem = ("00100000-7fffffff : System RAM\n"
             "  6e000000-71ffffff : Crash kernel\n"
             "100000000-47fffffff : System RAM\n"
             "  43f000000-47effffff : Crash kernel\n")
    assert crash_ranges(iomem) == ((0x6e000000, 0x71ffffff), (0x43f000000, 0x47effffff))


def test_non_root_view_gives_zero_ranges() -> None:
    iomem = "00000000-00000000 : System RAM\n  00000000-00000000 : Crash kernel\n"
    assert crash_ranges(iomem) == ((0, 0),)


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "garbage\n",
        "zzzz-yyyy : Crash kernel\n",
        "01000000 : Crash kernel\n",
        "01000000-0bffffff : Crash kernel extra\n",
        "01000000-0bffffff : crash kernel\n",
        "01000000-0bffffff Crash kernel\n",
        "01000000-0bffffff : System RAM\n",
    ],
)
def test_junk_lines_are_skipped(junk: str) -> None:
    assert crash_ranges(junk) == ()
    assert crash_ranges(junk + IOMEM) == ((0x1000000, 0xbffffff),)


def base_facts(**changes: object) -> Facts:
    base = Facts(R, "x86_64", "ro", (), True, False, 0, FadumpState(False, None, "none"),
                 False, False, None, "/sbin/kexec", True, ())
    return base._replace(**changes)


def test_iomem_addr_lists_every_range() -> None:
    assert base_facts(crash_ranges=((0x1000000, 0xbffffff),)).iomem_addr == "0x1000000"
    two = base_facts(crash_ranges=((0x6e000000, 1), (0x43f000000, 2)))
    assert two.iomem_addr == "0x6e000000, 0x43f000000"
    assert base_facts().iomem_addr == ""


# -- lockdown and the need for kexec -s ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "mode"),
    [
        ("[none] integrity confidentiality\n", "none"),
        ("none [integrity] confidentiality\n", "integrity"),
        ("none integrity [confidentiality]\n", "confidentiality"),
        ("none integrity confidentiality\n", None),
        ("", None),
        (None, None),
    ],
)
def test_lockdown_mode(text: str | None, mode: str | None) -> None:
    assert lockdown_mode(text) == mode


@pytest.mark.parametrize(
    ("changes", "needed"),
    [
        ({}, False),
        ({"lockdown": "none"}, False),
        ({"lockdown": "integrity"}, True),
        ({"lockdown": "confidentiality"}, True),
        ({"secure_boot": True}, True),
        ({"securelevel": True}, True),
    ],
)
def test_needs_signed_kexec(changes: dict[str, object], needed: bool) -> None:
    assert base_facts(**changes).needs_signed_kexec is needed


def test_dump_mode_follows_fadump_enabled() -> None:
    assert base_facts().dump_mode == "kdump"
    assert base_facts(fadump=FadumpState(True, False, "new")).dump_mode == "fadump"
    assert base_facts(fadump=FadumpState(False, False, "new")).dump_mode == "kdump"


# -- gather() on a real root tree ------------------------------------------------------------


def put(root: Path, path: str, content: str | bytes, mode: int = 0o644) -> Path:
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content)
    target.chmod(mode)
    return target


def efivar(root: Path, name: str, value: int, guid: str = EFI_GUID) -> None:
    # efivarfs: a 4-byte attribute header (NV|BS|RT = 0x06), then the data byte.
    put(root, f"/{EFIVARS}/{name}-{guid}", b"\x06\x00\x00\x00" + bytes([value]))


def link(root: Path, path: str, target: str) -> None:
    where = root / path.lstrip("/")
    where.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, where)


def machine(root: Path) -> Path:
    put(root, "/proc/sys/kernel/osrelease", R + "\n")
    put(root, "/proc/sys/kernel/arch", "x86_64\n")
    put(root, "/proc/cmdline", f"BOOT_IMAGE=/boot/vmlinuz-{R} root=/dev/sda1 ro "
                               "crashkernel=512M\n")
    put(root, "/proc/iomem", IOMEM)
    put(root, "/sys/kernel/kexec_crash_loaded", "1\n")
    put(root, "/sys/kernel/kexec_crash_size", "536870912\n")
    put(root, "/sys/kernel/security/lockdown", "none [integrity] confidentiality\n")
    put(root, "/usr/sbin/kexec", "#!/bin/sh\n", 0o755)
    put(root, f"/boot/vmlinuz-{R}", "kernel")
    put(root, f"/var/lib/kdump/initrd.img-{R}", "initrd")
    link(root, "/var/lib/kdump/vmlinuz", f"/boot/vmlinuz-{R}")
    link(root, "/var/lib/kdump/initrd.img", f"initrd.img-{R}")
    return root


def test_gather_reads_the_target_tree(tmp_path: Path) -> None:
    root = machine(tmp_path)
    efivar(root, "SecureBoot", 1)
    efivar(root, "SetupMode", 0)
    facts = gather(LinuxHost(str(root), env={}))
    assert facts.release == R and facts.arch == "x86_64"
    assert facts.cmdline == f"BOOT_IMAGE=/boot/vmlinuz-{R} root=/dev/sda1 ro crashkernel=512M"
    assert facts.crash_ranges == ((0x1000000, 0xbffffff),)
    assert facts.kexec_supported and facts.kexec_loaded
    assert facts.crash_size == 512 << 20
    assert facts.fadump == FadumpState(False, None, "none")
    assert facts.secure_boot and not facts.securelevel
    assert facts.lockdown == "integrity" and facts.needs_signed_kexec
    assert facts.kexec_path == "/usr/sbin/kexec"
    assert facts.kdump_dir_is_dir
    assert facts.links == (
        LinkFact("/var/lib/kdump/initrd.img", True, f"initrd.img-{R}",
                 f"/var/lib/kdump/initrd.img-{R}", True),
        # the absolute target is resolved inside the root, not on this host
        LinkFact("/var/lib/kdump/vmlinuz", True, f"/boot/vmlinuz-{R}", f"/boot/vmlinuz-{R}",
                 True),
    )


def test_gather_on_an_empty_tree(tmp_path: Path) -> None:
    put(tmp_path, "/proc/sys/kernel/osrelease", R)
    facts = gather(LinuxHost(str(tmp_path), env={}))
    assert facts.release == R and facts.cmdline == "" and facts.crash_ranges == ()
    assert not facts.kexec_supported and not facts.kexec_loaded
    assert facts.crash_size is None
    assert not facts.secure_boot and not facts.securelevel and facts.lockdown is None
    assert not facts.needs_signed_kexec
    assert facts.kexec_path is None
    assert not facts.kdump_dir_is_dir and facts.links == ()


def test_not_loaded_and_securelevel(tmp_path: Path) -> None:
    root = machine(tmp_path)
    put(root, "/sys/kernel/kexec_crash_loaded", "0\n")
    put(root, "/sys/kernel/security/securelevel", "1\n")
    put(root, "/sys/kernel/security/lockdown", "[none] integrity confidentiality\n")
    facts = gather(LinuxHost(str(root), env={}))
    assert facts.kexec_supported and not facts.kexec_loaded
    assert facts.securelevel and facts.lockdown == "none" and facts.needs_signed_kexec


def test_links_resolve_inside_the_root_only(tmp_path: Path) -> None:
    root = machine(tmp_path)
    os.unlink(root / "var/lib/kdump/vmlinuz")
    os.unlink(root / "var/lib/kdump/initrd.img")
    # /bin/sh exists on this host, not in the target tree: the link is dangling there.
    link(root, "/var/lib/kdump/vmlinuz", "/bin/sh")
    put(root, "/var/lib/kdump/initrd.img", "a regular file")
    initrd, kernel = gather(LinuxHost(str(root), env={})).links
    assert kernel == LinkFact("/var/lib/kdump/vmlinuz", True, "/bin/sh", "/bin/sh",
                              False)
    assert initrd == LinkFact("/var/lib/kdump/initrd.img", False, None,
                              "/var/lib/kdump/initrd.img", True)


@pytest.mark.parametrize(
    ("variables", "secure"),
    [
        ({"SecureBoot": 1, "SetupMode": 0}, True),
        ({"SecureBoot": 1, "SetupMode": 1}, False),
        ({"SecureBoot": 0, "SetupMode": 0}, False),
        ({"SecureBoot": 1}, False),
        ({"SetupMode": 0}, False),
        ({}, False),
    ],
)
def test_secure_boot_from_efivars(tmp_path: Path, variables: dict[str, int],
                                  secure: bool) -> None:
    root = machine(tmp_path)
    put(root, "/sys/kernel/security/lockdown", "[none] integrity confidentiality\n")
    for name, value in variables.items():
        efivar(root, name, value)
    facts = gather(LinuxHost(str(root), env={}))
    assert facts.secure_boot is secure
    assert facts.needs_signed_kexec is secure


def test_several_secure_boot_variables_are_not_trusted(tmp_path: Path) -> None:
    # B23: the original's glob broke on several matches; robustly, it is "not known secure".
    root = machine(tmp_path)
    efivar(root, "SecureBoot", 1)
    efivar(root, "SecureBoot", 1, guid="00000000-0000-0000-0000-000000000001")
    efivar(root, "SetupMode", 0)
    assert gather(LinuxHost(str(root), env={})).secure_boot is False


def test_truncated_efivar_is_not_secure(tmp_path: Path) -> None:
    root = machine(tmp_path)
    put(root, f"/{EFIVARS}/SecureBoot-{EFI_GUID}", b"\x06\x00\x00\x00")
    efivar(root, "SetupMode", 0)
    assert gather(LinuxHost(str(root), env={})).secure_boot is False


def test_fadump_mode_from_the_new_sysfs_layout(tmp_path: Path) -> None:
    root = machine(tmp_path)
    put(root, "/sys/kernel/fadump/enabled", "1\n")
    put(root, "/sys/kernel/fadump/registered", "0\n")
    facts = gather(LinuxHost(str(root), env={}))
    assert facts.fadump == FadumpState(True, False, "new")
    assert facts.dump_mode == "fadump"


def test_garbage_fadump_enabled_is_kdump_mode(tmp_path: Path) -> None:
    root = machine(tmp_path)
    put(root, "/sys/kernel/fadump_enabled", "yes please\n")  # B5: parsed robustly
    put(root, "/sys/kernel/fadump_registered", "0\n")
    facts = gather(LinuxHost(str(root), env={}))
    assert facts.dump_mode == "kdump" and facts.fadump.layout == "legacy"


def test_a_link_loop_is_an_invalid_link_not_a_crash(tmp_path: Path) -> None:
    root = machine(tmp_path)
    os.unlink(root / "var/lib/kdump/vmlinuz")
    link(root, "/var/lib/kdump/vmlinuz", "/var/lib/kdump/vmlinuz")
    facts = gather(LinuxHost(str(root), env={}))
    kernel = facts.links[1]
    assert kernel.is_symlink and not kernel.resolved_exists
    assert kernel.target == "/var/lib/kdump/vmlinuz"
    assert [f.params["link"] for f in invalid_links(facts)] == ["/var/lib/kdump/vmlinuz"]


def test_gather_arm64_reads_kallsyms_and_kexec_file(tmp_path: Path) -> None:
    root = machine(tmp_path)
    put(root, "/proc/sys/kernel/arch", "aarch64\n")
    put(root, "/proc/kallsyms", "ffff800008000000 T _stext\nffff800008010000 T do_one\n")
    put(root, f"/boot/config-{R}", "CONFIG_KEXEC=y\n# CONFIG_KEXEC_FILE is not set\n")
    facts = gather(LinuxHost(str(root), env={}))
    assert facts.arch == "aarch64"
    assert facts.kallsyms_text is False and facts.kexec_file is False
    put(root, "/proc/kallsyms", "ffff800008000000 T _text\nffff800008000000 T _stext\n")
    put(root, f"/boot/config-{R}", "CONFIG_KEXEC_FILE=y\n")
    facts = gather(LinuxHost(str(root), env={}))
    assert facts.kallsyms_text is True and facts.kexec_file is True


def test_gather_reads_kallsyms_only_on_arm64(tmp_path: Path) -> None:
    root = machine(tmp_path)
    put(root, "/proc/kallsyms", "ffff800008000000 T _stext\n")
    facts = gather(LinuxHost(str(root), env={}))
    assert facts.kallsyms_text is None and facts.kexec_file is None


@pytest.mark.parametrize(("layout", "expected"), [
    ("merged", "/sbin/kexec"),        # /sbin -> usr/sbin: the original's path, as it says it
    ("split", "/sbin/kexec"),         # a real /sbin/kexec
    ("usr-only", "/usr/sbin/kexec"),  # no /sbin/kexec at all: the one on PATH
    ("none", None),
])
def test_kexec_is_named_as_the_original_names_it(tmp_path: Path, layout: str,
                                                 expected: str | None) -> None:
    root = machine(tmp_path)
    if layout == "merged":
        os.symlink("usr/sbin", root / "sbin")
    elif layout == "split":
        put(root, "/sbin/kexec", "#!/bin/sh\n", 0o755)
        (root / "usr/sbin/kexec").unlink()
    elif layout == "none":
        (root / "usr/sbin/kexec").unlink()
    host = LinuxHost(str(root), env={"PATH": "/usr/local/sbin:/usr/sbin:/usr/bin"})
    assert gather(host).kexec_path == expected
