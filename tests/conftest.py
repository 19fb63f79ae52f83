from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pgserver
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


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server: TRENDBOT_TEST_DATABASE_URL (`.ci/run` starts one), else a throwaway
    one started here with `.ci/pg.sh` and stopped at the end. Without PostgreSQL on the machine
    the tests that need it skip, unless TRENDBOT_REQUIRE_POSTGRES=1 (CI) makes that a failure."""
    url = pgserver.database_url()
    if url:
        yield url
        return
    folder = tempfile.mkdtemp(prefix="tbpg")  # under /tmp: the server's user must reach it
    script = Path(__file__).parent.parent / ".ci" / "pg.sh"
    started = subprocess.run(
        [str(script), "start", folder], capture_output=True, text=True, timeout=120, check=False
    )
    if started.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        why = f"no PostgreSQL server: {started.stderr.strip()[-300:]}"
        if os.environ.get("TRENDBOT_REQUIRE_POSTGRES") == "1":
            pytest.fail(why)
        pytest.skip(why)
    try:
        yield started.stdout.strip()
    finally:
        subprocess.run([str(script), "stop", folder], capture_output=True, timeout=60, check=False)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where a store lives, on each engine: an SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield str(tmp_path / "t.db")
        return
    base = request.getfixturevalue("postgres_url")
    url = pgserver.fresh_schema(base)
    try:
        yield url
    finally:
        pgserver.drop_schema(base, pgserver.schema_name(url))
