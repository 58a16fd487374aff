"""kdump/configkeys.py: each setting is one row, the row is its Config field, and the parser,
the type and the documentation all come from that row."""

from __future__ import annotations

import pytest

from kdump.config import Config, ConfigError, load_config
from kdump.configkeys import KEYS, Key
from kdump.docgen import config_template, kdump_tools_5

# The Config fields that are not settings of the file: what load_config adds beside them.
NOT_SETTINGS = ("path", "use_kdump_raw", "values", "present")
PYTHON_TYPES = {"bool": bool, "int": int, "str": str, "list[str]": list}


def _settings_fields() -> list[str]:
    return [name for name in Config._fields if name not in NOT_SETTINGS]


def test_every_config_field_has_exactly_one_row_and_every_row_one_field() -> None:
    rows = [value for value in vars(Config).values() if isinstance(value, Key)]
    assert [row.field for row in rows] == _settings_fields()  # one row per field, in order
    assert [row.name for row in KEYS] == [row.name for row in rows]
    assert len({row.name for row in rows}) == len(rows)  # and no setting twice


def test_a_field_is_its_settings_name_in_lower_case() -> None:
    # kdump-setting NAME and the Config attribute are the same word.
    for name in _settings_fields():
        row = vars(Config)[name]
        assert isinstance(row, Key) and row.name.lower() == name


@pytest.mark.parametrize("key", KEYS, ids=lambda key: key.name)
def test_the_parser_gives_the_declared_type_and_the_documented_default(key: Key) -> None:
    config, _ = load_config(None, arch="x86_64", environ={})
    value = getattr(config, key.field)
    assert isinstance(value, PYTHON_TYPES[str(Config.__annotations__[key.field])])
    if isinstance(value, bool | int):
        assert value == key.default
        assert key.shown.startswith(key.written)  # the man page shows the parser's default
    elif isinstance(value, str) and key.written:
        assert value == key.default


@pytest.mark.parametrize("key", KEYS, ids=lambda key: key.name)
def test_the_generated_docs_show_each_rows_default(key: Key) -> None:
    assert f"Default: {key.shown}." in kdump_tools_5().replace("\\e", "\\")
    assert f"{key.name}={key.template_value}\n" in config_template()


@pytest.mark.parametrize("key", [k for k in KEYS if k.argument is not None], ids=lambda k: k.name)
def test_a_rows_argument_rule_is_applied(key: Key) -> None:
    with pytest.raises(ConfigError, match="control character") as caught:
        load_config(f'{key.name}="a\tb"\n', arch="x86_64", environ={})
    assert ("a\\tb" in str(caught.value)) is not key.secret


@pytest.mark.parametrize("key", [k for k in KEYS if k.minimum and k.parse.__name__ == "_integer"],
                         ids=lambda k: k.name)
def test_a_rows_limits_are_applied(key: Key) -> None:
    with pytest.raises(ConfigError, match=f"must be an integer >= {key.minimum}"):
        load_config(f"{key.name}={key.minimum - 1}\n", arch="x86_64", environ={})
