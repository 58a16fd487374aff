"""Every control character is refused in a config value that becomes a program's argument.

Not only CR and LF (which would start a second FTP command): TAB, ESC, NUL, DEL and the
rest of C0 are never part of a host name, an export, a user name or a password, and a
value holding one reaches ssh, mount or the FTP server as something other than what the
file seems to say (ESC also rewrites the terminal it is shown on).  The rule is checked
first, so the reason names the control character even where another rule (white space,
an option) would also refuse the value.

Where the rule does not apply, on purpose: values that are lists of words a program
splits itself (KDUMP_CMDLINE_APPEND, MAKEDUMP_ARGS) and paths, which Linux lets hold
any byte but NUL and '/'; showing those safely is the output's job.
"""

from __future__ import annotations

import pytest

from kdump.config import ConfigError, load_config

PATH = "/etc/default/kdump-tools"
ARGUMENT_KEYS = ["SSH", "NFS", "FTP", "FTP_USER", "FTP_PASSWORD"]
# C0 and DEL; not CR/LF (test_config_arguments.py) nor NUL (the file is refused for it).
CONTROLS = [chr(code) for code in range(1, 32) if chr(code) not in "\r\n"] + ["\x7f"]


def _value(key: str, control: str) -> str:
    inside = f"user{control}name"
    return {"SSH": f"kdump@{inside}", "NFS": f"{inside}:/srv/crash",
            "FTP": f"{inside}:/incoming"}.get(key, inside)


def _error(line: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_config(f"USE_KDUMP=1\n{line}\n", PATH, arch="x86_64")
    return caught.value


@pytest.mark.parametrize("key", ARGUMENT_KEYS)
@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: f"0x{ord(c):02x}")
def test_every_control_character_is_refused_in_an_argument_value(key: str,
                                                                 control: str) -> None:
    value = _value(key, control)

    error = _error(f"{key}='{value}'")

    assert (error.code, error.line) == ("config-argument", 2)
    assert error.reason.endswith(" contains a control character (CR, LF, TAB...)"), error.reason
    assert control not in str(error)  # shown escaped, never raw


@pytest.mark.parametrize("key", ["SSH", "NFS", "FTP_USER"])
@pytest.mark.parametrize("control", ["\t", "\x1b", "\x7f"], ids=["tab", "esc", "del"])
def test_a_control_character_from_the_environment_is_refused_too(key: str,
                                                                 control: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config("USE_KDUMP=1\n", PATH, arch="x86_64",
                    environ={key: _value(key, control)})

    assert caught.value.code == "config-argument" and caught.value.line is None
    assert "contains a control character" in caught.value.reason


def test_printable_non_ascii_is_not_a_control_character() -> None:
    config, _ = load_config("USE_KDUMP=1\nFTP_USER=jürgen\nFTP_PASSWORD='pässwörd ✓'\n",
                            PATH, arch="x86_64")

    assert (config.ftp_user, config.ftp_password) == ("jürgen", "pässwörd ✓")
