#!/bin/bash
# thriftpy2 set-up: a virtualenv in $PEER_STATE/venv with thriftpy2 0.7.1 and its dependencies
# (ply, ijson) from PyPI, pinned with hashes in requirements.txt (binary wheels with the Cython
# extensions); peers/kit/python-own-venv.sh does the work (idempotent, well under a second when
# done).
set -euo pipefail
CHECK='import importlib.metadata as m, thriftpy2, thriftpy2.protocol.cybin as c, thriftpy2.transport.cybase; v = m.version("thriftpy2"); assert v == thriftpy2.__version__ == "0.7.1", v; print("thriftpy2", v, "cybin", c.__file__)'
INSTALL=wheels
source "$(dirname "${BASH_SOURCE[0]}")/../kit/python-own-venv.sh"
