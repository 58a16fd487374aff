"""Records: classes of named fields, as dataclasses and NamedTuples make them, for less.

`status` and `try-reload` run on every boot, from monitoring and on every hotplug event,
and what they import is what they cost: ``dataclasses`` pulls in ``inspect``
(and with it ``ast``, ``dis``, ``tokenize``), ``typing`` pulls in ``re``, and each
dataclass compiles its methods with ``exec`` when its module loads.  A record is made by
``__init_subclass__`` from the class's annotations: one generic ``__init__``, ``__eq__``,
``__repr__`` and (frozen, the default) no assignment after construction; nothing is
compiled.  mypy reads records as dataclasses (PEP 681's ``dataclass_transform``), so
fields, defaults and frozenness are checked as before.

Records are for values (docs/architecture.md, the start-up policy): a service that
holds a host, streams or a reporter is a plain class
(tests/architecture/test_startup_policy.py).

    class Point(Record):
        x: int
        y: int = 0
        tags: list[str] = field(default_factory=list)

    class Counter(Record, frozen=False): ...   # fields may be assigned
    class Big(Record, eq=False): ...           # compared by identity (cheaper to hash)

Annotations are read as written (``from __future__ import annotations``): a field
annotated ``ClassVar[...]`` is a class attribute, not a field.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, Self, TypeVar, dataclass_transform

    _T = TypeVar("_T")
else:
    def dataclass_transform(**_options: object) -> object:
        return lambda decorated: decorated


class FrozenRecordError(AttributeError):
    """A field of a frozen record was assigned."""


class _Factory:
    __slots__ = ("make",)

    def __init__(self, make: Callable[[], object]) -> None:
        self.make = make


def field(*, default_factory: Callable[[], _T]) -> _T:
    """A field whose default is made anew for each record (``default_factory()``)."""
    return _Factory(default_factory)  # type: ignore[return-value]


_NO_DEFAULT = object()


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
class Record:
    """Base of every record; see the module's documentation."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()
    _defaults: tuple[object, ...] = ()  # one per field: a value, a _Factory or _NO_DEFAULT
    _frozen = True

    def __init_subclass__(cls, *, frozen: bool = True, eq: bool = True,
                          **options: Any) -> None:
        super().__init_subclass__(**options)
        inherited = dict(zip(cls._fields, cls._defaults, strict=True))
        # The class's own annotations (not its parents': Python 3.10 on), as written.
        for name, annotation in cls.__annotations__.items():
            if str(annotation).startswith(("ClassVar", "typing.ClassVar")):
                continue
            inherited.pop(name, None)  # a redefined field moves to the end, as in dataclasses
            inherited[name] = cls.__dict__.get(name, _NO_DEFAULT)
        seen_default = False
        for name, default in inherited.items():
            if default is _NO_DEFAULT and seen_default:
                raise TypeError(f"{cls.__name__}: field {name} without a default follows "
                                "one with a default")
            seen_default = seen_default or default is not _NO_DEFAULT
        cls._fields = tuple(inherited)
        cls._defaults = tuple(inherited.values())
        cls._frozen = frozen
        if not eq:
            cls.__eq__ = object.__eq__  # type: ignore[method-assign]
            cls.__hash__ = object.__hash__  # type: ignore[method-assign]
        elif not frozen:
            cls.__hash__ = None  # type: ignore[assignment]  # mutable and compared by value

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Straight into __dict__ (a frozen record refuses __setattr__): the catalog alone
        # makes a few hundred records at every start.
        fields = self._fields
        given = len(args)
        if given > len(fields):
            raise TypeError(f"{type(self).__name__}() takes {len(fields)} arguments, "
                            f"{given} given")
        values = self.__dict__
        values.update(zip(fields, args, strict=False))  # the rest: below
        if given == len(fields) and not kwargs:
            return
        for name, default in zip(fields[given:], self._defaults[given:], strict=True):
            if name in kwargs:
                values[name] = kwargs.pop(name)
            elif default is _NO_DEFAULT:
                raise TypeError(f"{type(self).__name__}() needs {name!r}")
            elif type(default) is _Factory:
                values[name] = default.make()
            else:
                values[name] = default
        for name in kwargs:
            raise TypeError(f"{type(self).__name__}() got {name!r} twice" if name in fields
                            else f"{type(self).__name__}() has no field {name!r}")

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({shown})"

    def __setattr__(self, name: str, value: object) -> None:
        if self._frozen:
            raise FrozenRecordError(f"cannot assign to field {name!r}")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if self._frozen:
            raise FrozenRecordError(f"cannot delete field {name!r}")
        object.__delattr__(self, name)

    def _replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` (as NamedTuple's ``_replace``, dataclasses' ``replace``)."""
        values = {name: getattr(self, name) for name in self._fields}
        values.update(changes)
        return type(self)(**values)
