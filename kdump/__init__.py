"""kdump-config: set up Linux kernel crash dumps.

Start-up (issue 11): `status` and `try-reload` run at boot, from monitoring and on every
hotplug event, so what they import is what they cost.  The dataclasses module imports
``inspect`` (with ast, dis and tokenize: a sixth of such a start) only to write a
docstring for a class that has none; every dataclass here has one, so ``inspect`` is
deferred: its module object is made at once, as an import would make it, and its code
runs into that same object on the first use of a name it defines (typer's path, a
traceback), never on the fast path (tests/test_dispatch_paths.py).  importlib's
LazyLoader is no help here: the ``import inspect`` of dataclasses itself reads the
module's ``__spec__``, which sets it loading.  This pays on Python 3.11 (bookworm) only:
from 3.12 on (trixie's 3.13), dataclasses reads every class's annotations through
``inspect.get_annotations``, so there the first dataclass runs it, as before.
"""

import sys
import types


class _Deferred(types.ModuleType):
    def __getattr__(self, name: str) -> object:
        # Only names the module object does not have yet come here: run its code now.
        object.__setattr__(self, "__class__", types.ModuleType)
        spec = self.__spec__
        assert spec is not None and spec.loader is not None
        spec.loader.exec_module(self)
        return getattr(self, name)


def _defer(name: str) -> None:
    if name in sys.modules:  # already there (a test run, an embedding program)
        return
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    module.__class__ = _Deferred
    sys.modules[name] = module


_defer("inspect")

# The release (pyproject.toml and debian/changelog say the same: tests/unit/test_schemas.py).
__version__ = "0.1.0"
# The Debian kdump-tools release whose behaviour kdump-config follows
# (../shared/spec/reference-behaviour.md: upstream 1:1.10.3).
FOLLOWS = "1:1.10.3"
