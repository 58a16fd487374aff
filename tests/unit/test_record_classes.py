"""Records of different classes are never equal, whatever their fields hold.

A record stands for one kind of thing: a ``RunResult`` is not a ``PipelineResult`` and a
finding of one check is not a finding of another, even when both happen to carry the
same values under the same names.  dataclasses and NamedTuple-free code compare the
class first; so must ``Record.__eq__`` (backends/record.py), or a set or dict of records
silently merges different kinds.
"""

from __future__ import annotations

import pytest

from backends.record import Record


class Reserved(Record):
    mib: int
    where: str = ""


class Suggested(Record):  # the same fields, by name and order: another kind
    mib: int
    where: str = ""


class ReservedHere(Reserved):  # a subclass that adds no field
    pass


class Tally(Record, frozen=False):
    mib: int
    where: str = ""


class OtherTally(Record, frozen=False):
    mib: int
    where: str = ""


@pytest.mark.parametrize(("one", "other"), [
    (Reserved(512, "/"), Suggested(512, "/")),
    (Reserved(512, "/"), ReservedHere(512, "/")),
    (Tally(512, "/"), OtherTally(512, "/")),  # mutable records: the same rule
    (Reserved(512, "/"), Tally(512, "/")),
], ids=["same-fields", "subclass", "mutable", "frozen-vs-mutable"])
def test_records_of_different_classes_with_the_same_values_differ(one: Record,
                                                                  other: Record) -> None:
    assert one._values() == other._values()  # the values really are the same
    assert one != other and other != one
    assert not one == other  # noqa: SIM201 - __eq__ itself, not only __ne__


def test_different_classes_never_merge_in_a_set_or_a_dict() -> None:
    assert len({Reserved(512), Suggested(512), ReservedHere(512)}) == 3
    by_kind = {Reserved(512): "reserved", Suggested(512): "suggested"}
    assert by_kind[Reserved(512)] == "reserved" and by_kind[Suggested(512)] == "suggested"


def test_a_record_is_not_equal_to_the_tuple_of_its_values() -> None:
    assert Reserved(512, "/") != (512, "/")
    assert Reserved(512, "/") != [512, "/"]


def test_the_same_class_with_the_same_values_is_equal() -> None:
    # The other half of the rule: without it the tests above pass for a record that
    # never compares equal at all.
    assert Reserved(512, "/") == Reserved(512, "/")
    assert ReservedHere(512) == ReservedHere(512)
    assert Tally(1) == Tally(1)
