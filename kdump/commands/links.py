"""The /var/lib/kdump vmlinuz and initrd.img links: validate first, then change both."""

from __future__ import annotations

from kdump.context import Context
from kdump.paths import KDUMP_DIR, KERNEL_HOOK, SYSCTL_FILE
from kdump.plan import boot_image

PREVIOUS = ".previous"  # the last good kdump initrd, while its successor is built


def valid_version(version: str) -> bool:
    return bool(version) and "/" not in version and ".." not in version and \
        not version.startswith(".")


def sysctl_changed(ctx: Context, version: str) -> bool:
    """The kdump initrd embeds /etc/kdump/sysctl.conf; a changed file needs a rebuild."""
    current = ctx.host.read_text(SYSCTL_FILE)
    if current is None:
        return False  # no overrides: nothing to embed
    # What the last build embedded (the kernel hook's note): a note that is not root's
    # own file counts as none, so the initrd is rebuilt.
    return current != ctx.read_own_text(f"{KDUMP_DIR}/latest_sysctls-{version}", say=False)


def _build_initrd(ctx: Context, version: str, initrd: str) -> bool:
    """Run the kernel hook; True when it built ``initrd``.

    The old initrd is set aside (``.previous``), never deleted, until the new one exists:
    so a hook that skips the build (in a chroot) cannot pass the stale one off as new, and
    a hook that fails leaves the last good one in place.  One left aside by a build that
    was interrupted is the fallback still.
    """
    host = ctx.host
    aside = initrd + PREVIOUS
    if host.is_file(initrd):
        host.remove(aside)
        host.rename(initrd, aside)
    result = host.run_installed(KERNEL_HOOK, [version], timeout=600)
    ctx.echo_output(result.stdout, result.stderr)
    if result.ok and host.is_file(initrd):
        host.remove(aside)
        return True
    if host.is_file(aside):
        host.remove(initrd)  # what a failed hook left is not the last good one
        host.rename(aside, initrd)
    return False


def update_links(ctx: Context, version: str, rebuild_initrd: bool = False) -> int:
    """Point both links at ``version``; nothing changes unless both can. Returns exit status."""
    host = ctx.host
    image = boot_image(host, version)
    if not image:
        return ctx.emit("invalid-kernel-version", version=version)
    initrd = f"{KDUMP_DIR}/initrd.img-{version}"
    if rebuild_initrd or not host.is_file(initrd):
        if not host.is_executable(KERNEL_HOOK):
            return ctx.emit("kernel-hook-missing")
        if not _build_initrd(ctx, version, initrd):
            return ctx.emit("kernel-hook-failed", hook=KERNEL_HOOK, initrd=initrd)
        sysctls = host.read_text(SYSCTL_FILE)
        if sysctls is not None:
            host.write_text(f"{KDUMP_DIR}/latest_sysctls-{version}", sysctls)
    host.mkdir(KDUMP_DIR)
    for name, target in (("vmlinuz", image), ("initrd.img", initrd)):
        link = f"{KDUMP_DIR}/{name}"
        ctx.emit("creating-symlink", link=link)
        host.symlink(target, link)
    return 0


def symlinks(ctx: Context, version: str | None = None) -> int:
    if not version:
        return ctx.emit("missing-kernel-version")
    if not valid_version(version):
        return ctx.emit("invalid-kernel-version", version=version)
    if ctx.facts.kexec_loaded:
        return ctx.emit("symlinks-while-loaded")
    return update_links(ctx, version)
