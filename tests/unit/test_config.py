"""Unit tests for kdump.config: grammar, typed keys, defaults, diagnostics."""

from __future__ import annotations

import pytest

from kdump.config import (
    DEFAULTS_PATH,
    Assignment,
    Config,
    ConfigError,
    ConfigWarning,
    default_cmdline_append,
    load_config,
    parse_assignments,
    parse_bool,
)

PATH = "/etc/default/kdump-tools"
X86_APPEND = "reset_devices systemd.unit=kdump-tools-dump.service nr_cpus=1 irqpoll usbcore.nousb"


def load(
    text: str | None, environ: dict[str, str] | None = None, arch: str = "x86_64"
) -> tuple[Config, list[ConfigWarning]]:
    return load_config(text, PATH, arch=arch, environ=environ)


def values(text: str, environ: dict[str, str] | None = None) -> dict[str, str]:
    return {a.name: a.value for a in parse_assignments(text, PATH, environ)}


# -- defaults -----------------------------------------------------------------


def test_absent_file_gives_every_default() -> None:
    config, warnings = load(None)
    assert warnings == []
    assert config.path == PATH
    assert config.use_kdump is False and config.use_kdump_raw == ""
    assert config.kdump_kernel == "" and config.kdump_initrd == ""
    assert config.kdump_coredir == "/var/crash"
    assert config.kdump_fail_cmd == ""
    assert config.kdump_dump_dmesg is True
    assert config.kdump_num_dumps == 0
    assert config.kdump_compression == ""
    assert config.makedump_args == ["-F", "-c", "-d", "31"]
    assert config.kdump_kexec_args == []
    assert config.kdump_cmdline == ""
    assert config.kdump_cmdline_append == X86_APPEND
    assert config.hosttag == "ip"
    assert (config.nfs, config.nfs_timeo, config.nfs_retrans, config.nfs_mount_retry) == (
        "",
        600,
        3,
        4,
    )
    assert config.ssh == "" and config.ssh_key == "/root/.ssh/kdump_id_rsa"
    assert config.ssh_kdump_retry == 16
    assert (config.ftp, config.ftp_user, config.ftp_password, config.ftp_port) == ("",) * 4
    assert config.kdump_config == ""
    assert config.values == {}


def test_default_path_is_the_debian_one() -> None:
    assert DEFAULTS_PATH == "/etc/default/kdump-tools"
    config, _ = load_config("", arch="x86_64")
    assert config.path == DEFAULTS_PATH


def test_empty_file_is_like_an_absent_one() -> None:
    # The same settings; only `check` tells the two apart (config-missing).
    empty, absent = load("")[0], load(None)[0]
    assert (empty.present, absent.present) == (True, False)
    assert empty == absent._replace(present=True)


@pytest.mark.parametrize(
    ("arch", "tail"),
    [
        ("aarch64", "nr_cpus=1"),
        ("arm64", "nr_cpus=1"),
        ("ppc64le", "maxcpus=1 irqpoll noirqdistrib usbcore.nousb"),
        ("ppc64", "maxcpus=1 irqpoll noirqdistrib usbcore.nousb"),
        ("ppc64el", "maxcpus=1 irqpoll noirqdistrib usbcore.nousb"),
        ("x86_64", "nr_cpus=1 irqpoll usbcore.nousb"),
        ("s390x", "nr_cpus=1 irqpoll usbcore.nousb"),
    ],
)
def test_cmdline_append_default_depends_on_arch(arch: str, tail: str) -> None:
    expected = f"reset_devices systemd.unit=kdump-tools-dump.service {tail}"
    assert default_cmdline_append(arch) == expected
    assert load(None, arch=arch)[0].kdump_cmdline_append == expected


@pytest.mark.parametrize(
    ("key", "attribute", "default"),
    [
        ("KDUMP_COREDIR", "kdump_coredir", "/var/crash"),
        ("KDUMP_DUMP_DMESG", "kdump_dump_dmesg", True),
        ("KDUMP_NUM_DUMPS", "kdump_num_dumps", 0),
        ("MAKEDUMP_ARGS", "makedump_args", ["-F", "-c", "-d", "31"]),
        ("KDUMP_CMDLINE_APPEND", "kdump_cmdline_append", X86_APPEND),
        ("HOSTTAG", "hosttag", "ip"),
        ("NFS_TIMEO", "nfs_timeo", 600),
        ("NFS_RETRANS", "nfs_retrans", 3),
        ("NFS_MOUNT_RETRY", "nfs_mount_retry", 4),
        ("SSH_KEY", "ssh_key", "/root/.ssh/kdump_id_rsa"),
        ("SSH_KDUMP_RETRY", "ssh_kdump_retry", 16),
        ("USE_KDUMP", "use_kdump", False),
    ],
)
def test_an_empty_value_gets_the_default(key: str, attribute: str, default: object) -> None:
    # The original applied defaults with ${KEY:=default}, which also replaces "".
    for text in (f"{key}=\n", f'{key}=""\n', f"{key}=''\n"):
        assert getattr(load(text)[0], attribute) == default


# -- every key ----------------------------------------------------------------

FULL = """\
USE_KDUMP=1
KDUMP_KERNEL=/var/lib/kdump/vmlinuz
KDUMP_INITRD=/var/lib/kdump/initrd.img
KDUMP_COREDIR="/srv/crash"
KDUMP_FAIL_CMD="reboot -f"
KDUMP_DUMP_DMESG=0
KDUMP_NUM_DUMPS=5
KDUMP_COMPRESSION=xz
MAKEDUMP_ARGS="-c -d 31"
KDUMP_KEXEC_ARGS="--elf64-core-headers --append 'a b'"
KDUMP_CMDLINE="root=/dev/sda1 ro"
KDUMP_CMDLINE_APPEND="nr_cpus=1"
HOSTTAG=hostname
NFS="nas:/dumps"
NFS_TIMEO=100
NFS_RETRANS=0
NFS_MOUNT_RETRY=2
SSH="kdump@backup"
SSH_KEY=/root/.ssh/other
SSH_KDUMP_RETRY=1
FTP=ftp.example:/in
FTP_USER=anon
FTP_PASSWORD='s3cr3t $x'
FTP_PORT=2121
KDUMP_CONFIG=/boot/config-kdump
"""


def test_every_key_is_read_and_typed() -> None:
    config, warnings = load(FULL)
    assert warnings == []
    assert config.use_kdump is True and config.use_kdump_raw == "1"
    assert config.kdump_kernel == "/var/lib/kdump/vmlinuz"
    assert config.kdump_initrd == "/var/lib/kdump/initrd.img"
    assert config.kdump_coredir == "/srv/crash"
    assert config.kdump_fail_cmd == "reboot -f"
    assert config.kdump_dump_dmesg is False
    assert config.kdump_num_dumps == 5
    assert config.kdump_compression == "xz"
    assert config.makedump_args == ["-c", "-d", "31", "-F"]
    assert config.kdump_kexec_args == ["--elf64-core-headers", "--append", "a b"]
    assert config.kdump_cmdline == "root=/dev/sda1 ro"
    assert config.kdump_cmdline_append == "nr_cpus=1"
    assert config.hosttag == "hostname"
    assert config.nfs == "nas:/dumps"
    assert (config.nfs_timeo, config.nfs_retrans, config.nfs_mount_retry) == (100, 0, 2)
    assert config.ssh == "kdump@backup" and config.ssh_key == "/root/.ssh/other"
    assert config.ssh_kdump_retry == 1
    assert config.ftp == "ftp.example:/in"
    assert (config.ftp_user, config.ftp_password, config.ftp_port) == ("anon", "s3cr3t $x", "2121")
    assert config.kdump_config == "/boot/config-kdump"
    assert config.values["KDUMP_FAIL_CMD"] == "reboot -f"
    assert len(config.values) == 25


def test_shipped_debian_file_shape_loads() -> None:
    text = (
        "# kdump-tools configuration\n"
        "# ---------------------------------------------------------------------------\n"
        "USE_KDUMP=1\n"
        '#KDUMP_SYSCTL="kernel.panic_on_oops=1"\n'
        "KDUMP_KERNEL=/var/lib/kdump/vmlinuz\n"
        "KDUMP_INITRD=/var/lib/kdump/initrd.img\n"
        'KDUMP_COREDIR="/var/crash"\n'
        '#KDUMP_FAIL_CMD="reboot -f"\n'
        '# MAKEDUMP_ARGS="-c -d 31"\n'
        '#KDUMP_CMDLINE_APPEND="reset_devices systemd.unit=kdump-tools-dump.service"\n'
        '#SSH="<user at server>"\n'
    )
    config, warnings = load(text)
    assert warnings == []
    assert config.use_kdump and config.kdump_coredir == "/var/crash"


def test_last_assignment_wins_and_values_keeps_helpers() -> None:
    config, warnings = load("base=/srv\nKDUMP_COREDIR=/x\nKDUMP_COREDIR=$base/crash\n")
    assert config.kdump_coredir == "/srv/crash"
    assert config.values == {"base": "/srv", "KDUMP_COREDIR": "/srv/crash"}
    assert warnings == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", True),
        ("yes", True),
        ("TRUE", True),
        ("On", True),
        ("0", False),
        ("No", False),
        ("false", False),
        ("OFF", False),
    ],
)
def test_use_kdump_accepts_booleans(text: str, expected: bool) -> None:
    config, _ = load(f"USE_KDUMP={text}\n")
    assert config.use_kdump is expected
    assert config.use_kdump_raw == text


# -- -F handling (B7) -------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("-c -d 31", ["-c", "-d", "31", "-F"]),
        ("-F -c -d 31", ["-F", "-c", "-d", "31"]),
        ("-c -F", ["-c", "-F"]),  # the original added a second -F here
        ("-c\t-d  1 -F ", ["-c", "-d", "1", "-F"]),
        ("-Fc", ["-Fc", "-F"]),  # token based: "-Fc" is not the token "-F"
        ("--message-level 1", ["--message-level", "1", "-F"]),
    ],
)
def test_flattened_flag_is_added_unless_a_token_is_f(value: str, expected: list[str]) -> None:
    assert load(f'MAKEDUMP_ARGS="{value}"\n')[0].makedump_args == expected


def test_kexec_args_are_split_like_a_shell_and_never_evaluated() -> None:
    config, _ = load("KDUMP_KEXEC_ARGS='--append \"a b\" $(reboot)'\n")
    assert config.kdump_kexec_args == ["--append", "a b", "$(reboot)"]


# -- parse_bool ---------------------------------------------------------------


@pytest.mark.parametrize("text", ["1", "yes", "YES", "true", "True", "on", "ON"])
def test_parse_bool_true(text: str) -> None:
    assert parse_bool(text) is True


@pytest.mark.parametrize("text", ["0", "no", "No", "false", "FALSE", "off", "Off"])
def test_parse_bool_false(text: str) -> None:
    assert parse_bool(text) is False


@pytest.mark.parametrize("text", ["", "00", "2", "y", "n", "maybe", " 1", "1 ", "enabled"])
def test_parse_bool_rejects_the_rest(text: str) -> None:
    assert parse_bool(text) is None


# -- environment fallback ---------------------------------------------------


def test_known_keys_fall_back_to_the_environment() -> None:
    env = {"KDUMP_COREDIR": "/env/crash", "USE_KDUMP": "1", "NFS_TIMEO": "50", "OTHER": "x"}
    config, _ = load("NFS_TIMEO=70\n", env)
    assert config.kdump_coredir == "/env/crash"
    assert config.use_kdump is True and config.use_kdump_raw == "1"
    assert config.nfs_timeo == 70  # the file wins
    assert "OTHER" not in config.values and "KDUMP_COREDIR" not in config.values


def test_environment_applies_when_the_file_is_absent() -> None:
    config, _ = load(None, {"SSH": "u@h", "USE_KDUMP": "yes"})
    assert config.ssh == "u@h" and config.use_kdump is True


def test_empty_environment_value_gets_the_default() -> None:
    assert load(None, {"KDUMP_COREDIR": ""})[0].kdump_coredir == "/var/crash"


def test_expansion_uses_the_file_then_the_environment() -> None:
    env = {"base": "/env", "KDUMP_NUM_DUMPS": "3"}
    assert values('A=$base\nbase=/file\nB="${base}/x"\nC=$nothing.\n', env) == {
        "A": "/env",
        "base": "/file",
        "B": "/file/x",
        "C": ".",
    }
    config, _ = load("KDUMP_COREDIR=$base/c\n", env)
    assert config.kdump_coredir == "/env/c" and config.kdump_num_dumps == 3


def test_bad_environment_value_is_an_error_without_a_line() -> None:
    with pytest.raises(ConfigError) as caught:
        load("USE_KDUMP=1\n", {"NFS_MOUNT_RETRY": "0"})
    error = caught.value
    assert error.code == "config-value" and error.line is None and error.path == PATH
    assert (
        str(error)
        == f"{PATH}: NFS_MOUNT_RETRY='0' must be an integer >= 1 (set in the environment)"
    )


# -- grammar ------------------------------------------------------------------


def test_grammar_basics() -> None:
    text = (
        "# comment\n"
        "\n"
        "   A=plain\n"
        "export B='single $A \"x\"'\n"
        'C="double $A ${A}s \\" \\\\ \\$ \\` \\n"\n'
        "D=mix'ed'\"$A\"\\ end  # trailing comment\n"
        "E=\n"
        "F=a#b\n"
        "export\tG\n"
        "H=*.[ch]?\n"
        "I=x=y:z,w@v%!}\n"
    )
    assignments = parse_assignments(text, PATH)
    assert assignments[0] == Assignment("A", "plain", 3, False)
    assert assignments[1] == Assignment("B", 'single $A "x"', 4, True)
    assert {a.name: a.value for a in assignments} == {
        "A": "plain",
        "B": 'single $A "x"',
        "C": 'double plain plains " \\ $ ` \\n',
        "D": "mixedplain end",
        "E": "",
        "F": "a#b",
        "H": "*.[ch]?",
        "I": "x=y:z,w@v%!}",
    }


def test_multi_line_values_carry_their_start_line() -> None:
    text = "A='one\ntwo'\nB=\"x\ny\"\nC=con\\\ntinued\nD=last\n"
    assert [(a.name, a.value, a.line) for a in parse_assignments(text, PATH)] == [
        ("A", "one\ntwo", 1),
        ("B", "x\ny", 3),
        ("C", "continued", 5),
        ("D", "last", 7),
    ]


def test_variable_names_are_read_greedily() -> None:
    assert values("a=1\nab=2\nX=$ab$a_\nY=${a}b\n") == {"a": "1", "ab": "2", "X": "2", "Y": "1b"}


def test_shell_keywords_are_plain_names_before_equals() -> None:
    assert values("export=1\nif=2\nexport export=3\n") == {"export": "3", "if": "2"}


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("A=$(reboot)\n", 1, "command substitution $(...) is not allowed"),
        ("A=1\nB=`reboot`\n", 2, "command substitution `...` is not allowed"),
        ('A=1\n\nB="$(id)"\n', 3, "command substitution"),
        ("A=$((1+2))\n", 1, "arithmetic expansion"),
        ("A=${B:-x}\n", 1, "parameter expansion '${B:-x}' is not supported"),
        ("A=${#B}\n", 1, "parameter expansion"),
        ("A=${B\n", 1, "parameter expansion"),
        ("A=b c\n", 1, "unquoted whitespace before 'c'"),
        ("A=1 B=2\n", 1, "unquoted whitespace"),
        ("export A B\n", 1, "unquoted whitespace"),
        ('A="unterminated\nB=2\n', 1, "unterminated double quote"),
        ("# x\nA='unterminated\n", 2, "unterminated single quote"),
        ("A=1;\n", 1, "';' (command separator)"),
        ("A=1 ; B=2\n", 1, "';' (command separator)"),
        ("A=1&\n", 1, "'&'"),
        ("A=1 && reboot\n", 1, "'&'"),
        ("A=1|cat\n", 1, "'|' (pipe)"),
        ("A=1 >/tmp/x\n", 1, "'>' (redirection)"),
        ("A=<x\n", 1, "'<' (redirection)"),
        ("A=(a b)\n", 1, "'(' (subshell or array)"),
        ("A=x)\n", 1, "')'"),
        ("A=~/x\n", 1, "tilde expansion"),
        ("A=x:~/y\n", 1, "tilde expansion"),
        ("A={a,b}\n", 1, "brace expansion"),
        ("echo hi\n", 1, "'echo' is not an assignment"),
        ("A=1\nif [ -x /bin/sh ]; then\n", 2, "'if' is not an assignment"),
        ("source /etc/x\n", 1, "'source' is not an assignment"),
        (". /etc/x\n", 1, "'.' is not an assignment"),
        ("(A=1)\n", 1, "'('"),
        ("A=$1\n", 1, "special parameter $1"),
        ("A=$?\n", 1, "special parameter $?"),
        ("A=$$\n", 1, "special parameter $$"),
        ("A=$@\n", 1, "special parameter $@"),
        ('A="$*"\n', 1, "special parameter $*"),
        ("A=$\n", 1, "a '$' must start $NAME"),
        ('A="$"\n', 1, "a '$' must start $NAME"),
        ("A=$'x'\n", 1, "a '$' must start $NAME"),
        ("A=$RANDOM\n", 1, "$RANDOM is set by the shell itself"),
        ("A=$_\n", 1, "$_ is set by the shell itself"),
        ("A=${BASH_VERSION}\n", 1, "$BASH_VERSION is set by the shell itself"),
        ("UID=0\n", 1, "UID is maintained by the shell"),
        ("A+=x\n", 1, "'+='"),
        ("A[0]=x\n", 1, "array assignments"),
        ("A =x\n", 1, "no spaces are allowed around '='"),
        ("export\n", 1, "'export' must be followed by NAME"),
        ("export -n A\n", 1, "'export' must be followed by NAME"),
        ('"A"=1\n', 1, "is not an assignment"),
        ("A=1\r\n", 1, "carriage return"),
        ("A=x\\", 1, "backslash at the end of the file"),
        ("A='a\nb'\nC=$(x)\n", 3, "command substitution"),
        ('A=ok\nB="a\nb$(x)"\n', 3, "command substitution"),
        ("A=ok\0\n", 1, "NUL byte"),
    ],
)
def test_syntax_errors_name_file_and_line(text: str, line: int, fragment: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_assignments(text, PATH)
    error = caught.value
    assert error.code == "config-syntax"
    assert (error.path, error.line) == (PATH, line)
    assert fragment in error.reason
    assert str(error) == f"{PATH}:{line}: {error.reason}"


def test_syntax_errors_propagate_from_load_config() -> None:
    with pytest.raises(ConfigError, match=r"^/etc/x:2: command substitution"):
        load_config("A=1\nKDUMP_KERNEL=$(uname -r)\n", "/etc/x", arch="x86_64")


def test_config_error_string_without_a_line() -> None:
    assert str(ConfigError("config-value", "/p", None, "bad")) == "/p: bad"
    assert str(ConfigError("config-syntax", "/p", 7, "bad")) == "/p:7: bad"


# -- value errors -------------------------------------------------------------


@pytest.mark.parametrize(
    ("line_text", "reason"),
    [
        ("USE_KDUMP=maybe", "USE_KDUMP='maybe' is not a boolean (use 0/1, yes/no, true/false)"),
        ("USE_KDUMP=00", "USE_KDUMP='00' is not a boolean (use 0/1, yes/no, true/false)"),
        (
            "KDUMP_DUMP_DMESG=2",
            "KDUMP_DUMP_DMESG='2' is not a boolean (use 0/1, yes/no, true/false)",
        ),
        ("KDUMP_NUM_DUMPS=-1", "KDUMP_NUM_DUMPS='-1' must be an integer >= 0"),
        ("KDUMP_NUM_DUMPS=two", "KDUMP_NUM_DUMPS='two' must be an integer >= 0"),
        ("NFS_TIMEO=0", "NFS_TIMEO='0' must be an integer >= 1"),
        ("NFS_RETRANS=' 3'", "NFS_RETRANS=' 3' must be an integer >= 0"),
        ("NFS_MOUNT_RETRY=0", "NFS_MOUNT_RETRY='0' must be an integer >= 1"),
        ("SSH_KDUMP_RETRY=-5", "SSH_KDUMP_RETRY='-5' must be an integer >= 1"),
        ("HOSTTAG=fqdn", "HOSTTAG='fqdn' must be 'ip' or 'hostname'"),
        ("FTP_PORT=0", "FTP_PORT='0' must be a port number from 1 to 65535"),
        ("FTP_PORT=65536", "FTP_PORT='65536' must be a port number from 1 to 65535"),
        ("FTP_PORT=ftp", "FTP_PORT='ftp' must be a port number from 1 to 65535"),
    ],
)
def test_bad_values_name_key_value_and_line(line_text: str, reason: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(f"# header\nUSE_KDUMP=1\n{line_text}\n")
    error = caught.value
    assert error.code == "config-value"
    assert error.line == 3 and error.reason == reason
    assert str(error) == f"{PATH}:3: {reason}"


def test_value_error_points_at_the_last_assignment() -> None:
    with pytest.raises(ConfigError) as caught:
        load("NFS_TIMEO=1\nNFS_TIMEO=x\n")
    assert caught.value.line == 2


def test_unbalanced_kexec_args_are_a_value_error() -> None:
    with pytest.raises(ConfigError) as caught:
        load('KDUMP_KEXEC_ARGS="--append \'x"\n')
    assert caught.value.code == "config-value" and caught.value.line == 1
    assert caught.value.reason.startswith("KDUMP_KEXEC_ARGS='--append 'x' cannot be split")


@pytest.mark.parametrize("port", ["1", "21", "65535"])
def test_ftp_port_range(port: str) -> None:
    assert load(f"FTP_PORT={port}\n")[0].ftp_port == port


# -- warnings -----------------------------------------------------------------


def test_unknown_key_warns_with_a_hint() -> None:
    _, warnings = load("USE_KDUMP=1\nKDUMP_COREDIRR=/x\n")
    assert warnings == [
        ConfigWarning(
            "config-unknown-key",
            PATH,
            2,
            "unknown setting KDUMP_COREDIRR (did you mean KDUMP_COREDIR?)",
        )
    ]


def test_unknown_key_without_a_close_match_has_no_hint() -> None:
    _, warnings = load("ZZZ_TOTALLY_DIFFERENT=1\n")
    assert [w.text for w in warnings] == ["unknown setting ZZZ_TOTALLY_DIFFERENT"]


def test_unknown_key_warns_once_at_its_first_line() -> None:
    _, warnings = load("NFS_TIMEOUT=1\nNFS_TIMEOUT=2\n")
    assert [(w.line, w.text) for w in warnings] == [
        (1, "unknown setting NFS_TIMEOUT (did you mean NFS_TIMEO?)")
    ]


def test_historical_keys_say_what_replaced_them() -> None:
    _, warnings = load("KDUMP_SYSCTL='kernel.panic_on_oops=1'\nexport DEBUG_KERNEL=/x\n")
    assert [(w.code, w.line) for w in warnings] == [
        ("config-unknown-key", 1),
        ("config-unknown-key", 2),
    ]
    assert warnings[0].text.startswith("KDUMP_SYSCTL is no longer used (")
    assert "/etc/kdump/sysctl.conf" in warnings[0].text
    assert warnings[1].text.startswith("DEBUG_KERNEL is no longer used (")


def test_names_with_lower_case_letters_are_helpers_not_warned() -> None:
    _, warnings = load("base=/srv\nMy_Dir=x\nkdump_coredir=/y\n")
    assert warnings == []
