"""Ready-made facts for the pure core's tests: a ready x86_64 kdump machine, then changes."""

from __future__ import annotations

from backends.values import FadumpState
from kdump.facts import Facts


def ready_facts(**changes: object) -> Facts:
    """Facts of a ready machine; ``changes`` must name release, cmdline and kexec_path."""
    base = Facts(
        release="",
        arch="x86_64",
        cmdline="",
        crash_ranges=((0x1000000, 0x20ffffff),),
        kexec_supported=True,
        kexec_loaded=False,
        crash_size=512 << 20,
        fadump=FadumpState(False, None, "none"),
        secure_boot=False,
        securelevel=False,
        lockdown=None,
        kexec_path=None,
        kdump_dir_is_dir=True,
        links=(),
        kexec_load_disabled=False,
    )
    return base._replace(**changes)
