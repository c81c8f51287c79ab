"""The scratch database every benchmark starts from."""

from urllib.parse import urlsplit, urlunsplit


def database_recreate(url: str) -> None:
    """Drop and create the database named in `url`: only a scratch one, never real data."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    # settle_bench*, or settle_*_bench for a benchmark run beside others (settle_imports_bench).
    if not (
        name.startswith("settle_bench") or (name.startswith("settle_") and name.endswith("_bench"))
    ):
        raise SystemExit(
            f"refusing to drop {name!r}: the benchmark database must be named "
            "settle_bench* or settle_*_bench"
        )
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
