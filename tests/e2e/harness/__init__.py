"""Host side of tests/e2e/run-qemu (stdlib only, runs on Debian's /usr/bin/python3)."""
