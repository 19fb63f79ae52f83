"""PostgreSQL for tests: a fresh schema per test, on the server in TRENDBOT_TEST_DATABASE_URL.

    url = database_url()               # None: no server, skip (start one: .ci/pg.sh start DIR)
    schema_url = fresh_schema(url)     # `url`, with search_path set to a new, empty schema
    ...                                # connect to schema_url; unqualified names land there
    drop_schema(url, schema_name(schema_url))

psycopg is imported only when a server is used, so that tests without one skip cleanly.
"""

from __future__ import annotations

import os
import uuid
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

ENV = "TRENDBOT_TEST_DATABASE_URL"
_SEARCH_PATH = "-csearch_path="


def database_url() -> str | None:
    """The test server's URL, from TRENDBOT_TEST_DATABASE_URL, or None when there is none."""
    return os.environ.get(ENV)


def fresh_schema(url: str) -> str:
    """Create a uniquely named schema and return `url` with its search_path set to that schema."""
    import psycopg
    from psycopg import sql

    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    options = [v for k, v in query if k == "options"] + [_SEARCH_PATH + name]
    query = [(k, v) for k, v in query if k != "options"] + [("options", " ".join(options))]
    # libpq decodes %XX in a URI but not "+", so spaces must be %20, not urlencode's default "+"
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


def schema_name(schema_url: str) -> str:
    """The schema that a URL from fresh_schema() puts its connections in."""
    options = dict(parse_qsl(urlsplit(schema_url).query)).get("options", "")
    return options.rsplit(_SEARCH_PATH, 1)[1]


def drop_schema(url: str, name: str) -> None:
    """Drop schema `name` and everything in it (no error if it is already gone)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))
