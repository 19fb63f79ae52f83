"""A large store built fast: synthetic history written through the store's own methods, then a
few days of real headlines through the real pipeline. For the size tests of bench/scale.py
(a million items), where running the whole stream through the pipeline would take a day.

The history keeps the shape of news: each event is one real headline of the archive (its vector
from the real encoder is the event's centre), told by 1 to 200 items (a heavy-tailed size, mean
about 5) over the hours after it breaks, each item's vector the centre plus noise (cosine to
the centre about 0.9). Items arrive at the `history` stream's rate (about 710 a day). An event
is one closed story, as the tracker leaves a story past its window: items, sightings, vectors,
stories and memberships are all in the store, and the queue is empty. The last `TAIL` of the
clock is real: the archive's headlines, replayed through the pipeline (embedding, clustering,
scoring), so the live window is the same at every size and only the history differs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from trendbot.cycle import Pipeline
from trendbot.sources.replay import ARCHIVE_FEED, item_from_record
from trendbot.stories import Story
from trendbot.types import Item, content_hash

TAIL = timedelta(days=3)
NOISE = 0.5  # the noise's norm against the unit centre: cosine ~ 1 / sqrt(1 + 0.25) = 0.89
SPREAD_H = 6.0  # mean hours between an event's start and one of its items
MAX_SIZE = 200
EVENTS_PER_BATCH = 2_000
SOURCES = [f"Publisher {n}" for n in range(300)]


def event_sizes(rng: np.random.Generator, total: int) -> list[int]:
    """Story sizes summing to `total`: mostly single items, a long tail of big stories."""
    sizes: list[int] = []
    left = total
    while left:
        size = min(left, MAX_SIZE, 1 + int(rng.pareto(1.3) * 2))
        sizes.append(size)
        left -= size
    return sizes


def build_history(
    pipeline: Pipeline,
    titles: Sequence[str],
    centres: np.ndarray,
    *,
    size: int,
    start: datetime,
    end: datetime,
    seed: int = 0,
    progress: Callable[[int], None] = lambda done: None,
) -> dict[str, Any]:
    """`size` synthetic items first seen in [start, end), in closed stories."""
    store, model = pipeline.store, pipeline.brain.model
    rng = np.random.default_rng(seed)
    sizes = event_sizes(rng, size)
    span = (end - start).total_seconds()
    starts = np.sort(rng.uniform(0, span - 3600 * 4 * SPREAD_H, len(sizes)))
    story_id = store.next_story_id()
    done = 0
    for first in range(0, len(sizes), EVENTS_PER_BATCH):
        items: list[Item] = []
        rows: list[tuple[str, str, np.ndarray]] = []
        stories: list[Story] = []
        members: list[tuple[str, int, float]] = []
        for n in range(first, min(first + EVENTS_PER_BATCH, len(sizes))):
            pick = int(rng.integers(len(titles)))
            centre = centres[pick]
            count = sizes[n]
            offsets = np.sort(rng.exponential(SPREAD_H * 3600, count))
            offsets = np.minimum(offsets, 4 * SPREAD_H * 3600)  # stays before `end`
            noise = rng.standard_normal((count, len(centre))) * (NOISE / np.sqrt(len(centre)))
            vectors = centre + noise
            vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
            sources = rng.choice(len(SOURCES), count)
            story = Story(
                id=story_id,
                vector_sum=vectors.sum(axis=0),
                size=count,
                first_seen=0.0,
                last_seen=0.0,
                label=titles[pick],
                label_vector=centre.astype(np.float32),
                sources={SOURCES[s] for s in sources},
                feeds={ARCHIVE_FEED},
                languages={"en"},
                closed=True,
            )
            for k in range(count):
                seen = start + timedelta(seconds=float(starts[n] + offsets[k]))
                item = item_from_record(
                    {
                        "seen_at": seen.isoformat(),
                        "rank": 1 + k % 30,
                        "title": f"{titles[pick]} [{done + len(items) + 1}]",  # stays distinct
                        "source": SOURCES[sources[k]],
                    }
                )
                items.append(item)
                rows.append((item.id, content_hash(item.text), vectors[k]))
                members.append((item.id, story_id, float(vectors[k] @ story.centroid)))
            story.first_seen = items[-count].seen.timestamp()
            story.last_seen = items[-1].seen.timestamp()
            stories.append(story)
            story_id += 1
        store.save_items(ARCHIVE_FEED, items)
        store.save_vectors(model, rows)
        store.save_stories(model, stories, members)
        done += len(items)
        progress(done)
    return {"events": len(sizes), "mean_size": round(size / len(sizes), 2)}
