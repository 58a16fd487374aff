"""The settings of ``/etc/default/kdump-tools``: names, defaults and documentation.

kdump/config.py reads them, kdump/docgen.py documents them (kdump-tools(5) and the
packaged template), so documentation and parser cannot drift apart.
"""

from __future__ import annotations

from backends.record import Record


class Key(Record):
    """One setting of /etc/default/kdump-tools, documented once.

    The man page kdump-tools(5) and the packaged config template are generated from this
    table (kdump/docgen.py), so documentation and parser cannot drift apart.
    """

    name: str
    default: str  # what an absent or empty value means, in words
    doc: str
    example: str = ""  # the template's line; commented out unless ``active``
    active: bool = False


KEYS: tuple[Key, ...] = (
    Key("USE_KDUMP", "0 (disabled)",
        "1 enables kdump; 0 or empty disables it (the package's debconf question "
        "kdump-tools/use_kdump sets it). Also yes/no, true/false, on/off.", "1", active=True),
    Key("KDUMP_KERNEL", "the running kernel, when it is relocatable",
        "The kernel kexec loads as the capture kernel. kdump-config load keeps the link "
        "/var/lib/kdump/vmlinuz pointing at the running kernel.",
        "/var/lib/kdump/vmlinuz", active=True),
    Key("KDUMP_INITRD", "none",
        "The initrd of the capture kernel; the kernel postinst hook builds a small one in "
        "/var/lib/kdump for every installed kernel.", "/var/lib/kdump/initrd.img", active=True),
    Key("KDUMP_COREDIR", "/var/crash",
        "Where dumps are saved: the local directory, the NFS mount point, or the base "
        "directory on the SSH server. Each dump goes in a directory named by date.",
        '"/var/crash"', active=True),
    Key("KDUMP_FAIL_CMD", "reboot -f",
        "Run by kdump-tools-dump.service when savecore fails, instead of rebooting; "
        "e.g. a shell to inspect the capture kernel.", '"reboot -f"'),
    Key("KDUMP_DUMP_DMESG", "1",
        "1 saves the crashed kernel's log as dmesg.STAMP next to the dump; 0 skips it.", "1"),
    Key("KDUMP_NUM_DUMPS", "0 (keep all)",
        "Keep at most this many local dumps: older ones are removed before a new one is "
        "saved. 0 keeps every dump.", "0"),
    Key("KDUMP_COMPRESSION", "none",
        "Compress the saved dump with bzip2, gzip, lz4 or xz.", ""),
    Key("MAKEDUMP_ARGS", "-F -c -d 31",
        "Arguments for makedumpfile; -F (flattened output) is added when absent.",
        '"-c -d 31"'),
    Key("KDUMP_KEXEC_ARGS", "none",
        "Extra kexec arguments, split like a shell would but never run; e.g. -s to load "
        "with kexec_file_load on a locked-down kernel.", '""'),
    Key("KDUMP_CMDLINE", "/proc/cmdline without crashkernel=, hugepages=, hugepagesz= and abm=",
        "The whole command line of the capture kernel.", '""'),
    Key("KDUMP_CMDLINE_APPEND", "per architecture (see kdump-config show)",
        "Added to the capture kernel's command line. The default starts with "
        "reset_devices systemd.unit=kdump-tools-dump.service, which boots the capture kernel "
        "into the dump service.", '"reset_devices systemd.unit=kdump-tools-dump.service"'),
    Key("HOSTTAG", "ip",
        "ip or hostname: how remote dumps (NFS, SSH, FTP) are prefixed.", "hostname"),
    Key("NFS", "none", "Save dumps to this NFS export (host:/path) instead of locally.",
        '"server:/export/crash"'),
    Key("NFS_TIMEO", "600", "NFS mount option timeo.", "600"),
    Key("NFS_RETRANS", "3", "NFS mount option retrans.", "3"),
    Key("NFS_MOUNT_RETRY", "4", "NFS mount attempts, 3 seconds apart.", "4"),
    Key("SSH", "none", "Send dumps to user@host over SSH (see kdump-config propagate).",
        '"root@server"'),
    Key("SSH_KEY", "/root/.ssh/kdump_id_rsa", "The private key used for SSH dumps.",
        "/root/.ssh/kdump_id_rsa"),
    Key("SSH_KDUMP_RETRY", "16", "Attempts to reach the SSH server, 3 seconds apart.", "16"),
    Key("FTP", "none", "Send dumps to host[:path] over FTP.", '"server:/crash"'),
    Key("FTP_USER", "anonymous", "FTP user name.", '""'),
    Key("FTP_PASSWORD", "none", "FTP password.", '""'),
    Key("FTP_PORT", "21", "FTP port.", "21"),
    Key("KDUMP_CONFIG", "none",
        "The .config of a kdump kernel that is not relocatable, to read its load address.",
        '""'),
    Key("KDUMP_SAVECORE_TIMEOUT", "21600 (6 hours)",
        "savecore's whole run, in seconds: after it every program still running is stopped, "
        "unfinished files keep their -incomplete names and savecore exits 1, so "
        "KDUMP_FAIL_CMD or the reboot still happens.", "21600"),
)

KNOWN_KEYS = tuple(key.name for key in KEYS)

# Keys older packages read; say what took their place instead of "unknown".
HISTORICAL_KEYS = {
    "KDUMP_SYSCTL": "sysctl overrides for the kdump kernel now live in /etc/kdump/sysctl.conf",
    "DEBUG_KERNEL": "a debug kernel is not used for dumping any more",
}

DEFAULT_MAKEDUMP_ARGS = "-F -c -d 31"
DEFAULT_SSH_KEY = "/root/.ssh/kdump_id_rsa"
# Seconds savecore may spend on all its transfers together: generous (a slow network
# and a large dump), but finite, so the capture kernel always reaches the reboot.
DEFAULT_SAVECORE_TIMEOUT = 6 * 3600

