"""kdump.plan: locating the kdump kernel and assembling the kexec argv (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from kdump.config import Config, default_cmdline_append, load_config
from kdump.facts import Facts
from kdump.finding import Finding
from kdump.messages import CATALOG
from kdump.plan import (
    KernelChoice,
    capture_cmdline,
    kconfig_value,
    kexec_load_argv,
    kexec_unload_argv,
    locate_kernel,
)
from tests.unit.factories import ready_facts

R = "6.1.0-18-amd64"
PKG = f"/usr/lib/linux-kdump-{R}"
CONFIG_PATH = "/etc/default/kdump-tools"
KEXEC = "/sbin/kexec"
CMDLINE = f"BOOT_IMAGE=/boot/vmlinuz-{R} root=UUID=0b9d ro quiet crashkernel=512M"


@dataclass
class Files:
    """A dict-backed FileView: regular files with their text, and directories."""

    files: dict[str, str] = field(default_factory=dict)
    dirs: set[str] = field(default_factory=set)

    def exists(self, path: str) -> bool:
        return path in self.files or path in self.dirs

    def is_file(self, path: str) -> bool:
        return path in self.files

    def is_dir(self, path: str) -> bool:
        return path in self.dirs

    def read_text(self, path: str) -> str | None:
        return self.files.get(path)


def files(*paths: str, dirs: tuple[str, ...] = ()) -> Files:
    return Files(dict.fromkeys(paths, ""), set(dirs))


def config(text: str = "", arch: str = "x86_64") -> Config:
    return load_config("USE_KDUMP=1\n" + text, CONFIG_PATH, arch=arch)[0]


def facts(**changes: object) -> Facts:
    defaults: dict[str, object] = dict(release=R, cmdline=CMDLINE, kexec_path=KEXEC)
    return ready_facts(**{**defaults, **changes})


def codes(choice: KernelChoice) -> list[str]:
    return [finding.code for finding in choice.findings]


# -- KDUMP_KERNEL configured ---------------------------------------------------------------

CONFIGURED = "KDUMP_KERNEL=/var/lib/kdump/vmlinuz\nKDUMP_INITRD=/var/lib/kdump/initrd.img\n"


def test_configured_kernel_and_initrd_present() -> None:
    view = files("/var/lib/kdump/vmlinuz", "/var/lib/kdump/initrd.img")
    choice = locate_kernel(config(CONFIGURED), facts(), view)
    assert choice == KernelChoice("/var/lib/kdump/vmlinuz", "/var/lib/kdump/initrd.img", "")
    assert choice.fatal is None


def test_configured_kernel_missing_is_fatal_and_names_config_and_path() -> None:
    # The initrd is not looked at once the kernel is missing (the original's elif).
    choice = locate_kernel(config(CONFIGURED), facts(), files())
    assert choice.findings == (
        Finding("kdump-kernel-missing", {"config": CONFIG_PATH, "path": "/var/lib/kdump/vmlinuz"}),
    )
    assert choice.fatal == choice.findings[0]


def test_configured_initrd_missing_is_fatal() -> None:
    choice = locate_kernel(config(CONFIGURED), facts(), files("/var/lib/kdump/vmlinuz"))
    # The configured path stays in the choice (test shows it); the argv leaves it out.
    assert choice.kernel == "/var/lib/kdump/vmlinuz"
    assert choice.initrd == "/var/lib/kdump/initrd.img"
    assert choice.findings == (
        Finding("kdump-initrd-missing",
                {"config": CONFIG_PATH, "path": "/var/lib/kdump/initrd.img"}),
    )
    assert choice.fatal is not None


def test_configured_kernel_without_initrd_setting_is_used_as_is() -> None:
    choice = locate_kernel(config("KDUMP_KERNEL=/srv/vmlinuz\n"), facts(),
                           files("/srv/vmlinuz", f"/boot/initrd.img-{R}"))
    assert choice == KernelChoice("/srv/vmlinuz", "", "")


def test_configured_kernel_skips_the_search() -> None:
    view = files("/var/lib/kdump/vmlinuz", "/var/lib/kdump/initrd.img",
                 f"/boot/vmlinuz-{R}", dirs=(PKG,))
    view.files[f"/boot/config-{R}"] = "CONFIG_RELOCATABLE=y\n"
    assert locate_kernel(config(CONFIGURED), facts(), view).kernel == "/var/lib/kdump/vmlinuz"


# -- relocatable fallback (KDUMP_KERNEL unset) ---------------------------------------------


def relocatable(*paths: str, dirs: tuple[str, ...] = ()) -> Files:
    view = files(*paths, dirs=dirs)
    view.files[f"/boot/config-{R}"] = "# comment\nCONFIG_KEXEC=y\nCONFIG_RELOCATABLE=y\n"
    return view


def test_relocatable_prefers_vmlinuz_over_vmlinux() -> None:
    view = relocatable(f"/boot/vmlinux-{R}", f"/boot/vmlinuz-{R}", f"/boot/initrd.img-{R}")
    choice = locate_kernel(config(), facts(), view)
    assert choice == KernelChoice(f"/boot/vmlinuz-{R}", f"/boot/initrd.img-{R}", "relocatable")


def test_relocatable_takes_vmlinux_when_it_is_the_only_image() -> None:
    view = relocatable(f"/boot/vmlinux-{R}", f"/boot/initrd.img-{R}")
    assert locate_kernel(config(), facts(), view).kernel == f"/boot/vmlinux-{R}"


def test_relocatable_without_initrd_warns_only() -> None:
    choice = locate_kernel(config(), facts(), relocatable(f"/boot/vmlinuz-{R}"))
    assert choice.kernel == f"/boot/vmlinuz-{R}" and choice.initrd == ""
    assert choice.findings == (Finding("no-kdump-initrd", {"path": f"/boot/initrd.img-{R}"}),)
    assert choice.fatal is None
    assert CATALOG["no-kdump-initrd"].exit_code == 0


def test_relocatable_honours_a_configured_initrd() -> None:
    view = relocatable(f"/boot/vmlinuz-{R}", f"/boot/initrd.img-{R}", "/srv/initrd")
    choice = locate_kernel(config("KDUMP_INITRD=/srv/initrd\n"), facts(), view)
    assert choice.initrd == "/srv/initrd" and choice.findings == ()


def test_ia64_counts_as_relocatable_without_a_boot_config() -> None:
    view = files(f"/boot/vmlinuz-{R}", f"/boot/initrd.img-{R}")
    assert locate_kernel(config(), facts(arch="ia64"), view).kernel_addr == "relocatable"
    assert codes(locate_kernel(config(), facts(), view)) == ["no-kdump-kernel"]


@pytest.mark.parametrize("kconfig", ["", "# CONFIG_RELOCATABLE is not set\n",
                                     "CONFIG_RELOCATABLE=n\n", "CONFIG_RELOCATABLE_X=y\n"])
def test_not_relocatable_running_kernel_is_not_used(kconfig: str) -> None:
    view = files(f"/boot/vmlinuz-{R}", f"/boot/initrd.img-{R}")
    view.files[f"/boot/config-{R}"] = kconfig
    assert codes(locate_kernel(config(), facts(), view)) == ["no-kdump-kernel"]


# -- the kdump package directory -----------------------------------------------------------


def test_no_package_directory_is_fatal() -> None:
    # Relocatable, but the running kernel's image is not a regular file: search goes on.
    choice = locate_kernel(config(), facts(), relocatable())
    assert choice.findings == (Finding("no-kdump-kernel", {"config": CONFIG_PATH}),)
    assert choice.fatal == choice.findings[0]
    assert choice.kernel == ""


def test_package_directory_without_kernel_is_broken() -> None:
    view = files(f"{PKG}/initrd.img", dirs=(PKG,))
    choice = locate_kernel(config(), facts(), view)
    assert choice.findings == (Finding("kdump-package-broken", {"pkg_dir": PKG}),)
    assert choice.fatal is not None


def test_relocatable_package_kernel() -> None:
    view = files(f"{PKG}/vmlinux", f"{PKG}/vmlinuz", f"{PKG}/initrd.img", dirs=(PKG,))
    view.files[f"{PKG}/config"] = "CONFIG_RELOCATABLE=y\n"
    choice = locate_kernel(config(), facts(), view)
    assert choice == KernelChoice(f"{PKG}/vmlinuz", f"{PKG}/initrd.img", "relocatable")


def test_package_kernel_without_initrd_warns_only() -> None:
    view = files(f"{PKG}/vmlinux", dirs=(PKG,))
    choice = locate_kernel(config(), facts(), view)
    assert choice.kernel == f"{PKG}/vmlinux"
    assert choice.findings == (Finding("no-kdump-initrd", {"path": f"{PKG}/initrd.img"}),)
    assert choice.fatal is None


def fixed_address(start: str, config_path: str = f"{PKG}/config") -> Files:
    view = files(f"{PKG}/vmlinuz", f"{PKG}/initrd.img", dirs=(PKG,))
    view.files[config_path] = f'# CONFIG_RELOCATABLE is not set\nCONFIG_PHYSICAL_START={start}\n'
    return view


@pytest.mark.parametrize("start", ["0x1000000", "0x01000000", "0X1000000", "16777216"])
def test_fixed_address_matching_the_first_range_numerically(start: str) -> None:
    choice = locate_kernel(config(), facts(), fixed_address(start))
    assert choice == KernelChoice(f"{PKG}/vmlinuz", f"{PKG}/initrd.img", start)


@pytest.mark.parametrize(
    "ranges",
    [
        ((0x2000000, 0x21ffffff),),
        ((0x2000000, 0x21ffffff), (0x1000000, 0x10ffffff)),  # only the first range counts
        (),
        ((0, 0),),  # non-root view of /proc/iomem
    ],
)
def test_fixed_address_mismatch_is_fatal(ranges: tuple[tuple[int, int], ...]) -> None:
    choice = locate_kernel(config(), facts(crash_ranges=ranges), fixed_address("0x1000000"))
    assert codes(choice) == ["relocation-mismatch"]
    assert choice.fatal is not None and choice.kernel_addr == "0x1000000"


def test_unparsable_physical_start_is_a_mismatch() -> None:
    assert codes(locate_kernel(config(), facts(), fixed_address("junk"))) == \
        ["relocation-mismatch"]


def test_kdump_config_names_the_kdump_kernel_config() -> None:
    view = fixed_address("0x2000000", "/etc/kdump/kernel.config")
    view.files[f"{PKG}/config"] = "CONFIG_RELOCATABLE=y\n"
    choice = locate_kernel(config("KDUMP_CONFIG=/etc/kdump/kernel.config\n"),
                           facts(crash_ranges=((0x2000000, 0x3fffffff),)), view)
    assert choice.kernel_addr == "0x2000000" and choice.findings == ()
    mismatch = locate_kernel(config("KDUMP_CONFIG=/etc/kdump/kernel.config\n"), facts(), view)
    assert codes(mismatch) == ["relocation-mismatch"]


def test_mismatch_and_missing_initrd_both_reported_mismatch_fatal() -> None:
    view = fixed_address("0x3000000")
    del view.files[f"{PKG}/initrd.img"]
    choice = locate_kernel(config(), facts(), view)
    assert codes(choice) == ["no-kdump-initrd", "relocation-mismatch"]
    assert choice.fatal is not None and choice.fatal.code == "relocation-mismatch"


def test_kconfig_value() -> None:
    text = 'CONFIG_A=y\n  CONFIG_B="quoted"\n# CONFIG_C is not set\nCONFIG_AB=1\n'
    assert kconfig_value(text, "CONFIG_A") == "y"
    assert kconfig_value(text, "CONFIG_B") == "quoted"
    assert kconfig_value(text, "CONFIG_C") is None
    assert kconfig_value(text, "CONFIG_") is None


def test_fatal_findings_end_a_command_with_exit_1() -> None:
    for code in ("kdump-kernel-missing", "kdump-initrd-missing", "no-kdump-kernel",
                 "kdump-package-broken", "relocation-mismatch"):
        assert CATALOG[code].exit_code == 1, code


# -- kexec argv ----------------------------------------------------------------------------

CHOICE = KernelChoice("/var/lib/kdump/vmlinuz", "/var/lib/kdump/initrd.img")
APPEND = default_cmdline_append("x86_64")
STRIPPED = f"BOOT_IMAGE=/boot/vmlinuz-{R} root=UUID=0b9d ro quiet"


def argv(cfg: Config | None = None, fct: Facts | None = None, choice: KernelChoice = CHOICE,
         elf: bool = False, initrd_exists: bool = True) -> list[str]:
    return kexec_load_argv(KEXEC, cfg or config(), fct or facts(), choice, elf, initrd_exists)


def test_plain_load_argv() -> None:
    assert argv() == [KEXEC, "-p", f"--command-line={STRIPPED} {APPEND}",
                      "--initrd=/var/lib/kdump/initrd.img", "/var/lib/kdump/vmlinuz"]


@pytest.mark.parametrize(
    "secure",
    [{"secure_boot": True}, {"securelevel": True}, {"lockdown": "integrity"},
     {"lockdown": "confidentiality"}],
)
def test_signed_kexec_when_secure(secure: dict[str, object]) -> None:
    fct = facts(**secure)
    assert argv(fct=fct)[:3] == [KEXEC, "-p", "-s"]
    assert kexec_unload_argv(KEXEC, fct) == [KEXEC, "-s", "-p", "-u"]


@pytest.mark.parametrize("lockdown", [None, "none"])
def test_no_signed_kexec_without_secure_boot_or_lockdown(lockdown: str | None) -> None:
    fct = facts(lockdown=lockdown)
    assert "-s" not in argv(fct=fct)
    assert kexec_unload_argv(KEXEC, fct) == [KEXEC, "-p", "-u"]


def test_args_linux_for_an_elf_kernel_except_on_ia64() -> None:
    assert argv(elf=True)[:3] == [KEXEC, "-p", "--args-linux"]
    assert "--args-linux" not in argv(elf=False)
    assert "--args-linux" not in argv(fct=facts(arch="ia64"), elf=True)


def test_kexec_args_tokens_go_after_the_flags_and_before_the_command_line() -> None:
    cfg = config("KDUMP_KEXEC_ARGS='--noefi --dtb \"/boot/my dtb\" $(reboot)'\n")
    result = argv(cfg, facts(secure_boot=True), elf=True)
    assert result[:7] == [KEXEC, "-p", "-s", "--args-linux", "--noefi", "--dtb", "/boot/my dtb"]
    assert result[7] == "$(reboot)"
    assert result[8].startswith("--command-line=")


def test_command_line_strips_capture_hostile_parameters_and_keeps_quotes() -> None:
    proc = ('BOOT_IMAGE=/vmlinuz crashkernel=256M,high crashkernel=72M,low hugepages=64 '
            'hugepagesz=1G abm=1 "acpi_osi=!Windows 2012" dyndbg="file a.c +p" quiet')
    cfg = config("KDUMP_CMDLINE_APPEND='nr_cpus=1 irqpoll'\n")
    line = argv(cfg, facts(cmdline=proc))[2]
    assert line == ('--command-line=BOOT_IMAGE=/vmlinuz "acpi_osi=!Windows 2012" '
                    'dyndbg="file a.c +p" quiet nr_cpus=1 irqpoll')


def test_kdump_cmdline_is_used_as_is() -> None:
    cfg = config("KDUMP_CMDLINE='root=/dev/vda crashkernel=128M hugepages=3'\n"
                 "KDUMP_CMDLINE_APPEND=single\n")
    assert capture_cmdline(cfg, facts()) == "root=/dev/vda crashkernel=128M hugepages=3 single"
    assert argv(cfg)[2] == "--command-line=root=/dev/vda crashkernel=128M hugepages=3 single"


def test_default_append_follows_the_architecture() -> None:
    cfg = config(arch="aarch64")
    assert capture_cmdline(cfg, facts(arch="aarch64")) == \
        f"{STRIPPED} reset_devices systemd.unit=kdump-tools-dump.service nr_cpus=1"


def test_initrd_only_when_it_exists() -> None:
    assert not any(arg.startswith("--initrd") for arg in argv(initrd_exists=False))
    no_initrd = KernelChoice("/var/lib/kdump/vmlinuz", "")
    assert not any(arg.startswith("--initrd") for arg in argv(choice=no_initrd))


def test_kernel_is_the_last_argument() -> None:
    choice = KernelChoice("/boot/vmlinuz-x", "/boot/initrd.img-x")
    result = argv(choice=choice)
    assert result[-1] == "/boot/vmlinuz-x" and result[-2] == "--initrd=/boot/initrd.img-x"
    assert argv(choice=choice, initrd_exists=False)[-1] == "/boot/vmlinuz-x"
