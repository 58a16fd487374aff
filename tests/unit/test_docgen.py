"""The generated man pages and config template say what the code prints and reads."""

from __future__ import annotations

import re

from kdump.checks import CHECKS
from kdump.commands.table import BY_NAME
from kdump.config import KEYS, KNOWN_KEYS, load_config
from kdump.docgen import (
    config_template,
    kdump_config_8,
    kdump_tools_5,
    message_text,
    pages,
)
from kdump.messages import CATALOG


def plain(roff: str) -> str:
    """The text a reader sees: font changes and escapes of the generator undone."""
    text = re.sub(r"\\f[BIR]", "", roff)
    return text.replace("\\&", "").replace("\\-", "-").replace("\\e", "\\")


def test_every_catalog_message_is_in_kdump_config_8() -> None:
    page = plain(kdump_config_8("1.0"))
    missing = [
        (message.code, line)
        for message in CATALOG.values()
        for line in (message.template, *message.more)
        if message_text(line) not in page
    ]
    assert not missing
    for code in CATALOG:
        assert f"\n{code} (" in page, code


def test_fields_are_named_not_formatted() -> None:
    assert message_text("{name}: saved vmcore in {where}") == "name: saved vmcore in where"
    assert message_text("Usage: {prog} {{help|test}}") == "Usage: prog {help|test}"
    assert "\\fIwhere\\fR" in kdump_config_8()


def test_commands_checks_and_json_are_documented() -> None:
    page = plain(kdump_config_8())
    commands = re.findall(r"^\.TP\n(\S+)", page, flags=re.M)
    for command in BY_NAME.keys() - {"condreload"}:
        assert command in commands, command
    assert "condreload" in page
    for name in ("check", "reload", "try-reload", "--json"):
        assert re.search(rf"^\.TP\n{re.escape(name)}\b", page, flags=re.M), name
    for check in CHECKS:
        assert f"\n{check.name}\n" in page
    for message in CATALOG.values():
        if message.remedy:  # the remedies `check` prints, under the message they fix
            assert message_text(message.remedy) in page, message.code


def test_every_setting_is_in_kdump_tools_5_and_the_template() -> None:
    page = plain(kdump_tools_5())
    template = config_template()
    for key in KNOWN_KEYS:
        assert f".TP\n{key}\n" in page, key
        assert re.search(rf"^#?{key}=", template, flags=re.M), key


def test_the_template_is_a_valid_config_enabling_kdump() -> None:
    config, warnings = load_config(config_template(), arch="x86_64")
    assert warnings == []
    assert config.use_kdump is True
    assert config.kdump_kernel == "/var/lib/kdump/vmlinuz"
    active = {key.name for key in KEYS if key.active}
    assert set(config.values) == active


def test_lines_never_start_with_a_control_character_by_accident() -> None:
    for page in (kdump_config_8(), kdump_tools_5()):
        for line in page.splitlines():
            assert not line.startswith("'"), line
            if line.startswith("."):
                assert re.match(r"\.(\\\"|(TH|SH|TP|PP|br|nh|ad)\b)", line), line


def test_pages_names_the_three_files() -> None:
    generated = pages("2.0")
    assert sorted(generated) == ["kdump-config.8", "kdump-tools.5", "kdump-tools.conf"]
    assert '"kdump-config 2.0"' in generated["kdump-config.8"]


def test_the_command_line_options_are_documented() -> None:
    from kdump.docgen import kdump_config_8

    page = kdump_config_8()
    for word in ("\\fB--version\\fR", "\\fB--help\\fR", "\\fBNO_COLOR\\fR",
                 "before or after the command", "docs/schema/COMMAND.json"):
        assert word in page, word
