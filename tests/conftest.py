from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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
