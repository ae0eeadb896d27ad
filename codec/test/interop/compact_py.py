"""Re-encodes values with Apache's Python library for compact.test.ts.

Reads one request a line from stdin: `Type from to accel hex`, where from/to are `binary` or
`compact` and accel is 1 for the C-accelerated protocols (fastbinary). Decodes the bytes as a
value of interop.ttypes.Type with the `from` protocol and writes one line: the value encoded with
the `to` protocol as hex, or `error: ...`. argv[1] is the folder `thrift --gen py` wrote into.
"""
import sys

sys.path.insert(0, sys.argv[1])

from thrift.protocol import TBinaryProtocol, TCompactProtocol  # noqa: E402
from thrift.transport import TTransport  # noqa: E402

from interop import ttypes  # noqa: E402

FACTORIES = {
    ("binary", 0): TBinaryProtocol.TBinaryProtocolFactory(),
    ("binary", 1): TBinaryProtocol.TBinaryProtocolAcceleratedFactory(),
    ("compact", 0): TCompactProtocol.TCompactProtocolFactory(),
    ("compact", 1): TCompactProtocol.TCompactProtocolAcceleratedFactory(),
}


def convert(type_name: str, src: str, dst: str, accel: int, data: bytes) -> bytes:
    value = getattr(ttypes, type_name)()
    inp = TTransport.TMemoryBuffer(data)
    value.read(FACTORIES[(src, accel)].getProtocol(inp))
    left = len(data) - inp._buffer.tell()
    if left:
        raise ValueError(f"{left} bytes left unread")
    out = TTransport.TMemoryBuffer()
    value.write(FACTORIES[(dst, accel)].getProtocol(out))
    return out.getvalue()


for line in sys.stdin:
    if not line.strip():
        continue
    type_name, src, dst, accel, hexdata = (line.split() + [""])[:5]
    try:
        print(convert(type_name, src, dst, int(accel), bytes.fromhex(hexdata)).hex())
    except Exception as e:  # noqa: BLE001 - reported to the test, which fails on it
        print(f"error: {type(e).__name__}: {str(e)!r}")
