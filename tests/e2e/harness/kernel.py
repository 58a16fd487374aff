"""A guest kernel (<cache>/kernel/<pkg>/): boot/ and the few modules the initramfs needs,
unpacked from one kernel .deb; module dependencies read from each module's .modinfo."""

from __future__ import annotations

import dataclasses
import re
import shutil
import tempfile
from pathlib import Path

from harness.arches import Arch
from harness.host import log, run


@dataclasses.dataclass(frozen=True)
class Kernel:
    release: str  # `uname -r`
    image: Path  # boot/vmlinuz-<rel> or boot/vmlinux-<rel>
    config: Path
    modules: list[Path]  # in load order


def unpack_kernel(cache: Path, arch: Arch, deb: Path) -> Kernel:
    dest = cache / "kernel" / deb.stem
    if not (dest / ".complete").exists():
        log(f"unpacking {deb.name}")
        shutil.rmtree(dest, ignore_errors=True)
        (cache / "kernel").mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=cache / "kernel", prefix=".unpack-"))
        try:
            run(["dpkg-deb", "-x", str(deb), str(tmp)])
            (dest / "modules").mkdir(parents=True)
            shutil.copytree(tmp / "boot", dest / "boot")
            # Debian 13's kernel packages ship /usr/lib/modules (merged /usr).
            modules = next(d for d in (tmp / "lib/modules", tmp / "usr/lib/modules") if d.is_dir())
            mod_root = next(modules.iterdir())
            closure = module_closure(mod_root, arch.modules)
            if not closure:
                raise SystemExit(f"{deb.name}: none of the modules {arch.modules} found")
            names = []
            for ko in closure:
                # Newer kernels ship modules xz-compressed; busybox insmod wants them raw.
                name = ko.name.removesuffix(".xz")
                (dest / "modules" / name).write_bytes(read_module(ko))
                names.append(name)
            (dest / "modules/order").write_text("".join(f"{name}\n" for name in names))
            (dest / "release").write_text(mod_root.name + "\n")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        (dest / ".complete").touch()
    release = (dest / "release").read_text().strip()
    order = (dest / "modules/order").read_text().split()
    return Kernel(
        release=release,
        image=dest / "boot" / f"{arch.image_prefix}-{release}",
        config=dest / "boot" / f"config-{release}",
        modules=[dest / "modules" / name for name in order],
    )


def read_module(ko: Path) -> bytes:
    import lzma

    return lzma.decompress(ko.read_bytes()) if ko.suffix == ".xz" else ko.read_bytes()


def module_closure(mod_root: Path, leaves: tuple[str, ...]) -> list[Path]:
    """Modules to insmod, dependencies first. Reads `depends=` from each .ko's .modinfo
    strings, so no depmod (and no foreign-arch kmod) is needed on the host."""
    by_name: dict[str, Path] = {}
    for ko in [*mod_root.rglob("*.ko"), *mod_root.rglob("*.ko.xz")]:
        by_name[ko.name.split(".")[0].replace("-", "_")] = ko
    ordered: list[Path] = []

    def visit(name: str, stack: tuple[str, ...]) -> None:
        key = name.replace("-", "_")
        ko = by_name.get(key)
        if ko is None:  # built into the kernel
            return
        if ko in ordered or key in stack:
            return
        m = re.search(rb"depends=([^\0]*)\0", read_module(ko))
        for dep in m.group(1).decode().split(",") if m and m.group(1) else []:
            visit(dep, (*stack, key))
        ordered.append(ko)

    for leaf in leaves:
        visit(leaf, ())
    return ordered
