"""What kdump-config needs to know about the machine, read once through the Host."""

from __future__ import annotations

from backends.record import Record
from backends.values import FadumpState, HostError, parse_kernel_int
from kdump.paths import (
    CRASH_CMA_RANGES,
    CRASH_HOTPLUG,
    EFIVARS,
    KALLSYMS,
    KDUMP_DIR,
    KEXEC_CRASH_LOADED,
    KEXEC_CRASH_SIZE,
    KEXEC_LOAD_DISABLED,
    LOCKDOWN,
    ORIGINAL_KEXEC,
    SECURELEVEL,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from backends.base import Host

SECURE_BOOT_VAR = "SecureBoot-"
SETUP_MODE_VAR = "SetupMode-"
ARM64 = "aarch64"


class LinkFact(Record):
    """One of the /var/lib/kdump links, as found."""

    path: str
    is_symlink: bool
    target: str | None  # raw link text
    resolved: str  # target path with every link followed
    resolved_exists: bool


class Facts(Record, eq=False):
    """What the running machine says, read once per run."""

    release: str
    arch: str
    cmdline: str
    crash_ranges: tuple[tuple[int, int], ...]
    kexec_supported: bool
    kexec_loaded: bool
    crash_size: int | None
    fadump: FadumpState
    secure_boot: bool
    securelevel: bool
    lockdown: str | None
    kexec_path: str | None
    kdump_dir_is_dir: bool
    links: tuple[LinkFact, ...]
    # arm64 only (None elsewhere, or when unreadable): whether /proc/kallsyms lists _text,
    # the symbol kexec-tools' kexec_load path needs to build the capture's ELF core header.
    kallsyms_text: bool | None = None
    # arm64, and any kernel in lockdown (where kexec_file_load is the only way in):
    # CONFIG_KEXEC_FILE of the running kernel, from /boot/config-<release> (None when
    # that file is missing or does not say, or elsewhere).
    kexec_file: bool | None = None
    # Both crash_hotplug files read 1 (True), one reads otherwise (False), or the kernel
    # has neither (None: an older kernel, udev's try-reload is the only way).
    crash_hotplug: bool | None = None
    # Which crash_size file answered (the new one, or the old one on kernels before 6.19).
    crash_size_path: str = KEXEC_CRASH_SIZE[1]
    # crashkernel=...,cma ranges (inclusive): memory the capture kernel gets besides
    # the Crash kernel range.
    crash_cma: tuple[tuple[int, int], ...] = ()
    # kernel.kexec_load_disabled: True (1), False (0), None (unreadable or absent).
    kexec_load_disabled: bool | None = None

    @property
    def kernel_handles_hotplug(self) -> bool:
        """The kernel updates the loaded capture image on hotplug: no reload needed."""
        return self.kexec_loaded and self.crash_hotplug is True

    @property
    def dump_mode(self) -> str:
        return "fadump" if self.fadump.enabled else "kdump"

    @property
    def needs_signed_kexec(self) -> bool:
        """kexec_file_load (-s) is required when the kernel only accepts signed images."""
        return self.secure_boot or self.securelevel or self.lockdown in ("integrity",
                                                                         "confidentiality")

    @property
    def cma_bytes(self) -> int:
        return sum(end - start + 1 for start, end in self.crash_cma)

    @property
    def reserved_bytes(self) -> int | None:
        """The whole reservation: the Crash kernel range and any CMA ranges."""
        return None if self.crash_size is None else self.crash_size + self.cma_bytes

    @property
    def locked_down(self) -> bool:
        return self.lockdown in ("integrity", "confidentiality")

    @property
    def iomem_addr(self) -> str:
        return ", ".join(f"{start:#x}" for start, _ in self.crash_ranges)


_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


def _is_hex(text: str) -> bool:
    """1 to 16 hex digits: an address as /proc/iomem writes it."""
    return 0 < len(text) <= 16 and all(char in _HEX_DIGITS for char in text)


def crash_ranges(iomem: str) -> tuple[tuple[int, int], ...]:
    """Every "Crash kernel" range (high and low are listed separately, never glued)."""
    ranges = []
    for line in iomem.splitlines():
        span, _, name = line.partition(" : ")
        if name.strip() != "Crash kernel":
            continue
        start, _, end = span.strip().partition("-")
        if _is_hex(start) and _is_hex(end):
            ranges.append((int(start, 16), int(end, 16)))
    return tuple(ranges)


def cma_ranges(text: str | None) -> tuple[tuple[int, int], ...]:
    """START-END lines (hex, end inclusive), as crash_cma_ranges lists them."""
    ranges = []
    for line in (text or "").splitlines():
        start, sep, end = line.strip().partition("-")
        if sep and _is_hex(start) and _is_hex(end) and int(end, 16) >= int(start, 16):
            ranges.append((int(start, 16), int(end, 16)))
    return tuple(ranges)


def first_present(host: Host, paths: tuple[str, ...]) -> tuple[str, str | None]:
    """The first of ``paths`` the kernel has, with its text; the last path when none."""
    for path in paths:
        text = host.read_text(path)
        if text is not None:
            return path, text
    return paths[-1], None


def lockdown_mode(text: str | None) -> str | None:
    if not text:
        return None
    for word in text.split():
        if word.startswith("[") and word.endswith("]"):
            return word[1:-1]
    return None


def _efi_flag(host: Host, prefix: str) -> int | None:
    """Data byte of the one EFI variable named ``prefix*`` (None unless exactly one)."""
    names = [n for n in host.listdir(EFIVARS) if n.startswith(prefix)]
    if len(names) != 1:
        return None
    data = host.read_bytes(f"{EFIVARS}/{names[0]}")
    return data[4] if data is not None and len(data) >= 5 else None


def _int(text: str | None) -> int | None:
    return parse_kernel_int(text)


def link_fact(host: Host, path: str) -> LinkFact:
    try:
        resolved = host.realpath(path)
    except HostError:
        # A symlink loop: reported as an invalid link, not a failure of the whole command.
        resolved = path
    return LinkFact(path, host.is_symlink(path), host.readlink(path), resolved,
                    host.exists(path))


def has_symbol(kallsyms: str, name: str) -> bool:
    """Whether /proc/kallsyms text ("ADDR TYPE NAME [MODULE]" lines) lists a core-kernel
    symbol NAME (not merely one whose name ends with it)."""
    return f" {name}\n" in kallsyms or kallsyms.endswith(f" {name}")


def kconfig_flag(text: str | None, name: str) -> bool | None:
    """y/m -> True, "# NAME is not set" -> False, no mention or no file -> None."""
    if text is None:
        return None
    for line in text.splitlines():
        line = line.strip()
        if line == f"# {name} is not set":
            return False
        key, sep, value = line.partition("=")
        if sep and key == name:
            return value.strip() in ("y", "m")
    return None


def crash_hotplug(host: Host) -> bool | None:
    values = [_int(host.read_text(path)) for path in CRASH_HOTPLUG]
    if all(value is None for value in values):
        return None
    return all(value == 1 for value in values)


def kexec_program(host: Host) -> str | None:
    """/sbin/kexec where it exists, as the original names it; else kexec on PATH."""
    if host.is_executable(ORIGINAL_KEXEC):
        return ORIGINAL_KEXEC
    return host.which("kexec")


def gather(host: Host) -> Facts:
    uname = host.uname()
    arm64 = uname.machine == ARM64
    kallsyms = host.read_text(KALLSYMS) if arm64 else None
    _, loaded_text = first_present(host, KEXEC_CRASH_LOADED)
    size_path, size_text = first_present(host, KEXEC_CRASH_SIZE)
    lockdown = lockdown_mode(host.read_text(LOCKDOWN))
    kconfig = host.read_text(f"/boot/config-{uname.release}") \
        if arm64 or lockdown in ("integrity", "confidentiality") else None
    disabled = _int(host.read_text(KEXEC_LOAD_DISABLED))
    secure_boot = _efi_flag(host, SECURE_BOOT_VAR) == 1 and _efi_flag(host, SETUP_MODE_VAR) == 0
    kdump_dir = host.is_dir(KDUMP_DIR)
    links = tuple(link_fact(host, f"{KDUMP_DIR}/{name}") for name in ("initrd.img", "vmlinuz")) \
        if kdump_dir else ()
    return Facts(
        release=uname.release,
        arch=uname.machine,
        cmdline=(host.read_text("/proc/cmdline") or "").strip(),
        crash_ranges=crash_ranges(host.read_text("/proc/iomem") or ""),
        kexec_supported=loaded_text is not None,
        kexec_loaded=_int(loaded_text) == 1,
        crash_size=_int(size_text),
        fadump=host.fadump_state(),
        secure_boot=secure_boot,
        securelevel=(host.read_text(SECURELEVEL) or "").strip() == "1",
        lockdown=lockdown,
        kexec_path=kexec_program(host),
        kdump_dir_is_dir=kdump_dir,
        links=links,
        kallsyms_text=has_symbol(kallsyms, "_text") if kallsyms else None,
        kexec_file=kconfig_flag(kconfig, "CONFIG_KEXEC_FILE"),
        crash_hotplug=crash_hotplug(host),
        crash_size_path=size_path,
        crash_cma=cma_ranges(host.read_text(CRASH_CMA_RANGES)),
        kexec_load_disabled=None if disabled is None else disabled != 0,
    )
