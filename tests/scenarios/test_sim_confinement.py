"""The simulator stays inside its state directory (issue 19, class 5).

Every path it writes from a profile, a scenario step, a command line or a state.json
stays under the state directory; a state directory it did not make is never reset; every
input file is read bounded (regular file only, never blocking, a size cap).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from sim import cli as sim_cli
from sim.machine import MachineError, SimulatedMachine
from sim.profile import MAX_PROFILE_BYTES, Profile, ProfileError, load_profile
from sim.statedir import MARKER, MAX_STATE_BYTES
from tests.scenarios.test_exception_boundary import run_main

SIM = Path(sys.executable).parent / "kdump-sim"


def _outside(tmp_path: Path) -> tuple[Path, Path]:
    """A victim file beside the state directory (``/../../victim`` from its root)."""
    victim = tmp_path / "victim"
    victim.write_text("the host's own file\n")
    return tmp_path / "m", victim


def _untouched(tmp_path: Path, victim: Path) -> None:
    assert victim.read_text() == "the host's own file\n"
    assert {p.name for p in tmp_path.iterdir()} <= {"m", "profile.toml", "victim", "hostdir"}


def _profile(tmp_path: Path, text: str) -> str:
    path = tmp_path / "profile.toml"
    path.write_text('inherit = "x86_64-ready"\n' + text)
    return str(path)


# -- profile keys ------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "reason"), [
    ('[files]\n"/../../victim" = "x"\n', "[files] '/../../victim': a '..' component"),
    ('[sizes]\n"/../../victim" = 0\n', "[sizes] '/../../victim': a '..' component"),
    ('[executables]\n"/etc/../../../victim" = "x"\n',
     "[executables] '/etc/../../../victim': a '..' component"),
    ('[symlinks]\n"/../../victim" = "/etc"\n', "[symlinks] '/../../victim': a '..' component"),
    ('[symlinks]\n"/etc/up" = "../../../victim"\n',
     "[symlinks] '/etc/up' -> '../../../victim': the relative target climbs above"),
    ('dirs = ["/../../victim.d"]\n', "dirs: takes a list of absolute paths without '..'"),
    ('dirs = ["var/crash"]\n', "dirs: takes a list of absolute paths without '..'"),
    ('[network]\nssh_authorized_keys = ["/../../victim"]\n',
     "[network] ssh_authorized_keys: takes a list of public key paths"),
    ('[network]\nssh_hosts = ["root@../../../x"]\n', "[network] ssh_hosts: takes a list of"),
    ('[network]\nftp_hosts = [".."]\n', "[network] ftp_hosts: takes a list of host names"),
    ('[network]\nnfs_exports = ["srv:/a/../../../../x"]\n',
     "[network] nfs_exports: takes a list of SERVER:/EXPORT"),
    ('[network]\nnfs_exports = ["../..:/x"]\n', "[network] nfs_exports: takes a list of"),
])
def test_a_profile_key_that_would_leave_the_state_directory_is_refused(
        tmp_path: Path, text: str, reason: str) -> None:
    state, victim = _outside(tmp_path)
    path = _profile(tmp_path, text)
    code, out, err = run_main(sim_cli.main, ["init", str(state), "--profile", path])
    assert (code, out) == (1, ""), err
    assert err.startswith(f"kdump-sim: {path}: {reason}"), err
    assert not state.exists()
    _untouched(tmp_path, victim)


@pytest.mark.parametrize("section", ["files", "sizes", "executables", "symlinks"])
def test_the_machine_refuses_dotdot_whatever_made_the_profile(tmp_path: Path,
                                                             section: str) -> None:
    # A Profile built in code skips the TOML checks: the machine's own path mapping holds.
    state, victim = _outside(tmp_path)
    data = load_profile("x86_64-ready").data
    data.setdefault(section, {})["/../../victim"] = 0 if section == "sizes" else "x"
    with pytest.raises(MachineError, match=r"'/\.\./\.\./victim': a '\.\.' component"):
        SimulatedMachine.create(state, Profile("evil", "", data))
    _untouched(tmp_path, victim)


def test_a_profile_link_is_followed_inside_the_machine_never_out(tmp_path: Path) -> None:
    # An absolute link target is the machine's path: the file written through it, and
    # the size given to it, land below root/, not on the host.
    state, victim = _outside(tmp_path)
    host_dir = tmp_path / "hostdir"
    host_dir.mkdir()
    path = _profile(tmp_path, f'[symlinks]\n"/etc/out" = "{host_dir}"\n'
                              f'"/etc/victim" = "{victim}"\n')
    machine = SimulatedMachine.create(state, load_profile(path))
    machine.set_size("/etc/victim", 0)
    machine.write("/etc/out/again", "y")
    assert list(host_dir.iterdir()) == []
    _untouched(tmp_path, victim)
    inside = machine.root / str(host_dir).lstrip("/")
    assert (inside / "again").read_text() == "y"
    assert machine.root.joinpath(str(victim).lstrip("/")).stat().st_size == 0


def test_remote_servers_are_names_inside_remote(tmp_path: Path) -> None:
    state, victim = _outside(tmp_path)
    data = load_profile("x86_64-nfs").data
    data["network"]["nfs_exports"] = ["srv:/../../../../escaped"]
    with pytest.raises(MachineError, match=r"'srv:/\.\./\.\./\.\./\.\./escaped': a '\.\.'"):
        SimulatedMachine.create(state, Profile("evil", "", data))
    machine = SimulatedMachine.create(state, "x86_64-ssh")
    with pytest.raises(MachineError, match=r"ssh server '\.\.'"):
        machine.remote_ssh_path("..", "/root/.ssh/authorized_keys")
    assert not (tmp_path / "escaped").exists()
    _untouched(tmp_path, victim)


# -- plant (the command line and the scenario steps) -------------------------------------------
def test_plant_stays_inside_the_machine(tmp_path: Path) -> None:
    state, victim = _outside(tmp_path)
    SimulatedMachine.create(state, "x86_64-ready")
    code, _, err = run_main(sim_cli.main, ["plant", str(state), "/../../victim", "--text", "x"])
    assert code == 1 and err == "kdump-sim: '/../../victim': a '..' component would leave " \
                                "the machine\n", err
    code, _, err = run_main(sim_cli.main, ["plant", str(state), "/var/crash/up",
                                           "--link", "../../../../victim"])
    assert code == 1 and "the relative target climbs above the machine's root" in err, err
    # A link to an absolute path is fine (the machine's path), but a file planted over it
    # replaces nothing on the host.
    code, _, err = run_main(sim_cli.main, ["plant", str(state), "/var/crash/kexec_cmd",
                                           "--link", str(victim)])
    assert code == 0, err
    code, _, err = run_main(sim_cli.main, ["plant", str(state), "/var/crash/kexec_cmd",
                                           "--text", "pwned"])
    assert code == 1 and err.startswith("kdump-sim: /var/crash/kexec_cmd: "), err
    _untouched(tmp_path, victim)


def test_a_step_write_and_read_never_follow_a_link_out(tmp_path: Path) -> None:
    state, victim = _outside(tmp_path)
    machine = SimulatedMachine.create(state, "x86_64-ready")
    machine.path("/proc/cmdline").unlink()
    machine.plant("/proc/cmdline", link_to=str(victim))
    assert machine.read("/proc/cmdline") is None  # root/<victim> does not exist
    code, out, _ = run_main(sim_cli.main, ["state", str(state)])
    assert code == 0 and "host's own file" not in out
    machine.plant("/var/crash/d", link_to="/")
    machine.write("/var/crash/d/victim", "through a link")
    _untouched(tmp_path, victim)
    assert machine.read("/victim") == "through a link"
    with pytest.raises(MachineError, match="a '..' component"):
        machine.write("/var/../../victim", "x")
    with pytest.raises(MachineError, match="a '..' component"):
        machine.path("/../victim")


def test_the_machines_own_directories_cannot_be_links(tmp_path: Path) -> None:
    state, _ = _outside(tmp_path)
    SimulatedMachine.create(state, "x86_64-ready")
    elsewhere = tmp_path / "elsewhere"
    (state / "root").rename(elsewhere)
    (state / "root").symlink_to(elsewhere)
    code, _, err = run_main(sim_cli.main, ["crash", str(state)])
    assert code == 1 and f"{state / 'root'} is a symbolic link" in err, err


# -- the state directory argument, and what init may reset -------------------------------------
@pytest.mark.parametrize(("value", "reason"), [
    ("", "empty: give the machine's directory"),
    ("  ", "empty: give the machine's directory"),
    ("m\nx", "it holds a control character"),
    ("/", "the file system root cannot be a machine's directory"),
    ("/tmp/../", "the file system root cannot be a machine's directory"),
])
def test_a_suspicious_state_directory_is_refused(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 value: str, reason: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "keep").write_text("x")
    for argv in (["init", value], ["state", value], ["crash", value],
                 ["plant", value, "/var/crash/x"]):
        code, out, err = run_main(sim_cli.main, argv)
        assert (code, out, err) == (1, "", f"kdump-sim: state directory {value!r}: {reason}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep"]


def test_init_never_resets_a_directory_it_did_not_make(tmp_path: Path) -> None:
    # What the empty-name bug destroyed: a tree that looks like a machine, no marker.
    tree = tmp_path / "project"
    for name in ("root/src", "remote/data"):
        (tree / name).mkdir(parents=True)
        (tree / name / "work.txt").write_text("precious\n")
    (tree / "state.json").write_text("{}")
    code, _, err = run_main(sim_cli.main, ["init", str(tree)])
    assert code == 1 and err == (
        f"kdump-sim: {tree} is not empty and is not a simulated machine's directory (it has "
        f"no {MARKER}): not resetting it; give a new or empty directory\n"), err
    assert (tree / "root/src/work.txt").read_text() == "precious\n"
    assert (tree / "remote/data/work.txt").read_text() == "precious\n"
    assert (tree / "state.json").read_text() == "{}"


def test_init_resets_its_own_machine_and_an_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert run_main(sim_cli.main, ["init", str(tmp_path / "empty")])[0] == 0
    machine = SimulatedMachine(tmp_path / "empty")
    machine.write("/var/crash/old", "x")
    machine.syslog("kdump-config", "logged")
    assert run_main(sim_cli.main, ["init", str(tmp_path / "empty")])[0] == 0
    assert not SimulatedMachine(tmp_path / "empty").path("/var/crash/old").exists()
    assert SimulatedMachine(tmp_path / "empty").journal() == []
    assert (tmp_path / "empty" / MARKER).is_file()


# -- every input read bounded ------------------------------------------------------------------
def test_a_profile_that_is_not_a_regular_file_or_too_big_is_refused(tmp_path: Path) -> None:
    state = tmp_path / "m"
    code, _, err = run_main(sim_cli.main, ["init", str(state), "--profile", "/dev/zero"])
    assert (code, err) == (1, "kdump-sim: cannot read profile /dev/zero: not a regular file\n")
    big = tmp_path / "big.toml"
    big.write_text("#" * (MAX_PROFILE_BYTES + 1))
    code, _, err = run_main(sim_cli.main, ["init", str(state), "--profile", str(big)])
    assert (code, err) == (1, f"kdump-sim: cannot read profile {big}: larger than "
                              f"{MAX_PROFILE_BYTES} bytes\n")
    with pytest.raises(ProfileError, match="not UTF-8"):
        big.write_bytes(b"description = \"\xff\"\n")
        load_profile(str(big))
    assert not state.exists()


@pytest.mark.real_processes
def test_a_fifo_as_profile_or_state_never_blocks(tmp_path: Path) -> None:
    fifo = tmp_path / "profile.toml"
    os.mkfifo(fifo)
    done = subprocess.run([str(SIM), "init", str(tmp_path / "m"), "--profile", str(fifo)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stderr) == (
        1, f"kdump-sim: cannot read profile {fifo}: not a regular file\n")
    SimulatedMachine.create(tmp_path / "m", "x86_64-ready")
    (tmp_path / "m/profile.toml").unlink()
    os.mkfifo(tmp_path / "m/profile.toml")
    done = subprocess.run([str(SIM), "reboot", str(tmp_path / "m")],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1 and "not a regular file" in done.stderr, done.stderr


def test_state_json_is_read_bounded_and_its_places_checked(tmp_path: Path) -> None:
    state = tmp_path / "m"
    SimulatedMachine.create(state, "x86_64-nfs")
    good = json.loads((state / "state.json").read_text())
    (state / "state.json").write_text(" " * MAX_STATE_BYTES + json.dumps(good))
    code, _, err = run_main(sim_cli.main, ["state", str(state)])
    assert code == 1 and f"larger than {MAX_STATE_BYTES} bytes" in err, err
    for key, value, said in (
            ("nfs_exports", ["..:/x"], "server '..': not a name"),
            ("nfs_exports", ["srv:/../../../x"], "NFS export 'srv:/../../../x': a '..'"),
            ("ssh_hosts", ["root@a/b"], "server 'a/b': a name, not a path"),
            ("nfs_mounts", {"/mnt": {"at": "root/mnt", "aside": "root/.mnt",
                                     "export": "../../escaped"}},
             "NFS mount '/mnt': '../../escaped' is not a place inside the machine")):
        (state / "state.json").write_text(json.dumps({**good, key: value}))
        code, _, err = run_main(sim_cli.main, ["reboot", str(state)])
        assert code == 1 and err.startswith(f"kdump-sim: {state / 'state.json'}: {said}"), err
    (state / "state.json").write_text(json.dumps(good))
    (state / "profile.toml").write_text("[kernel\n")
    code, _, err = run_main(sim_cli.main, ["reboot", str(state)])
    assert code == 1 and err.startswith(f"kdump-sim: {state / 'profile.toml'}: cannot read "
                                        "the machine's profile"), err


# -- crash: a vmcore the disk cannot hold -----------------------------------------------------
def _loaded(tmp_path: Path) -> SimulatedMachine:
    machine = SimulatedMachine.create(tmp_path / "m", "x86_64-ready")
    machine.state["kexec_loaded"] = ["--command-line=root=/dev/sda1 nr_cpus=1"]
    machine.save()
    return machine


def test_crash_refuses_a_vmcore_bigger_than_the_free_space_and_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The vmcore is real bytes: 10**20 once filled the host's shared disk before failing.
    machine = _loaded(tmp_path)
    monkeypatch.setattr("sim.machine.shutil.disk_usage",
                        lambda _path: SimpleNamespace(free=1 << 20))

    with pytest.raises(MachineError, match="does not fit"):
        machine.crash(1 << 20)

    assert not machine.path("/proc/vmcore").exists()
    assert SimulatedMachine(tmp_path / "m").state["phase"] == "normal"


def test_crash_that_cannot_write_the_vmcore_leaves_the_machine_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    machine = _loaded(tmp_path)

    def disk_full(path: Path, size: int, kernel: object) -> None:
        path.write_bytes(b"\x7fELF partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("sim.machine.write_vmcore", disk_full)

    with pytest.raises(MachineError, match="No space left on device: the machine did not"):
        machine.crash(8192)

    assert not machine.path("/proc/vmcore").exists()
    reopened = SimulatedMachine(tmp_path / "m")
    assert reopened.state["phase"] == "normal" and reopened.state["kexec_loaded"]


# -- the simulator maps a target path as the product's file layer does -------------------
_LINKS = {
    "/abs": "/etc",                    # absolute: re-rooted
    "/rel": "etc/kdump",               # relative, from /
    "/etc/up": "../../../../boot",     # climbs: stops at the root
    "/etc/chain": "/abs/up",           # a link through links
    "/etc/loop": "/etc/loop2",
    "/etc/loop2": "/etc/loop",
    "/var/dumps": "/srv/dumps",        # a directory link on the way
    "/etc/self": ".",
}
_TARGETS = ["/", "/etc", "/abs", "/abs/kdump", "/rel", "/rel/x", "/etc/up", "/etc/up/vmlinuz",
            "/etc/chain", "/etc/chain/x", "/var/dumps/dump", "/var/dumps", "/etc/self/self/k",
            "/./etc//kdump/", "/missing/abs", "/etc/loop", "/etc/loop/x"]


@pytest.mark.parametrize("follow_last", [True, False])
def test_the_machine_maps_paths_as_the_file_layer_maps_them(tmp_path: Path,
                                                             follow_last: bool) -> None:
    from backends.rooted_queries import RootedQueries
    from backends.values import HostError

    machine = SimulatedMachine.create(tmp_path / "m", "x86_64-ready")
    for link, target in _LINKS.items():
        host = machine.root / link.lstrip("/")
        host.parent.mkdir(parents=True, exist_ok=True)
        host.symlink_to(target)
    (machine.root / "srv/dumps").mkdir(parents=True)
    layer = RootedQueries(str(machine.root))
    for target in _TARGETS:
        try:
            expected: str | None = layer.host_path(target, follow_last=follow_last)
        except HostError:
            expected = None
        try:
            got: str | None = str(machine._host(target, follow_last))
        except MachineError:
            got = None
        assert got == expected, (target, follow_last)
    assert str(machine.resolved("/etc/chain/x")) == str(machine.root / "boot/x")
