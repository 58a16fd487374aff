"""Structured logging: every journalled event is a catalog message, sent with its fields.

structlog carries the event through two processors: one adds the journal's fields
(MESSAGE_ID per catalog code, PRIORITY from the severity, SYSLOG_IDENTIFIER, and the
code and command as KDUMP_CODE / KDUMP_COMMAND), the last hands them to the Host's log
sink, which writes them to journald (native protocol) or falls back to syslog.  So
``journalctl MESSAGE_ID=<id>`` finds one kind of event across a fleet
(docs/message-ids.md lists the ids).

structlog (and what it pulls in) costs more start-up time than the whole of
``status``; most runs never log, so it is imported on first use.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, MutableMapping
from typing import Any

from kdump.withoutrich import import_without_rich

# MESSAGE_ID = uuid5(this namespace, code): stable as long as the code is (codes are never
# reused), and the same on every machine and release.
MESSAGE_ID_NAMESPACE = uuid.UUID("256de1cb-6da1-4868-958a-6d5fdd87e2ba")
# syslog(3) levels, as Debian's lsb log_*_msg would mean them.
PRIORITY = {"failure": 3, "warning": 4, "action": 5, "success": 5, "plain": 6}
FACILITY_USER = 1

LogSink = Callable[..., None]  # Host.syslog(tag, message, fields)
_configured = False


def message_id(code: str) -> str:
    """The journal's MESSAGE_ID of a catalog code: 32 lowercase hex digits."""
    return uuid.uuid5(MESSAGE_ID_NAMESPACE, code).hex


def journal_fields(tag: str, code: str, severity: str, text: str, command: str,
                   ) -> dict[str, str]:
    fields = {
        "MESSAGE": text,
        "MESSAGE_ID": message_id(code),
        "PRIORITY": str(PRIORITY[severity]),
        "SYSLOG_FACILITY": str(FACILITY_USER),
        "SYSLOG_IDENTIFIER": tag,
        "KDUMP_CODE": code,
        "KDUMP_SEVERITY": severity,
    }
    if command:
        fields["KDUMP_COMMAND"] = command
    return fields


def _add_journal_fields(_logger: Any, _method: str, event: MutableMapping[str, Any],
                        ) -> MutableMapping[str, Any]:
    event["fields"] = journal_fields(event["tag"], event["code"], event["severity"],
                                     event["event"], event.get("command", ""))
    return event


def _to_sink(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> str:
    sink: LogSink = event.pop("sink")
    sink(str(event["tag"]), str(event["event"]), event["fields"])
    return ""


def log_message(sink: object, tag: str, code: str, severity: str, text: str,
                command: str = "") -> None:
    global _configured
    import_without_rich("structlog")
    import structlog

    if not callable(sink):
        return
    if not _configured:
        structlog.configure(processors=[_add_journal_fields, _to_sink],
                            logger_factory=structlog.ReturnLoggerFactory())
        _configured = True
    structlog.get_logger().info(text, code=code, severity=severity, tag=tag, sink=sink,
                                command=command)
