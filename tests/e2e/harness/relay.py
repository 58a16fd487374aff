"""One guest connection to a loopback server: QEMU's `guestfwd=...-cmd:` runs this once per
connection the guest opens to the forwarded address, with that connection as stdin and stdout.

Usage: relay.py PORT   (connects to 127.0.0.1:PORT; stdlib only, Debian's /usr/bin/python3)
A `guestfwd` to a chardev would be opened once, at QEMU's start, and carry one connection for
the whole run; ssh, scp, mount.nfs and FTP's data connections each open their own.
"""

from __future__ import annotations

import os
import selectors
import socket
import sys


def main() -> int:
    port = int(sys.argv[1])
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.settimeout(None)
    sel = selectors.DefaultSelector()
    sel.register(0, selectors.EVENT_READ, "guest")
    sel.register(sock, selectors.EVENT_READ, "server")
    open_ends = 2
    while open_ends:
        for key, _ in sel.select():
            if key.data == "guest":
                data = os.read(0, 65536)
                if data:
                    sock.sendall(data)
                    continue
                sel.unregister(0)
                sock.shutdown(socket.SHUT_WR)
            else:
                data = sock.recv(65536)
                if data:
                    view = memoryview(data)
                    while view:
                        view = view[os.write(1, view):]
                    continue
                sel.unregister(sock)
                os.close(1)
            open_ends -= 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except OSError as exc:
        print(f"relay: {exc}", file=sys.stderr)
        sys.exit(1)
