"""The catalog: every message kdump-config can print, once, with a stable code.

A code is never reused for a different meaning.  Templates use ``str.format``
fields; ``{name}`` is the program name (``NAME``, default ``kdump-config``).
Wording follows the seed man page where it documents a message, otherwise the
reference script.  Severity decides the rendering, as Debian's lsb
init-functions do: failure ``X ... failed!``, warning ``X ... (warning).``,
action/success ``X.``, plain ``X``.
"""

from __future__ import annotations

from backends.record import Record
from kdump.codes import Code

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal

    # How a message is rendered and journalled: plain strings at run time, checked by
    # mypy (as the codes are, kdump/codes.py).
    Severity = Literal["failure", "warning", "action", "success", "plain"]

SEVERITIES: tuple[Severity, ...] = ("failure", "warning", "action", "success", "plain")


class Message(Record):
    code: Code
    template: str  # one line; a second line (if any) goes in ``more``
    severity: Severity
    exit_code: int = 0  # the exit status when this message ends the command
    syslog: bool = False  # also sent to the journal (kdump/logging.py)
    stderr: bool = False
    more: tuple[str, ...] = ()  # further lines, rendered with the same severity
    # How to fix what this message reports (shown by `check`); "" when no fix applies
    # or the check's own remedy (CHECKS) does.
    remedy: str = ""
    journal_only: bool = False  # never shown: a record for the journal alone (Reporter.log)

    def lines(self, params: dict[str, object]) -> list[str]:
        return [line.format(**params) for line in (self.template, *self.more)]


F, W, A, S, P = SEVERITIES

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
    # -- robustness: hostile files and values --------------------------------------------------
    Message("option-empty", "{option} must not be empty", F, 1),
    # -- the command line: why a command line was refused, on stderr before the
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
    Message("use-kdump-off", "{config}: USE_KDUMP is not set or zero", F, 1,
            remedy='set USE_KDUMP=1 in {config}'),
    Message("kdump-not-supported", "kdump is not supported by this kernel", F, 1,
            remedy="boot a kernel built with CONFIG_KEXEC and CONFIG_CRASH_DUMP (Debian's are)"),
    Message("no-crashkernel", "no crashkernel= parameter in the kernel cmdline", F, 1,
            # Worded for any boot loader: the GRUB steps apply only where GRUB is.
            remedy=("add crashkernel={suggested} to the kernel command line and reboot (with "
                    "GRUB: add it to GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, then run "
                    "update-grub)")),
    Message("ssh-nfs-conflict", "SSH and NFS cannot be defined concurrently", F, 1,
            remedy='set either SSH or NFS in {config}, not both'),
    Message("fadump-not-configured", "fadump is not configured in this kernel.", F, 1,
            more=('Try passing "fadump=on" to enable fadump',),
            remedy='boot with "fadump=on" on a POWER system whose firmware supports it'),
    # -- locating the kdump kernel (seed) ----------------------------------------------------
    Message("kdump-kernel-missing", "{config}: KDUMP_KERNEL does not exist: {path}", F, 1,
            remedy=("set KDUMP_KERNEL in {config} to a kernel that exists (for "
                    "/var/lib/kdump/vmlinuz: run 'kdump-config symlinks $(uname -r)')")),
    Message("kdump-initrd-missing", "{config}: KDUMP_INITRD does not exist: {path}", F, 1,
            remedy=("run 'kdump-config symlinks $(uname -r)' (it rebuilds the kdump initrd) "
                    "or set KDUMP_INITRD in {config}")),
    Message("no-kdump-kernel", "no KDUMP_KERNEL in {config} and", F, 1,
            more=("can't find a kdump package directory in /usr/lib",),
            remedy="set KDUMP_KERNEL (and KDUMP_INITRD) in {config} to a kdump kernel built "
            "for the reserved address, or boot a relocatable kernel (CONFIG_RELOCATABLE=y, "
            "as Debian's are)"),
    Message("kdump-package-broken", "found a linux-kdump package in {pkg_dir}", F, 1,
            more=("but can't find a kdump kernel in {pkg_dir}",),
            remedy=('reinstall the linux-kdump package that provides {pkg_dir}, or set '
                    'KDUMP_KERNEL in {config}')),
    Message("no-kdump-initrd", "no kdump initrd image: {path}", W,
            more=("an initrd will not be used",),
            remedy=("run 'kdump-config symlinks $(uname -r)' (it builds the kdump initrd) "
                    "or set KDUMP_INITRD in {config}")),
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
    Message("kernel-hook-missing", "Unable to locate kernel hook", F, 1,
            remedy=("apt install --reinstall kdump-config (it provides the kernel hook "
                    "/etc/kernel/postinst.d/kdump-tools), then run 'kdump-config symlinks "
                    "$(uname -r)'")),
    Message("invalid-kernel-version", "Invalid kernel version : {version}", F, 1,
            remedy=("install the image of kernel {version} in /boot (apt install --reinstall "
                    "linux-image-{version}), then run 'kdump-config symlinks {version}'")),
    Message("kernel-hook-failed", "{hook} failed to build {initrd}", F, 1),
    # -- load / unload -------------------------------------------------------------------------
    Message("kexec-missing",
            "kexec is not installed: no {program} program found (install kexec-tools)", F, 1,
            remedy='apt install kexec-tools'),
    Message("load-failed", "failed to load kdump kernel", F, 1, syslog=True),
    Message("loaded", "loaded kdump kernel", A, syslog=True),
    # The kexec command load ran, for the journal (the original logged it too).
    Message("kexec-command", "{command}", A, syslog=True, journal_only=True),
    Message("unload-failed", "failed to unload kdump kernel", F, 1, syslog=True),
    Message("unloaded", "unloaded kdump kernel", A, syslog=True),
    # -- hotplug: when try-reload (and load) have nothing to do -----------------------
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
            F, 1, syslog=True, more=("to make kdump work: {remedy}",),
            remedy='{remedy}'),
    Message("loaded-by-kexec-load",
            "the capture kernel was loaded with kexec_load, whose crash dump header is invalid "
            "on {release} (no _text in /proc/kallsyms): run 'kdump-config reload' "
            "to load it with kexec_file_load", F, 1,
            remedy="run 'kdump-config reload' (it loads with kexec_file_load, -s)"),
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
    Message("estimate-below-minimum",
            "Suggested crashkernel below minimum ({raw}), surplus={surplus}", A, syslog=True,
            journal_only=True),
    Message("no-kexec-command", "no kexec command recorded", P),
    # -- what `kdump-config check` finds wrong, beyond the seed's diagnostics ----------------
    Message("crashkernel-not-reserved",
            "no memory is reserved for the capture kernel (kexec_crash_size is 0)", F,
            remedy=("the kernel could not reserve crashkernel= memory: check 'dmesg | grep -i "
                    "crash', try a smaller size or crashkernel=SIZE,high, and reboot")),
    Message("crashkernel-size-unknown",
            "cannot tell how much memory is reserved for the capture kernel: {path} is missing "
            "or holds no number", W,
            remedy=("boot a kernel built with CONFIG_KEXEC and CONFIG_CRASH_DUMP (Debian's "
                    "are): it reports the reservation in {path}")),
    Message("crashkernel-too-small",
            "{reserved}M reserved for the capture kernel, less than the {suggested} it needs", W,
            remedy="raise crashkernel= to at least {suggested} and reboot"),
    Message("kdump-initrd-unset",
            "KDUMP_KERNEL is set in {config} without KDUMP_INITRD: an initrd will not be used",
            W, remedy="set KDUMP_INITRD in {config} to the kdump kernel's initrd"),
    Message("kdump-initrd-no-kernel",
            "no kdump initrd: there is no kdump kernel to go with one", W,
            remedy="make the kdump-kernel check pass first: the initrd is chosen with the kernel"),
    Message("config-missing", "{config} does not exist: kdump is disabled", F,
            remedy=("install or restore {config} (the kdump-tools package creates it), then set "
                    "USE_KDUMP=1 in it")),
    Message("kdump-dir-missing", "{path} does not exist: no kernel links to load from", W,
            remedy=("run 'kdump-config load' (or 'kdump-config symlinks $(uname -r)' while "
                    "unloaded)")),
    Message("kernel-links-invalid",
            "{links}: missing, dangling, or not for the running kernel {release}", W,
            remedy=("run 'kdump-config load' (or 'kdump-config symlinks $(uname -r)' while "
                    "unloaded)")),
    Message("kexec-load-forced-under-lockdown",
            "the kernel only accepts signed images through kexec_file_load (-s) ({why}), but "
            "KDUMP_KEXEC_ARGS forces kexec_load (-c/--kexec-syscall)", F,
            remedy=("remove -c/--kexec-syscall from KDUMP_KEXEC_ARGS in {config}: a locked-down "
                    "kernel only accepts signed images through kexec_file_load (-s)")),
    Message("kallsyms-unreadable",
            "{path} is unreadable: cannot tell whether kexec_load can build the crash dump "
            "header", W, remedy="run 'kdump-config check' as root, who can read {path}"),
    Message("hotplug-reloads",
            "the kernel does not update the loaded capture image on CPU or memory hotplug: "
            "udev reloads it on every event", W,
            remedy=("load with kexec_file_load (KDUMP_KEXEC_ARGS=\"-s\") or with kexec-tools' "
                    "--hotplug, so that the kernel updates the image itself instead of a "
                    "reload per hotplug event")),
    Message("kdump-not-loaded", "no kdump kernel is loaded", F,
            remedy="run 'kdump-config load' (the kdump-tools service does it at boot)"),
    Message("fadump-not-registered", "fadump is not registered", F,
            remedy="run 'kdump-config load' (the kdump-tools service does it at boot)"),
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
    Message("path-ignored", "{name}: ignoring {path}: {reason}", W, syslog=True,
            remedy=("another user made this name where kdump-config keeps its own file (a "
                    "directory every user can write to, such as a 1777 KDUMP_COREDIR): "
                    "kdump-config neither reads nor follows it, and replaces it at the next "
                    "load; remove it, or give KDUMP_COREDIR to root (chmod 0755)")),
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
    # -- reload: never less ready than before (kdump/swap.py) -----------------------------------
    Message("load-retry", "{name}: {reason}: trying again in {seconds} seconds", W,
            syslog=True),
    Message("reload-kept-previous",
            "{name}: the previous {what} is still {state}: a crash is still captured with "
            "it", W, syslog=True,
            remedy="fix what the line above says, then run 'kdump-config reload' again"),
    Message("reload-restored",
            "{name}: the previous capture kernel was loaded again: a crash is still captured "
            "with it", W, syslog=True,
            remedy="fix what the lines above say, then run 'kdump-config reload' again"),
    Message("reload-handed-on",
            "{name}: the reload this request queued is left pending: the next command to "
            "take the lock runs it when it finishes", W, syslog=True),
    Message("reload-pending", "{name}: running the reload a try-reload request left pending",
            A, syslog=True),
    Message("reload-lost",
            "{name}: nothing is loaded for a crash now: the previous {what} could not be "
            "restored", F, 1, syslog=True,
            remedy="fix what the lines above say, then run 'kdump-config load'"),
    # -- what the kernel lets kexec do (check, status, load, unload) -------------------------
    Message("crashkernel-cma-unknown",
            "crashkernel=...,cma is on the kernel command line, but the kernel does not list "
            "its CMA ranges ({path}): {reserved}M counted without them", W,
            remedy=("boot Linux 6.19 or later, which lists them, or compare the crashkernel "
                    "lines of 'dmesg | grep -i crashkernel' against {suggested}")),
    Message("kexec-load-disabled-unknown",
            "cannot tell whether the kernel allows kexec loads: {path} is missing or holds no "
            "number", W,
            remedy=("run 'kdump-config check' as root on the host (a container may hide "
                    "{path}), on a kernel built with CONFIG_KEXEC_CORE (Debian's are)")),
    Message("kexec-load-disabled",
            "kernel.kexec_load_disabled is 1: the kernel refuses to load a capture kernel "
            "until it reboots", F,
            remedy=("remove kernel.kexec_load_disabled=1 from /etc/sysctl.conf and "
                    "/etc/sysctl.d/ (or set it only after kdump-tools has loaded), then reboot: "
                    "the setting cannot be turned back to 0")),
    Message("kexec-load-disabled-loaded",
            "kernel.kexec_load_disabled is 1: the loaded capture kernel stays, but it cannot "
            "be reloaded or unloaded (hotplug, kernel updates, config changes) until reboot",
            W, remedy=("set kernel.kexec_load_disabled=1 only after kdump-tools has loaded, "
                       "and reboot after changing the kdump configuration or kernel")),
    Message("lockdown-unknown",
            "secure boot is on but {path} is unreadable: cannot tell whether lockdown refuses "
            "kexec_load", W,
            remedy=("mount securityfs ('mount -t securityfs securityfs /sys/kernel/security') "
                    "and run 'kdump-config check' as root")),
    Message("lockdown-no-kexec-file",
            "lockdown {lockdown} refuses kexec_load, and the kernel has no kexec_file_load "
            "(CONFIG_KEXEC_FILE is not set in /boot/config-{release}): no capture kernel can "
            "be loaded", F,
            remedy=("boot a kernel built with CONFIG_KEXEC_FILE and CONFIG_KEXEC_SIG (Debian's "
                    "are), or one not in lockdown (Secure Boot off, no lockdown= on the "
                    "command line)")),
    Message("lockdown-kexec-file-unknown",
            "lockdown {lockdown} refuses kexec_load, and /boot/config-{release} does not say "
            "whether the kernel has kexec_file_load (CONFIG_KEXEC_FILE)", W,
            remedy=("install /boot/config-{release} (linux-image packages ship it) so that "
                    "check can tell; the kernel needs CONFIG_KEXEC_FILE=y to load under "
                    "lockdown")),
    Message("kexec-refused",
            "the kernel refused kexec (Operation not permitted); likely cause: {cause}", F, 1,
            syslog=True, more=("to make kdump work: {remedy}",), remedy="{remedy}"),
]

CATALOG: dict[Code, Message] = {}
for _message in _ALL:
    if _message.code in CATALOG:
        raise RuntimeError(f"duplicate message code {_message.code}")
    CATALOG[_message.code] = _message


def get(code: Code) -> Message:
    return CATALOG[code]
