"""kdump.config against hostile or broken files: bytes, sizes, numbers, paths (issue 12)."""

from __future__ import annotations

import tracemalloc

import pytest

from kdump.config import (
    ABSOLUTE_PATH_KEYS,
    MAX_CONFIG_BYTES,
    MAX_CONFIG_INTEGER,
    MAX_EXPANDED_CHARS,
    MAX_VALUE_CHARS,
    TOO_LARGE,
    UNREADABLE,
    VALUE_ERROR,
    Config,
    ConfigError,
    decode_config,
    load_config,
)

PATH = "/etc/default/kdump-tools"


def load_bytes(data: bytes, environ: dict[str, str] | None = None) -> Config:
    return load_config(decode_config(data, PATH), PATH, arch="x86_64", environ=environ)[0]


def error_of(data: bytes, environ: dict[str, str] | None = None) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_bytes(data, environ)
    return caught.value


def test_the_codes_are_the_catalogs() -> None:
    from kdump.messages import CATALOG

    assert {TOO_LARGE, UNREADABLE} <= set(CATALOG)


# -- bytes that are not UTF-8 ----------------------------------------------------------------------
def test_a_value_with_bytes_that_are_not_utf8_is_an_error_with_its_line() -> None:
    error = error_of(b"USE_KDUMP=1\nKDUMP_COREDIR=/var/cr\xe9sh\n")
    assert (error.code, error.line) == (VALUE_ERROR, 2)
    assert str(error) == (f"{PATH}:2: KDUMP_COREDIR='/var/cr\\xe9sh' holds bytes that are not "
                          "UTF-8 text")
    str(error).encode("utf-8")  # printable as it is


@pytest.mark.parametrize("text", [b"X='\xff'\n", b'X="a\xc3"\n', b"X=a\\\xe9\n",
                                  b"A=\xe9\nX=$A\n"])
def test_every_way_of_writing_such_bytes_into_a_value_is_refused(text: bytes) -> None:
    # The class rule: quoted, escaped, or brought in by an expansion (helper variables too).
    error = error_of(text)
    assert error.code == VALUE_ERROR and "not UTF-8" in error.reason


def test_such_bytes_in_a_comment_are_harmless() -> None:
    config = load_bytes(b"# r\xe9glages de kdump\nUSE_KDUMP=1\n")
    assert config.use_kdump


def test_such_bytes_in_an_environment_value_are_refused_too() -> None:
    error = error_of(b"USE_KDUMP=1\n", {"KDUMP_COREDIR": "/var/\udce9"})
    assert error.line is None and "(set in the environment)" in error.reason


def test_valid_utf8_is_kept() -> None:
    assert load_bytes("KDUMP_COREDIR=/var/crash/dépôt\n".encode()).kdump_coredir == \
        "/var/crash/dépôt"


# -- sizes ------------------------------------------------------------------------
def test_a_file_over_the_limit_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        decode_config(b"#" * (MAX_CONFIG_BYTES + 1), PATH)
    assert caught.value.code == TOO_LARGE and caught.value.line is None


def test_a_file_at_the_limit_is_read() -> None:
    assert decode_config(b"#" * MAX_CONFIG_BYTES, PATH).startswith("#")


def test_the_issues_doubling_file_is_refused_in_bounded_memory() -> None:
    # 254 bytes that once needed 2 GB: now an error before 1 MB is used.
    text = b"X=ab\n" + b"X=$X$X\n" * 35
    assert len(text) == 250
    tracemalloc.start()
    try:
        error = error_of(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.code == TOO_LARGE and error.line == 17
    assert "expands to more than" in error.reason
    assert peak < 4 * MAX_VALUE_CHARS * 4 + (1 << 20)


def test_one_line_of_many_expansions_is_stopped_while_it_is_read() -> None:
    # Each $X is under the limit; the value is refused as it grows, not once built.
    text = f"X='{'a' * (MAX_VALUE_CHARS - 10)}'\nY={'$X' * 500}\n".encode()
    tracemalloc.start()
    try:
        error = error_of(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.code == TOO_LARGE and error.line == 2
    assert peak < 16 * MAX_VALUE_CHARS * 4 + (1 << 20), peak


def test_many_values_under_the_per_value_limit_are_bounded_together() -> None:
    # Each value stays under the per-value limit; together they would not.
    half = MAX_VALUE_CHARS // 2
    lines = [f"X='{'a' * half}'"] + [f"Y{i}=a$X" for i in range(MAX_EXPANDED_CHARS // half + 2)]
    error = error_of(("\n".join(lines) + "\n").encode())
    assert error.code == TOO_LARGE and "values of the file" in error.reason


def test_one_long_literal_value_is_refused() -> None:
    error = error_of(b"KDUMP_CMDLINE='" + b"a" * (MAX_VALUE_CHARS + 1) + b"'\n")
    assert error.code == TOO_LARGE and error.line == 1


def test_an_expansion_just_under_the_limit_is_fine() -> None:
    value = "a" * (MAX_VALUE_CHARS // 2)
    config = load_bytes(f"X={value}\nKDUMP_CMDLINE=$X$X\n".encode())
    assert len(config.kdump_cmdline) == MAX_VALUE_CHARS


# -- integers ------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["KDUMP_NUM_DUMPS", "NFS_TIMEO", "NFS_RETRANS", "NFS_MOUNT_RETRY",
                                 "SSH_KDUMP_RETRY"])
def test_an_integer_beyond_any_sane_range_is_a_config_error(key: str) -> None:
    for value in ("9" * 5000, str(MAX_CONFIG_INTEGER + 1)):
        error = error_of(f"{key}={value}\n".encode())
        assert error.code == VALUE_ERROR and "is too large" in error.reason, value
        assert len(str(error)) < 200


def test_leading_zeros_do_not_make_a_number_large() -> None:
    assert load_bytes(b"KDUMP_NUM_DUMPS=" + b"0" * 5000 + b"3\n").kdump_num_dumps == 3


def test_the_largest_sane_integer_is_accepted() -> None:
    assert load_bytes(f"NFS_TIMEO={MAX_CONFIG_INTEGER}\n".encode()).nfs_timeo == \
        MAX_CONFIG_INTEGER


def test_a_5000_digit_ftp_port_is_a_config_error() -> None:
    error = error_of(b"FTP_PORT=" + b"9" * 5000 + b"\n")
    assert error.code == VALUE_ERROR and "port number" in error.reason


# -- paths ------------------------------------------------------------------------
@pytest.mark.parametrize("key", ABSOLUTE_PATH_KEYS)
@pytest.mark.parametrize("value", ["crash", "./x", "../etc/x", "x/y"])
def test_a_relative_path_setting_is_a_config_error_with_its_line(key: str, value: str) -> None:
    error = error_of(f"USE_KDUMP=1\n{key}='{value}'\n".encode())
    assert (error.code, error.line) == (VALUE_ERROR, 2)
    assert error.reason == f"{key}='{value}' must be an absolute path (starting with /)"


def test_the_path_keys_are_the_ones_naming_local_files() -> None:
    assert set(ABSOLUTE_PATH_KEYS) == {"KDUMP_COREDIR", "KDUMP_KERNEL", "KDUMP_INITRD",
                                       "SSH_KEY", "KDUMP_CONFIG"}


def test_an_empty_path_setting_takes_its_default() -> None:
    config = load_bytes(b"KDUMP_COREDIR=\nSSH_KEY=\n")
    assert config.kdump_coredir == "/var/crash" and config.ssh_key.startswith("/")


def test_a_relative_path_from_the_environment_says_so() -> None:
    error = error_of(b"USE_KDUMP=1\n", {"KDUMP_COREDIR": "crash"})
    assert error.line is None and error.reason.endswith("(set in the environment)")


def test_an_ftp_port_with_many_leading_zeros_is_usable_as_a_number() -> None:
    config = load_bytes(b"FTP_PORT=" + b"0" * 5000 + b"21\n")
    assert int(config.ftp_port) == 21
