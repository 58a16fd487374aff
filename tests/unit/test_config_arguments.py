"""Config values that become a program's arguments, and the savecore deadline key.

A value that would reach ssh, mount or the FTP server as something else (an option,
a second FTP command, a path out of the dump directory) is refused when the config
is read, naming file and line (code config-argument).
"""

from __future__ import annotations

import pytest

from kdump.config import ConfigError, load_config
from kdump.configkeys import BY_NAME

PATH = "/etc/default/kdump-tools"


def _error(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_config(f"USE_KDUMP=1\n{text}\n", PATH, arch="x86_64")
    return caught.value


def test_an_ssh_target_that_is_an_option_is_refused_with_file_and_line() -> None:
    error = _error('SSH="-oProxyCommand=touch /tmp/pwned"')

    assert error.code == "config-argument"
    assert str(error) == (f"{PATH}:2: SSH='-oProxyCommand=touch /tmp/pwned' starts with '-': "
                          "ssh would read it as an option")


@pytest.mark.parametrize(("line", "problem"), [
    ("NFS=-oremount", "NFS='-oremount' starts with '-': mount would read it as an option"),
    ("SSH='root@host -v'", "SSH='root@host -v' contains white space: ssh would get it as one "
                           "argument"),
    ("FTP=-x:/incoming", "FTP='-x:/incoming' starts with '-': the FTP server would read it as "
                         "an option"),
    ("FTP=../etc:/x", "FTP='../etc:/x' host '../etc' is not a host name"),
    ("FTP=a/b", "FTP='a/b' host 'a/b' is not a host name"),
    ("FTP=:/x", "FTP=':/x' has no host name before ':'"),
])
def test_the_rule_holds_for_every_value_that_becomes_an_argument(line: str,
                                                                 problem: str) -> None:
    error = _error(line)

    assert error.code == "config-argument" and error.line == 2
    assert error.reason == problem


@pytest.mark.parametrize("key", ["FTP", "FTP_USER", "FTP_PASSWORD"])
@pytest.mark.parametrize("control", ["\r", "\n", "\r\n"])
def test_cr_or_lf_in_an_ftp_setting_is_refused(key: str, control: str) -> None:
    value = f"ftp.example{control}DELE important"

    error = _error(f'{key}="{value}"')

    assert error.code == "config-argument" and error.line == 2
    assert "control character" in error.reason
    assert "\r" not in str(error) and "\n" not in str(error)  # shown escaped


def test_a_refused_password_is_never_shown() -> None:
    error = _error('FTP_PASSWORD="s3cret\nDELE x"')

    assert "s3cret" not in str(error)
    assert "FTP_PASSWORD='********'" in str(error)


def test_ordinary_targets_are_accepted() -> None:
    config, _ = load_config("SSH=kdump@dumphost.example\nNFS=nfs.example:/srv/crash\n"
                            "FTP=ftp.example:/incoming\nFTP_USER=kdump-user\n"
                            "FTP_PASSWORD='pa ss-word'\n", PATH, arch="x86_64")

    assert (config.ssh, config.nfs, config.ftp) == ("kdump@dumphost.example",
                                                   "nfs.example:/srv/crash",
                                                   "ftp.example:/incoming")


def test_a_value_from_the_environment_is_checked_too() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config("USE_KDUMP=1\n", PATH, arch="x86_64", environ={"SSH": "-oProxyCommand=x"})

    assert caught.value.line is None
    assert caught.value.reason.endswith("(set in the environment)")


# -- KDUMP_SAVECORE_TIMEOUT ---------------------------------------------------------------------
def test_the_savecore_deadline_is_generous_by_default() -> None:
    config, warnings = load_config("USE_KDUMP=1\n", PATH, arch="x86_64")

    assert config.kdump_savecore_timeout == BY_NAME["KDUMP_SAVECORE_TIMEOUT"].default == 21600
    assert warnings == []


def test_the_savecore_deadline_is_read_and_known() -> None:
    config, warnings = load_config("KDUMP_SAVECORE_TIMEOUT=120\n", PATH, arch="x86_64")

    assert config.kdump_savecore_timeout == 120
    assert warnings == []  # a known key: no "unknown setting" warning


@pytest.mark.parametrize("value", ["0", "-5", "soon"])
def test_a_savecore_deadline_that_is_not_a_positive_integer_is_refused(value: str) -> None:
    error = _error(f"KDUMP_SAVECORE_TIMEOUT={value}")

    assert error.code == "config-value" and error.line == 2
