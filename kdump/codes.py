"""Every catalog code, as a type: mypy checks each ``emit("...")`` and ``Finding("...")``.

The list is the catalog's (kdump/messages.py), in its order; tests/unit/test_messages.py
fails, printing the list to paste, when the two disagree.  At run time a code is a plain
string: ``typing`` (with ``re`` behind it) is not loaded for a type nothing checks then
(for start-up).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal

    Code = Literal[
        "usage", "config-syntax", "config-value", "config-unknown-key", "config-argument",
        "backend-error", "host-error", "option-empty", "usage-no-command",
        "usage-unknown-command", "usage-unknown-option", "usage-missing-value",
        "usage-option-value", "usage-extra-argument", "usage-root-missing",
        "usage-root-no-proc", "version", "config-unreadable", "config-too-large",
        "internal-error", "use-kdump-off", "kdump-not-supported", "no-crashkernel",
        "ssh-nfs-conflict", "fadump-not-configured", "kdump-kernel-missing",
        "kdump-initrd-missing", "no-kdump-kernel", "kdump-package-broken", "no-kdump-initrd",
        "relocation-mismatch", "invalid-symlink", "creating-symlink", "missing-kernel-version",
        "symlinks-while-loaded", "load-while-loaded-hint", "kernel-hook-missing",
        "invalid-kernel-version", "kernel-hook-failed", "kexec-missing", "load-failed",
        "loaded", "kexec-command", "unload-failed", "unloaded", "capture-kernel-skip",
        "hotplug-by-kernel", "reload-queued", "kexec-symbols-missing", "loaded-by-kexec-load",
        "panic-trigger-unavailable", "fadump-registered", "fadump-register-failed",
        "fadump-unregistered", "fadump-unregister-failed", "state-ready", "state-not-ready",
        "estimate", "estimate-unknown", "estimate-below-minimum", "no-kexec-command",
        "crashkernel-not-reserved", "crashkernel-size-unknown", "crashkernel-too-small",
        "kdump-initrd-unset", "kdump-initrd-no-kernel", "config-missing", "kdump-dir-missing",
        "kernel-links-invalid",
        "kexec-load-forced-under-lockdown", "kallsyms-unreadable", "hotplug-reloads",
        "kdump-not-loaded", "fadump-not-registered", "no-vmcore", "compression-missing",
        "compression-unsupported", "no-ip", "hostname-unsafe", "savecore-timeout",
        "hosttag-fallback", "makedumpfile-missing-dmesg", "running-dmesg", "dmesg-failed",
        "dmesg-saved", "dmesg-save-failed", "running-makedumpfile", "makedumpfile-failed",
        "running-cp", "vmcore-saved", "vmcore-save-failed", "purging", "purge-failed",
        "nfs-mounting", "network-retry", "nfs-mount-failed", "nfs-write-failed", "nfs-dumping",
        "nfs-umount-failed", "ssh-unreachable", "ssh-mkdir-failed", "ssh-sending-makedumpfile",
        "ssh-makedumpfile-failed", "ssh-sending-vmcore", "scp-failed",
        "ftp-sending-makedumpfile", "ftp-makedumpfile-failed", "ftp-sending-vmcore",
        "ftp-dmesg-saved", "ftp-dmesg-failed", "ftp-login-failed", "ftp-vmcore-saved",
        "ftp-vmcore-failed", "path-refused", "path-ignored", "lock-waiting", "lock-timeout",
        "lock-unavailable",
        "lock-skipped", "propagate-no-ssh", "using-existing-key", "generating-key",
        "keygen-failed", "key-send-failed", "key-propagated", "load-retry",
        "reload-kept-previous", "reload-restored", "reload-handed-on", "reload-pending",
        "reload-lost", "crashkernel-cma-unknown",
        "kexec-load-disabled-unknown", "kexec-load-disabled", "kexec-load-disabled-loaded",
        "lockdown-unknown", "lockdown-no-kexec-file", "lockdown-kexec-file-unknown",
        "kexec-refused",
    ]
else:
    Code = str
