"""``kdump-setting``: the package's scripts ask here what /etc/default/kdump-tools says.

The service's condition, the init script, the capture kernel's dump script, the debconf
config script and the postinst read (and the postinst changes) the file through this
module, never with a grammar of their own: it is read as kdump-config reads it (the same
host read, size cap, grammar, value checks and messages), so that no script can see
"disabled" where kdump-config sees "enabled", or the reverse.

    kdump-setting use_kdump          prints 1 or 0; exit 0 enabled, 1 disabled
    kdump-setting kdump_fail_cmd     prints the value of a setting (empty when unset)
    kdump-setting use-kdump-state    prints enabled, disabled or absent (no file)
    kdump-setting set-use-kdump 0|1 [FILE]
                                     changes the value of the USE_KDUMP that counts, and
                                     nothing else (appends USE_KDUMP=1 when none is set);
                                     FILE: another file than the config (the postinst's
                                     copy of the template)

Exit 255 (and kdump-config's message on stderr) whenever the answer is unknown: the file
cannot be read, kdump-config refuses it, the command line is wrong, anything unexpected.
Never 1 for those: systemd's ExecCondition reads 1-254 as "skip the service", which would
silently leave kdump off; 255 fails the service with the message instead. KDUMP_ROOT, as
for kdump-config, reads the file under another root.
"""

from __future__ import annotations

import os
import sys

from backends.values import HostError, UnsafePathError
from kdump.config import DEFAULTS_PATH, VALUE_ERROR, ConfigError, load_config
from kdump.configfile import read_config_text
from kdump.configkeys import KNOWN_KEYS
from kdump.configsyntax import parse_assignment_spans
from kdump.reporter import Reporter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from backends.base import Host
    from kdump.config import Config

UNKNOWN = 255  # the answer is unknown: a systemd condition fails (never "skip")
USAGE = ("usage: kdump-setting {NAME | use-kdump-state | set-use-kdump 0|1 [FILE]}\n"
         "  NAME: a setting, lower case (use_kdump, kdump_fail_cmd, ...)\n")

# Each spelling of a boolean and its opposite, so that a changed value keeps its style.
_OPPOSITES = {"1": "0", "yes": "no", "true": "false", "on": "off"}
_OPPOSITES.update({value: key for key, value in _OPPOSITES.items()})


def _reporter(command: str) -> Reporter:
    # stdout carries the answer ("1", "enabled"): every message goes to stderr.
    name = os.environ.get("NAME") or "kdump-config"
    return Reporter(name=name, out=sys.stderr, err=sys.stderr, command=command)


def _host(root: str | None) -> Host:
    import backends

    return backends.select("linux", root=root)


def _root() -> str | None:
    root = os.environ.get("KDUMP_ROOT")
    if root == "":
        # As for kdump-config: an empty KDUMP_ROOT is a mistake, never "this host".
        raise HostError("read", DEFAULTS_PATH, "KDUMP_ROOT (from the environment) is empty")
    return root


def read(host: Host, path: str, environ: Mapping[str, str]) -> tuple[str | None, Config]:
    """The file's text (None when absent) and the Config kdump-config makes of it."""
    text = read_config_text(host, path)
    config, _ = load_config(text, path, arch=host.uname().machine, environ=environ)
    return text, config


def restyled(raw: str, value: str, enabled: bool) -> str:
    """What to write instead of ``raw`` (a value as the file spells it, ``value`` once
    read) so that it reads as ``enabled``: the opposite word in the same spelling and
    quotes where there is one (yes -> no, "TRUE" -> "FALSE"), else a plain 1 or 0."""
    opposite = _OPPOSITES.get(value.lower())
    if opposite is None:
        return "1" if enabled else "0"
    if value.isupper():
        opposite = opposite.upper()
    elif value[:1].isupper():
        opposite = opposite.capitalize()
    for quote in ("", '"', "'"):
        if raw == f"{quote}{value}{quote}":
            return f"{quote}{opposite}{quote}"
    return "1" if enabled else "0"


def with_use_kdump(text: str | None, path: str, enabled: bool, *, arch: str) -> str | None:
    """``text`` with USE_KDUMP reading as ``enabled``, None when it already does.

    Only the value of the assignment that counts (the last) changes: the rest of its line
    (``export``, quotes, a comment, a CR inside it) and every other line stay as they are.
    ConfigError when kdump-config refuses the file: nothing is changed then.
    """
    environ: dict[str, str] = {}  # the file alone decides (the boot's environment has none)
    config, _ = load_config(text, path, arch=arch, environ=environ)
    if config.use_kdump == enabled:
        return None
    body = text or ""
    spans = [(a, start, end) for a, start, end in parse_assignment_spans(body, path, environ)
             if a.name == "USE_KDUMP"]
    if spans:
        assignment, start, end = spans[-1]
        new = body[:start] + restyled(body[start:end], assignment.value, enabled) + body[end:]
    else:
        # Always LF: a CR outside quotes is a syntax error for kdump-config.
        new = body + ("" if body.endswith("\n") or not body else "\n") + "USE_KDUMP=1\n"
    again, _ = load_config(new, path, arch=arch, environ=environ)
    if again.use_kdump != enabled:  # a bug here must never reach the file
        raise ConfigError(VALUE_ERROR, path, None,
                          f"could not set USE_KDUMP={int(enabled)} (the file was not changed)")
    return new


def set_use_kdump(enabled: bool, file: str | None) -> bool:
    """Make the file's USE_KDUMP read as ``enabled``; True when the file changed."""
    from backends.configedit import replace_config_file

    root = "/" if file else _root()
    host = _host(root)
    path = file or DEFAULTS_PATH
    text = read_config_text(host, path)
    if text is None:
        raise HostError("read", path, "No such file or directory")
    new = with_use_kdump(text, path, enabled, arch=host.uname().machine)
    if new is None:
        return False
    replace_config_file(root, path, text.encode("utf-8", "surrogateescape"),
                        new.encode("utf-8", "surrogateescape"))
    return True


def _value(name: str) -> tuple[int, str]:
    host = _host(_root())
    if name == "use-kdump-state":
        # For the maintainer scripts: what the file alone says (the boot's environment
        # sets no USE_KDUMP), as set-use-kdump reads it.
        text, config = read(host, DEFAULTS_PATH, {})
        return 0, "absent" if text is None else "enabled" if config.use_kdump else "disabled"
    text, config = read(host, DEFAULTS_PATH, host.environ())
    key = name.lower()
    # Only the file's keys: the Config's other attributes (its path, its methods,
    # ``__class__``) are no setting, and printing one would be a wrong answer with exit 0.
    if key.upper() not in KNOWN_KEYS or not hasattr(config, key):
        raise LookupError(name)
    value = getattr(config, key)
    if isinstance(value, bool):
        return (0 if value else 1), str(int(value))
    return 0, " ".join(value) if isinstance(value, list) else str(value)


def main(args: list[str]) -> int:
    """kdump-setting's command line; see the module's documentation."""
    reporter = _reporter(f"kdump-setting {args[0]}" if args else "kdump-setting")
    try:
        if len(args) in (2, 3) and args[0] == "set-use-kdump" and args[1] in ("0", "1"):
            file = args[2] if len(args) == 3 else None
            if file is not None and not file.startswith("/"):
                sys.stderr.write(USAGE)
                return UNKNOWN
            changed = set_use_kdump(args[1] == "1", file)
            sys.stdout.write("changed\n" if changed else "unchanged\n")
            return 0
        if len(args) != 1 or args[0].startswith("-") or args[0] == "set-use-kdump":
            sys.stderr.write(USAGE)
            return UNKNOWN
        status, shown = _value(args[0])
        sys.stdout.write(shown + "\n")
        return status
    except LookupError:
        sys.stderr.write(f"kdump-setting: unknown setting {args[0]}\n{USAGE}")
    except ConfigError as exc:
        reporter.emit(exc.code, detail=str(exc))
    except UnsafePathError as exc:
        reporter.emit("path-refused", path=exc.path, reason=exc.reason)
    except HostError as exc:
        reporter.emit("host-error", detail=str(exc))
    except Exception as exc:  # the boundary: whatever happened, the answer is unknown
        from kdump.dispatch import internal_error

        internal_error(reporter, exc)
    return UNKNOWN
