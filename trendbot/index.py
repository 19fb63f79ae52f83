"""Vector indexes (faiss): nearest items or stories by inner product, keyed by our own ids.

Vectors are unit length, so inner product is cosine. Up to `exact_limit` vectors the index is
exact (`IndexFlatIP` in an `IndexIDMap2`); past it, an HNSW graph, whose recall@10 against exact
search is checked in tests/test_index.py. The index is a cache: the store holds the vectors, and
`rebuild(keys, vectors)` makes the index again after a restart or a model change.

HNSW graphs cannot delete, so removed vectors there are tombstones that searches skip; the graph
is rebuilt from the live vectors once tombstones pass a quarter of it. Retention is by time:
give `add` the items' times and call `expire(before)` (items older than `RETENTION_DAYS` leave).

faiss is imported when the first index is built, never at module import.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any, Generic, Literal, TypeVar

import numpy as np

from trendbot.errors import EmbedError

K = TypeVar("K", bound=Hashable)

RETENTION_DAYS = 14
EXACT_LIMIT = 50_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
TOMBSTONE_SHARE = 0.25


class VectorIndex(Generic[K]):
    """Vectors keyed by item ids (str) or story ids (int); adding a known key replaces it."""

    def __init__(self, dim: int, *, exact_limit: int = EXACT_LIMIT) -> None:
        self.dim = dim
        self.exact_limit = exact_limit
        self._index: Any = None
        self._kind: Literal["exact", "hnsw"] = "exact"
        self._label_of: dict[K, int] = {}
        self._key_of: dict[int, K] = {}
        self._time_of: dict[K, float] = {}
        self._dead: set[int] = set()  # HNSW tombstones
        self._next_label = 0
        self._index = self._new_index("exact")

    def __len__(self) -> int:
        return len(self._label_of)

    def __contains__(self, key: object) -> bool:
        return key in self._label_of

    @property
    def kind(self) -> Literal["exact", "hnsw"]:
        return self._kind

    def add(
        self,
        keys: Sequence[K],
        vectors: np.ndarray,
        times: Sequence[float] | None = None,
    ) -> None:
        vectors = self._check(vectors, len(keys))
        if len(set(keys)) != len(keys):
            raise ValueError("duplicate keys in one add")
        self.remove([k for k in keys if k in self._label_of])
        if self._kind == "exact" and len(self) + len(keys) > self.exact_limit:
            old_keys, old_vectors = self._live_items()
            self._switch("hnsw", old_keys, old_vectors)
        labels = np.arange(self._next_label, self._next_label + len(keys), dtype=np.int64)
        self._next_label += len(keys)
        if len(keys):
            self._index.add_with_ids(vectors, labels)
        for i, key in enumerate(keys):
            self._label_of[key] = int(labels[i])
            self._key_of[int(labels[i])] = key
            if times is not None:
                self._time_of[key] = float(times[i])

    def remove(self, keys: Iterable[K]) -> int:
        labels = [self._label_of.pop(k) for k in keys if k in self._label_of]
        for label in labels:
            key = self._key_of.pop(label)
            self._time_of.pop(key, None)
        if not labels:
            return 0
        if self._kind == "exact":
            self._index.remove_ids(np.asarray(labels, dtype=np.int64))
        else:
            self._dead.update(labels)
            if len(self._dead) > TOMBSTONE_SHARE * self._index.ntotal:
                self.rebuild(*self._live_items())
        return len(labels)

    def expire(self, before: float) -> list[K]:
        """Remove the vectors added with a time older than `before`; return their keys."""
        old = [k for k, t in self._time_of.items() if t < before]
        self.remove(old)
        return old

    def rebuild(
        self, keys: Sequence[K], vectors: np.ndarray, times: Sequence[float] | None = None
    ) -> None:
        """Start again from these vectors only (exact or HNSW by their number)."""
        vectors = self._check(vectors, len(keys))
        kept_times = self._time_of
        self._label_of, self._key_of, self._time_of = {}, {}, {}
        self._dead = set()
        self._next_label = 0
        self._kind = "hnsw" if len(keys) > self.exact_limit else "exact"
        self._index = self._new_index(self._kind)
        if times is None:
            times = [kept_times[k] for k in keys] if all(k in kept_times for k in keys) else None
        self.add(keys, vectors, times)

    def search(self, vector: np.ndarray, k: int) -> list[tuple[K, float]]:
        """The `k` nearest keys and their inner products, best first."""
        return self.search_many(np.asarray(vector, dtype=np.float32).reshape(1, -1), k)[0]

    def search_many(self, vectors: np.ndarray, k: int) -> list[list[tuple[K, float]]]:
        vectors = self._check(vectors, None)
        if k <= 0 or not len(self):
            return [[] for _ in range(len(vectors))]
        k = min(k, len(self))
        live_share = 1 - len(self._dead) / self._index.ntotal
        fetch = k
        while True:
            # Tombstones take places in HNSW answers: ask for more until k live ones come back.
            want = min(int(fetch / live_share) + 8, self._index.ntotal)
            scores, labels = self._index.search(vectors, want)
            results = [
                self._live_hits(row_scores, row_labels, k)
                for row_scores, row_labels in zip(scores, labels, strict=True)
            ]
            if all(len(r) == k for r in results) or want >= self._index.ntotal:
                return results
            fetch *= 2

    # -- internals -----------------------------------------------------------------------------

    def _live_hits(self, scores: np.ndarray, labels: np.ndarray, k: int) -> list[tuple[K, float]]:
        hits: list[tuple[K, float]] = []
        for score, label in zip(scores, labels, strict=True):
            key = self._key_of.get(int(label))
            if label < 0 or key is None:
                continue
            hits.append((key, float(score)))
            if len(hits) == k:
                break
        return hits

    def _check(self, vectors: np.ndarray, rows: int | None) -> np.ndarray:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim == 1 and rows is None:
            vectors = vectors.reshape(1, -1)
        if vectors.ndim != 2 or (len(vectors) and vectors.shape[1] != self.dim):
            raise EmbedError(
                f"vectors of shape {vectors.shape} do not fit an index of {self.dim} dimensions: "
                "rebuild the index after changing embedding.model"
            )
        if rows is not None and len(vectors) != rows:
            raise ValueError(f"{rows} keys but {len(vectors)} vectors")
        return vectors

    def _new_index(self, kind: Literal["exact", "hnsw"]) -> Any:
        import faiss

        if kind == "exact":
            return faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))
        graph = faiss.IndexHNSWFlat(self.dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        graph.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        graph.hnsw.efSearch = HNSW_EF_SEARCH
        return faiss.IndexIDMap(graph)

    def _switch(self, kind: Literal["exact", "hnsw"], keys: list[K], vectors: np.ndarray) -> None:
        times = dict(self._time_of)
        self._kind = kind
        self._index = self._new_index(kind)
        self._label_of, self._key_of, self._time_of = {}, {}, {}
        self._dead = set()
        self.add(keys, vectors, [times[k] for k in keys] if len(times) == len(keys) else None)

    def _live_items(self) -> tuple[list[K], np.ndarray]:
        """Keys and vectors still live, read back from faiss."""
        import faiss

        if self._index.ntotal == 0:
            return [], np.zeros((0, self.dim), dtype=np.float32)
        labels = faiss.vector_to_array(self._index.id_map)
        vectors = self._index.index.reconstruct_n(0, self._index.ntotal)
        keep = [i for i, label in enumerate(labels) if int(label) in self._key_of]
        return [self._key_of[int(labels[i])] for i in keep], vectors[keep]
