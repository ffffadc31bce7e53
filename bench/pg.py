"""What the PostgreSQL benchmarks share: their error type, a database of their own, the entry point."""

import sys
from urllib.parse import urlsplit, urlunsplit


class BenchError(Exception):
    """Setting up the benchmark failed; the message says why."""


def main(run, parse_args):
    """Run a benchmark: its own exit status (1 when a goal is missed), or 2 when setting up failed."""
    args = parse_args()
    try:
        return run(args)
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 2


def prepare_database(url, keep):
    """Create the database if missing; drop it first unless ``keep``. Returns its name."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise BenchError(f"--database must be a postgresql:// URL, not {url!r}")
    name = parts.path.lstrip("/")
    if not name or name in ("postgres", "template0", "template1"):
        raise BenchError(f"--database must name a database of its own, not {name!r}")
    admin = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if exists and not keep:
                conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
                exists = None
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as error:
        raise BenchError(f"cannot prepare the database {name!r}: {error}") from error
    return name
