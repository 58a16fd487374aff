"""Machine profiles: diffable TOML descriptions of a simulated machine.

A profile names the kernel facts (release, arch, command line, crash memory,
kexec/fadump/secure-boot support) and the userland files.  Kernel-owned files
(procfs, sysfs) are derived from the facts so that they stay consistent; the
rest is listed explicitly.  ``inherit`` bases a profile on another, so the
shipped variants state only how they differ.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

PROFILE_SUFFIX = ".toml"
DEFAULT_PROFILE = "x86_64-ready"


class ProfileError(Exception):
    pass


@dataclass
class Profile:
    name: str
    description: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def kernel(self) -> dict[str, Any]:
        return dict(self.data.get("kernel", {}))

    @property
    def files(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.data.get("files", {}).items()}

    @property
    def executables(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.data.get("executables", {}).items()}

    @property
    def symlinks(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.data.get("symlinks", {}).items()}

    @property
    def dirs(self) -> list[str]:
        return [str(d) for d in self.data.get("dirs", [])]

    @property
    def tools(self) -> list[str]:
        return [str(t) for t in self.data.get("machine", {}).get("tools", [])]

    @property
    def faults(self) -> dict[str, Any]:
        return dict(self.data.get("faults", {}))

    @property
    def network(self) -> dict[str, Any]:
        return dict(self.data.get("network", {}))


def shipped_profiles() -> dict[str, str]:
    """Names and descriptions of the profiles shipped in sim/profiles."""
    found = {}
    for entry in resources.files("sim").joinpath("profiles").iterdir():
        if entry.name.endswith(PROFILE_SUFFIX):
            name = entry.name[: -len(PROFILE_SUFFIX)]
            found[name] = str(_raw(entry.read_text()).get("description", ""))
    return dict(sorted(found.items()))


def _raw(text: str) -> dict[str, Any]:
    return tomllib.loads(text)


def _read_named(name: str) -> str:
    entry = resources.files("sim").joinpath("profiles", name + PROFILE_SUFFIX)
    if not entry.is_file():
        known = ", ".join(shipped_profiles())
        raise ProfileError(f"unknown profile {name!r} (shipped: {known})")
    return entry.read_text()


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_profile(name_or_path: str) -> Profile:
    """A shipped profile by name, or a TOML file by path; ``inherit`` resolved."""
    if name_or_path.endswith(PROFILE_SUFFIX) or "/" in name_or_path:
        path = Path(name_or_path)
        try:
            text = path.read_text()
        except OSError as exc:
            raise ProfileError(f"cannot read profile {name_or_path}: {exc.strerror}") from exc
        name = path.stem
    else:
        text, name = _read_named(name_or_path), name_or_path
    try:
        data = _raw(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{name_or_path}: {exc}") from exc
    seen = {name}
    while "inherit" in data:
        parent = str(data.pop("inherit"))
        if parent in seen:
            raise ProfileError(f"profile {name}: inheritance loop through {parent}")
        seen.add(parent)
        data = _merge(_raw(_read_named(parent)), data)
    for path in data.pop("remove_files", []):
        data.get("files", {}).pop(path, None)
        data.get("symlinks", {}).pop(path, None)
        data.get("executables", {}).pop(path, None)
        data.get("sizes", {}).pop(path, None)
    return Profile(name=name, description=str(data.get("description", "")), data=data)
