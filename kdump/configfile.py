"""Reading /etc/default/kdump-tools: absent, unreadable, too large, or text.

Kept apart from the pure grammar in ``kdump.config``: this is where the bytes come
from the machine (through the Host) and become text.  An absent file means "nothing
set", as it did for the original; a file that is there but cannot be read (no
permission, a directory, a link loop, a FIFO) is an error that says so, never a
silent "USE_KDUMP unset".
"""

from __future__ import annotations

from backends.values import HostError
from kdump.config import MAX_CONFIG_BYTES, UNREADABLE, ConfigError, decode_config

TYPE_CHECKING = False
if TYPE_CHECKING:
    from backends.base import Host


def read_config_text(host: Host, path: str) -> str | None:
    """The config file's text, None when absent; ConfigError when it cannot be used."""
    try:
        data = host.read_config_file(path, MAX_CONFIG_BYTES)
    except HostError as exc:
        raise ConfigError(UNREADABLE, path, None,
                          f"cannot read the config file: {exc.reason}") from exc
    return None if data is None else decode_config(data, path)
