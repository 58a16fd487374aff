"""Well-known paths on the target machine, each defined once.

Paths as the target machine sees them (the Host re-roots them under --root). The
simulator (sim/) keeps its own name for /proc/vmcore: it is the machine these paths
describe and never imports the product's core.
"""

from __future__ import annotations

# -- kdump-tools' own files ------------------------------------------------------------------
DEFAULTS_PATH = "/etc/default/kdump-tools"
KDUMP_DIR = "/var/lib/kdump"  # the vmlinuz and initrd.img links, the kdump initrds
KERNEL_HOOK = "/etc/kernel/postinst.d/kdump-tools"
PACKAGE_DIR = "/usr/lib/linux-kdump-{release}"
SYSCTL_FILE = "/etc/kdump/sysctl.conf"
# The original always runs this path (KEXEC=/sbin/kexec); on a merged-/usr system it is
# /usr/sbin/kexec through the /sbin link, and test, show, kexec_cmd and the journal still
# say /sbin/kexec.
ORIGINAL_KEXEC = "/sbin/kexec"

# -- the kernel's interface ------------------------------------------------------------------
VMCORE = "/proc/vmcore"  # the crashed kernel's memory, in the capture kernel only
# Linux 6.19 moved the kexec files into /sys/kernel/kexec/ and left the old names as
# deprecated links: the new name is read first, the old one where the kernel predates it.
KEXEC_CRASH_LOADED = ("/sys/kernel/kexec/crash_loaded", "/sys/kernel/kexec_crash_loaded")
KEXEC_CRASH_SIZE = ("/sys/kernel/kexec/crash_size", "/sys/kernel/kexec_crash_size")
# crashkernel=SIZE,cma (Linux 6.17) reserves CMA ranges beside the Crash kernel range;
# the kernel lists them (one START-END per line, hex, inclusive) only in the new directory.
CRASH_CMA_RANGES = "/sys/kernel/kexec/crash_cma_ranges"
# 1: the kernel refuses every kexec load and unload until it reboots (it cannot be reset).
KEXEC_LOAD_DISABLED = "/proc/sys/kernel/kexec_load_disabled"
LOCKDOWN = "/sys/kernel/security/lockdown"
SECURELEVEL = "/sys/kernel/security/securelevel"
EFIVARS = "/sys/firmware/efi/efivars"
KALLSYMS = "/proc/kallsyms"
# Kernels since 6.5 (CONFIG_CRASH_HOTPLUG): 1 when the kernel itself updates the loaded
# crash image on CPU / memory hotplug (since 6.9 it reports the loaded image's own
# support: kexec_file_load, or kexec_load with kexec-tools' --hotplug).
CRASH_HOTPLUG = ("/sys/devices/system/cpu/crash_hotplug",
                 "/sys/devices/system/memory/crash_hotplug")
