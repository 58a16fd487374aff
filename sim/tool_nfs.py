"""The simulated NFS mount and umount: a mount moves the export directory over the mount
point, umount moves it back.  Faults: sim/faults.py."""

from __future__ import annotations

import os

from sim.tools import Call, Outcome, fires, split_options

MOUNT_FAILED = 32


# -- NFS: mount and umount ---------------------------------------------------------------------
def mount(call: Call) -> Outcome:
    options, positional = split_options(call.args, {"-t", "-o"})
    if options.get("-t") != ["nfs"] or len(positional) != 2:
        return Outcome(MOUNT_FAILED, b"", "mount: only 'mount -t nfs SERVER:/PATH DIR' "
                                          "is simulated\n")
    source, mountpoint = positional
    machine = call.machine
    server, _, export = source.partition(":")
    exports = {_export_key(str(e)) for e in machine.state.get("nfs_exports", [])}
    if fires(machine, "nfs-mount"):
        return Outcome(MOUNT_FAILED, b"", f"mount.nfs: Connection timed out for {source}\n")
    if _export_key(source) not in exports:
        return Outcome(MOUNT_FAILED, b"", f"mount.nfs: access denied by server while "
                                          f"mounting {source}\n")
    if mountpoint in machine.state.get("mounts", {}):
        return Outcome(MOUNT_FAILED, b"", f"mount.nfs: {mountpoint} is busy or already "
                                          "mounted\n")
    under = call.files.host_path(mountpoint)
    if not os.path.isdir(under):
        return Outcome(MOUNT_FAILED, b"", f"mount.nfs: mount point {mountpoint} does not "
                                          "exist\n")
    directory = machine.remote_dir("nfs", server, "/" + export.strip("/"))
    machine.attach_export(mountpoint, under, directory, source,
                          readonly=bool(machine.fault("nfs-readonly")))
    return Outcome(0)


def _export_key(source: str) -> str:
    server, _, export = source.partition(":")
    return f"{server}:/{export.strip('/')}"


def umount(call: Call) -> Outcome:
    _, positional = split_options(call.args, set())
    if len(positional) != 1:
        return Outcome(1, b"", "umount: only 'umount DIR' is simulated\n")
    target = positional[0]
    if target not in call.machine.state.get("mounts", {}):
        return Outcome(MOUNT_FAILED, b"", f"umount: {target}: not mounted.\n")
    if fires(call.machine, "nfs-umount"):
        return Outcome(MOUNT_FAILED, b"", f"umount.nfs: {target}: device is busy\n")
    call.machine.detach_export(target)
    return Outcome(0)
