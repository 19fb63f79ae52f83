"""The brand-fit read side, shared by the cycle and by what people ask (core): a story as the
brand-fit stages read it, its themes and safety, its mutes, and what a draft is written from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from trendbot import drafts, entities, safety, themes, trends
from trendbot.brain import Brain
from trendbot.fit import Fit, assess, places_of
from trendbot.settings import BrandSettings, ThemeSettings
from trendbot.store import Mute, Store, StoredItem, StoryRow
from trendbot.types import SourceLink

LIVE = timedelta(hours=48)  # a story with no new item for this long is no longer scored
LOOKBACK = timedelta(hours=trends.TrendParams().lookback_hours)  # momentum looks this far back
ADAPT_ITEMS = 3000  # recent items the theme matcher learns the stream's shape from
ADAPT_EVERY = timedelta(hours=1)
# how the stream writes its words (`entities.Usage`): a month of titles, read once a day
USAGE_WINDOW = timedelta(days=30)
USAGE_ITEMS = 30_000
USAGE_EVERY = timedelta(days=1)
USAGE_ENOUGH = 1000  # titles; fewer (a new database): read again at the next adapt
COMPANY = timedelta(days=7)  # how far back `safety.bad_company` looks


@dataclass(frozen=True)
class StoryContext:
    """What the brand-fit stages read about one story."""

    row: StoryRow
    items: list[StoredItem]  # the latest, newest first
    vector: np.ndarray  # the story's direction: its vector sum, normalised

    @property
    def text(self) -> str:
        return themes.story_text(self.row.label, (i.title for i in self.items))

    @property
    def why(self) -> dict[str, Any]:
        return self.row.why


def story_contexts(store: Store, rows: Sequence[StoryRow]) -> list[StoryContext]:
    out = []
    for row in rows:
        vector = row.vector_sum
        norm = float(np.linalg.norm(vector))
        out.append(StoryContext(row, store.story_items(row.id), vector / norm if norm else vector))
    return out


def links_of(items: Sequence[StoredItem]) -> tuple[SourceLink, ...]:
    return tuple(
        SourceLink(i.title, i.url or "", i.source or i.feed, i.language)
        for i in items
        if i.kind == "news"
    )


def muted(context: StoryContext, mutes: Sequence[Mute]) -> str | None:
    """The mute that silences this story, if any."""
    text = themes.fold(context.text + " " + " ".join(context.row.keywords))
    for mute in mutes:
        if mute.kind == "story" and mute.value == str(context.row.id):
            return f"story #{mute.value}"
        if mute.kind == "words" and themes.fold(mute.value) in text:
            return repr(mute.value)
    return None


def adapt_matcher(brain: Brain, store: Store, *, now: datetime) -> None:
    """Let every brand's matcher learn the recent stream's shape; at most once per hour of
    clock time. One thread adapts at a time: the others wait, then find it fresh."""
    with brain.adapt_lock:
        if brain.adapted_at is not None and now - brain.adapted_at < ADAPT_EVERY:
            return
        brain.adapted_at = now
        rows = store.embedded_titles(brain.model, since=now - LOOKBACK, limit=ADAPT_ITEMS)
        vectors = store.vectors(brain.model, [r.id for r in rows])
        rows = [r for r in rows if r.id in vectors]
        if rows:
            titles = [r.title for r in rows]
            stacked = np.vstack([vectors[r.id] for r in rows])
            for brand in brain.settings.brands:
                brain.matcher_of(brand).adapt(titles, stacked)
        if brain.usage_at is None or now - brain.usage_at >= USAGE_EVERY:
            month = store.embedded_titles(brain.model, since=now - USAGE_WINDOW, limit=USAGE_ITEMS)
            brain.usage = entities.Usage.of(r.title for r in month)
            if len(month) >= USAGE_ENOUGH:
                brain.usage_at = now


def brand_fit(
    brain: Brain, contexts: Sequence[StoryContext], brand: BrandSettings | None = None
) -> list[Fit]:
    """Each story's best theme of `brand` (the first brand by default) and its safety."""
    brand = brand or brain.settings.brand
    return (
        assess(
            brain.matcher_of(brand),
            brain.safety_of(brand),
            [c.text for c in contexts],
            np.vstack([c.vector for c in contexts]),
            places_of(brand),
        )
        if contexts
        else []
    )


def pitch_input(
    context: StoryContext,
    fit: Fit,
    theme: ThemeSettings,
    usage: entities.Usage = entities.NO_USAGE,
) -> drafts.PitchInput:
    row, why = context.row, context.why
    items = context.items
    assert fit.theme is not None
    published: dict[str, datetime] = {}  # each headline's newest item
    for i in items:
        if i.kind == "news":
            published[i.title] = max(published.get(i.title, i.published), i.published)
    return drafts.PitchInput(
        story_id=row.id,
        label=row.label,
        titles=tuple(published),
        keywords=row.keywords,
        links=links_of(items),
        languages=row.languages,
        why_now=why.get("explain", ""),
        score=row.score,
        sparkline=why.get("sparkline", ""),
        theme=theme,
        relevance=fit.theme.relevance,
        theme_evidence=fit.theme.evidence,
        safety=fit.verdict.level,
        safety_reason=fit.verdict.reason,
        trending_terms=tuple(i.title for i in items if i.kind == "trending"),
        usage=usage,
        published=tuple(published.values()),
    )


def _names(titles: Sequence[str]) -> list[str]:
    """The names whose company `safety.bad_company` reads."""
    names = entities.named_entities(titles, limit=8)
    return [
        n
        for n in names
        if not (
            entities.is_vague(n)
            or entities.is_occasion(n)
            or entities.is_demonym(n, titles)
            or entities.is_region(n)
        )
    ][:5]


def names_of(context: StoryContext) -> list[str]:
    return _names([i.title for i in context.items if i.kind == "news"] or [context.row.label])


def judged_stories(store: Store, brand: BrandSettings, *, now: datetime) -> safety.Judged:
    """The brand's stories judged in the last week, with their names and blocks."""
    judged = store.judged_stories(since=now - COMPANY, until=now, brand=brand.name)
    titles = store.story_titles(list(judged), limit=12)
    return [(story_id, _names(titles.get(story_id, [])), d) for story_id, d in judged.items()]
