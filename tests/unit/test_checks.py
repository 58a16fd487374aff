"""kdump.checks: the support checks in the original's order, and the link checks."""

from __future__ import annotations

import pytest

from backends.values import FadumpState
from kdump.checks import (
    CheckResult,
    ReadinessInputs,
    invalid_links,
    link_version,
    readiness,
    support_findings,
)
from kdump.config import Config, load_config
from kdump.facts import Facts, LinkFact
from kdump.finding import Finding
from kdump.messages import CATALOG
from kdump.plan import KernelChoice
from tests.unit.factories import ready_facts

R = "6.1.0-18-amd64"
CONFIG_PATH = "/etc/default/kdump-tools"
INITRD_LINK = "/var/lib/kdump/initrd.img"
KERNEL_LINK = "/var/lib/kdump/vmlinuz"


def config(text: str = "USE_KDUMP=1\n") -> Config:
    return load_config(text, CONFIG_PATH, arch="x86_64")[0]


def link(path: str, target: str | None, exists: bool = True) -> LinkFact:
    """A link as gather() reports it (target None: not a symlink)."""
    if target is None:
        return LinkFact(path, False, None, path, exists)
    return LinkFact(path, True, target, target, exists)


GOOD_LINKS = (link(INITRD_LINK, f"/var/lib/kdump/initrd.img-{R}"),
              link(KERNEL_LINK, f"/boot/vmlinuz-{R}"))


def facts(**changes: object) -> Facts:
    defaults: dict[str, object] = {
        "release": R, "kexec_path": "/sbin/kexec", "links": GOOD_LINKS,
        "cmdline": f"BOOT_IMAGE=/boot/vmlinuz-{R} root=/dev/sda1 ro crashkernel=512M"}
    return ready_facts(**{**defaults, **changes})


def codes(findings: list[Finding]) -> list[str]:
    return [finding.code for finding in findings]


# -- support_findings ----------------------------------------------------------------------


def test_ready_kdump_machine_has_no_findings() -> None:
    assert support_findings(config(), facts()) == []


def test_every_failed_check_in_the_originals_order() -> None:
    cfg = config("USE_KDUMP=0\nSSH=root@dumphost\nNFS=nfs:/srv/crash\n")
    found = support_findings(cfg, facts(kexec_supported=False, cmdline="ro quiet"))
    assert codes(found) == ["use-kdump-off", "kdump-not-supported", "no-crashkernel",
                            "ssh-nfs-conflict"]
    assert found[0].params == {"config": CONFIG_PATH}


@pytest.mark.parametrize("text", ["", "USE_KDUMP=0\n", "USE_KDUMP=no\n", "USE_KDUMP=false\n"])
def test_use_kdump_off(text: str) -> None:
    assert codes(support_findings(config(text), facts())) == ["use-kdump-off"]


def test_kexec_unsupported_alone() -> None:
    assert codes(support_findings(config(), facts(kexec_supported=False))) == \
        ["kdump-not-supported"]


@pytest.mark.parametrize("cmdline", ["ro quiet", "xcrashkernel=512M", "CRASHKERNEL=512M",
                                     'foo="crashkernel=512M"'])
def test_crashkernel_is_a_whole_parameter(cmdline: str) -> None:
    assert codes(support_findings(config(), facts(cmdline=cmdline))) == ["no-crashkernel"]


@pytest.mark.parametrize("text", ["SSH=root@dumphost\n", "NFS=nfs:/srv/crash\n",
                                  "FTP=ftp.example\nSSH=root@dumphost\n"])
def test_one_remote_target_is_no_conflict(text: str) -> None:
    assert support_findings(config("USE_KDUMP=1\n" + text), facts()) == []


def test_fadump_mode_checks_registration_not_kexec() -> None:
    fadump = facts(fadump=FadumpState(True, None, "new"), kexec_supported=False,
                   cmdline="ro fadump=on")
    assert codes(support_findings(config(), fadump)) == ["fadump-not-configured"]
    cfg = config("USE_KDUMP=0\nSSH=a@b\nNFS=c:/d\n")
    assert codes(support_findings(cfg, fadump)) == \
        ["use-kdump-off", "fadump-not-configured", "ssh-nfs-conflict"]


@pytest.mark.parametrize("registered", [False, True])
def test_fadump_ready(registered: bool) -> None:
    fadump = facts(fadump=FadumpState(True, registered, "legacy"), kexec_supported=False,
                   cmdline="ro fadump=on")
    assert support_findings(config(), fadump) == []


def test_fadump_interface_without_fadump_enabled_is_kdump_mode() -> None:
    fct = facts(fadump=FadumpState(False, False, "new"), kexec_supported=False)
    assert codes(support_findings(config(), fct)) == ["kdump-not-supported"]


def test_support_findings_are_fatal_failures() -> None:
    cfg = config("USE_KDUMP=0\nSSH=a@b\nNFS=c:/d\n")
    every = support_findings(cfg, facts(kexec_supported=False, cmdline="")) + \
        support_findings(cfg, facts(fadump=FadumpState(True, None, "none")))
    assert {f.code for f in every} == {"use-kdump-off", "kdump-not-supported", "no-crashkernel",
                                       "ssh-nfs-conflict", "fadump-not-configured"}
    for finding in every:
        message = CATALOG[finding.code]
        assert message.severity == "failure" and message.exit_code == 1
        message.lines({"name": "kdump-config", **finding.params})  # all fields supplied


# -- invalid_links -------------------------------------------------------------------------


def test_links_to_the_running_kernel_are_valid() -> None:
    assert invalid_links(facts()) == []


def test_vmlinux_target_is_valid() -> None:
    links = (GOOD_LINKS[0], link(KERNEL_LINK, f"/boot/vmlinux-{R}"))
    assert invalid_links(facts(links=links)) == []


@pytest.mark.parametrize(
    ("initrd", "kernel", "invalid"),
    [
        # missing altogether
        (link(INITRD_LINK, None, exists=False), GOOD_LINKS[1], [INITRD_LINK]),
        # a regular file where a link belongs
        (link(INITRD_LINK, None, exists=True), GOOD_LINKS[1], [INITRD_LINK]),
        # dangling
        (GOOD_LINKS[0], link(KERNEL_LINK, f"/boot/vmlinuz-{R}", exists=False), [KERNEL_LINK]),
        # another kernel version
        (link(INITRD_LINK, "/var/lib/kdump/initrd.img-6.1.0-17-amd64"), GOOD_LINKS[1],
         [INITRD_LINK]),
        (GOOD_LINKS[0], link(KERNEL_LINK, "/boot/vmlinuz-6.1.0-17-amd64"), [KERNEL_LINK]),
        (GOOD_LINKS[0], link(KERNEL_LINK, f"/boot/vmlinuz-{R}.old"), [KERNEL_LINK]),
        # both wrong: initrd.img first, as the original
        (link(INITRD_LINK, None, exists=False), link(KERNEL_LINK, "/boot/vmlinuz-5.10.0-9-amd64"),
         [INITRD_LINK, KERNEL_LINK]),
    ],
)
def test_invalid_links(initrd: LinkFact, kernel: LinkFact, invalid: list[str]) -> None:
    found = invalid_links(facts(links=(initrd, kernel)))
    assert found == [Finding("invalid-symlink", {"link": path}) for path in invalid]


def test_no_kdump_directory_means_no_link_findings() -> None:
    assert invalid_links(facts(kdump_dir_is_dir=False, links=())) == []


@pytest.mark.parametrize(
    ("fact", "version"),
    [
        (link(KERNEL_LINK, f"/boot/vmlinuz-{R}"), R),
        (link(KERNEL_LINK, f"/boot/vmlinux-{R}"), R),
        (link(INITRD_LINK, f"/var/lib/kdump/initrd.img-{R}"), R),
        (link(KERNEL_LINK, f"/boot/{R}"), R),
        (link(KERNEL_LINK, "/boot/bzImage"), "bzImage"),
    ],
)
def test_link_version(fact: LinkFact, version: str) -> None:
    assert link_version(fact) == version


def test_invalid_symlink_is_reported_not_fatal() -> None:
    message = CATALOG["invalid-symlink"]
    assert message.severity == "failure" and message.exit_code == 0
    assert message.lines({"link": INITRD_LINK}) == [f"Invalid symlink : {INITRD_LINK}"]


# -- readiness: the one evaluator `check` renders (and status/load/test share) --------------


def ready_inputs(**changes: object) -> ReadinessInputs:

    base = ReadinessInputs(choice=KernelChoice(KERNEL_LINK, INITRD_LINK), kernel_exists=True,
                           initrd_exists=True, estimate_mib=466)
    return base._replace(**changes)


def by_name(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {result.name: result for result in results}


def test_readiness_of_a_loaded_ready_machine_is_all_ok() -> None:
    results = readiness(config(), facts(kexec_loaded=True), ready_inputs())
    assert [(r.name, r.status) for r in results if r.status != "ok"] == []
    assert [r.name for r in results][:3] == ["use-kdump", "kexec-support", "crashkernel-param"]


def test_the_support_checks_are_the_findings_status_and_load_report() -> None:
    cfg = config("USE_KDUMP=0\nSSH=root@dumphost\nNFS=nfs:/srv/crash\n")
    fcts = facts(kexec_supported=False, cmdline="ro quiet")
    failed = [r.code for r in readiness(cfg, fcts, ready_inputs()) if r.status == "fail"]
    assert [f.code for f in support_findings(cfg, fcts)] == \
        [c for c in failed if c in {"use-kdump-off", "kdump-not-supported", "no-crashkernel",
                                    "ssh-nfs-conflict"}]


def test_an_absent_crash_size_is_unknown_not_zero() -> None:
    results = by_name(readiness(config(), facts(crash_size=None), ready_inputs()))
    assert (results["crashkernel-reserved"].status, results["crashkernel-reserved"].code) == \
        ("warn", "crashkernel-size-unknown")
    assert "crashkernel-size" not in results  # no size to compare with the estimate
    zero = by_name(readiness(config(), facts(crash_size=0), ready_inputs()))
    assert zero["crashkernel-reserved"].code == "crashkernel-not-reserved"


def test_without_the_kernel_hook_no_remedy_runs_symlinks() -> None:
    missing = KernelChoice(KERNEL_LINK, INITRD_LINK, findings=(
        Finding("kdump-initrd-missing", {"config": CONFIG_PATH, "path": INITRD_LINK}),))
    broken = facts(links=(link(INITRD_LINK, None, exists=False), GOOD_LINKS[1]))
    with_hook = by_name(readiness(config(), broken, ready_inputs(choice=missing)))
    without = by_name(readiness(config(), broken, ready_inputs(
        choice=missing, links_blocker="kernel-hook-missing")))
    for name in ("kdump-initrd", "kernel-links"):
        assert with_hook[name].remedy is None
        assert without[name].remedy == "kernel-hook-missing"
        assert "symlinks" in CATALOG[with_hook[name].code or "usage"].remedy
    assert "apt install --reinstall kdump-config" in CATALOG["kernel-hook-missing"].remedy
