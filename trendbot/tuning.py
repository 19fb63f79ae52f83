"""`trendbot themes try`: the brand's themes scored against real stories in seconds, as the
product scores them, so a marketer can tune a description, keywords or examples and see at once
what they catch. Pure: takes stories, vectors and an encoder, returns a report.

Scoring is the pipeline's (`fit.make_matcher`, `fit.make_safety`, `fit.assess`, the matcher
adapted on the stream's titles and vectors); a story matches a theme when it is its best theme
with relevance >= `brand.cadence.min_relevance`. One difference, said in the README: the product
adapts the matcher on the last 24 hours at each cycle; here it adapts once, on the latest
`ADAPT_ITEMS` items of the period.

Stories come from a recorded stream (grouped by the real `StoryTracker` over cached vectors, no
database) or from a database's stored stories.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus

import numpy as np

from trendbot import stories, themes
from trendbot.fit import assess, make_matcher, make_safety, places_of
from trendbot.settings import BrandSettings, ThemeSettings
from trendbot.topics import TopicModel
from trendbot.types import Item, embed_text

if TYPE_CHECKING:
    from trendbot.store import StoredItem, StoryRow

Encode = Callable[[Sequence[str]], np.ndarray]

ADAPT_ITEMS = 3000  # as the pipeline's adapt_matcher: the recent stream the matcher learns from
SHOWN = 5
NEAR = 0.5  # a near miss reaches at least this share of min_relevance
# A story that is not the theme's kind of news, or that a negative example pulls down, was kept
# out by a guard rather than by a lack of likeness: it is "off-theme", not a near miss.
KIND_GATE = 0.5
NEGATIVE_GATE = 0.2
# A stream in which fewer than 1 story in 50 reads as a theme's kind of news has too little of it
# to pitch from: the fix is a feed, not the theme. Google News has a section feed for some kinds;
# for the others a search feed on the theme's first keyword.
FEW_OF_KIND = 0.02
GOOGLE_NEWS_SECTIONS = {
    "sports": "SPORTS", "culture": "ENTERTAINMENT", "tech": "TECHNOLOGY", "business": "BUSINESS",
    "science": "SCIENCE", "health": "HEALTH", "world": "WORLD", "politics": "NATION",
}  # fmt: skip
_GOOGLE_NEWS_EDITIONS = {"en": "hl=en-US&gl=US&ceid=US:en", "fr": "hl=fr&gl=FR&ceid=FR:fr"}


@dataclass(frozen=True)
class StoryText:
    """A story as brand fit reads it: its text (label and latest titles) and its centroid."""

    id: int
    label: str
    text: str
    vector: np.ndarray
    items: int
    sources: int
    last_seen: datetime


@dataclass(frozen=True)
class Scored:
    story: StoryText
    relevance: float
    why: str
    safety: str  # safe | caution | blocked
    safety_reason: str = ""


@dataclass(frozen=True)
class ThemeTry:
    theme: str
    matched: int
    blocked: int  # of the matched, blocked by the brand's safety rules
    best: tuple[Scored, ...]
    weakest: tuple[Scored, ...]  # matched, closest to the bar: where loose matches show first
    near: tuple[Scored, ...]  # below the bar, closest to it: an example or keyword away
    off: tuple[Scored, ...]  # close in meaning, kept out by the kind of news or a negative
    kind: str = ""  # the kind of news the theme is mostly about ("tech"), with a topic model
    # of the matches, how many `narrow: true` would keep; None when the theme is narrow already
    as_narrow: int | None = None
    # stories that read, more likely than not, as the theme's kind of news: how much of it the
    # stream carries at all (a beauty brand on general news finds little); None without topics
    of_kind: int | None = None
    feed: str = ""  # when the stream has little of the theme's kind: a feed that has more
    # how clearly the theme's own texts read as its kind; None without a topic model
    clarity: float | None = None

    @property
    def unclear(self) -> bool:
        """Below `themes.KIND_CLEAR`: a corner of its kind or a whole section in the brand's
        flavour (game night: sports and snacks); only the marketer knows which."""
        return self.clarity is not None and self.clarity < themes.KIND_CLEAR


@dataclass(frozen=True)
class TryReport:
    themes: tuple[ThemeTry, ...]
    stories: int
    stream: int  # items the matcher adapted on
    min_relevance: float
    model: str


def unit(vector: np.ndarray) -> np.ndarray:
    vector = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def unique_items(items: Iterable[Item]) -> list[Item]:
    """One item per (feed, guid), at its first sighting: what the store keeps of a stream."""
    seen: dict[tuple[str, str], Item] = {}
    for item in items:
        seen.setdefault((item.feed, item.guid or item.url or item.title), item)
    return list(seen.values())


def item_texts(items: Sequence[Item]) -> list[str]:
    return [embed_text(i.title, i.summary) for i in items]


def group_stories(items: Sequence[Item], vectors: np.ndarray, *, model: str) -> list[StoryText]:
    """The stories of a recorded stream, as `pipeline.cluster_new` would build them: the real
    tracker, one item at a time in arrival order (no database)."""
    dim = vectors.shape[1] if len(vectors) else 0
    tracker = stories.StoryTracker(stories.StoryParams.for_model(model), dim)
    titles: dict[int, list[str]] = {}
    kept: dict[int, stories.Story] = {}
    for n, (item, vector) in enumerate(zip(items, vectors, strict=True)):
        a = tracker.add(
            str(n),
            vector,
            item.seen.timestamp(),
            title=item.title,
            source=item.source or item.feed,
            feed=item.feed,
            language=item.language,
            trending_traffic=(item.extra or {}).get("traffic") if item.kind == "trending" else None,
        )
        story_titles = titles.setdefault(a.story_id, [])
        for merged in a.merged:
            story_titles += titles.pop(merged, [])
            kept.pop(merged, None)
        story_titles.append(item.title)
        if n % 256 == 255:
            _keep(tracker, kept)
    _keep(tracker, kept)
    out = []
    for story_id, story in sorted(kept.items()):
        if story.merged_into is not None or story_id not in titles:
            continue
        out.append(
            StoryText(
                id=story_id,
                label=story.label,
                text=themes.story_text(story.label, reversed(titles[story_id])),
                vector=unit(story.vector_sum),
                items=story.size,
                sources=len(story.sources),
                last_seen=datetime.fromtimestamp(story.last_seen, UTC),
            )
        )
    return out


def _keep(tracker: stories.StoryTracker, kept: dict[int, stories.Story]) -> None:
    """The stories changed since the last call, closed and merged ones included (the tracker
    forgets those at `clear_changed`)."""
    for story_id in tracker.changed():
        kept[story_id] = tracker.get(story_id)
    tracker.clear_changed()


def stored_story(row: StoryRow, items: Sequence[StoredItem]) -> StoryText:
    """A story of the store (`Store.story_rows`, `Store.story_items` newest first)."""
    return StoryText(
        id=row.id,
        label=row.label,
        text=themes.story_text(row.label, (i.title for i in items)),
        vector=unit(row.vector_sum),
        items=row.size,
        sources=row.sources,
        last_seen=row.last_seen,
    )


def try_themes(
    brand: BrandSettings,
    story_list: Sequence[StoryText],
    stream_titles: Sequence[str],
    stream_vectors: np.ndarray,
    *,
    encode: Encode,
    model: str,
    topics: TopicModel | None,
    learned: Iterable[themes.LearnedExample] = (),
    shown: int = SHOWN,
) -> TryReport:
    """Score every story against every theme as the product does, and pick per theme its best
    matches, its near misses and the off-theme stories that came closest, each with why."""
    # the narrow variant encodes the same prototypes: once, so the summary's "encoded / from the
    # cache" counts tell of the stream, not of a second pass
    encode = _remembered(encode)
    learned = list(learned)  # read twice
    matcher = make_matcher(brand, encode, model=model, topics=topics, learned=learned)
    safety = make_safety(brand, encode, model=model, topics=topics)
    if len(stream_titles):
        matcher.adapt(stream_titles[-ADAPT_ITEMS:], stream_vectors[-ADAPT_ITEMS:])
    bar = brand.cadence.min_relevance
    names = [t.name for t in brand.themes]
    texts = [s.text for s in story_list]
    vectors = np.vstack([s.vector for s in story_list]) if story_list else np.zeros((0, 1))
    fits = assess(matcher, safety, texts, vectors, places_of(brand))
    # Every story's relevance to every theme, with what drove it: `match` keeps only the themes
    # above the calibration floor, and near misses need the rest.
    relevance, parts = matcher.score(texts, vectors) if story_list else (np.zeros((0, 0)), None)
    narrowed = _as_narrow(brand, texts, vectors, stream_titles, stream_vectors, encode=encode,
                          model=model, topics=topics, learned=learned)  # fmt: skip
    matched_to = [
        f.theme.theme if f.theme is not None and f.theme.relevance >= bar else None for f in fits
    ]
    of_kind = [
        int((parts.kind[:, t] >= KIND_GATE).sum()) if parts is not None and matcher.kind_of(t)
        else None
        for t in range(len(names))
    ]  # fmt: skip
    out = []
    for t, name in enumerate(names):

        def scored(row: int, why: str, *, t: int = t) -> Scored:
            v = fits[row].verdict
            return Scored(story_list[row], float(relevance[row, t]), why, v.level, v.reason)

        mine = [r for r, m in enumerate(matched_to) if m == name]
        mine.sort(key=lambda r: -relevance[r, t])
        best = [scored(r, _evidence(fits[r].theme)) for r in mine[:shown]]
        weakest = [scored(r, _evidence(fits[r].theme)) for r in mine[shown:][-shown:][::-1]]
        others = [r for r, m in enumerate(matched_to) if m is None]
        near: list[Scored] = []
        off: list[Scored] = []
        if parts is not None:
            closest = sorted(others, key=lambda r: -relevance[r, t])
            near_rows = [r for r in closest if relevance[r, t] >= NEAR * bar][:shown]
            places = ", ".join(brand.themes[t].places)
            for r in near_rows:
                need = (
                    f"; names none of its places ({places})"
                    if relevance[r, t] >= bar  # only its places keep it out (`assess`)
                    else f"; {bar - relevance[r, t]:.2f} short of min_relevance {bar:.2f}"
                )
                near.append(scored(r, parts.evidence(r, t) + need))
            gated = [
                r
                for r in others
                if r not in near_rows
                and parts.semantic[r, t] > 0
                and (
                    parts.kind[r, t] < KIND_GATE
                    or parts.penalty[r, t] > NEGATIVE_GATE
                    or parts.business[r, t] > 0
                )
            ]
            for r in sorted(gated, key=lambda r: -parts.semantic[r, t])[:shown]:
                off.append(scored(r, parts.evidence(r, t)))
        kind, few = matcher.kind_of(t), of_kind[t]
        out.append(
            ThemeTry(
                name,
                matched=len(mine),
                blocked=sum(fits[r].verdict.blocked for r in mine),
                best=tuple(best),
                weakest=tuple(weakest),
                near=tuple(near),
                off=tuple(off),
                kind=kind,
                of_kind=few,
                feed=(
                    feed_for(kind, brand.themes[t], brand.language)
                    if few is not None and few < FEW_OF_KIND * len(story_list)
                    else ""
                ),
                clarity=matcher.clarity(t),
                as_narrow=(
                    None
                    if narrowed is None or brand.themes[t].narrow
                    else _kept(relevance, narrowed, t, mine, bar)
                ),
            )
        )
    return TryReport(tuple(out), len(story_list), len(stream_titles), bar, model)


def feed_for(kind: str, theme: ThemeSettings, language: str) -> str:
    """A Google News feed with more of `kind` news: its section for the kind, else a search on
    the theme's first keyword (or its name)."""
    edition = _GOOGLE_NEWS_EDITIONS["fr" if language.startswith("fr") else "en"]
    if section := GOOGLE_NEWS_SECTIONS.get(kind):
        return f"https://news.google.com/rss/headlines/section/topic/{section}?{edition}"
    query = quote_plus(next((k for k in theme.keywords if k.strip()), theme.name.replace("-", " ")))
    return f"https://news.google.com/rss/search?q={query}&{edition}"


def _kept(
    relevance: np.ndarray, narrowed: np.ndarray, t: int, mine: Sequence[int], bar: float
) -> int:
    """Of theme `t`'s matches (`mine`), how many it would still match were it alone narrow:
    still their best theme, at or above the bar."""
    mixed = relevance.copy()
    mixed[:, t] = narrowed[:, t]
    return sum(int(np.argmax(mixed[r])) == t and bool(mixed[r, t] >= bar) for r in mine)


def _remembered(encode: Encode) -> Encode:
    """`encode`, each text encoded once however often it is asked for."""
    seen: dict[str, np.ndarray] = {}

    def run(texts: Sequence[str]) -> np.ndarray:
        new = [t for t in dict.fromkeys(texts) if t not in seen]
        if new:
            seen.update(zip(new, np.asarray(encode(new)), strict=True))
        return np.vstack([seen[t] for t in texts]) if len(texts) else encode(texts)

    return run


def _as_narrow(
    brand: BrandSettings,
    texts: Sequence[str],
    vectors: np.ndarray,
    stream_titles: Sequence[str],
    stream_vectors: np.ndarray,
    *,
    encode: Encode,
    model: str,
    topics: TopicModel | None,
    learned: Iterable[themes.LearnedExample],
) -> np.ndarray | None:
    """Every story's relevance to every theme were each theme `narrow` (a theme's column does
    not depend on the others'): a theme that matches many stories only for being of its kind of
    news (AI deals for a video-games theme) keeps few of them. Shown, never applied: a theme
    that is a whole kind of news ("beauty") may keep as few, so only the marketer can tell
    which theirs is (README, "Tune the themes")."""
    if topics is None or not texts or all(t.narrow for t in brand.themes):
        return None
    narrow = [t.model_copy(update={"narrow": True}) for t in brand.themes]
    matcher = make_matcher(
        brand.model_copy(update={"themes": narrow}),
        encode,
        model=model,
        topics=topics,
        learned=learned,
    )
    if len(stream_titles):
        matcher.adapt(stream_titles[-ADAPT_ITEMS:], stream_vectors[-ADAPT_ITEMS:])
    return matcher.relevance(texts, vectors)


def _evidence(match: themes.ThemeMatch | None) -> str:
    return match.evidence if match is not None else ""


def report_json(report: TryReport) -> str:
    """The report as JSON, for scripts and the bench."""

    def story(s: Scored) -> dict[str, Any]:
        return {
            "story": s.story.label,
            "items": s.story.items,
            "relevance": round(s.relevance, 3),
            "why": s.why,
            "safety": s.safety,
            "safety_reason": s.safety_reason,
        }

    return json.dumps(
        {
            "model": report.model,
            "stories": report.stories,
            "min_relevance": report.min_relevance,
            "themes": [
                {
                    "theme": t.theme,
                    "matched": t.matched,
                    "blocked": t.blocked,
                    "kind": t.kind,
                    "as_narrow": t.as_narrow,
                    "clarity": None if t.clarity is None else round(t.clarity, 3),
                    "unclear": t.unclear,
                    "of_kind": t.of_kind,
                    "feed": t.feed,
                    "best": [story(s) for s in t.best],
                    "weakest": [story(s) for s in t.weakest],
                    "near_misses": [story(s) for s in t.near],
                    "off_theme": [story(s) for s in t.off],
                }
                for t in report.themes
            ],
        },
        ensure_ascii=False,
        indent=1,
    )
