"""Structured logging to syslog, loaded only when a message must be logged.

structlog (and what it pulls in) costs more start-up time than the whole of
``status``; most runs never log, so it is imported on first use.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any

SyslogSink = Callable[[str, str], None]
_configured = False


def _to_syslog(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> str:
    # The journal gets the text alone (as the original's `logger -t NAME`);
    # the code travels as structured context for anyone reading the JSON log.
    sink: SyslogSink = event.pop("sink")
    sink(str(event.get("tag", "kdump-config")), str(event["event"]))
    return ""


def log_message(sink: object, tag: str, code: str, severity: str, text: str) -> None:
    global _configured
    import structlog

    if not callable(sink):
        return
    if not _configured:
        structlog.configure(processors=[_to_syslog],
                            logger_factory=structlog.ReturnLoggerFactory())
        _configured = True
    structlog.get_logger().info(text, code=code, severity=severity, tag=tag, sink=sink)
