"""The guest userlands run-qemu boots: one Debian architecture of one Debian release each."""

from __future__ import annotations

import dataclasses

# Modules the initramfs loads to mount the 9p shares (per architecture: see Arch.modules).
# Dependencies are added from each module's own .modinfo, so only the leaves are listed.
INITRAMFS_MODULES = ("virtio_pci", "9pnet_virtio", "9p")
# arm64 guests use QEMU's virt board with virtio over MMIO (virtio-9p-device): no PCI bus
# to probe, and Debian builds virtio_mmio as a module there.
INITRAMFS_MODULES_MMIO = ("virtio_mmio", "9pnet_virtio", "9p")


@dataclasses.dataclass(frozen=True)
class Arch:
    """A guest userland: one Debian architecture of one Debian release."""

    name: str  # key in ARCHES; names the APT root, sysroot and venv in the cache
    deb: str  # Debian architecture name
    uname: str  # what `uname -m` says in the guest
    kernel_meta: str  # the meta package whose Depends names the current kernel
    image_prefix: str  # /boot/<prefix>-<ver>: vmlinuz (bzImage) or vmlinux (ELF)
    qemu_package: str
    qemu_binary: str
    modules: tuple[str, ...] = INITRAMFS_MODULES
    backports: bool = False  # also fetch <release>-backports' lists (a newer kernel)
    release: str = "bookworm"
    python: str = "3.11"  # the release's python3 (the guest venv is built for it)


_ARM64 = Arch(
    name="arm64",
    deb="arm64",
    uname="aarch64",
    kernel_meta="linux-image-arm64",
    image_prefix="vmlinuz",
    qemu_package="qemu-system-arm",
    qemu_binary="qemu-system-aarch64",
    modules=INITRAMFS_MODULES_MMIO,
    backports=True,
)

ARCHES = {
    "amd64": Arch(
        name="amd64",
        deb="amd64",
        uname="x86_64",
        kernel_meta="linux-image-amd64",
        image_prefix="vmlinuz",
        qemu_package="qemu-system-x86",
        qemu_binary="qemu-system-x86_64",
    ),
    "ppc64el": Arch(
        name="ppc64el",
        deb="ppc64el",
        uname="ppc64le",
        kernel_meta="linux-image-powerpc64le",
        image_prefix="vmlinux",
        qemu_package="qemu-system-ppc",
        qemu_binary="qemu-system-ppc64",
    ),
    # Debian's arm64 /boot/vmlinuz is a raw Image (with an EFI stub), which QEMU's virt
    # board boots with -kernel as it is.
    "arm64": _ARM64,
    # Debian 13: kernel 6.12 with CONFIG_KALLSYMS_ALL, kexec-tools and a makedumpfile that
    # reads its 52-bit-VA dumps; python3 is 3.13.
    "arm64-trixie": dataclasses.replace(_ARM64, name="arm64-trixie", backports=False,
                                        release="trixie", python="3.13"),
}
