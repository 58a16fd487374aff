"""Machine profiles: diffable TOML descriptions of a simulated machine.

A profile names the kernel facts (release, arch, command line, crash memory,
kexec/fadump/secure-boot support) and the userland files.  Kernel-owned files
(procfs, sysfs) are derived from the facts so that they stay consistent; the
rest is listed explicitly.  ``inherit`` bases a profile on another, so the
shipped variants state only how they differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROFILE_SUFFIX = ".toml"
DEFAULT_PROFILE = "x86_64-ready"
# A profile is a page or two of TOML: anything far larger is not one (or never ends).
MAX_PROFILE_BYTES = 1 << 20
# Where the machine's programs are installed (Debian's layout, every shipped profile's):
# a profile's ``[machine] tools`` names them, the machine's program files are made there,
# and `which` on the machine answers with these.
TOOL_DIRS = {
    "kexec": "/usr/sbin", "makedumpfile": "/usr/bin", "sysctl": "/usr/sbin", "ip": "/usr/bin",
    "mount": "/usr/bin", "umount": "/usr/bin", "ssh": "/usr/bin", "scp": "/usr/bin",
    "ssh-keygen": "/usr/bin", "ssh-copy-id": "/usr/bin", "gzip": "/usr/bin",
    "bzip2": "/usr/bin", "xz": "/usr/bin", "lz4": "/usr/bin", "cat": "/usr/bin",
    "mkinitramfs": "/usr/sbin",
}


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


def tool_path(name: str) -> str:
    """Where program ``name`` is installed on the machine."""
    return f"{TOOL_DIRS.get(name, '/usr/bin')}/{name}"


def shipped_profiles() -> dict[str, str]:
    """Names and descriptions of the profiles shipped in sim/profiles."""
    from importlib import resources  # only to make a machine, never to run one

    found = {}
    for entry in resources.files("sim").joinpath("profiles").iterdir():
        if entry.name.endswith(PROFILE_SUFFIX):
            name = entry.name[: -len(PROFILE_SUFFIX)]
            found[name] = str(_raw(entry.read_text()).get("description", ""))
    return dict(sorted(found.items()))


def _raw(text: str) -> dict[str, Any]:
    import tomllib

    return tomllib.loads(text)


def _read_named(name: str) -> tuple[str, str]:
    """The text of shipped profile ``name``, and the file it comes from."""
    from importlib import resources

    entry = resources.files("sim").joinpath("profiles", name + PROFILE_SUFFIX)
    if not entry.is_file():
        known = ", ".join(shipped_profiles())
        raise ProfileError(f"unknown profile {name!r} (shipped: {known})")
    return entry.read_text(), f"sim/profiles/{name}{PROFILE_SUFFIX}"


def _parse(text: str, source: str) -> dict[str, Any]:
    import tomllib

    try:
        data = _raw(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{source}: {exc}") from exc
    validate(data, source)
    return data


# -- what a profile may say: every key, and the values it takes -------------------------
def _text(value: Any) -> bool:
    return isinstance(value, str)


def _flag(value: Any) -> bool:
    return isinstance(value, bool)


def _whole(least: int) -> Any:
    return lambda value: isinstance(value, int) and not isinstance(value, bool) \
        and value >= least


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _one_of(*choices: str) -> Any:
    return lambda value: value in choices


def _address(value: Any) -> bool:
    try:
        return isinstance(value, str) and int(value, 0) >= 0
    except ValueError:
        return False


def _clock(value: Any) -> bool:
    import datetime as dt

    try:
        dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


def _tools(value: Any) -> bool:
    return _texts(value) and all(v in TOOL_DIRS for v in value)


def _targets(value: Any) -> bool:
    from sim.confine import target_problem

    return _texts(value) and all(target_problem(v) is None for v in value)


def _ssh_hosts(value: Any) -> bool:
    from sim.confine import name_problem

    return _texts(value) and all(name_problem(v.rpartition("@")[2]) is None for v in value)


def _names(value: Any) -> bool:
    from sim.confine import name_problem

    return _texts(value) and all(name_problem(v) is None for v in value)


def _exports(value: Any) -> bool:
    from sim.confine import name_problem, target_problem

    def good(export: str) -> bool:
        server, colon, path = export.partition(":")
        return bool(colon) and name_problem(server) is None and target_problem(path) is None

    return _texts(value) and all(good(v) for v in value)


# key: (check, what it takes)
_TABLES: dict[str, dict[str, tuple[Any, str]]] = {
    "machine": {
        "hostname": (_text, "a string"),
        "clock": (_clock, "a date and time (2024-01-01T00:00:00)"),
        "tools": (_tools, "a list of programs the simulator knows (sim/profile.py TOOL_DIRS)"),
    },
    "network": {
        "ipv4": (_texts, "a list of strings"),
        "nfs_exports": (_exports, "a list of SERVER:/EXPORT strings (no '/' in SERVER, "
                                  "no '..' in EXPORT)"),
        "ssh_hosts": (_ssh_hosts, "a list of [USER@]HOST strings (HOST a name, not a path)"),
        "ftp_hosts": (_names, "a list of host names (names, not paths)"),
        "ssh_authorized_keys": (_targets, "a list of public key paths on the machine "
                                          "(absolute, without '..')"),
    },
    "kernel": {
        "release": (_text, "a string"),
        "arch": (_one_of("x86_64", "aarch64", "ppc64le"), "x86_64, aarch64 or ppc64le"),
        "cmdline": (_text, "a string"),
        "kexec": (_flag, "true or false"),
        "kexec_file": (_flag, "true or false"),
        "kallsyms_text": (_flag, "true or false"),
        "crash_size_mib": (_whole(0), "a whole number >= 0"),
        "crash_low_mib": (_whole(0), "a whole number >= 0"),
        "crash_base": (_address, 'an address string ("0x2b000000")'),
        "crash_hotplug": (_flag, "true or false"),
        "crash_cma_mib": (_whole(0), "a whole number >= 0"),
        "kexec_sysfs": (_one_of("legacy", "both", "dir"), "legacy, both or dir"),
        "kexec_load_disabled": (_flag, "true or false"),
        "memory_mib": (_whole(1), "a whole number >= 1"),
        "nproc": (_whole(1), "a whole number >= 1"),
        "lockdown": (_one_of("none", "integrity", "confidentiality"),
                     "none, integrity or confidentiality"),
        "securelevel": (_whole(0), "a whole number >= 0"),
        "secure_boot": (_flag, "true or false"),
        "fadump": (_one_of("new", "legacy"), "new or legacy"),
        "fadump_enabled": (_flag, "true or false"),
        "fadump_registration": (_flag, "true or false"),
    },
}
_TOP: dict[str, tuple[Any, str]] = {
    "description": (_text, "a string"),
    "inherit": (_text, "a shipped profile name"),
    "dirs": (_targets, "a list of absolute paths without '..'"),
    "remove_files": (_targets, "a list of absolute paths without '..'"),
}
_PATH_TABLES: dict[str, tuple[Any, str]] = {
    "files": (_text, "the file's text"),
    "executables": (_text, "the program's text"),
    "symlinks": (_text, "the link's target"),
    "sizes": (_whole(0), "a size in bytes >= 0"),
}


def _unknown(source: str, where: str, key: str, known: list[str]) -> ProfileError:
    import difflib

    close = difflib.get_close_matches(key, known, n=1)
    hint = f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(known)})"
    return ProfileError(f"{source}: {where}{key}: unknown key{hint}")


def validate(data: dict[str, Any], source: str) -> None:
    """Refuse an unknown key or a value the simulator cannot use, naming file and key."""
    from sim import faults
    from sim.confine import link_problem, target_problem

    known = [*_TOP, *_TABLES, *_PATH_TABLES, "faults"]
    for key, value in data.items():
        if key in _TOP:
            good, takes = _TOP[key]
            if not good(value):
                raise ProfileError(f"{source}: {key}: takes {takes}, not {value!r}")
            continue
        if key not in known:
            raise _unknown(source, "", key, known)
        if not isinstance(value, dict):
            raise ProfileError(f"{source}: {key}: must be a table ([{key}])")
        if key == "faults":
            for name, armed in value.items():
                try:
                    faults.check(name, armed)
                except faults.FaultError as exc:
                    raise ProfileError(f"{source}: [faults] {exc}") from exc
            continue
        if key in _PATH_TABLES:
            good, takes = _PATH_TABLES[key]
            for path, item in value.items():
                problem = target_problem(path)
                if problem is not None:
                    raise ProfileError(f"{source}: [{key}] {path!r}: {problem}")
                if not good(item):
                    raise ProfileError(f"{source}: [{key}] {path!r}: takes {takes}, "
                                       f"not {item!r}")
                problem = link_problem(path, item) if key == "symlinks" else None
                if problem is not None:
                    raise ProfileError(f"{source}: [{key}] {path!r} -> {item!r}: {problem}")
            continue
        table = _TABLES[key]
        for name, item in value.items():
            if name not in table:
                raise _unknown(source, f"[{key}] ", name, list(table))
            good, takes = table[name]
            if not good(item):
                raise ProfileError(f"{source}: [{key}] {name}: takes {takes}, not {item!r}")


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
        from sim.confine import read_bounded

        path = Path(name_or_path)
        try:
            text = read_bounded(path, MAX_PROFILE_BYTES).decode()
        except OSError as exc:
            raise ProfileError(f"cannot read profile {name_or_path}: {exc.strerror}") from exc
        except UnicodeDecodeError as exc:
            raise ProfileError(f"cannot read profile {name_or_path}: not UTF-8 text "
                               f"(byte {exc.start})") from exc
        name, source = path.stem, name_or_path
    else:
        (text, source), name = _read_named(name_or_path), name_or_path
    data = _parse(text, source)
    seen = {name}
    while "inherit" in data:
        parent = str(data.pop("inherit"))
        if parent in seen:
            raise ProfileError(f"profile {name}: inheritance loop through {parent}")
        seen.add(parent)
        data = _merge(_parse(*_read_named(parent)), data)
    for path in data.pop("remove_files", []):
        data.get("files", {}).pop(path, None)
        data.get("symlinks", {}).pop(path, None)
        data.get("executables", {}).pop(path, None)
        data.get("sizes", {}).pop(path, None)
    return Profile(name=name, description=str(data.get("description", "")), data=data)
