"""A finding: what a decision of the core found, as a catalog code and its parameters.

The checks (kdump/checks.py) and the plans (kdump/plan.py) return findings; the commands
report them through the catalog (kdump/messages.py), which says what is wrong and how to
fix it.
"""

from __future__ import annotations

from backends.record import Record, field

TYPE_CHECKING = False
if TYPE_CHECKING:
    from kdump.codes import Code


class Finding(Record):
    """A check's outcome: a catalog code and its parameters."""

    code: Code
    params: dict[str, object] = field(default_factory=dict)
