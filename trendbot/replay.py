"""Replaying a recorded stream through the real pipeline, its recorded times as the clock, and
what it found (the reading of recorded formats is `trendbot.sources.replay`)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta

import numpy as np

from trendbot.brandfit import story_contexts
from trendbot.cycle import CycleReport, Pipeline
from trendbot.fit import in_places, places_of
from trendbot.settings import BrandSettings
from trendbot.themes import ThemeMatch
from trendbot.types import HeldStory, Item

TOP_HELD = 10  # held stories a replay summary names: those of the brand's themes first
# not a story the themes lost: the month's politics and wars (blocked), which filled the list,
# the stories of no theme, a death, a disaster or violence (tragedy) and what the team muted
NOT_YOURS = frozenset(("blocked", "no_theme", "tragedy", "muted", "elsewhere"))
# A weak fit this close to the bar (a share of `min_relevance`) is a near miss worth a look; a
# toy brand's list was iPhone and Nvidia stories "only loosely about toys" at 0.12-0.28.
NEAR = 0.75


@dataclass
class ReplaySummary:
    items: int = 0
    publishers: tuple[str, ...] = ()  # distinct, sorted: a one-outlet export can never rise
    cycles: int = 0
    stories: int = 0
    rising: set[int] = field(default_factory=set)
    pitched: int = 0
    blocked: set[int] = field(default_factory=set)
    held: Counter[str] = field(default_factory=Counter)
    best_scores: dict[int, float] = field(default_factory=dict)  # each story's best while rising
    top_held: list[HeldStory] = field(default_factory=list)  # never pitched (`TOP_HELD`)


def replay(
    pipeline: Pipeline,
    items: Sequence[Item],
    *,
    every: timedelta = timedelta(minutes=30),
    on_cycle: Callable[[CycleReport], None] | None = None,
) -> ReplaySummary:
    """Feed a recorded stream through the real pipeline, its recorded times as the clock."""
    from trendbot.sources.replay import batches

    summary = ReplaySummary(
        items=len(items), publishers=tuple(sorted({i.source or i.feed for i in items}))
    )
    store = pipeline.store
    for feed in sorted({i.feed for i in items}):
        store.ensure_feed(feed, url=f"replay:{feed}")
    for now, batch in batches(items, every):
        by_feed: dict[str, list[Item]] = defaultdict(list)
        for item in batch:
            by_feed[item.feed].append(item)
        for feed, feed_items in by_feed.items():
            store.save_items(feed, feed_items)
        report = pipeline.process(now)
        summary.cycles += 1
        summary.pitched += len(report.pitched)
        for story_id, score in store.rising_scores(now).items():
            summary.rising.add(story_id)
            summary.best_scores[story_id] = max(score, summary.best_scores.get(story_id, score))
        if on_cycle:
            on_cycle(report)
    summary.stories = store.story_count()
    summary.blocked = store.hold_reasons().get("blocked", set())
    # Each story once per reason it was held for (never pitched stories only).
    summary.held = Counter(
        {
            reason: len(ids)
            for reason, ids in store.hold_reasons(unpitched=True).items()
            if reason != "blocked"
        }
    )
    best = summary.best_scores
    held = [replace(h, score=best.get(h.story_id, h.score)) for h in store.held_stories()]
    summary.top_held = top_held(held, theme_shares(pipeline, [h.story_id for h in held]))
    return summary


def theme_shares(
    pipeline: Pipeline, ids: Sequence[int], brands: Sequence[BrandSettings] | None = None
) -> dict[int, float]:
    """Each story's best relevance to a theme (of `brands`, by default all), as a share of its
    brand's `min_relevance` (1: it fits), read by the matchers as they are now (at the end of
    a replay)."""
    return {story_id: share for story_id, (share, _) in theme_fits(pipeline, ids, brands).items()}


def theme_fits(
    pipeline: Pipeline, ids: Sequence[int], brands: Sequence[BrandSettings] | None = None
) -> dict[int, tuple[float, ThemeMatch]]:
    """`theme_shares`, each with the best theme's match: which theme, and how close."""
    brain, store = pipeline.brain, pipeline.store
    contexts = story_contexts(store, store.story_rows(brain.model, ids=ids))
    if not contexts:
        return {}
    texts, vectors = [c.text for c in contexts], np.vstack([c.vector for c in contexts])
    fits: dict[int, tuple[float, ThemeMatch]] = {}
    for brand in brain.settings.brands if brands is None else brands:
        matches = brain.matcher_of(brand).match(texts, vectors)
        places = places_of(brand)  # a New York snowstorm fits no Midwest weather theme
        for context, every in zip(contexts, matches, strict=True):
            found = in_places(every, context.text, places)
            if not found:
                continue
            share = found[0].relevance / max(brand.cadence.min_relevance, 1e-9)
            if share > fits.get(context.row.id, (0.0, found[0]))[0]:
                fits[context.row.id] = (share, found[0])
    return fits


def top_held(
    held: Sequence[HeldStory], shares: Mapping[int, float] | None = None
) -> list[HeldStory]:
    """What a marketer looks for first: the stories that fit their themes and were held anyway
    (a caution, the day's limit, too late to pitch), then the near misses (`NEAR`), then the
    others; best score first in each. Without `shares` (`theme_shares`), the hold's reason says
    which are the themes'."""

    return sorted(held, key=lambda h: (held_group(h, shares), -h.score))[:TOP_HELD]


def held_group(h: HeldStory, shares: Mapping[int, float] | None) -> int:
    """0: it fits a theme, 1: a near miss, 2: the rest (`top_held`). A story held as a weak fit
    is a near miss at best: it may fit by its later headlines, but "weak theme fit" under "Fit
    a theme" reads as a contradiction."""
    if shares is None:
        return 2 if h.hold.reason in NOT_YOURS else int(h.hold.reason == "weak_fit")
    share = shares.get(h.story_id, 0.0)
    if h.hold.reason in NOT_YOURS or share < NEAR:
        return 2
    return 0 if share >= 1 and h.hold.reason != "weak_fit" else 1
