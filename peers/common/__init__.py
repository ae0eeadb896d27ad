"""Shared code of the Python peers (control channel, JSON values, generic handlers, sockets).

Peer programs load this package under a private module name (see `load_common` in each
peer.py), so an IDL that generates a Python package named `common` cannot clash with it.
"""
