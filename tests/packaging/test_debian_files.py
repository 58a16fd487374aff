"""The files the Debian package ships (debian/root, maintainer scripts): they parse, they
call this CLI for the roles kdump-tools' files had, and the helpers behave."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.real_processes  # sh/bash parse and run the package's scripts

TOP = Path(__file__).resolve().parents[2]
ROOT = TOP / "debian" / "root"
UNITS = ROOT / "usr/lib/systemd/system"
HELPERS = ROOT / "usr/share/kdump-config"
SH_SCRIPTS = [
    ROOT / "etc/kernel/postinst.d/kdump-tools",
    ROOT / "etc/kernel/postrm.d/kdump-tools",
    ROOT / "usr/share/initramfs-tools/hooks/kdump-tools",
    ROOT / "usr/share/initramfs-tools/scripts/local-bottom/kdump-sysctl",
    ROOT / "etc/default/grub.d/kdump-tools.cfg",
    HELPERS / "kdump-mem-snapshot",
    HELPERS / "kdump-tools-dump",
    TOP / "debian/kdump-config.kdump-tools.init",
    TOP / "debian/kdump-config.config",
    TOP / "debian/kdump-config.postinst",
    TOP / "debian/kdump-config.postrm",
]


def unit(name: str) -> dict[str, list[str]]:
    entries: dict[str, list[str]] = {}
    for line in (UNITS / name).read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            entries.setdefault(key, []).append(value)
    return entries


@pytest.mark.parametrize("script", SH_SCRIPTS, ids=lambda p: p.name)
def test_shell_scripts_parse(script: Path) -> None:
    shell = shutil.which("dash") or shutil.which("sh") or "/bin/sh"
    result = subprocess.run([shell, "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_bash_completion_parses() -> None:
    completion = ROOT / "usr/share/bash-completion/completions/kdump-config"
    subprocess.run(["bash", "-n", str(completion)], check=True)


def test_executables_are_executable() -> None:
    for path in [*SH_SCRIPTS[:4], HELPERS / "kdump-mem-snapshot", HELPERS / "kdump-tools-dump",
                 HELPERS / "kdump-setting", ROOT / "usr/sbin/kdump-config"]:
        assert os.access(path, os.X_OK), path


def test_first_kernel_unit_snapshots_memory_then_loads_and_unloads_at_stop() -> None:
    service = unit("kdump-tools.service")
    assert service["ExecStartPre"] == ["-/usr/share/kdump-config/kdump-mem-snapshot"]
    assert service["ExecStart"] == ["/usr/sbin/kdump-config load"]
    assert service["ExecStop"] == ["/usr/sbin/kdump-config unload"]
    assert service["Before"] == ["basic.target"] and service["WantedBy"] == ["basic.target"]
    assert service["Environment"] == ["NAME=kdump-tools"]


def test_capture_kernel_unit_saves_the_dump_then_fails_over_or_reboots() -> None:
    service = unit("kdump-tools-dump.service")
    assert service["ConditionPathExists"] == ["/proc/vmcore"]
    assert service["ExecStart"] == ["/usr/share/kdump-config/kdump-tools-dump"]
    script = (HELPERS / "kdump-tools-dump").read_text()
    code = [line.strip() for line in script.splitlines() if not line.strip().startswith("#")]
    assert "if /usr/sbin/kdump-config savecore; then" in code
    assert "$fail_cmd" in code and "reboot -f" in code
    assert code.index("$fail_cmd") < code.index("reboot -f")


def test_capture_kernel_unit_starts_once_the_network_is_up() -> None:
    """Network dumps need the network: the dump unit waits for network-online.target and, on
    ifupdown systems (where nothing else makes that target wait for an allow-hotplug
    interface), for ifupdown's own wait, which Debian leaves disabled."""
    service = unit("kdump-tools-dump.service")
    wants = " ".join(service["Wants"]).split()
    after = " ".join(service["After"]).split()
    for dependency in ("network-online.target", "ifupdown-wait-online.service"):
        assert dependency in wants and dependency in after


def test_the_capture_kernel_boots_into_the_dump_unit() -> None:
    from kdump.config import default_cmdline_append

    for arch in ("x86_64", "aarch64", "ppc64le"):
        assert "systemd.unit=kdump-tools-dump.service" in default_cmdline_append(arch)


def _udev_actions(action: str) -> set[tuple[str, str]]:
    """(subsystem, event) pairs for which the rules file runs ``action``."""
    rules = (ROOT / "usr/lib/udev/rules.d/50-kdump-tools.rules").read_text()
    seen = set()
    for line in rules.splitlines():
        match = re.fullmatch(r'SUBSYSTEM=="(\w+)", ACTION=="([\w|]+)", (TEST[!=]="[^"]+"), '
                             r'RUN\+="([^"]+)"', line)
        if match and f"{match.group(3)} {match.group(4)}" == action:
            seen.update((match.group(1), event) for event in match.group(2).split("|"))
    return seen


HOTPLUG = {("memory", "online"), ("memory", "offline"), ("cpu", "add"), ("cpu", "remove"),
           ("cpu", "online")}


def test_udev_hands_hotplug_to_the_service_under_systemd() -> None:
    # udevd's system call filter refuses kexec to what it runs: the reload must happen in
    # the service (its ExecReload), asked for without waiting.
    handed = _udev_actions('TEST=="/run/systemd/system" /usr/bin/systemctl --no-block '
                           'try-reload-or-restart kdump-tools.service')
    assert handed >= HOTPLUG
    unit = (ROOT / "usr/lib/systemd/system/kdump-tools.service").read_text()
    assert "\nExecReload=/usr/sbin/kdump-config try-reload\n" in unit


def test_udev_runs_try_reload_itself_without_systemd() -> None:
    direct = _udev_actions('TEST!="/run/systemd/system" /usr/sbin/kdump-config try-reload')
    assert direct >= HOTPLUG


def test_init_script_is_kdump_tools_and_calls_the_cli() -> None:
    script = (TOP / "debian/kdump-config.kdump-tools.init").read_text()
    assert "\nNAME=kdump-tools\n" in script
    for verb in ("start", "stop", "restart|force-reload", "reload", "status"):
        assert f"\n    {verb})\n" in script, verb
    for call in ('"$KDUMP_CONFIG" load', '"$KDUMP_CONFIG" unload', '"$KDUMP_CONFIG" reload',
                 '"$KDUMP_CONFIG" try-reload', '"$KDUMP_CONFIG" status',
                 "exec /usr/share/kdump-config/kdump-tools-dump"):
        assert call in script, call


def run_grub_snippet(tmp_path: Path, arch: str) -> str:
    fake = tmp_path / "bin"
    fake.mkdir(exist_ok=True)
    (fake / "dpkg").write_text(f"#!/bin/sh\necho {arch}\n")
    (fake / "dpkg").chmod(0o755)
    snippet = (ROOT / "etc/default/grub.d/kdump-tools.cfg").read_text()
    snippet = snippet.replace("[ -x /usr/sbin/kdump-config ]", "true")
    result = subprocess.run(["sh", "-c", 'GRUB_CMDLINE_LINUX_DEFAULT=quiet\n' + snippet
                             + '\necho "$GRUB_CMDLINE_LINUX_DEFAULT"'],
                            env={"PATH": f"{fake}:/usr/bin:/bin"}, capture_output=True,
                            text=True, check=True)
    return result.stdout.strip()


@pytest.mark.parametrize(("arch", "expected"), [
    ("amd64", "quiet crashkernel=512M-:192M"),
    ("arm64", "quiet crashkernel=2G-4G:320M,4G-32G:512M,32G-64G:1024M,64G-:2048M"),
    ("ppc64el", "quiet crashkernel=2G-4G:384M,4G-32G:512M,32G-64G:1024M,64G-128G:2048M,"
                "128G-:4096M"),
])
def test_grub_snippet_reserves_per_architecture(tmp_path: Path, arch: str,
                                                expected: str) -> None:
    assert run_grub_snippet(tmp_path, arch) == expected


def setting(tmp_path: Path, config: str | None, name: str) -> subprocess.CompletedProcess[str]:
    if config is not None:
        (tmp_path / "etc/default").mkdir(parents=True, exist_ok=True)
        (tmp_path / "etc/default/kdump-tools").write_text(config)
    env = {"KDUMP_ROOT": str(tmp_path), "PYTHONPATH": str(TOP), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, str(HELPERS / "kdump-setting"), name], env=env,
                          capture_output=True, text=True)


def test_setting_helper_reads_use_kdump_as_kdump_config_does(tmp_path: Path) -> None:
    on = setting(tmp_path, "USE_KDUMP=yes\n", "use_kdump")
    assert (on.returncode, on.stdout) == (0, "1\n")
    off = setting(tmp_path, "USE_KDUMP=0\n", "use_kdump")
    assert (off.returncode, off.stdout) == (1, "0\n")
    absent = setting(tmp_path / "none", None, "use_kdump")
    assert (absent.returncode, absent.stdout) == (1, "0\n")


def test_setting_helper_never_runs_the_file(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    result = setting(tmp_path, f"KDUMP_FAIL_CMD=$(touch {marker})\n", "kdump_fail_cmd")
    assert result.returncode == 255 and "kdump-tools:1" in result.stderr
    assert not marker.exists()
    words = setting(tmp_path, 'KDUMP_FAIL_CMD="/bin/sh -i"\n', "kdump_fail_cmd")
    assert (words.returncode, words.stdout) == (0, "/bin/sh -i\n")


def test_without_the_simulator_the_sim_backend_says_so(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    # The Debian package leaves sim/, backends/sim.py and backends/sim_*.py out.
    import backends

    monkeypatch.setitem(sys.modules, "backends.sim", None)
    monkeypatch.setitem(sys.modules, "sim.machine", None)
    with pytest.raises(backends.BackendError, match="simulated machine is not installed"):
        backends.select("sim", state=str(tmp_path))
