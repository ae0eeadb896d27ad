import os
import sys

import pytest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from peer_client import MEASUREMENTS, PeerProcess, available  # noqa: E402


def _peer(name):
    if not available(name):
        pytest.skip(f"{name}: no virtualenv; run peers/{name}/setup.sh")
    p = PeerProcess(name)
    yield p
    assert p.close() == 0, f"{name} did not exit cleanly"


@pytest.fixture(scope="module")
def thriftrw():
    yield from _peer("thriftrw-py")


@pytest.fixture(scope="module")
def apache():
    yield from _peer("apache-py")


@pytest.fixture(scope="module")
def apache25():
    yield from _peer("apache-py-0.25")


@pytest.fixture(scope="module")
def thriftpy2():
    yield from _peer("thriftpy2")


def pytest_terminal_summary(terminalreporter):
    if MEASUREMENTS:
        terminalreporter.section("peer measurements")
        for what, value, unit in MEASUREMENTS:
            terminalreporter.write_line(f"{what}: {value:.1f} {unit}")
