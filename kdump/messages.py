"""The catalog: every message kdump-config can print, once, with a stable code.

A code is never reused for a different meaning.  Templates use ``str.format``
fields; ``{name}`` is the program name (``NAME``, default ``kdump-config``).
Wording follows the seed man page where it documents a message, otherwise the
reference script.  Severity decides the rendering, as Debian's lsb
init-functions do: failure ``X ... failed!``, warning ``X ... (warning).``,
action/success ``X.``, plain ``X``.
"""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple


class Severity(Enum):
    FAILURE = "failure"
    WARNING = "warning"
    ACTION = "action"
    SUCCESS = "success"
    PLAIN = "plain"


class Message(NamedTuple):
    code: str
    template: str  # one line; a second line (if any) goes in ``more``
    severity: Severity
    exit_code: int = 0  # the exit status when this message ends the command
    syslog: bool = False
    stderr: bool = False
    more: tuple[str, ...] = ()  # further lines, rendered with the same severity

    def lines(self, params: dict[str, object]) -> list[str]:
        return [line.format(**params) for line in (self.template, *self.more)]


F, W, A, S, P = (Severity.FAILURE, Severity.WARNING, Severity.ACTION, Severity.SUCCESS,
                 Severity.PLAIN)

USAGE_COMMANDS = ("help|test|show|status|check|load|unload|reload|try-reload|savecore|"
                  "propagate|symlinks kernel-version")

_ALL = [
    # -- configuration and invocation ----------------------------------------------------
    Message("usage", "Usage: {prog} {{" + USAGE_COMMANDS + "}}", P, 1),
    Message("config-syntax", "{detail}", F, 1),
    Message("config-value", "{detail}", F, 1),
    Message("config-unknown-key", "{detail}", W),
    # A value that becomes a program's argument (SSH, NFS, FTP...) and could be read as an
    # option, leave the dump directory, or break an FTP command: rejected when the config
    # is read, with file:line (not passed after "--": neither busybox's nor every ssh's
    # parser honours it, and an FTP command line has no such thing).
    Message("config-argument", "{detail}", F, 1),
    Message("backend-error", "{detail}", F, 1),
    Message("host-error", "{name}: {detail}", F, 1, syslog=True),
    # -- robustness (issue 12: classes 4 and 7) ------------------------------------------------
    Message("option-empty", "{option} must not be empty", F, 1),
    # -- the command line (issue 10): why a command line was refused, on stderr before the
    # usage line (which stays the seed's, exit 1); help, --help and --version --------------
    Message("usage-no-command", "{name}: no command given", P, stderr=True),
    Message("usage-unknown-command", "{name}: unknown command {command!r}", P,
            stderr=True),
    Message("usage-unknown-option", "{name}: unknown option {option}", P, stderr=True),
    Message("usage-missing-value", "{name}: {option} needs a value", P, stderr=True),
    Message("usage-option-value", "{name}: {option} takes no value", P, stderr=True),
    Message("usage-extra-argument", "{name}: unexpected argument {argument!r} after "
            "{command}", P, stderr=True),
    Message("usage-root-missing", "{name}: {option} {root}: no such directory", P,
            stderr=True),
    Message("usage-root-no-proc", "{name}: {option} {root}: no /proc in it: not the root of "
            "a machine", P, stderr=True),
    Message("version", "kdump-config {version}", P, more=(
        "follows the behaviour of Debian's kdump-tools {follows}, with the fixes "
        "documented in docs/compatibility.md",)),
    Message("config-unreadable", "{detail}", F, 1),
    Message("config-too-large", "{detail}", F, 1),
    Message("internal-error", "{name}: internal error: {detail} "
            "(set KDUMP_DEBUG=1 for a traceback)", F, 1, syslog=True),
    # -- kdump support checks (seed) ----------------------------------------------------------
    Message("use-kdump-off", "{config}: USE_KDUMP is not set or zero", F, 1),
    Message("kdump-not-supported", "kdump is not supported by this kernel", F, 1),
    Message("no-crashkernel", "no crashkernel= parameter in the kernel cmdline", F, 1),
    Message("ssh-nfs-conflict", "SSH and NFS cannot be defined concurrently", F, 1),
    Message("fadump-not-configured", "fadump is not configured in this kernel.", F, 1,
            more=('Try passing "fadump=on" to enable fadump',)),
    # -- locating the kdump kernel (seed) ----------------------------------------------------
    Message("kdump-kernel-missing", "{config}: KDUMP_KERNEL does not exist: {path}", F, 1),
    Message("kdump-initrd-missing", "{config}: KDUMP_INITRD does not exist: {path}", F, 1),
    Message("no-kdump-kernel", "no KDUMP_KERNEL in {config} and", F, 1,
            more=("can't find a kdump package directory in /usr/lib",)),
    Message("kdump-package-broken", "found a linux-kdump package in {pkg_dir}", F, 1,
            more=("but can't find a kdump kernel in {pkg_dir}",)),
    Message("no-kdump-initrd", "no kdump initrd image: {path}", W,
            more=("an initrd will not be used",)),
    Message("relocation-mismatch",
            "kdump kernel relocation address does not match crashkernel= parameter", F, 1),
    # -- symlinks (seed) ---------------------------------------------------------------------------
    Message("invalid-symlink", "Invalid symlink : {link}", F),
    Message("creating-symlink", "Creating symlink {link}", A),
    Message("missing-kernel-version", "Invalid argument : missing kernel version", F, 1),
    Message("symlinks-while-loaded", "Cannot change symbolic links when kdump is loaded", F, 1),
    # After symlinks-while-loaded in `load` (the original's line and exit status kept):
    # the command that does what the user meant.
    Message("load-while-loaded-hint",
            "kdump is already loaded: run 'kdump-config reload' to load it again", P),
    Message("kernel-hook-missing", "Unable to locate kernel hook", F, 1),
    Message("invalid-kernel-version", "Invalid kernel version : {version}", F, 1),
    Message("kernel-hook-failed", "{hook} failed to build {initrd}", F, 1),
    # -- load / unload -------------------------------------------------------------------------
    Message("kexec-missing",
            "kexec is not installed: no {program} program found (install kexec-tools)", F, 1),
    Message("load-failed", "failed to load kdump kernel", F, 1, syslog=True),
    Message("loaded", "loaded kdump kernel", A, syslog=True),
    Message("unload-failed", "failed to unload kdump kernel", F, 1, syslog=True),
    Message("unloaded", "unloaded kdump kernel", A, syslog=True),
    # -- hotplug (issue 11): when try-reload (and load) have nothing to do -----------------------
    Message("capture-kernel-skip", "{name}: running in the capture kernel ({vmcore} exists): "
            "{command} does nothing here", A),
    Message("hotplug-by-kernel", "{name}: the kernel updates the loaded crash image on CPU "
            "and memory hotplug itself: {command} does nothing", A),
    Message("reload-queued", "{name}: a reload is already queued: it will cover this "
            "request", A),
    # arm64 kernels without _text in /proc/kallsyms (kdump/checks.py: symbols_finding).
    Message("kexec-symbols-missing",
            "kexec_load cannot build a valid crash dump header on {release}: /proc/kallsyms "
            "has no _text symbol (the kernel was built without CONFIG_KALLSYMS_ALL), and {why}",
            F, 1, syslog=True, more=("to make kdump work: {remedy}",)),
    Message("loaded-by-kexec-load",
            "the capture kernel was loaded with kexec_load, whose crash dump header is invalid "
            "on {release} (no _text in /proc/kallsyms): run 'kdump-config reload' "
            "to load it with kexec_file_load", F, 1),
    Message("panic-trigger-unavailable",
            "{name} couldn't set panic trigger (sysctl binary not available)", W),
    Message("fadump-registered", "fadump registered successfully", A, syslog=True),
    Message("fadump-register-failed", "fadump registering failed", F, 1, syslog=True),
    Message("fadump-unregistered", "fadump un-registered successfully", A, syslog=True),
    Message("fadump-unregister-failed", "fadump un-registering failed", F, 1, syslog=True),
    # -- report lines of status / show / test -----------------------------------------------------
    Message("state-ready", "current state   : ready to {mode}", P),
    Message("state-not-ready", "current state   : Not ready to {mode}", P),
    Message("estimate", "crashkernel suggested size: {size}M", P),
    Message("estimate-unknown", "crashkernel suggested size: Unknown ({reason})", P),
    Message("no-kexec-command", "no kexec command recorded", P),
    # -- savecore (seed and reference) ----------------------------------------------------------
    Message("no-vmcore", "{name}: {vmcore} does not exist: this is not a capture kernel, "
            "there is no vmcore to save", F, 1, syslog=True),
    Message("compression-missing", "Error: Compression set to {method}, but {tool} command not "
            "found. Disabling compression.", P, stderr=True),
    Message("compression-unsupported", "Error: Compression '{method}' not supported. "
            "Disabling compression.", P, stderr=True),
    Message("no-ip", "Unable to get IP from network", F, stderr=True),
    Message("hostname-unsafe", "the hostname {hostname!r} cannot name a dump directory; "
            "using {tag}", W, stderr=True),
    Message("savecore-timeout", "{name}: savecore ran out of time (KDUMP_SAVECORE_TIMEOUT="
            "{timeout} seconds): the transfer was stopped and unfinished files keep their "
            "-incomplete names", F, 1, syslog=True),
    Message("hosttag-fallback", "Reverting to HOSTTAG=hostname", A, stderr=True),
    Message("makedumpfile-missing-dmesg", "makedumpfile not installed, cannot extract dmesg", W),
    Message("running-dmesg", "running makedumpfile --dump-dmesg {vmcore} {path}", A),
    Message("dmesg-failed",
            "{name}: makedumpfile --dump-dmesg failed. dmesg content will be unavailable", F,
            syslog=True),
    Message("dmesg-saved", "{name}: saved dmesg content in {where}", A, syslog=True),
    Message("dmesg-save-failed", "{name}: failed to save dmesg content in {where}", F,
            syslog=True),
    Message("running-makedumpfile",
            "running makedumpfile {args} {vmcore} | compress > {path}", A),
    Message("makedumpfile-failed", "{name}: makedumpfile failed, falling back to 'cp'", F,
            syslog=True),
    Message("running-cp", "running cp {vmcore} {path}", A),
    Message("vmcore-saved", "{name}: saved vmcore in {where}", A, syslog=True),
    Message("vmcore-save-failed", "{name}: failed to save vmcore in {where}", F, 1, syslog=True),
    Message("purging", "Too many dumps, purging: {victims}", A, syslog=True),
    Message("purge-failed", "{name}: could not remove the old dump {path}: {reason}", W,
            syslog=True),
    Message("nfs-mounting", "Mounting NFS mountpoint {nfs} ...", A),
    Message("network-retry", "Network not reachable; will try {count} more times", A),
    Message("nfs-mount-failed",
            "{name}: Unable to mount remote NFS directory {nfs}. Cannot save core", F, 1,
            syslog=True),
    Message("nfs-write-failed",
            "{name}: Unable to write to the remote NFS directory {nfs}. Cannot save core", F, 1,
            syslog=True),
    Message("nfs-dumping", "Dumping to NFS mountpoint {where}", A, syslog=True),
    Message("nfs-umount-failed", "{name}: Unable to cleanly unmount the NFS file system", F,
            syslog=True),
    Message("ssh-unreachable",
            "{name}: Unable to reach remote server {server}. No reason to continue", F, 1,
            syslog=True),
    Message("ssh-mkdir-failed",
            "{name}: Unable to create the remote directory {ssh}:{path}. Cannot save core", F, 1,
            syslog=True),
    Message("ssh-sending-makedumpfile",
            "sending makedumpfile {args} {vmcore} to {ssh} : {path}", A),
    Message("ssh-makedumpfile-failed", "{name}: makedumpfile failed, falling back to 'scp'", F,
            syslog=True),
    Message("ssh-sending-vmcore", "sending {vmcore} to {ssh} : {path}", A),
    Message("scp-failed",
            "{name}: makedumpfile scp failed. The vmcore file will not be available", F,
            syslog=True),
    Message("ftp-sending-makedumpfile",
            "sending makedumpfile {args} {vmcore} via FTP to {where}", A),
    Message("ftp-makedumpfile-failed",
            "{name}: makedumpfile failed, retrying with full vmcore", F, syslog=True),
    Message("ftp-sending-vmcore", "sending {vmcore} via FTP to {where}", A),
    Message("ftp-dmesg-saved", "{name}: saved dmesg content via FTP in {where}", A,
            syslog=True),
    Message("ftp-dmesg-failed", "{name}: failed to save dmesg content via FTP in {where}", F,
            syslog=True),
    Message("ftp-login-failed",
            "{name}: the FTP server {host} refused the login of user {user}. Cannot save core",
            F, 1, syslog=True),
    Message("ftp-vmcore-saved", "{name}: saved vmcore via FTP in {where}", A, syslog=True),
    Message("ftp-vmcore-failed", "{name}: failed to save vmcore via FTP in {where}", F, 1,
            syslog=True),
    # -- safety of the files kdump-config writes, and its lock ------------------------------
    Message("path-refused", "{name}: refusing to write {path}: {reason}", F, 1, syslog=True),
    Message("lock-waiting",
            "{name}: waiting up to {seconds} seconds for the lock {path}, held by {holder}", W),
    Message("lock-timeout",
            "{name}: the lock {path} is still held by {holder} after {seconds} seconds; "
            "nothing was changed", F, 1, syslog=True),
    Message("lock-unavailable", "{name}: cannot take the lock {path}: {reason}", F, 1,
            syslog=True),
    Message("lock-skipped", "{name}: saving the dump without the lock {path}: {reason}", W,
            syslog=True),
    # -- propagate ---------------------------------------------------------------------------
    Message("propagate-no-ssh",
            "{name}: Remote ssh dump is not configured. No reason to propagate", F, 1,
            syslog=True),
    Message("using-existing-key", "Using existing key {key}", P),
    Message("generating-key", "Need to generate a new ssh key...", P),
    Message("keygen-failed", "{name}: could not generate the ssh key {key}", F, 1,
            syslog=True),
    Message("key-send-failed", "{name}: {key} failed to be sent to {ssh}", F, 1, syslog=True),
    Message("key-propagated", "propagated ssh key {key} to server {ssh}", P, syslog=True),
]

CATALOG: dict[str, Message] = {}
for _message in _ALL:
    if _message.code in CATALOG:
        raise RuntimeError(f"duplicate message code {_message.code}")
    CATALOG[_message.code] = _message


def get(code: str) -> Message:
    return CATALOG[code]


class Check(NamedTuple):
    """A readiness check of `kdump-config check`: what it verifies and how to fix it."""

    name: str
    title: str
    remedy: str


CHECKS: dict[str, Check] = {c.name: c for c in [
    Check("use-kdump", "kdump enabled in {config}",
          "set USE_KDUMP=1 in {config}"),
    Check("kexec-support", "kernel supports kdump (/sys/kernel/kexec_crash_loaded)",
          "boot a kernel built with CONFIG_KEXEC and CONFIG_CRASH_DUMP (Debian's are)"),
    Check("crashkernel-param", "crashkernel= on the kernel command line",
          "add crashkernel={suggested} to GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, "
          "run update-grub and reboot"),
    Check("crashkernel-reserved", "memory reserved for the capture kernel",
          "the kernel could not reserve crashkernel= memory: check 'dmesg | grep -i crash', "
          "try a smaller size or crashkernel=SIZE,high, and reboot"),
    Check("crashkernel-size", "reservation large enough for the capture kernel",
          "raise crashkernel= to at least {suggested} and reboot"),
    Check("kexec-tool", "kexec installed", "apt install kexec-tools"),
    Check("kdump-kernel", "kdump kernel present", "run 'kdump-config symlinks $(uname -r)' "
          "or set KDUMP_KERNEL in {config}"),
    Check("kdump-initrd", "kdump initrd present", "run 'kdump-config symlinks $(uname -r)' "
          "(it rebuilds the kdump initrd) or set KDUMP_INITRD in {config}"),
    Check("kernel-links", "/var/lib/kdump links match the running kernel",
          "run 'kdump-config load' (or 'kdump-config symlinks $(uname -r)' while unloaded)"),
    Check("secure-boot", "kexec mode suits secure boot and lockdown",
          "remove -c/--kexec-syscall from KDUMP_KEXEC_ARGS: a locked-down kernel only "
          "accepts signed images through kexec_file_load (-s)"),
    Check("kexec-symbols", "arm64: a load method that builds a valid crash dump header",
          "{symbols_remedy}"),
    Check("dump-target", "one remote dump target kind",
          "set either SSH or NFS in {config}, not both"),
    Check("fadump-support", "firmware-assisted dump available",
          'boot with "fadump=on" on a POWER system whose firmware supports it'),
    Check("crash-hotplug", "CPU and memory hotplug keep the capture image current",
          "load with kexec_file_load (KDUMP_KEXEC_ARGS=\"-s\") or with kexec-tools' "
          "--hotplug, so that the kernel updates the image itself instead of a reload per "
          "hotplug event"),
    Check("loaded", "capture kernel loaded (or fadump registered)",
          "run 'kdump-config load' (the kdump-tools service does it at boot)"),
]}
