"""Firmware-assisted dump on POWER: both sysfs layouts, register with read-back.

Neutral: it knows the kernel's files, not a backend.  Both backends hand it their
files (a real root, or the simulated machine's, whose kernel answers the writes).
"""

from __future__ import annotations

import errno

from backends.values import FadumpState, HostError, parse_kernel_int

NEW_DIR = "/sys/kernel/fadump"
LEGACY_PREFIX = "/sys/kernel/fadump_"


TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    class SysfsFiles(Protocol):
        def read_text(self, path: str) -> str | None: ...

        def write_sysfs(self, path: str, value: str) -> None: ...


def _flag(text: str | None) -> bool | None:
    if text is None:
        return None
    return parse_kernel_int(text) == 1


class FadumpSysfs:
    """fadump through whichever sysfs layout the running kernel offers."""

    def __init__(self, files: SysfsFiles) -> None:
        self.files = files

    def _paths(self) -> tuple[str, str, str]:
        # Newer kernels group the attributes in a directory: prefer it.
        if self.files.read_text(f"{NEW_DIR}/enabled") is not None:
            return "new", f"{NEW_DIR}/enabled", f"{NEW_DIR}/registered"
        if self.files.read_text(f"{LEGACY_PREFIX}enabled") is not None:
            return "legacy", f"{LEGACY_PREFIX}enabled", f"{LEGACY_PREFIX}registered"
        return "none", "", ""

    def state(self) -> FadumpState:
        layout, enabled_path, registered_path = self._paths()
        if layout == "none":
            return FadumpState(enabled=False, registered=None, layout="none")
        enabled = bool(_flag(self.files.read_text(enabled_path)))
        return FadumpState(enabled, _flag(self.files.read_text(registered_path)), layout)

    def set_registered(self, register: bool) -> None:
        layout, _, registered_path = self._paths()
        if layout == "none":
            raise HostError("write", f"{NEW_DIR}/registered", "fadump is not supported",
                            errno.ENOENT)
        try:
            self.files.write_sysfs(registered_path, "1" if register else "0")
        except HostError as exc:
            # The kernel answers EEXIST to a second registration: it is registered.
            if not (register and exc.errno == errno.EEXIST):
                raise
        if _flag(self.files.read_text(registered_path)) is not register:
            raise HostError("write", registered_path, "the kernel did not take the new value")
