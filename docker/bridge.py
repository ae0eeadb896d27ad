#!/usr/bin/env python3
"""Container entry point: the peer's control channel on a TCP port instead of stdio.

testcontainers cannot attach a container's stdin, so inside a container the harness reaches the
peer through this bridge: it listens on 127.0.0.1:$CONTROL_PORT (the container shares the host's
network), prints `thrift-conform peer ready on <port>` to stderr (the harness waits for that line
in the container log), accepts ONE connection, and runs the peer program with that connection as
its stdin and stdout: the command after `--` on the bridge's command line
(`python3 bridge.py -- /usr/bin/node /peer/peer.mjs`), or `peer.py` beside this file run by this
Python when none is given. The peer program is the same file as in process mode;
its stderr goes to the container log. The bridge exits with the peer's exit code; SIGTERM and
SIGINT are passed on to the peer (as PID 1 the bridge would otherwise ignore them).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

#: The harness connects as soon as it sees the readiness line (milliseconds later); if nobody has
#: connected after this long, the harness is gone and the container ends instead of lingering.
ACCEPT_TIMEOUT_S = 120
#: Only loopback: with host networking anything else would be reachable from outside.
HOST = "127.0.0.1"
READY_LINE = "thrift-conform peer ready on {port}"


def log(text: str) -> None:
    print(f"[bridge] {text}", file=sys.stderr, flush=True)


def main() -> int:
    try:
        port = int(os.environ["CONTROL_PORT"])
    except (KeyError, ValueError):
        log("CONTROL_PORT must be set to a port number")
        return 2
    argv = sys.argv[1:]
    if argv[:1] == ["--"] and len(argv) > 1:
        command = argv[1:]
    elif not argv:
        command = [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "peer.py")]
    else:
        log("usage: bridge.py [-- COMMAND ARGS...]")
        return 2
    child: subprocess.Popen | None = None

    def on_signal(signum: int, _frame: object) -> None:
        if child is None:
            raise SystemExit(128 + signum)
        child.send_signal(signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        srv.bind((HOST, port))
    except OSError as e:
        log(f"cannot listen on {HOST}:{port}: {e}")
        return 2
    srv.listen(1)
    srv.settimeout(ACCEPT_TIMEOUT_S)
    print(READY_LINE.format(port=port), file=sys.stderr, flush=True)
    try:
        conn, addr = srv.accept()
    except socket.timeout:
        log(f"nobody connected within {ACCEPT_TIMEOUT_S} s; exiting")
        return 3
    finally:
        srv.close()
    conn.setblocking(True)
    # Requests and answers are small and strictly alternating: never wait for Nagle.
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    log(f"harness connected from {addr[0]}:{addr[1]}; starting {' '.join(command)}")
    try:
        child = subprocess.Popen(command, stdin=conn.fileno(), stdout=conn.fileno())
    except OSError as e:
        log(f"cannot start {command[0]}: {e}")
        conn.close()
        return 127
    conn.close()  # the peer holds its own copies; the connection closes when the peer exits
    code = child.wait()
    log(f"peer exited with code {code}")
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main())
