"""Backends: the one factory that decides which machine kdump-config talks to."""

from __future__ import annotations

import os

from backends.values import HostError, HostParts

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

    from backends.base import Host

__all__ = ["Host", "HostError", "HostParts", "BackendError", "select", "default_sim_state"]

KINDS = ("linux", "sim")


class BackendError(Exception):
    pass


def default_sim_state() -> Path:
    """Where the embedded simulated machine lives when no state directory is given."""
    from pathlib import Path  # the simulator's: not on the real backend's start-up

    base = os.environ.get("XDG_STATE_HOME") or os.path.join(Path.home(), ".local", "state")
    return Path(base) / "kdump-config" / "sim"


def select(kind: str, *, root: str | None = None, state: str | None = None,
           profile: str | None = None, parts: HostParts | None = None) -> Host:
    """The only place that branches on the backend kind.

    ``parts``: the real backend's clock, syslog sink, name resolver, effect recorder and
    byte pump, given instead of its own (the sandbox tier's seams; a simulated machine has
    its own), and for either backend a wrapper around the host (``HostParts.wrap``).
    """
    host = _select(kind, root=root, state=state, profile=profile, parts=parts)
    return parts.wrap(host) if parts is not None and parts.wrap is not None else host


def _select(kind: str, *, root: str | None, state: str | None, profile: str | None,
            parts: HostParts | None) -> Host:
    if kind == "linux":
        from backends.linux import LinuxHost

        seams = parts or HostParts()
        return LinuxHost(root or "/", clock=seams.clock, log=seams.log,
                         resolver=seams.resolver, record=seams.record, pump=seams.pump,
                         search_path=seams.search_path)
    if kind == "sim":
        try:
            from backends.sim import SimHost
            from sim.machine import MachineError, SimulatedMachine
        except ImportError as exc:  # the Debian package leaves the simulator out
            raise BackendError("the simulated machine is not installed here; run "
                               "kdump-config from a source tree for --backend sim") from exc

        from pathlib import Path

        state_dir = Path(state) if state else default_sim_state()
        try:
            if not (state_dir / "state.json").is_file():
                if state:
                    raise BackendError(f"{state_dir} is not a simulated machine "
                                       f"(create it with: kdump-sim init {state_dir})")
                _create_default(state_dir, profile)
            return SimHost(SimulatedMachine(state_dir))
        except MachineError as exc:
            raise BackendError(str(exc)) from exc
    raise BackendError(f"unknown backend {kind!r} (choose one of: {', '.join(KINDS)})")


def _create_default(state_dir: Path, profile: str | None) -> None:
    # The profile machinery (TOML, package resources) loads only to build a machine.
    from sim.machine import SimulatedMachine
    from sim.profile import DEFAULT_PROFILE, ProfileError

    try:
        SimulatedMachine.create(state_dir, profile or DEFAULT_PROFILE)
    except ProfileError as exc:
        raise BackendError(str(exc)) from exc


def root_problem(kind: str, root: str) -> str | None:
    """What makes ``root`` unusable as the machine's root for backend ``kind``, or None.

    "missing": no such directory; "no-proc": it has no /proc (not a machine's root: a
    typo, or a tree not built yet). Only the linux backend acts on a root.
    """
    if kind != "linux":
        return None
    if not os.path.isdir(root):
        return "missing"
    if not os.path.isdir(os.path.join(root, "proc")):
        return "no-proc"
    return None
