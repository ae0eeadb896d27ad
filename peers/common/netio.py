"""Socket plumbing for peers whose library has no transport of its own (thriftrw-py).

Transports are those of Apache Thrift: "framed" = 4-byte big-endian length + message;
"buffered" = the bare message on the stream. A buffered stream has no boundaries, so the reader
is given a `measure` function that says how long the complete message at the start of the buffer
is (or None when more bytes are needed); the library's own decoder does the measuring.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
import threading
from typing import Callable, Optional

from .channel import PeerError

#: Seconds to wait for a TCP connection to our peer under test.
CONNECT_TIMEOUT_S = 5.0
#: Seconds a client waits for each read/write of a call.
CALL_IO_TIMEOUT_S = 30.0
#: Seconds a server connection may stay idle before the server closes it.
SERVER_IDLE_TIMEOUT_S = 600.0
#: Largest frame (framed transport) or buffered message a peer accepts.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
#: Bytes read from a socket at a time.
RECV_CHUNK = 64 * 1024
#: Backlog of the listening sockets.
LISTEN_BACKLOG = 64

TRANSPORTS = ("framed", "buffered")
_FRAME = struct.Struct(">i")


class ConnectionClosed(Exception):
    pass


class MessageError(Exception):
    """The bytes on the wire cannot be a message (bad frame size, undecodable header)."""


def check_host(host: str) -> str:
    """Only loopback addresses may be contacted."""
    if host == "localhost":
        return "127.0.0.1"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError as e:
        raise PeerError("BadRequest", f"host {host!r} is not an IP address; only loopback is allowed") from e
    if not ip.is_loopback:
        raise PeerError("BadRequest", f"host {host} is not a loopback address; peers only talk to 127.0.0.1")
    return host


def check_transport(transport: str) -> str:
    if transport not in TRANSPORTS:
        raise PeerError("Unsupported", f"transport {transport!r}; supported: {list(TRANSPORTS)}")
    return transport


def connect(host: str, port: int) -> socket.socket:
    host = check_host(host)
    if not isinstance(port, int) or not 0 < port < 65536:
        raise PeerError("BadRequest", f"bad port {port!r}")
    try:
        sock = socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S)
    except OSError as e:
        raise PeerError("TransportError", f"cannot connect to {host}:{port}: {e}", e) from e
    sock.settimeout(CALL_IO_TIMEOUT_S)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


class MessageStream:
    """Reads and writes whole messages on a socket in one transport."""

    def __init__(self, sock: socket.socket, transport: str, measure: Callable[[bytes], Optional[int]]):
        self.sock = sock
        self.transport = check_transport(transport)
        self.measure = measure
        self.buf = b""

    def _fill(self) -> None:
        chunk = self.sock.recv(RECV_CHUNK)
        if not chunk:
            raise ConnectionClosed("connection closed by the other side")
        self.buf += chunk

    def _take(self, n: int) -> bytes:
        while len(self.buf) < n:
            self._fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read(self) -> bytes:
        if self.transport == "framed":
            (size,) = _FRAME.unpack(self._take(4))
            if size < 0 or size > MAX_MESSAGE_BYTES:
                raise MessageError(f"frame size {size} out of range 0..{MAX_MESSAGE_BYTES}")
            return self._take(size)
        while True:
            if self.buf:
                n = self.measure(self.buf)
                if n is not None:
                    return self._take(n)
            if len(self.buf) > MAX_MESSAGE_BYTES:
                raise MessageError(f"no complete message within {MAX_MESSAGE_BYTES} bytes")
            self._fill()

    def write(self, payload: bytes) -> None:
        if self.transport == "framed":
            payload = _FRAME.pack(len(payload)) + payload
        self.sock.sendall(payload)


class ThreadedServer:
    """Listens on 127.0.0.1:0 and runs `serve_conn(sock)` in a daemon thread per connection."""

    def __init__(self, serve_conn: Callable[[socket.socket], None], log: Callable[[str], None]):
        self.serve_conn = serve_conn
        self.log = log
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(LISTEN_BACKLOG)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._accept_loop, name=f"server-{self.port}", daemon=True)
        self.thread.start()

    def _accept_loop(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return  # closed
            conn.settimeout(SERVER_IDLE_TIMEOUT_S)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._run_conn, args=(conn,), daemon=True).start()

    def _run_conn(self, conn: socket.socket) -> None:
        try:
            self.serve_conn(conn)
        except ConnectionClosed:
            pass
        except Exception as e:  # noqa: BLE001 - one bad connection must not stop the server
            self.log(f"server {self.port}: connection dropped: {type(e).__name__}: {e}")
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accept() of the server thread
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass
