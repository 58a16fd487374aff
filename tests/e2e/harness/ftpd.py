"""The FTP dump server of the systemd guest's network targets: pyftpdlib (Debian's
python3-pyftpdlib) on 127.0.0.1, one user, passive ports the guest reaches through guestfwd.

Usage: ftpd.py PORT HOME USER PASSWORD PASV_PORT[,PASV_PORT...]
Started and stopped by harness/targets.py.
"""

from __future__ import annotations

import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer


def main() -> None:
    port, home, user, password, passive = sys.argv[1:6]
    authorizer = DummyAuthorizer()
    authorizer.add_user(user, password, home, perm="elradfmwMT")
    handler = FTPHandler
    handler.authorizer = authorizer
    # ftplib connects to the control connection's address for PASV, whatever the reply says:
    # the guest reaches each of these ports at the forwarded address.
    handler.passive_ports = [int(p) for p in passive.split(",")]
    server = FTPServer(("127.0.0.1", int(port)), handler)
    server.serve_forever()


if __name__ == "__main__":
    main()
