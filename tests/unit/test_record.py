"""Records (backends/record.py) behave as the dataclasses and NamedTuples they replace."""

from __future__ import annotations

from typing import ClassVar

import pytest

from backends.record import FrozenRecordError, Record, field


class Point(Record):
    x: int
    y: int = 0
    tags: list[str] = field(default_factory=list)
    UNIT: ClassVar[str] = "mm"


class Labelled(Point):
    label: str = ""


class Counter(Record, frozen=False):
    count: int = 0


class Handle(Record, eq=False):
    name: str


def test_fields_positional_keyword_and_defaults() -> None:
    assert Point._fields == ("x", "y", "tags")  # a ClassVar is no field
    point = Point(1, tags=["a"])
    assert (point.x, point.y, point.tags) == (1, 0, ["a"])
    assert repr(point) == "Point(x=1, y=0, tags=['a'])"
    assert Point.UNIT == "mm"


def test_a_default_factory_makes_a_new_value_per_record() -> None:
    first, second = Point(1), Point(2)
    first.tags.append("changed")
    assert second.tags == []


def test_subclass_fields_follow_the_parents() -> None:
    assert Labelled._fields == ("x", "y", "tags", "label")
    assert Labelled(1, 2, [], "l").label == "l"


@pytest.mark.parametrize("args, kwargs, words", [
    ((), {}, "needs 'x'"),
    ((1, 2, [], 4), {}, "takes 3 arguments"),
    ((1,), {"x": 2}, "got 'x' twice"),
    ((1,), {"z": 2}, "no field 'z'"),
])
def test_wrong_arguments_are_refused_by_name(args: tuple[object, ...], kwargs: dict[str, object],
                                             words: str) -> None:
    with pytest.raises(TypeError, match=words):
        Point(*args, **kwargs)


def test_a_field_without_default_after_one_with_is_refused() -> None:
    with pytest.raises(TypeError, match="without a default"):
        class Broken(Record):
            a: int = 0
            b: int


def test_frozen_by_default_and_replace_copies() -> None:
    point = Point(1)
    with pytest.raises(FrozenRecordError):
        point.x = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del point.x
    moved = point._replace(y=5)
    assert (moved.x, moved.y, point.y) == (1, 5, 0) and type(moved) is Point


def test_equality_and_hash_by_value_when_frozen() -> None:
    assert Point(1, 2, []) == Point(1, 2, [])
    assert Point(1) != Point(2)
    assert Point(1) != Labelled(1)  # another type is never equal
    assert len({Point(1, tags=()), Point(1, tags=())}) == 1  # type: ignore[arg-type]


def test_mutable_records_assign_and_are_unhashable() -> None:
    counter = Counter()
    counter.count += 1
    assert counter == Counter(1)
    with pytest.raises(TypeError):
        hash(counter)


def test_eq_false_compares_by_identity() -> None:
    handle = Handle("a")
    assert handle != Handle("a") and handle == handle
    assert len({handle, Handle("a")}) == 2
