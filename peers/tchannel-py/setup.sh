#!/bin/bash
# tchannel-py set-up: a virtualenv in $PEER_STATE/venv with PyPI tchannel 2.1.0 and its resolved
# dependencies (tornado 4.5.3, thriftrw 1.9.0, ...), pinned with hashes in requirements.txt.
# setuptools and wheel (pinned) go in first; the sdists are then built with them and no build
# isolation. peers/kit/python-own-venv.sh does the work (idempotent, well under a second when
# done).
set -euo pipefail
CHECK='import importlib.metadata as m, tchannel, thriftrw, tornado, tchannel.thrift; v = (m.version("tchannel"), thriftrw.__version__, tornado.version); assert v == ("2.1.0", "1.9.0", "4.5.3"), v; print("tchannel %s, thriftrw %s, tornado %s" % v)'
INSTALL=sdists
source "$(dirname "${BASH_SOURCE[0]}")/../kit/python-own-venv.sh"
