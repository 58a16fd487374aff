"""kdump-config: set up Linux kernel crash dumps."""

# The release (pyproject.toml and debian/changelog say the same: tests/unit/test_schemas.py).
__version__ = "0.1.0"
# The Debian kdump-tools release whose behaviour kdump-config follows
# (../shared/spec/reference-behaviour.md: upstream 1:1.10.3).
FOLLOWS = "1:1.10.3"
