from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pgtest
import pytest
from feedserver import FeedServer


@pytest.fixture(autouse=True)
def vector_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test its own vector cache (embed.VectorCache): none reads what another one wrote, nor
    the user's ~/.cache/trendbot. Subprocesses inherit it through the environment."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("TRENDBOT_CACHE", str(folder))
    return folder


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A real HTTP server on 127.0.0.1 serving tests/data/feeds/ (see tests/feedserver.py)."""
    with FeedServer() as server:
        yield server


_PG_SH = Path(__file__).parent.parent / ".ci" / "pg.sh"


def _server(folder: str, env: dict[str, str] | None = None) -> str:
    """`.ci/pg.sh start FOLDER`'s URL; when it cannot start, a skip, or a failure in CI
    (TRENDBOT_REQUIRE_POSTGRES=1), with its last words."""
    started = subprocess.run(
        [str(_PG_SH), "start", folder],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )
    if started.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        why = f"no PostgreSQL server: {started.stderr.strip()[-300:]}"
        if os.environ.get("TRENDBOT_REQUIRE_POSTGRES") == "1":
            pytest.fail(why)
        pytest.skip(why)
    return started.stdout.strip()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server: TRENDBOT_TEST_DATABASE_URL (`.ci/run` starts one), else a throwaway
    one started here with `.ci/pg.sh` and stopped at the end. Without PostgreSQL on the machine
    the tests that need it skip, unless TRENDBOT_REQUIRE_POSTGRES=1 (CI) makes that a failure."""
    url = pgtest.database_url()
    if url:
        yield url
        return
    folder = tempfile.mkdtemp(prefix="tbpg")  # under /tmp: the server's user must reach it
    url = _server(folder)
    try:
        yield url
    finally:
        subprocess.run([str(_PG_SH), "stop", folder], capture_output=True, timeout=60, check=False)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pgvector_url() -> Iterator[str]:
    """A throwaway PostgreSQL 16 with pgvector enabled: the build inside the `pgserver` wheel
    (a test dependency; Debian's archive has no pgvector), copied under /tmp so that the
    server's user can run it, and started by `.ci/pg.sh` like the other one."""
    try:
        wheel = importlib.metadata.distribution("pgserver")
    except importlib.metadata.PackageNotFoundError:
        why = "no PostgreSQL with pgvector: the pgserver wheel is not installed"
        if os.environ.get("TRENDBOT_REQUIRE_POSTGRES") == "1":
            pytest.fail(why)
        pytest.skip(why)
    folder = tempfile.mkdtemp(prefix="tbpgv")
    build = Path(folder) / "build"
    # the binaries find their libraries at $ORIGIN/../../../pgserver.libs: keep that layout
    for part in ("pgserver/pginstall", "pgserver.libs"):
        shutil.copytree(Path(str(wheel.locate_file(part))), build / part)
    url = _server(folder, {"PG_SH_BIN": str(build / "pgserver/pginstall/bin")})
    try:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:  # as the server's superuser
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector SCHEMA public")
        yield url
    finally:
        subprocess.run([str(_PG_SH), "stop", folder], capture_output=True, timeout=60, check=False)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql", "pgvector"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where a store lives, on each engine: an SQLite file, or a fresh PostgreSQL schema on a
    server without pgvector (embeddings in BYTEA) and on one with it (in `vector`)."""
    if request.param == "sqlite":
        yield str(tmp_path / "t.db")
        return
    base = request.getfixturevalue(
        "postgres_url" if request.param == "postgresql" else "pgvector_url"
    )
    url = pgtest.fresh_schema(base)
    try:
        yield url
    finally:
        pgtest.drop_schema(base, pgtest.schema_name(url))
