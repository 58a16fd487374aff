"""The files of a state directory that say what the machine is: ``state.json``, checked
on every read (a directory edited by hand, or broken, is a clear error, never a
traceback), and ``profile.toml``, the resolved profile written flat and read back."""

from __future__ import annotations

import datetime as dt
import json
import os

from sim import faults as registry
from sim.confine import name_problem, read_bounded, target_problem

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from sim.machine import SimulatedMachine
    from sim.profile import Profile


class MachineError(Exception):
    pass


# Written first into every state directory the simulator makes: only a directory that
# has it is ever reset (emptied) by `kdump-sim init`.
MARKER = ".kdump-sim"
MARKER_TEXT = "a kdump-sim state directory: `kdump-sim init` may empty and rebuild it\n"
# state.json and profile.toml are a few KiB; the effect log and the journal grow with use.
MAX_STATE_BYTES = 4 << 20
MAX_LOG_BYTES = 256 << 20


def state_dir_argument(value: str | os.PathLike[str]) -> str:
    """``value`` as a state directory, or MachineError naming it: an empty or blank name
    (the current directory, by accident), a control character, or the file system root."""
    text = os.fspath(value)
    problem = None
    if not text.strip():
        problem = "empty: give the machine's directory"
    elif any(ord(c) < 0x20 or ord(c) == 0x7f for c in text):
        problem = "it holds a control character"
    elif os.path.realpath(text) == "/":
        problem = "the file system root cannot be a machine's directory"
    if problem is not None:
        raise MachineError(f"state directory {text!r}: {problem}")
    return text


def is_state_dir(path: Path) -> bool:
    """Did the simulator make ``path`` (its marker is there, a regular file)?"""
    return path.joinpath(MARKER).is_file() and not path.joinpath(MARKER).is_symlink()


def make_empty(base: Path, files: tuple[str, ...]) -> None:
    """``base`` as a new machine's directory, marked: created, empty already, or a machine
    the simulator made, emptied; anything else is refused, never deleted."""
    import shutil

    if base.exists() and not base.is_dir():
        raise MachineError(f"{base} exists and is not a directory")
    if base.is_dir() and any(base.iterdir()):
        if not is_state_dir(base):
            raise MachineError(
                f"{base} is not empty and is not a simulated machine's directory (it has no "
                f"{MARKER}): not resetting it; give a new or empty directory")
        for name in ("root", "remote"):
            inner = base / name
            if inner.is_symlink() or inner.is_file():
                inner.unlink()
            elif inner.is_dir():
                shutil.rmtree(inner)
        for name in files:
            (base / name).unlink(missing_ok=True)
    base.mkdir(parents=True, exist_ok=True)
    (base / MARKER).write_text(MARKER_TEXT)


def read_input(path: Path, limit: int = MAX_STATE_BYTES) -> str:
    """A file of the state directory as text, read bounded (OSError, UnicodeDecodeError)."""
    return read_bounded(path, limit).decode()


# The keys every command relies on, and their JSON types.
_STATE_SHAPE: dict[str, type] = {"profile": str, "description": str, "phase": str,
                                 "clock": str, "hostname": str, "tools": list, "faults": dict,
                                 "kernel": dict, "mounts": dict, "ipv4": list}


def read_state(path: Path) -> dict[str, Any]:
    """state.json, checked enough that every command can rely on its shape."""
    recreate = f"recreate the machine with: kdump-sim init {path.parent}"
    try:
        state = json.loads(read_input(path))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise MachineError(f"{path}: cannot read the machine's state ({exc}); {recreate}") \
            from exc
    if not isinstance(state, dict):
        raise MachineError(f"{path}: the machine's state is not a JSON object; {recreate}")
    for key, kind in _STATE_SHAPE.items():
        if not isinstance(state.get(key), kind):
            raise MachineError(f"{path}: {key!r} is missing or not a {kind.__name__}; "
                               f"{recreate}")
    try:
        _check_places(state)
    except MachineError as exc:
        raise MachineError(f"{path}: {exc}; {recreate}") from exc
    if state["phase"] not in ("normal", "capture"):
        raise MachineError(f"{path}: unknown phase {state['phase']!r}; {recreate}")
    try:
        dt.datetime.fromisoformat(state["clock"])
    except ValueError as exc:
        raise MachineError(f"{path}: clock {state['clock']!r} is not a date and time; "
                           f"{recreate}") from exc
    for name, value in state["faults"].items():
        try:
            check_fault(str(name), value)
        except MachineError as exc:
            raise MachineError(f"{path}: {exc}") from exc
    return state


def _check_places(state: dict[str, Any]) -> None:
    """Every name in the state that becomes a path stays inside the state directory."""
    servers = [*(str(h).rpartition("@")[2] for h in state.get("ssh_hosts", [])),
               *(str(h) for h in state.get("ftp_hosts", []))]
    for export in state.get("nfs_exports", []):
        server, _, where = str(export).partition(":")
        servers.append(server)
        if target_problem(where) is not None:
            raise MachineError(f"NFS export {export!r}: {target_problem(where)}")
    for server in servers:
        if name_problem(server) is not None:
            raise MachineError(f"server {server!r}: {name_problem(server)}")
    mounts = state.get("nfs_mounts", {})
    if not isinstance(mounts, dict):
        raise MachineError("'nfs_mounts' is not an object")
    for mountpoint, entry in mounts.items():
        places = [entry.get(k) for k in ("at", "aside", "export")] \
            if isinstance(entry, dict) else [None]
        for place in places:
            if not isinstance(place, str) or target_problem("/" + place) is not None or \
                    place.split("/")[0] not in ("root", "remote"):
                raise MachineError(f"NFS mount {mountpoint!r}: {place!r} is not a place "
                                   "inside the machine (root/... or remote/...)")


def check_fault(name: str, value: Any, *, value_too: bool = True) -> None:
    """Refuse an unknown fault, or a value it cannot take (``disk-full-after abc``)."""
    try:
        fault = registry.lookup(name)
        if value_too:
            fault.check(value)
    except registry.FaultError as exc:
        raise MachineError(str(exc)) from exc


def load_profile_from_state(machine: SimulatedMachine) -> Profile:
    import tomllib

    from sim.profile import Profile

    path = machine.dir / "profile.toml"
    try:
        data = tomllib.loads(read_input(path))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MachineError(f"{path}: cannot read the machine's profile ({exc}); recreate "
                           f"the machine with: kdump-sim init {machine.dir}") from exc
    return Profile(name=machine.state["profile"], description=machine.state["description"],
                   data=data)


def describe(profile: Profile) -> str:
    """The resolved profile as TOML (inheritance flattened), so a state dir is self-contained."""
    return _toml_dump(profile.data)


def _toml_dump(data: dict[str, Any], prefix: str = "") -> str:
    scalars, tables = [], []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append((key, value))
        else:
            scalars.append(f"{_toml_key(key)} = {_toml_value(value)}")
    out = "\n".join(scalars) + ("\n" if scalars else "")
    for key, value in tables:
        name = f"{prefix}.{_toml_key(key)}" if prefix else _toml_key(key)
        out += f"\n[{name}]\n" + _toml_dump(value, name)
    return out


def _toml_key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() else json.dumps(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value))

