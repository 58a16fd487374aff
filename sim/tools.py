"""Programs of the simulated machine, emulated from their argv.

Each tool gets the argv kdump-config would hand the real program, the bytes on
its stdin, and the machine; it answers like the real one (exit status, output)
and changes the machine the way the kernel or the program would.  The same
functions can back stub executables for the sandbox tier.

Here: what every tool is handed and answers (Call, Outcome), what they share (faults
that fire for the first N calls, getopt-style options), and the kernel's side (kexec,
sysctl, ip, cat, the kernel postinst hook).  Which program name runs which tool is the
one table in sim/programs.py.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from sim.kernel_files import CRASH_HOTPLUG_FILES, EFI_GUID, KEXEC_DIR, KEXEC_OLD

if TYPE_CHECKING:
    from sim.machine import SimulatedMachine


class Files(Protocol):
    """The machine's files as the running kernel shows them (mounts included)."""

    def host_path(self, path: str, follow_last: bool = True) -> str: ...

    def exists(self, path: str) -> bool: ...

    def is_file(self, path: str) -> bool: ...

    def read_text(self, path: str) -> str | None: ...


@dataclass(frozen=True)
class Outcome:
    returncode: int
    stdout: bytes = b""
    stderr: str = ""
    shown: int = 0  # how much of ``stderr`` (its start) reached Call.live as it was written


@dataclass
class Call:
    machine: SimulatedMachine
    files: Files
    argv: list[str]
    stdin: bytes = b""
    # Where the program's stderr goes while it runs (a terminal), as well as into the
    # outcome: a program's own progress (makedumpfile's) is seen live.
    live: Callable[[str], None] | None = None
    said: list[str] = field(default_factory=list)

    @property
    def args(self) -> list[str]:
        return self.argv[1:]

    def progress(self, text: str) -> None:
        """Write ``text`` on stderr now (not only when the program ends)."""
        self.said.append(text)
        if self.live is not None:
            self.live(text)

    def write_target(self, path: str, data: bytes, mode: int = 0o644) -> None:
        host = self.files.host_path(path)
        os.makedirs(os.path.dirname(host), exist_ok=True)
        with open(host, "wb") as handle:
            handle.write(data)
        os.chmod(host, mode)


Tool = Callable[[Call], Outcome]


def fires(machine: SimulatedMachine, name: str) -> bool:
    """Is fault ``name`` armed for this call?  An integer N: only for the first N calls."""
    value = machine.fault(name)
    if not value:
        return False
    if value is True or not isinstance(value, int):
        return True
    counts: dict[str, int] = machine.state.setdefault("fault_counts", {})
    used = counts.get(name, 0)
    if used >= value:
        return False
    counts[name] = used + 1
    machine.save()
    return True


def split_options(args: list[str], with_value: set[str]) -> tuple[dict[str, list[str]], list[str]]:
    """getopt-style: options (repeatable) and the positional words."""
    found: dict[str, list[str]] = {}
    positional: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            positional += args[index + 1:]
            break
        if arg.startswith("-") and len(arg) > 1 and not positional:
            if arg in with_value and index + 1 < len(args):
                found.setdefault(arg, []).append(args[index + 1])
                index += 2
                continue
            found.setdefault(arg, []).append("")
        else:
            positional.append(arg)
        index += 1
    return found, positional


def _kernel_number(text: str | None) -> int:
    """A sysfs number as the kernel would have written it; 0 for anything else."""
    word = (text or "").strip(" \t\n")
    return int(word) if word.isascii() and word.isdigit() and len(word) <= 20 else 0


def fault_message(machine: SimulatedMachine, name: str, default: str) -> str | None:
    """The text of an armed fault (its value when it is a string), else None."""
    value = machine.fault(name)
    if not value:
        return None
    return value if isinstance(value, str) else default


# -- kexec: loading and unloading the capture kernel ------------------------------------


def _crash_hotplug(call: Call, on: bool) -> None:
    if "crash_hotplug" in call.machine.state.get("kernel", {}):
        for path in CRASH_HOTPLUG_FILES:
            call.write_target(path, b"1\n" if on else b"0\n")


def kexec(call: Call) -> Outcome:
    machine, args = call.machine, call.args
    if "-p" not in args and "--load-panic" not in args:
        return Outcome(1, b"", "kexec: only panic kernels (-p) are simulated\n")
    loaded_paths = [p for p in (KEXEC_DIR + "crash_loaded", KEXEC_OLD + "crash_loaded")
                    if call.files.exists(p)]
    if not loaded_paths:
        return Outcome(1, b"", "kexec_load failed: Function not implemented\n")
    # As kexec-tools parses its options: the last of -s and -c decides the syscall.
    chosen = [a for a in args if a in ("-s", "--kexec-file-syscall", "-c", "--kexec-syscall")]
    file_load = bool(chosen) and chosen[-1] in ("-s", "--kexec-file-syscall")
    syscall = "kexec_file_load" if file_load else "kexec_load"
    if (call.files.read_text("/proc/sys/kernel/kexec_load_disabled") or "").strip() == "1":
        # Both syscalls, load and unload alike, until the machine reboots.
        return Outcome(1, b"", f"{syscall} failed: Operation not permitted\n")
    secure = _secure_boot_active(call.files)
    if secure and not file_load:
        return Outcome(1, b"", "kexec_load failed: Operation not permitted\n")
    if "-u" in args or "--unload" in args:
        failure = fault_message(machine, "kexec-unload",
                                "kexec_load failed: Device or resource busy")
        if failure:
            return Outcome(1, b"", failure + "\n")
        _unloaded(call, loaded_paths)
        return Outcome(0)
    reserved = _kernel_number(call.files.read_text(loaded_paths[0].replace("crash_loaded",
                                                                            "crash_size")))
    if reserved == 0:
        return Outcome(1, b"", "Memory for crashkernel is not reserved\n"
                               "Please reserve memory by passing \"crashkernel=Y@X\" parameter "
                               "to kernel\nThen try to loading kdump kernel\n")
    positional = [a for a in args if not a.startswith("-")]
    if not positional:
        return Outcome(1, b"", "kexec: no kernel image given\n")
    image = positional[-1]
    if not call.files.is_file(image):
        return Outcome(1, b"", f"Cannot open `{image}': No such file or directory\n")
    for arg in args:
        if arg.startswith("--initrd="):
            initrd = arg.split("=", 1)[1]
            if not call.files.is_file(initrd):
                return Outcome(1, b"", f"Cannot open `{initrd}': No such file or directory\n")
    # In the kernel: a load that cannot take kexec's mutex fails with EBUSY and changes
    # nothing; any later failure comes after the loaded crash image was freed (the new
    # one goes into the same reserved memory).
    if fires(machine, "kexec-busy"):
        return Outcome(1, b"", f"{syscall} failed: Device or resource busy\n")
    failure = fault_message(machine, "kexec-load",
                            "kexec_load failed: Cannot assign requested address")
    if not failure and image in _armed_paths(machine.fault("kexec-rejects")):
        failure = f"{syscall} failed: Key was rejected by service"
    if failure:
        if "Device or resource busy" not in failure:
            _unloaded(call, loaded_paths)
        return Outcome(1, b"", failure + "\n")
    kernel = machine.state.get("kernel", {})
    if file_load and not kernel.get("kexec_file", True):
        return Outcome(253, b"", "syscall kexec_file_load not available.\n")
    warning = ""
    if kernel.get("arch") == "aarch64" and not file_load and \
            " _text\n" not in (call.files.read_text("/proc/kallsyms") or ""):
        # What kexec-tools 2.0.25 does there: it warns, builds a bogus ELF core header,
        # and still loads and exits 0.
        warning = "Can't get the symbol of _text to calculate page_offset.\n"
    for path in loaded_paths:
        call.write_target(path, b"1\n")
    # A kernel with CONFIG_CRASH_HOTPLUG updates the image itself on hotplug when it was
    # loaded with kexec_file_load, or with kexec_load and kexec-tools' --hotplug.
    _crash_hotplug(call, file_load or "--hotplug" in args)
    machine.state["kexec_loaded"] = list(call.argv)
    machine.save()
    return Outcome(0, b"", warning)


def _unloaded(call: Call, loaded_paths: list[str]) -> None:
    for path in loaded_paths:
        call.write_target(path, b"0\n")
    _crash_hotplug(call, False)
    call.machine.state["kexec_loaded"] = None
    call.machine.save()


def _armed_paths(value: object) -> list[str]:
    if not value:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _secure_boot_active(files: Files) -> bool:
    """Does the kernel refuse kexec_load (unsigned images)?  Lockdown, securelevel, or
    UEFI Secure Boot on its own (the architecture's signature policy)."""
    lockdown = files.read_text("/sys/kernel/security/lockdown") or ""
    if "[integrity]" in lockdown or "[confidentiality]" in lockdown:
        return True
    if (files.read_text("/sys/kernel/security/securelevel") or "").strip() == "1":
        return True
    return _efi_flag(files, "SecureBoot") == 1 and _efi_flag(files, "SetupMode") == 0


def _efi_flag(files: Files, name: str) -> int | None:
    try:
        with open(files.host_path(f"/sys/firmware/efi/efivars/{name}-{EFI_GUID}"), "rb") as f:
            data = f.read(5)
    except OSError:
        return None
    return data[4] if len(data) == 5 else None


# -- small system tools --------------------------------------------------------------------
def sysctl(call: Call) -> Outcome:
    settings = [a for a in call.args if "=" in a]
    if not settings:
        return Outcome(1, b"", "sysctl: only -w NAME=VALUE is simulated\n")
    failure = fault_message(call.machine, "sysctl", "sysctl: permission denied on key")
    if failure:
        return Outcome(1, b"", failure + "\n")
    out = b""
    for setting in settings:
        key, _, value = setting.partition("=")
        call.write_target("/proc/sys/" + key.replace(".", "/"), value.encode() + b"\n")
        out += f"{key} = {value}\n".encode()
    return Outcome(0, out)


def ip(call: Call) -> Outcome:
    lines = []
    for index, address in enumerate(call.machine.state.get("ipv4", []), start=1):
        dev = "lo" if address.startswith("127.") else f"eth{index - 2}"
        prefix = 8 if address.startswith("127.") else 24
        lines.append(f"{index}: {dev}    inet {address}/{prefix} scope global {dev}\\"
                     "       valid_lft forever preferred_lft forever\n")
    return Outcome(0, "".join(lines).encode())


def cat(call: Call) -> Outcome:
    if not call.args:
        return Outcome(0, call.stdin)
    data = b""
    for path in call.args:
        host = call.files.host_path(path)
        try:
            with open(host, "rb") as handle:
                data += handle.read()
        except OSError as exc:
            return Outcome(1, data, f"cat: {path}: {exc.strerror}\n")
    return Outcome(0, data)


# -- the kdump-tools kernel postinst hook (it builds the small kdump initrd) ------------------
KERNEL_HOOK = "/etc/kernel/postinst.d/kdump-tools"
GENERATED_INITRD_SIZE = 32 << 20
GENERATED_DECOMPRESSED_MIB = 96


def kernel_hook(machine: SimulatedMachine, files: Files, version: str) -> Outcome:
    initrd = f"/var/lib/kdump/initrd.img-{version}"
    failure = fault_message(machine, "kernel-hook",
                            f"update-initramfs: failed for {initrd} with 1.")
    said = f"kdump-tools: Generating {initrd}\n".encode()
    if failure:
        return Outcome(1, said, failure + "\n")
    if machine.fault("kernel-hook-skip"):
        # What the real hook does in a chroot: a warning, exit 0, and no initrd built.
        return Outcome(0, said, "W: kdump-tools: Executing in a chroot, skipping initramfs "
                                "generation.\n")
    host = files.host_path(initrd)
    os.makedirs(os.path.dirname(host), exist_ok=True)
    with open(host, "wb") as handle:
        handle.write(b"\x1f\x8b\x08\x00kdump-sim initrd\n")
        handle.truncate(GENERATED_INITRD_SIZE)
    size_path = files.host_path(f"/var/lib/kdump/size_initrd.img-{version}")
    with open(size_path, "w") as handle:
        handle.write(f"{GENERATED_DECOMPRESSED_MIB}\n")
    return Outcome(0, said)

