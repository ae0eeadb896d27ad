"""A minimal client of the peer control channel (length-prefixed JSON on stdin/stdout).

Deliberately independent of peers/common: it re-implements the framing from peers/README.md, so
the tests check the documented protocol rather than the peers' own helper code.
"""

from __future__ import annotations

import json
import os
import select
import struct
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PEERS = {
    "thriftrw-py": os.path.join(ROOT, "peers", "thriftrw-py", "peer.py"),
    "apache-py": os.path.join(ROOT, "peers", "apache-py", "peer.py"),
    "apache-py-0.25": os.path.join(ROOT, "peers", "apache-py", "peer.py"),
    "thriftpy2": os.path.join(ROOT, "peers", "thriftpy2", "peer.py"),
}
#: Peers with a virtualenv of their own (made by peers/<name>/setup.sh); the others run with
#: the Python that runs the tests (the project's .venv).
OWN_VENV = {"apache-py-0.25", "thriftpy2"}


def python_of(name: str) -> str:
    if name in OWN_VENV:
        # The peer's state folder: $THRIFT_CONFORM_STATE/<name> when set (as CI does), else
        # <root>/.peers/<name> (harness/peers/manifest.ts: stateDir).
        state = os.environ.get("THRIFT_CONFORM_STATE") or os.path.join(ROOT, ".peers")
        return os.path.join(os.path.abspath(state), name, "venv", "bin", "python")
    return sys.executable


def common_under_test():
    """peers/common, imported in this process under a private name (as the peers do, so that it
    cannot clash with a generated package called `common`); its modules are attributes."""
    import importlib
    import importlib.util

    name = "_common_under_test"
    if name not in sys.modules:
        here = os.path.join(ROOT, "peers", "common")
        spec = importlib.util.spec_from_file_location(name, os.path.join(here, "__init__.py"), submodule_search_locations=[here])
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    for sub in ("channel", "peerkit", "values"):
        importlib.import_module(f"{name}.{sub}")
    return sys.modules[name]


def available(name: str) -> bool:
    """False when a peer's own virtualenv is missing (its setup.sh has not run)."""
    return os.path.exists(python_of(name))
#: Seconds a test waits for one control answer.
ANSWER_TIMEOUT_S = 60.0
#: Numbers the tests measured, printed at the end of the pytest run: (what, value, unit).
MEASUREMENTS = []


def measure(what: str, value: float, unit: str) -> None:
    MEASUREMENTS.append((what, value, unit))


class PeerFailed(Exception):
    def __init__(self, resp):
        super().__init__(f"{resp['error']['type']}: {resp['error']['message']}")
        self.resp = resp
        self.type = resp["error"]["type"]


class PeerProcess:
    def __init__(self, name: str, env=None):
        self.name = name
        self.started = time.perf_counter()
        if env is None:
            env = dict(os.environ)
        env = {**env, "THRIFT_CONFORM_PEER": name}
        self.proc = subprocess.Popen(
            [python_of(name), PEERS[name]],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,  # logs go to the test's stderr
            cwd=ROOT,
            env=env,
        )
        self.next_id = 1

    def send_raw(self, payload: bytes) -> None:
        self.proc.stdin.write(struct.pack(">I", len(payload)) + payload)
        self.proc.stdin.flush()

    def _read_exact(self, n: int) -> bytes:
        out = b""
        deadline = time.monotonic() + ANSWER_TIMEOUT_S
        fd = self.proc.stdout.fileno()
        while len(out) < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError(f"{self.name}: no answer within {ANSWER_TIMEOUT_S}s")
            chunk = os.read(fd, n - len(out))
            if not chunk:
                raise EOFError(f"{self.name}: stdout closed (exit code {self.proc.poll()})")
            out += chunk
        return out

    def read(self) -> dict:
        (n,) = struct.unpack(">I", self._read_exact(4))
        return json.loads(self._read_exact(n).decode("utf-8"))

    def request(self, op: str, **params) -> dict:
        """Sends a request and returns the whole response (ok true or false)."""
        rid = self.next_id
        self.next_id += 1
        self.send_raw(json.dumps({"id": rid, "op": op, **params}).encode("utf-8"))
        resp = self.read()
        assert resp["id"] == rid, resp
        return resp

    def ok(self, op: str, **params) -> dict:
        resp = self.request(op, **params)
        if not resp["ok"]:
            raise PeerFailed(resp)
        return resp

    def close(self) -> int:
        if self.proc.poll() is None:
            try:
                self.ok("shutdown")
            except Exception:  # noqa: BLE001
                pass
            try:
                return self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                return self.proc.wait()
        return self.proc.returncode
