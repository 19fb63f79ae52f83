"""`Brain`: the models of one database (embedder, story tracker, theme matcher, safety filter,
topic model and the search index), built lazily, once, and kept between cycles."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

import numpy as np

from trendbot import calibration, embed, entities, index, safety, stories, themes
from trendbot.errors import ConfigError
from trendbot.fit import make_matcher, make_safety
from trendbot.settings import BrandSettings, Settings
from trendbot.store import Store, ThemeExample
from trendbot.topics import TopicModel
from trendbot.topics import load as load_topics

INDEX_REFRESH = 30.0  # seconds: another worker's item shows in /trend search this late at most
INDEX_OVERLAP = timedelta(hours=1)


class Brain:
    """The models of one database, built lazily and kept between cycles: the embedder, the
    story tracker (restored from the store), the theme matcher and the safety filter."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.model, self.model_reason = embed.resolve_model(
            settings.embedding.model, settings.languages
        )
        self.calibration = calibration.for_model(self.model)
        self._embedder: embed.Embedder | None = None
        self._tracker: stories.StoryTracker | None = None
        # per brand (by name): each learns only from its own editors' decisions
        self._matchers: dict[str, themes.ThemeMatcher] = {}
        self._safeties: dict[str, safety.SafetyFilter] = {}
        self._topics: TopicModel | None = None
        self.adapted_at: datetime | None = None
        self.usage = entities.NO_USAGE  # how the stream writes its words, for the drafts' tags
        self.usage_at: datetime | None = None
        self._items: index.VectorIndex[str] | None = None
        self._items_lock = threading.RLock()
        self._items_read = (datetime.min, 0.0)  # up to when the store was read, and at what time
        # Slack's handler threads and the cycle's thread may ask for a model at once: each is
        # built once, by whichever asks first, while the others wait for it.
        self._build_lock = threading.RLock()
        self.adapt_lock = threading.Lock()  # see brandfit.adapt_matcher

    def reconfigure(self, settings: Settings) -> None:
        with self._build_lock:
            self.settings = settings
            self._matchers, self._safeties = {}, {}  # rebuilt from the new themes and rules
            self.adapted_at = None  # the new matchers have not seen the stream yet

    @property
    def embedder(self) -> embed.Embedder:
        """The model behind the machine's vector cache: loaded at the first text never seen."""
        with self._build_lock:
            if self._embedder is None:
                self._embedder = embed.cached_embedder(self.model)
            return self._embedder

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self.embedder.encode(texts)

    def item_index(self, store: Store, now: datetime) -> index.VectorIndex[str]:
        """Every recent item's vector, for semantic search: built from the store on first use
        (`trendbot run` builds it at start-up), then kept up to date by `embed_new`; with
        several workers, also topped up from the store with what the others embedded."""
        with self._items_lock:
            dim = self.embedder.dim
            if self._items is None:
                since = now - timedelta(days=self.settings.storage.retention_days)
                items = index.VectorIndex[str](
                    dim, vectors_of=lambda ids: store.vectors(self.model, ids)
                )
                total = store.item_vector_count(self.model, since=since)
                every = max(1, total // index.training_size(total))
                items.expect(
                    total,
                    lambda n: _vectors_of(
                        store.item_vectors(self.model, since=since, dim=dim, every=every), dim
                    )[:n],
                )
                for keys, vectors, times in store.item_vectors(self.model, since=since, dim=dim):
                    items.add(keys, vectors, times)
                self._items, self._items_read = items, (now, time.monotonic())
            elif store.multi_writer and time.monotonic() - self._items_read[1] > INDEX_REFRESH:
                since = self._items_read[0] - INDEX_OVERLAP  # late embeddings of older items
                for keys, vectors, times in store.item_vectors(self.model, since=since, dim=dim):
                    new = [n for n, key in enumerate(keys) if key not in self._items]
                    if new:
                        self._items.add(
                            [keys[n] for n in new], vectors[new], [times[n] for n in new]
                        )
                self._items_read = (now, time.monotonic())
            return self._items

    def search_items(
        self, store: Store, vector: np.ndarray, k: int, *, now: datetime
    ) -> list[tuple[str, float]]:
        items = self.item_index(store, now)
        with self._items_lock:  # faiss indexes are not safe to search while they grow
            return items.search(vector, k)

    def indexed(self, ids: Sequence[str], vectors: np.ndarray, times: Sequence[float]) -> None:
        with self._items_lock:
            if self._items is not None and len(ids):
                self._items.add(list(ids), vectors, times)
                self._items.expire(max(times) - self.settings.storage.retention_days * 86400)

    @property
    def tracker(self) -> stories.StoryTracker:
        with self._build_lock:
            if self._tracker is None:
                self._tracker = restore_tracker(self.store, self.model, self.embedder.dim)
            return self._tracker

    def forget_tracker(self) -> None:
        """Read the stories from the store again at the next use (another worker led)."""
        with self._build_lock:
            self._tracker = None

    @property
    def topics(self) -> TopicModel:
        with self._build_lock:
            if self._topics is None:
                self._topics = load_topics(self.model, self.encode)
            return self._topics

    def brand(self, name: str | None = None) -> BrandSettings:
        """The brand named `name` (case-insensitive), the first one when None."""
        if name is None:
            return self.settings.brand
        found = self.settings.brand_named(name)
        if found is None:
            names = ", ".join(b.name for b in self.settings.brands)
            raise ConfigError(f"no brand named {name!r} in feeds.yaml (brands: {names})")
        return found

    def matcher_of(self, brand: BrandSettings) -> themes.ThemeMatcher:
        with self._build_lock:
            # A caller may hold the brand as it was before a reload: build from the current one.
            brand = self.settings.brand_named(brand.name) or brand
            if brand.name not in self._matchers:
                examples = self.store.theme_examples(brand=brand.name)
                self._matchers[brand.name] = make_matcher(
                    brand,
                    self.encode,
                    model=self.model,
                    topics=self.topics,
                    learned=[learned_of(r) for r in examples],
                )
            return self._matchers[brand.name]

    def safety_of(self, brand: BrandSettings) -> safety.SafetyFilter:
        with self._build_lock:
            brand = self.settings.brand_named(brand.name) or brand
            if brand.name not in self._safeties:
                self._safeties[brand.name] = make_safety(
                    brand, self.encode, model=self.model, topics=self.topics
                )
            return self._safeties[brand.name]

    @property
    def matcher(self) -> themes.ThemeMatcher:
        """The first brand's matcher."""
        return self.matcher_of(self.settings.brand)

    @property
    def safety(self) -> safety.SafetyFilter:
        """The first brand's safety filter."""
        return self.safety_of(self.settings.brand)


def _vectors_of(
    chunks: Iterable[tuple[list[str], np.ndarray, list[float]]], dim: int
) -> np.ndarray:
    found = [vectors for _, vectors, _ in chunks]
    return np.vstack(found) if found else np.zeros((0, dim), np.float32)


def restore_tracker(store: Store, model: str, dim: int) -> stories.StoryTracker:
    """The tracker as it was: the open stories of this model, read back from the store."""
    return stories.StoryTracker(
        stories.StoryParams.for_model(model),
        dim,
        store.open_stories(model),
        next_id=store.next_story_id(),
    )


def learned_of(example: ThemeExample) -> themes.LearnedExample:
    return themes.LearnedExample(
        theme=None if example.theme == "*" else example.theme,
        text=example.text,
        approved=example.polarity > 0,
        reason=example.reason or "",
    )
