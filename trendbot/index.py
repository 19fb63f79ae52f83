"""Vector indexes (faiss): nearest items or stories by inner product, keyed by our own ids.

Vectors are unit length, so inner product is cosine. The index is a cache: the store holds the
vectors, and `rebuild(keys, vectors)` (or `expect` then `add` chunk by chunk) makes it again
after a restart or a model change. Its kind follows its size:
- up to `exact_limit` vectors, exact (`IndexFlatIP` in an `IndexIDMap2`);
- past it, an HNSW graph, whose recall@10 against exact search is checked in tests;
- past `compress_limit`, an inverted file of product-quantised codes (IVF-PQ): a vector costs
  dim / 8 bytes instead of 4 * dim, so a million of them fit in tens of MB rather than GBs.
  Code scores are rough, so it asks for `REFINE` times more candidates and scores them again
  with their exact vectors from `vectors_of` (the store), when given.

HNSW graphs cannot delete, so removed vectors there are tombstones that searches skip; the graph
is rebuilt from the live vectors once tombstones pass a quarter of it. Retention is by time:
give `add` the items' times and call `expire(before)` (items older than `RETENTION_DAYS` leave).
Keys and times are kept by label in a list and an array, not in per-key dicts: at a million
items that is the difference between tens and hundreds of MB.

faiss is imported when the first index is built, never at module import.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, Generic, Literal, TypeVar

import numpy as np

from trendbot.errors import EmbedError

K = TypeVar("K", bound=Hashable)
Kind = Literal["exact", "hnsw", "ivfpq"]

RETENTION_DAYS = 14
EXACT_LIMIT = 50_000
COMPRESS_LIMIT = 200_000  # an HNSW graph of 512-d vectors is ~450 MB here, and grows linearly
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
TOMBSTONE_SHARE = 0.25
IVF_NPROBE = 32  # inverted lists scanned per search: recall against speed
TRAIN_PER_LIST = 40  # faiss's k-means wants >= 39 training vectors per list
PQ_TRAIN_MIN = 10_000  # and its 256-centroid codebooks >= 39 * 256
REFINE = 10  # candidates re-scored exactly per hit asked: recall@10 0.24 -> 0.67 in tests


class VectorIndex(Generic[K]):
    """Vectors keyed by item ids (str) or story ids (int); adding a known key replaces it."""

    def __init__(
        self,
        dim: int,
        *,
        exact_limit: int | None = None,
        compress_limit: int | None = None,
        vectors_of: Callable[[list[K]], dict[K, np.ndarray]] | None = None,
    ) -> None:
        self.dim = dim
        self.vectors_of = vectors_of
        self.exact_limit = EXACT_LIMIT if exact_limit is None else exact_limit
        self.compress_limit = COMPRESS_LIMIT if compress_limit is None else compress_limit
        self._kind: Kind = "exact"
        self._label_of: dict[K, int] = {}
        self._keys: list[K | None] = []  # by label; None once removed
        self._times = np.full(0, np.nan)  # by label: the time given to `add`, NaN when none
        self._dead: set[int] = set()  # HNSW tombstones
        self._index: Any = self._new_index("exact")

    def __len__(self) -> int:
        return len(self._label_of)

    def __contains__(self, key: object) -> bool:
        return key in self._label_of

    @property
    def kind(self) -> Kind:
        return self._kind

    def expect(self, total: int, sample: Callable[[int], np.ndarray]) -> None:
        """Before adding `total` vectors chunk by chunk to this empty index: take the kind that
        fits them at once (no exact index first, then a graph, then codes), and train a
        compressed one on `sample(n)`, n vectors drawn across all of them."""
        if len(self):
            raise ValueError("expect() is for an empty index")
        if total > self.compress_limit:
            self._kind = "ivfpq"
            self._index = self._trained_ivfpq(total, sample(training_size(total)))
        elif total > self.exact_limit:
            self._kind, self._index = "hnsw", self._new_index("hnsw")

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
        grown = len(self) + len(keys)
        if self._kind == "exact" and grown > self.exact_limit:
            self._switch("hnsw", vectors)
        if self._kind == "hnsw" and grown > self.compress_limit:
            self._switch("ivfpq", vectors)
        first = len(self._keys)
        labels = np.arange(first, first + len(keys), dtype=np.int64)
        if len(keys):
            self._index.add_with_ids(vectors, labels)
        self._keys.extend(keys)
        self._label_of.update(zip(keys, range(first, first + len(keys)), strict=True))
        if len(self._times) < len(self._keys):
            grown_times = np.full(max(len(self._keys), 2 * len(self._times)), np.nan)
            grown_times[: len(self._times)] = self._times
            self._times = grown_times
        if times is not None:
            self._times[first : first + len(keys)] = np.asarray(times, dtype=np.float64)

    def remove(self, keys: Iterable[K]) -> int:
        labels = [self._label_of.pop(k) for k in keys if k in self._label_of]
        for label in labels:
            self._keys[label] = None
            self._times[label] = np.nan
        if not labels:
            return 0
        if self._kind == "hnsw":
            self._dead.update(labels)
            if len(self._dead) > TOMBSTONE_SHARE * self._index.ntotal:
                self._switch("hnsw")  # a graph again, without its tombstones
        else:
            self._index.remove_ids(np.asarray(labels, dtype=np.int64))
        return len(labels)

    def expire(self, before: float) -> list[K]:
        """Remove the vectors added with a time older than `before`; return their keys."""
        old = [self._keys[int(n)] for n in np.flatnonzero(self._times < before)]
        keys = [k for k in old if k is not None]
        self.remove(keys)
        return keys

    def rebuild(
        self, keys: Sequence[K], vectors: np.ndarray, times: Sequence[float] | None = None
    ) -> None:
        """Start again from these vectors only (the kind fits their number)."""
        vectors = self._check(vectors, len(keys))
        if times is None:  # keep the times of keys known before
            old = [self._label_of.get(k) for k in keys]
            if all(label is not None for label in old):
                times = [float(self._times[label]) for label in old if label is not None]
        self._reset("exact", self._new_index("exact"))
        self.expect(len(keys), lambda n: _spread(vectors, n))
        self.add(keys, vectors, times)

    def search(self, vector: np.ndarray, k: int) -> list[tuple[K, float]]:
        """The `k` nearest keys and their inner products, best first."""
        return self.search_many(np.asarray(vector, dtype=np.float32).reshape(1, -1), k)[0]

    def search_many(self, vectors: np.ndarray, k: int) -> list[list[tuple[K, float]]]:
        vectors = self._check(vectors, None)
        if k <= 0 or not len(self):
            return [[] for _ in range(len(vectors))]
        k = min(k, len(self))
        if self._kind == "ivfpq" and self.vectors_of is not None:
            return [
                self._refined(v, hits, k)
                for v, hits in zip(vectors, self._search(vectors, k * REFINE), strict=True)
            ]
        return self._search(vectors, k)

    def _search(self, vectors: np.ndarray, k: int) -> list[list[tuple[K, float]]]:
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
            # Only graphs have tombstones; an inverted file may find fewer than k in its lists.
            done = self._kind != "hnsw" or all(len(r) == k for r in results)
            if done or want >= self._index.ntotal:
                return results
            fetch *= 2

    # -- internals -----------------------------------------------------------------------------

    def _refined(
        self, vector: np.ndarray, hits: list[tuple[K, float]], k: int
    ) -> list[tuple[K, float]]:
        """The best `k` of `hits` by their exact vectors (a key the store no longer has goes)."""
        assert self.vectors_of is not None
        found = self.vectors_of([key for key, _ in hits])
        scored = [(key, float(found[key] @ vector)) for key, _ in hits if key in found]
        return sorted(scored, key=lambda hit: -hit[1])[:k]

    def _live_hits(self, scores: np.ndarray, labels: np.ndarray, k: int) -> list[tuple[K, float]]:
        hits: list[tuple[K, float]] = []
        for score, label in zip(scores, labels, strict=True):
            key = self._keys[label] if 0 <= label < len(self._keys) else None
            if key is None or label in self._dead:
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

    def _trained_ivfpq(self, total: int, sample: np.ndarray) -> Any:
        import faiss

        sample = self._check(sample, None)
        lists = _lists_for(total)
        codes = max(m for m in range(1, self.dim // 8 + 1) if self.dim % m == 0)
        quantizer = faiss.IndexFlatIP(self.dim)
        ivf = faiss.IndexIVFPQ(quantizer, self.dim, lists, codes, 8, faiss.METRIC_INNER_PRODUCT)
        ivf.train(sample)
        ivf.nprobe = IVF_NPROBE
        return ivf  # faiss's Python wrapper keeps the quantizer alive with it

    def _switch(self, kind: Literal["hnsw", "ivfpq"], coming: np.ndarray | None = None) -> None:
        """Move the live vectors into a new index of `kind` (a new graph also drops the
        tombstones). A compressed index is trained on a spread of the live vectors and of those
        `coming` (a first add may be all of them)."""
        keys, vectors = self._live_items()
        times = self._times[[self._label_of[k] for k in keys]]
        if kind == "hnsw":
            index = self._new_index("hnsw")
        else:
            pool = [vectors] if coming is None else [vectors, coming]
            total = sum(len(v) for v in pool)
            n = training_size(total)
            index = self._trained_ivfpq(total, _spread(np.vstack([_spread(v, n) for v in pool]), n))
        self._reset(kind, index)
        self.add(keys, vectors, times.tolist())

    def _reset(self, kind: Kind, index: Any) -> None:
        self._kind, self._index = kind, index
        self._label_of, self._keys, self._dead = {}, [], set()
        self._times = np.full(0, np.nan)

    def _live_items(self) -> tuple[list[K], np.ndarray]:
        """Keys and vectors still live, read back from faiss (exact and HNSW indexes hold the
        vectors themselves)."""
        import faiss

        if self._index.ntotal == 0:
            return [], np.zeros((0, self.dim), dtype=np.float32)
        labels = faiss.vector_to_array(self._index.id_map)
        vectors = self._index.index.reconstruct_n(0, self._index.ntotal)
        keep = [i for i, label in enumerate(labels) if self._keys[label] is not None]
        keep = [i for i in keep if int(labels[i]) not in self._dead]
        return [self._key_of(int(labels[i])) for i in keep], vectors[keep]

    def _key_of(self, label: int) -> K:
        key = self._keys[label]
        assert key is not None
        return key


def _lists_for(total: int) -> int:
    """Inverted lists for `total` vectors: about sqrt(total), the usual trade-off."""
    return min(4096, max(64, round(math.sqrt(total))))


def training_size(total: int) -> int:
    """Vectors to train a compressed index of `total` on."""
    return max(PQ_TRAIN_MIN, TRAIN_PER_LIST * _lists_for(total))


def _spread(vectors: np.ndarray, n: int) -> np.ndarray:
    """`n` of `vectors`, evenly spaced across them (all of them when there are fewer)."""
    if len(vectors) <= n:
        return vectors
    return vectors[np.linspace(0, len(vectors) - 1, n).astype(np.int64)]
