"""The checks of `kdump-config check`: what each verifies and what it shows when it passes.

One passing text per way of passing.  What a check shows when it does not pass, and how
to fix that, is the catalog message its result names (kdump/messages.py, ``remedy``);
kdump/checks.py decides the results.
"""

from __future__ import annotations

from backends.record import Record


class Check(Record):
    """A readiness check of `kdump-config check`: what it verifies and what it shows when
    it passes (one template per way of passing).  What it shows when it does not, and how
    to fix that, is the catalog message the check result names (``Message.remedy``)."""

    name: str
    title: str
    ok: dict[str, str]


CHECKS: dict[str, Check] = {c.name: c for c in [
    Check("use-kdump", "kdump enabled in {config}", {"": "USE_KDUMP={value}"}),
    Check("kexec-support", "kernel supports kdump (/sys/kernel/kexec/crash_loaded, or "
          "/sys/kernel/kexec_crash_loaded before Linux 6.19)",
          {"": "supported", "kexec-dir": "supported (/sys/kernel/kexec/)"}),
    Check("crashkernel-param", "crashkernel= on the kernel command line",
          {"": "crashkernel={value}"}),
    Check("crashkernel-reserved", "memory reserved for the capture kernel",
          {"": "{reserved}M reserved at {addr}",
           "cma": "{reserved}M reserved at {addr}, {cma}M of it CMA at {cma_addr}"}),
    Check("crashkernel-size", "reservation large enough for the capture kernel",
          {"": "{reserved}M reserved, {suggested} suggested"}),
    Check("kexec-tool", "kexec installed", {"": "{path}"}),
    Check("kdump-kernel", "kdump kernel present", {"": "{path}"}),
    Check("kdump-initrd", "kdump initrd present", {"": "{path}"}),
    Check("kernel-links", "/var/lib/kdump links match the running kernel",
          {"": "match {release}"}),
    Check("secure-boot", "kexec mode suits secure boot and lockdown", {
        "required": "kexec -s (kexec_file_load): lockdown {lockdown}, secure boot {secure_boot}",
        "kexec-file": "not required: kexec_file_load is used for want of _text (kexec-symbols)",
        "kexec-load": "not required: kexec_load will be used"}),
    Check("kexec-symbols", "arm64: a load method that builds a valid crash dump header", {
        "kexec-load": "_text in /proc/kallsyms: kexec_load works",
        "kexec-file": "no _text in /proc/kallsyms: kexec_file_load (-s) will be used"}),
    Check("dump-target", "one remote dump target kind", {"": "dump target: {target}"}),
    Check("fadump-support", "firmware-assisted dump available",
          {"": "fadump sysfs layout: {layout}"}),
    Check("kexec-allowed", "the kernel allows kexec loads (kernel.kexec_load_disabled)",
          {"": "kernel.kexec_load_disabled is 0"}),
    Check("kernel-lockdown", "what lockdown lets kexec load (/sys/kernel/security/lockdown)", {
        "none": "lockdown {lockdown}, secure boot {secure_boot}: kexec_load and "
                "kexec_file_load allowed",
        "signed": "lockdown {lockdown}, secure boot {secure_boot}: kexec_load refused, kexec "
                  "-s (kexec_file_load) loads only a kernel signed with a key the kernel "
                  "trusts"}),
    Check("crash-hotplug", "CPU and memory hotplug keep the capture image current", {
        "kernel": "handled by the kernel",
        "unloaded": "supported by the kernel (nothing loaded yet)"}),
    Check("loaded", "capture kernel loaded (or fadump registered)",
          {"kdump": "kdump kernel loaded", "fadump": "fadump registered"}),
]}
