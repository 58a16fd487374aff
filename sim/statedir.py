"""The files of a state directory that say what the machine is: ``state.json``, checked
on every read (a directory edited by hand, or broken, is a clear error, never a
traceback), and ``profile.toml``, the resolved profile written flat and read back."""

from __future__ import annotations

import datetime as dt
import json

from sim import faults as registry

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from sim.machine import Machine
    from sim.profile import Profile


class MachineError(Exception):
    pass


# The keys every command relies on, and their JSON types.
_STATE_SHAPE: dict[str, type] = {"profile": str, "description": str, "phase": str,
                                 "clock": str, "hostname": str, "tools": list, "faults": dict,
                                 "kernel": dict, "mounts": dict, "ipv4": list}


def read_state(path: Path) -> dict[str, Any]:
    """state.json, checked enough that every command can rely on its shape."""
    recreate = f"recreate the machine with: kdump-sim init {path.parent}"
    try:
        state = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise MachineError(f"{path}: cannot read the machine's state ({exc}); {recreate}") \
            from exc
    if not isinstance(state, dict):
        raise MachineError(f"{path}: the machine's state is not a JSON object; {recreate}")
    for key, kind in _STATE_SHAPE.items():
        if not isinstance(state.get(key), kind):
            raise MachineError(f"{path}: {key!r} is missing or not a {kind.__name__}; "
                               f"{recreate}")
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


def check_fault(name: str, value: Any, *, value_too: bool = True) -> None:
    """Refuse an unknown fault, or a value it cannot take (``disk-full-after abc``)."""
    try:
        fault = registry.lookup(name)
        if value_too:
            fault.check(value)
    except registry.FaultError as exc:
        raise MachineError(str(exc)) from exc


def load_profile_from_state(machine: Machine) -> Profile:
    import tomllib

    from sim.profile import Profile

    data = tomllib.loads((machine.dir / "profile.toml").read_text())
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

