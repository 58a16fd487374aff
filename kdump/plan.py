"""Pure plans: which kdump kernel and initrd to use, and the exact kexec argv."""

from __future__ import annotations

from backends.record import Record, field
from kdump.checks import wants_kexec_file
from kdump.cmdline import strip_params
from kdump.config import Config
from kdump.facts import Facts
from kdump.finding import Finding
from kdump.paths import PACKAGE_DIR

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    class FileView(Protocol):
        def exists(self, path: str) -> bool: ...

        def is_file(self, path: str) -> bool: ...

        def is_dir(self, path: str) -> bool: ...

        def read_text(self, path: str) -> str | None: ...


class KernelChoice(Record):
    """The kernel and initrd that load would use, and what was found on the way."""

    kernel: str = ""
    initrd: str = ""
    kernel_addr: str = ""  # "relocatable", a CONFIG_PHYSICAL_START value, or ""
    findings: tuple[Finding, ...] = field(default_factory=tuple)
    # The original checks KDUMP_CONFIG's start address and searches nothing: on a match it
    # has no kernel and says nothing.  `test` keeps that silence; load still refuses.
    search_unsaid: bool = False

    @property
    def fatal(self) -> Finding | None:
        return next((f for f in self.findings if f.code != "no-kdump-initrd"), None)


def kconfig_value(text: str, name: str) -> str | None:
    for line in text.splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key == name:
            return value.strip().strip('"')
    return None


def _first_file(files: FileView, candidates: list[str]) -> str:
    return next((path for path in candidates if files.is_file(path)), "")


def boot_image(files: FileView, release: str) -> str:
    """The running kernel's image in /boot, vmlinuz preferred over vmlinux."""
    return _first_file(files, [f"/boot/vmlinuz-{release}", f"/boot/vmlinux-{release}"])


def locate_kernel(config: Config, facts: Facts, files: FileView) -> KernelChoice:
    if config.kdump_kernel:
        return _configured_kernel(config, files)
    release = facts.release
    boot_config = files.read_text(f"/boot/config-{release}") or ""
    relocatable = kconfig_value(boot_config, "CONFIG_RELOCATABLE") == "y" or facts.arch == "ia64"
    if relocatable:
        kernel = boot_image(files, release)
        if kernel:
            initrd, warning = _initrd(files, config.kdump_initrd or f"/boot/initrd.img-{release}")
            return KernelChoice(kernel, initrd, "relocatable", warning)
    return _package_kernel(config, facts, files)


def _configured_kernel(config: Config, files: FileView) -> KernelChoice:
    if not files.exists(config.kdump_kernel):
        return KernelChoice(config.kdump_kernel, config.kdump_initrd, "", (
            Finding("kdump-kernel-missing", {"config": config.path, "path": config.kdump_kernel}),
        ))
    if config.kdump_initrd and not files.exists(config.kdump_initrd):
        # Kept in the choice so that `test` shows the configured path; the kexec argv
        # leaves out an initrd that does not exist.
        return KernelChoice(config.kdump_kernel, config.kdump_initrd, "", (
            Finding("kdump-initrd-missing", {"config": config.path, "path": config.kdump_initrd}),
        ))
    return KernelChoice(config.kdump_kernel, config.kdump_initrd)


def _initrd(files: FileView, path: str) -> tuple[str, tuple[Finding, ...]]:
    if files.is_file(path):
        return path, ()
    return "", (Finding("no-kdump-initrd", {"path": path}),)


def _package_kernel(config: Config, facts: Facts, files: FileView) -> KernelChoice:
    """The seed's search for a linux-kdump package built for a fixed load address.

    KDUMP_CONFIG (the kdump kernel's .config) is read first, as the original does: a
    kernel built for another start address than the reserved one is refused before any
    package directory is looked for, and `test` shows its CONFIG_PHYSICAL_START.
    """
    addr = ""
    if config.kdump_config:
        checked = _address_check(files.read_text(config.kdump_config) or "", facts)
        if checked.findings:
            return checked
        addr = checked.kernel_addr
    package = PACKAGE_DIR.format(release=facts.release)
    unsaid = bool(config.kdump_config)
    if not files.is_dir(package):
        return KernelChoice(kernel_addr=addr, search_unsaid=unsaid,
                            findings=(Finding("no-kdump-kernel", {"config": config.path}),))
    kernel = _first_file(files, [f"{package}/vmlinuz", f"{package}/vmlinux"])
    if not kernel:
        return KernelChoice(kernel_addr=addr, search_unsaid=unsaid,
                            findings=(Finding("kdump-package-broken", {"pkg_dir": package}),))
    initrd, warning = _initrd(files, config.kdump_initrd or f"{package}/initrd.img")
    if config.kdump_config:
        return KernelChoice(kernel, initrd, addr, warning)
    kdump_kconfig = files.read_text(f"{package}/config") or ""
    if not kdump_kconfig:
        return KernelChoice(kernel, initrd, "", warning)
    checked = _address_check(kdump_kconfig, facts)
    return KernelChoice(kernel, initrd, checked.kernel_addr, (*warning, *checked.findings))


def _address_check(kdump_kconfig: str, facts: Facts) -> KernelChoice:
    """A kdump kernel's .config against the reserved address: "relocatable", or its
    CONFIG_PHYSICAL_START (with relocation-mismatch when that is not where memory is
    reserved; an unreadable .config has no start address, so it never matches)."""
    if kconfig_value(kdump_kconfig, "CONFIG_RELOCATABLE") == "y":
        return KernelChoice(kernel_addr="relocatable")
    start = kconfig_value(kdump_kconfig, "CONFIG_PHYSICAL_START") or ""
    if _same_address(start, facts):
        return KernelChoice(kernel_addr=start)
    return KernelChoice(kernel_addr=start, findings=(Finding("relocation-mismatch"),))


def _same_address(start: str, facts: Facts) -> bool:
    if not facts.crash_ranges:
        return False
    try:
        return int(start, 0) == facts.crash_ranges[0][0]
    except ValueError:
        return False


def capture_cmdline(config: Config, facts: Facts) -> str:
    base = config.kdump_cmdline or strip_params(facts.cmdline)
    return f"{base} {config.kdump_cmdline_append}".strip()


def kexec_load_argv(
    kexec: str, config: Config, facts: Facts, choice: KernelChoice, kernel_is_elf: bool,
    initrd_exists: bool,
) -> list[str]:
    argv = [kexec, "-p"]
    # -s: lockdown requires it, or (arm64) kexec_load would build a bogus core header.
    if wants_kexec_file(config, facts):
        argv.append("-s")
    if kernel_is_elf and facts.arch != "ia64":
        argv.append("--args-linux")
    argv.extend(config.kdump_kexec_args)
    argv.append(f"--command-line={capture_cmdline(config, facts)}")
    if choice.initrd and initrd_exists:
        argv.append(f"--initrd={choice.initrd}")
    if choice.kernel:  # no kernel found: `test` shows the command without one
        argv.append(choice.kernel)
    return argv


def kexec_unload_argv(kexec: str, facts: Facts) -> list[str]:
    return [kexec, "-s", "-p", "-u"] if facts.needs_signed_kexec else [kexec, "-p", "-u"]
