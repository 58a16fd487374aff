"""Differential property tests: kdump.config's grammar against bash itself.

1. Any file the generator builds from the grammar gives, for every variable,
   the value bash has after sourcing it (same environment, ``set -a`` as when
   exported).  bash is run with an argv list and an explicit environment.
2. Any such file followed by a line outside the grammar raises a
   config-syntax ConfigError whose message starts with "path:line: ".
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kdump.config import ConfigError, parse_assignments

BASH = shutil.which("bash") or "/bin/bash"

# Names the files assign, reference and take from the environment. They avoid
# everything bash sets by itself; "export" checks that keyword's double role.
NAMES = ["USE_KDUMP", "KDUMP_COREDIR", "MAKEDUMP_ARGS", "SSH", "FOO", "base", "dir_2", "_x"]
NAMES_AND_EXPORT = [*NAMES, "export"]

# Prints name, "1" if set, value; NUL separated, so any value survives.
DUMP = (
    'set -a; . "$1" || exit 99; '
    'for n in "${@:2}"; do printf "%s\\0%s\\0%s\\0" "$n" "${!n+1}" "${!n-}"; done'
)

pytestmark = pytest.mark.real_processes  # bash is the reference

# Unquoted characters with no special meaning in an assignment value.
SAFE_UNQUOTED = "abcXYZ019/._-+:,=@%^!#*?[]}é"
# Characters worth escaping with a backslash outside quotes.
ESCAPABLE = " \t;&|<>(){}~$'\"\\#*?`"
# Anything but the closing quote, newlines included.
IN_SINGLE = 'ab $\\"`;{}~#\n\t*é'
# Plain characters inside "...": not " \ $ `.
IN_DOUBLE = "ab '{}~;#&|()\n\t*é"
BLANKS = st.text(" \t", max_size=2)


names = st.sampled_from(NAMES_AND_EXPORT)
references = st.one_of(
    names.map(lambda n: f"${n}"),
    names.map(lambda n: "${" + n + "}"),
)

unquoted_part = st.one_of(
    st.text(SAFE_UNQUOTED, min_size=1, max_size=4),
    st.sampled_from(ESCAPABLE).map(lambda c: "\\" + c),
    st.just("\\\n"),  # line continuation
    references,
    st.text(IN_SINGLE, max_size=5).map(lambda t: f"'{t}'"),
)

double_quoted_piece = st.one_of(
    st.text(IN_DOUBLE, min_size=1, max_size=4),
    st.sampled_from(['\\"', "\\\\", "\\$", "\\`", "\\\n", "\\a", "\\n", "\\'", "\\ "]),
    references,
)
double_quoted = st.lists(double_quoted_piece, max_size=4).map(lambda ps: '"' + "".join(ps) + '"')

value = st.lists(st.one_of(unquoted_part, double_quoted), max_size=4).map("".join)
comment = st.text("ab #'\"$`\\;() ", max_size=8).map(lambda t: "#" + t)


@st.composite
def assignment_line(draw: st.DrawFn) -> str:
    line = draw(BLANKS)
    if draw(st.booleans()):
        line += "export" + draw(st.text(" \t", min_size=1, max_size=2))
    line += draw(names) + "=" + draw(value)
    if draw(st.booleans()):
        line += draw(st.text(" \t", min_size=1, max_size=2)) + draw(comment)
    return line


@st.composite
def export_only_line(draw: st.DrawFn) -> str:
    return draw(BLANKS) + "export" + draw(st.text(" \t", min_size=1, max_size=2)) + draw(names)


line_in_grammar = st.one_of(
    assignment_line(),
    assignment_line(),
    assignment_line(),
    export_only_line(),
    BLANKS,
    st.tuples(BLANKS, comment).map("".join),
)


@st.composite
def file_in_grammar(draw: st.DrawFn) -> str:
    lines = draw(st.lists(line_in_grammar, max_size=8))
    text = "\n".join(lines)
    # A final newline is usual, but a file may end without one.
    if draw(st.booleans()):
        text += "\n"
    return text


environments = st.dictionaries(
    st.sampled_from(NAMES), st.text("ab /$'\"\\ \n*é", max_size=6), max_size=3
)


def run_bash(path: Path, environ: dict[str, str]) -> dict[str, str]:
    completed = subprocess.run(
        [BASH, "--noprofile", "--norc", "-c", DUMP, "bash", str(path), *NAMES_AND_EXPORT],
        env=environ,
        cwd=path.parent,
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == b""
    fields = completed.stdout.decode("utf-8", "surrogateescape").split("\0")[:-1]
    result = {}
    for index in range(0, len(fields), 3):
        name, is_set, content = fields[index : index + 3]
        if is_set:
            result[name] = content
    return result


def assert_agrees(directory: Path, text: str, environ: dict[str, str]) -> None:
    path = directory / "kdump-tools"
    path.write_text(text, encoding="utf-8")
    expected = run_bash(path, environ)

    assigned = {a.name: a.value for a in parse_assignments(text, str(path), environ)}
    actual = {n: assigned[n] if n in assigned else environ[n] for n in [*environ, *assigned]}
    assert actual == expected


# Corners the generator does not reach: joins (backslash-newline) inside names,
# keywords and expansions, a backslash at the end of a comment, escaped backslashes.
EDGE_CASES = [
    "# comment \\\nFOO=1\n",
    "FOO=1\nbase=$FOO\\\nX\n",
    "FOO=1\nbase=${FOO\\\n}\n",
    "FOO=1\nbase=$\\\nFOO\n",
    "FO\\\nO=2\n",
    "exp\\\nort FOO=3\n",
    "export\\\n FOO=4\n",
    "\\\nFOO=5\n",
    "FOO=x \\\n# comment\nbase=y\n",
    'FOO=1\nbase="$FOO\\\nQ"\n',
    "FOO=a\\\\\nbase=b\n",
    'FOO="a\\\\\nb"\n',
    "FOO='a\\\nb'\n",
    "FOO=a\\\n\\\nb\n",
    "FOO=$base$_x${dir_2}\n",
    "FOO=#x\nbase=a#b #c\n",
    "FOO= #empty\n",
    "FOO=*\nexport base=[ab]*?\n",
    "export=1\nFOO=$export\nexport export\n",
    "FOO=\\$\\(x\\)\\;\\ \\~\\{a,b\\}\n",
    'FOO="\\a\\n\\ \\\'$base\\$"\n',
    "\tFOO=1\t\t#\tx\n  export  base  \n",
]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_edge_cases_agree_with_bash(tmp_path: Path, text: str) -> None:
    assert_agrees(tmp_path, text, {"base": "/env", "_x": "u v"})


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=file_in_grammar(), environ=environments)
def test_parser_agrees_with_bash(tmp_path: Path, text: str, environ: dict[str, str]) -> None:
    assert_agrees(tmp_path, text, environ)


# -- outside the grammar ------------------------------------------------------

# Appended to "NAME=<valid value>": each makes the rest of the line invalid.
BAD_IN_VALUE = [
    "$(reboot)",
    "`reboot`",
    '"$(id)"',
    '"`id`"',
    "$((1+1))",
    "${FOO:-x}",
    "${FOO%x}",
    "${#FOO}",
    "${!FOO}",
    "$1",
    "$?",
    "$$",
    "$@",
    "$*",
    "$#",
    "$",
    "$'x'",
    "$RANDOM",
    "$LINENO",
    " reboot",
    "\treboot -f",
    " X=1",
    ";",
    " ; reboot",
    "&",
    " && reboot",
    "|cat",
    " >/tmp/x",
    "<x",
    "(x)",
    ")",
    "~",
    "{a,b}",
    '"unterminated',
    "'unterminated",
    "\r",
]
# Whole lines that are not assignments.
BAD_LINES = [
    "echo hi",
    "reboot",
    "if true; then",
    "fi",
    "source /etc/x",
    ". /etc/x",
    "set -a",
    "unset FOO",
    "FOO+=x",
    "FOO =x",
    "FOO[0]=x",
    '"FOO"=x',
    "export",
    "export -n FOO",
    "export FOO BAR",
    "(FOO=1)",
    "{ FOO=1; }",
    "$(reboot)",
    "`reboot`",
    "FOO=1 BAR=2",
    "! FOO=1",
    "~/bin/x",
    "UID=0",
]


@st.composite
def bad_file(draw: st.DrawFn) -> tuple[str, int]:
    """A valid prefix, then one bad construct; returns (text, line of the construct)."""
    prefix = draw(file_in_grammar())
    if prefix:
        # Even after a final newline: a trailing backslash-newline would join lines.
        prefix += "\n"
    if draw(st.booleans()):
        head = draw(BLANKS) + draw(names) + "=" + draw(value)
        bad = draw(st.sampled_from(BAD_IN_VALUE))
    else:
        head = draw(BLANKS)
        bad = draw(st.sampled_from(BAD_LINES))
    tail = draw(st.sampled_from(["", "\n", "\nFOO=after\n"]))
    if bad[:1] in "\"'":
        tail = ""  # an unterminated quote must really stay unterminated
    line = (prefix + head).count("\n") + 1
    return prefix + head + bad + tail, line


@settings(max_examples=300, deadline=None)
@given(case=bad_file())
def test_parser_rejects_constructs_outside_the_grammar(case: tuple[str, int]) -> None:
    text, line = case
    path = "/etc/default/kdump-tools"
    try:
        parse_assignments(text, path)
    except ConfigError as error:
        assert error.code == "config-syntax"
        assert error.line == line, (error, text)
        assert str(error).startswith(f"{path}:{line}: ")
    else:
        raise AssertionError(f"accepted outside the grammar: {text!r}")
