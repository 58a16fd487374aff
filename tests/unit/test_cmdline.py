"""kdump.cmdline: kernel-style tokens, token-based parameter tests, shell-safe argv text."""

from __future__ import annotations

import shlex
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kdump.cmdline import (
    STRIPPED_FOR_CAPTURE,
    has_param,
    param_values,
    render_argv,
    strip_params,
    tokens,
)

DEBIAN_CMDLINE = (
    "BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=UUID=0b9d-41 ro quiet crashkernel=512M\n"
)

# -- tokens --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cmdline", "expected"),
    [
        ("", []),
        ("   \n", []),
        ("ro quiet", ["ro", "quiet"]),
        ("  ro\t\tquiet  splash\n", ["ro", "quiet", "splash"]),
        ('acpi_osi="!Windows 2012" quiet', ['acpi_osi="!Windows 2012"', "quiet"]),
        ('"acpi_osi=!Windows 2012" quiet', ['"acpi_osi=!Windows 2012"', "quiet"]),
        ('a="x  y"\tb', ['a="x  y"', "b"]),
        # An unterminated quote runs to the end of the line, as in the kernel's next_arg().
        ('a="b c d', ['a="b c d']),
        ('dyndbg="file x.c +p" ro', ['dyndbg="file x.c +p"', "ro"]),
    ],
)
def test_tokens_split_on_blanks_outside_double_quotes(cmdline: str, expected: list[str]) -> None:
    assert tokens(cmdline) == expected


# -- has_param (B10) -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cmdline", "present"),
    [
        (DEBIAN_CMDLINE, True),
        ("crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M", True),
        ("ro crashkernel=256M,high crashkernel=72M,low", True),
        ('"crashkernel=512M" ro', True),
        ("ro quiet", False),
        ("xcrashkernel=512M", False),  # B10: a substring is not the parameter
        ("crashkernelx=512M", False),
        ("CRASHKERNEL=512M", False),  # kernel parameter names are case sensitive
        ("CrashKernel=512M", False),
        ("crashkernel", False),  # a bare word is not name=value
        ('foo="crashkernel=512M bar"', False),  # inside another parameter's value
        ("foo=crashkernel=512M", False),
    ],
)
def test_has_param_matches_whole_parameter_names(cmdline: str, present: bool) -> None:
    assert has_param(cmdline, "crashkernel") is present


def test_param_values_lists_every_occurrence() -> None:
    assert param_values("crashkernel=256M,high ro crashkernel=72M,low xcrashkernel=1G",
                        "crashkernel") == ["256M,high", "72M,low"]


# -- strip_params (B21) --------------------------------------------------------------------


def test_stripped_set_is_the_originals() -> None:
    assert frozenset({"crashkernel", "hugepages", "hugepagesz", "abm"}) == STRIPPED_FOR_CAPTURE


def test_strip_params_removes_capture_hostile_parameters() -> None:
    cmdline = ("BOOT_IMAGE=/boot/vmlinuz root=/dev/sda1 crashkernel=384M-:128M hugepages=10 "
               "hugepagesz=2M abm=1 quiet\n")
    assert strip_params(cmdline) == "BOOT_IMAGE=/boot/vmlinuz root=/dev/sda1 quiet"


def test_strip_params_removes_every_occurrence_and_keeps_lookalikes() -> None:
    cmdline = ("crashkernel=256M,high crashkernel=72M,low xcrashkernel=1 default_hugepagesz=1G "
               "hugepages_node=3 abmx=2 ro")
    assert strip_params(cmdline) == \
        "xcrashkernel=1 default_hugepagesz=1G hugepages_node=3 abmx=2 ro"


@pytest.mark.parametrize(
    "quoted",
    ['acpi_osi="!Windows 2012"', '"acpi_osi=!Windows 2012"', 'dyndbg="module e1000 +p"'],
)
def test_strip_params_keeps_quoted_values_intact(quoted: str) -> None:
    cmdline = f"root=/dev/sda1 crashkernel=512M {quoted} hugepages=4 quiet"
    stripped = strip_params(cmdline)
    assert stripped == f"root=/dev/sda1 {quoted} quiet"
    assert quoted in tokens(stripped)


def test_strip_params_removes_a_quoted_stripped_parameter() -> None:
    assert strip_params('"crashkernel=512M" ro') == "ro"


def test_strip_params_with_custom_names() -> None:
    assert strip_params("a=1 b=2 c=3 crashkernel=1G", ["b", "c"]) == "a=1 crashkernel=1G"


# -- render_argv ---------------------------------------------------------------------------

HOSTILE = [
    "",
    " ",
    "plain",
    "two words",
    'dq"inside',
    "sq'inside",
    "back\\slash",
    "trailing\\",
    "\\\"",
    "$(touch pwned)",
    "`touch pwned`",
    "${HOME}",
    "$HOME",
    "a;b|c&d>e<f",
    "*?[glob]",
    "~root",
    "new\nline",
    "tab\there",
    "#comment",
    "it's $(x) \"and\" `y` \\z",
    "acpi_osi=!Windows 2012",
    "ümlaut ☃",
]


def test_render_argv_leaves_safe_words_bare() -> None:
    argv = ["/sbin/kexec", "-p", "--initrd=/var/lib/kdump/initrd.img", "/var/lib/kdump/vmlinuz"]
    assert render_argv(argv) == " ".join(argv)


def test_render_argv_quotes_an_option_value_like_the_original() -> None:
    argv = ["/sbin/kexec", "-p", "--command-line=root=/dev/sda1 ro quiet", "/boot/vmlinuz"]
    assert render_argv(argv) == \
        '/sbin/kexec -p --command-line="root=/dev/sda1 ro quiet" /boot/vmlinuz'


def test_render_argv_keeps_an_empty_option_value() -> None:
    rendered = render_argv(["kexec", "--append=", ""])
    assert shlex.split(rendered) == ["kexec", "--append=", ""]


@pytest.mark.parametrize("value", HOSTILE)
def test_render_argv_round_trips_hostile_values(value: str) -> None:
    argv = ["/sbin/kexec", f"--command-line={value}", value, f"-x{value}"]
    assert shlex.split(render_argv(argv)) == argv


_ARG_TEXT = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)))
_ARGS = st.one_of(
    _ARG_TEXT,
    _ARG_TEXT.map(lambda text: "--command-line=" + text),
    st.sampled_from(HOSTILE),
    st.lists(st.sampled_from(["$", "`", "'", '"', "\\", " ", "(", ")", "a", "=", "\n"]))
    .map("".join),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ARGS, max_size=8))
def test_render_argv_round_trips_through_shlex(argv: list[str]) -> None:
    assert shlex.split(render_argv(argv)) == argv


@pytest.mark.real_processes
def test_a_posix_shell_reads_back_the_same_argv_and_executes_nothing(tmp_path) -> None:
    canary = tmp_path / "pwned"
    args = [value.replace("pwned", str(canary)) for value in HOSTILE]
    args += [f"--command-line={value}" for value in args]
    script = "set -- " + render_argv(args) + '; printf "%s\\0" "$@"'
    result = subprocess.run(["sh", "-c", script], capture_output=True, check=True,
                            cwd=tmp_path)
    assert result.stdout.decode().split("\0")[:-1] == args
    assert not canary.exists()
