"""The scratch database every benchmark starts from."""

from urllib.parse import urlsplit, urlunsplit


def database_recreate(url: str) -> None:
    """Drop and create the database named in `url`: only a settle_bench* one, never real data."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("settle_bench"):
        raise SystemExit(f"refusing to drop {name!r}: the benchmark database must be settle_bench*")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
