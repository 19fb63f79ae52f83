"""Stories: online clustering of the item stream. Pure: vectors, titles and times in, stories out.

Items arrive one at a time. An item joins the live story it scores best against, when

    score = cos(item, story centroid) + lexical_weight * lexical(item, story)
            - gap_weight * (hours since the story's last item / window_hours)  >=  join

else it starts a story. `lexical` is the cosine between the item's title terms and the story's
terms, both TF-IDF weighted, where a term's rarity is counted over the live stories (a word every
live story uses says little). The gap term: one event's coverage comes in a run, and a story
quiet for long needs a closer headline to go on (0.075 more after a whole window), so it does not
chain into the next event that shares its words (on the Google News archive, a November
snowstorm had become the northern lights two days later, and a Southern California storm the
next week's Thanksgiving snow). After a join, the story is compared with its closest live story
(centroid cosine + merge_lexical_weight * terms cosine); at or above `merge` the smaller one
folds into the larger, so a story that began twice under different words becomes one.

A story is live while its last item is less than `window_hours` old (relative to the latest time
the tracker has seen); older stories are closed and never absorb anything again. The cost of an
item is O(live stories), so it stays flat however long the stream runs.

Every decision depends only on the live stories' persisted fields, so a tracker rebuilt with
`StoryTracker(params, dim, stories=...)` decides exactly as the one it replaces. `join` is per
model (`calibration.story_join`); the other weights are the same for every model.

Measured with bench/eval_stories.py, one item at a time: NMI 0.935 on MStream News-T with MiniLM
(0.921 with the multilingual USE; published batch methods 0.85-0.87), 0.897 on the shuffled
News. On Google News top stories (a thin stream, ~170 titles a day) one event from several
publishers does land in one story, but a topic covered every day (Gaza, the shutdown) chains
into one story for months: `max_age_hours` (7 days) bounds that: a story stops growing a week
after its first item, and later coverage starts a fresh story that can rise again. With it,
News-T is unchanged; the shuffled News (no real times: one item a minute) loses 0.025.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from trendbot import calibration, entities
from trendbot.errors import EmbedError

HOUR = 3600.0
MERGE_CANDIDATES = 3

# Headline words that tell nothing about the event (English and French).
_STOP = """
    a about above after again against all also am amid an and any are as at be because been
    before being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how if in into is
    it its itself just me more most my myself no nor not now of off on once only or other our
    ours ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    says said say via vs video watch live update updates breaking get gets got may might must
    au aux avec ce ces cet cette dans de des du elle elles en et eux il ils je la le les leur
    leurs lui ma mais me même mes moi mon ne nos notre nous on ou où par pas pour qu que qui sa
    se ses son sur ta te tes toi ton tu un une vos votre vous été être est sont ont fait comme
    plus après avant contre entre sans sous ça selon lors dont chez vers depuis encore aussi
    tout tous toute toutes très va sera peut faut quand comment pourquoi si non oui ni dit
"""
STOP_WORDS = frozenset(_STOP.split())
_WORD = re.compile(r"\w+")


def tokenize(text: str) -> list[str]:
    """Distinct content words of a title, lower-cased, in order; an acronym keeps its capitals.

    No stemming: the words double as the story's keywords, which people read (the embedding
    already sees "protest" and "protests" as close). An acronym is a word of capitals in a
    headline that is not all capitals: "ICE operation now underway in Minneapolis" is not the
    "snow and ice" of the week's storm, which it joined on that shared word.
    """
    words = _WORD.findall(text)
    shouting = entities.shouts(text)
    words = [w if w.isupper() and not shouting else w.lower() for w in words]
    # ("WHO" stays a stop word: kept, it clustered the training months' stories worse)
    keep = (w for w in words if len(w) > 1 and w.lower() not in STOP_WORDS and not _number(w))
    return list(dict.fromkeys(keep))


_YEAR = re.compile(r"(?:19|20)\d\d")


def _number(word: str) -> bool:
    """A short count ("3 dead") or a year says nothing of the event. A year that counted
    chained the last week of December into one story of 39 headlines, from games of the year to
    GDP: the one story holding "2025" kept the word rare, so each new "…of 2025" joined it (a
    name with a year, "Project 2025", loses it: its other words and its meaning still count)."""
    return word.isdigit() and (len(word) < 4 or _YEAR.fullmatch(word) is not None)


@dataclass(frozen=True)
class StoryParams:
    join: float
    window_hours: float = 48.0
    lexical_weight: float = 0.8
    gap_weight: float = 0.075  # the join bar, a full window after a story's last item
    merge: float = 0.85
    merge_lexical_weight: float = 0.8
    max_age_hours: float = 168.0  # a story stops growing this long after its first item (0: never)
    keywords: int = 5

    @classmethod
    def for_model(cls, model: str, **overrides: Any) -> StoryParams:
        return replace(cls(join=calibration.for_model(model).story_join), **overrides)


@dataclass
class Story:
    """One story. The pipeline persists every field as is and hands them back on restart.

    `vector_sum`, `label_vector`, `terms` and `terms_norm2` are the tracker's own state: the sum
    of member vectors, the label's vector, the summed TF-IDF weights of member title terms and
    their squared norm. A story that `closed` (past the window) or was `merged_into` another one
    is kept for the record and never comes back to life.
    """

    id: int
    vector_sum: np.ndarray
    size: int
    first_seen: float
    last_seen: float
    label: str
    label_vector: np.ndarray
    terms: dict[str, float] = field(default_factory=dict)
    terms_norm2: float = 0.0
    keywords: list[str] = field(default_factory=list)
    sources: set[str] = field(default_factory=set)
    feeds: set[str] = field(default_factory=set)
    languages: set[str] = field(default_factory=set)
    trending: bool = False
    traffic: int | None = None
    merged_into: int | None = None
    closed: bool = False

    @property
    def centroid(self) -> np.ndarray:
        norm = float(np.linalg.norm(self.vector_sum.astype(np.float64)))
        return self.vector_sum / norm if norm else self.vector_sum


@dataclass(frozen=True)
class Assignment:
    """Where an item went.

    `similarity` is the best score among live stories (below `join` when `created`, 0.0 when
    there was none); `merged` lists the stories folded into `story_id` by this add, whose
    members now belong to it.
    """

    story_id: int
    created: bool
    similarity: float
    merged: tuple[int, ...] = ()


class StoryTracker:
    def __init__(
        self,
        params: StoryParams,
        dim: int,
        stories: Iterable[Story] = (),
        *,
        next_id: int | None = None,
    ) -> None:
        self.params = params
        self.dim = dim
        self._window = params.window_hours * HOUR
        self._clock = -math.inf
        self._next_id = 1
        self._stories: dict[int, Story] = {}  # live ones
        self._retired: dict[int, Story] = {}  # closed or merged since the last clear_changed()
        self._changed: set[int] = set()
        self._stale: set[int] = set()  # keywords to recompute before anyone reads them
        # Live stories sit in slots of these arrays; freed slots are reused.
        self._unit = np.zeros((16, dim), dtype=np.float32)
        self._alive = np.zeros(16, dtype=bool)
        self._norm2 = np.ones(16)
        self._last = np.zeros(16)
        self._first = np.zeros(16)
        self._slot_story = np.zeros(16, dtype=np.int64)
        self._slot_of: dict[int, int] = {}
        self._free: list[int] = []
        self._high = 0
        self._postings: dict[str, dict[int, float]] = {}  # term -> {slot: story weight}
        for story in stories:
            if story.vector_sum.shape != (dim,):
                raise EmbedError(
                    f"story {story.id} was built with {story.vector_sum.shape[0]}-dimension "
                    f"vectors, the model gives {dim}: rebuild the stories after changing "
                    "embedding.model"
                )
            self._next_id = max(self._next_id, story.id + 1)
            self._clock = max(self._clock, story.last_seen)
            if story.merged_into is None and not story.closed:
                self._enter(story)
                self._stale.add(story.id)
        if next_id is not None:
            self._next_id = max(self._next_id, next_id)

    # -- reading -----------------------------------------------------------------------------

    def get(self, story_id: int) -> Story:
        """A live story, or one closed or merged since the last `clear_changed()`."""
        story = self._stories.get(story_id) or self._retired[story_id]
        self._refresh(story)
        return story

    def live(self, now: float) -> list[Story]:
        """Stories still inside the window at `now`, most recently active first."""
        since = now - self._window
        stories = [s for s in self._stories.values() if s.last_seen >= since]
        for story in stories:
            self._refresh(story)
        return sorted(stories, key=lambda s: (-s.last_seen, s.id))

    def changed(self) -> set[int]:
        """Stories created, grown, merged or closed since the last `clear_changed()`."""
        for story_id in self._changed:
            self._refresh(self.get(story_id))
        return set(self._changed)

    def clear_changed(self) -> None:
        self._changed.clear()
        self._retired.clear()

    # -- the decisions -----------------------------------------------------------------------

    def expire(self, now: float) -> list[int]:
        """Close the stories whose last item is older than the window (or, with `max_age_hours`,
        whose first one is older than that); return their ids."""
        since = max(now, self._clock) - self._window
        n = self._high
        past = self._alive[:n] & (self._last[:n] < since)
        if self.params.max_age_hours > 0:
            born_before = max(now, self._clock) - self.params.max_age_hours * HOUR
            past |= self._alive[:n] & (self._first[:n] < born_before)
        old = sorted(int(i) for i in self._slot_story[:n][past])
        for story_id in old:
            story = self._leave(story_id)
            story.closed = True
            self._retire(story)
        return old

    def add(
        self,
        item_id: str,
        vector: np.ndarray,
        t: float,
        *,
        title: str,
        source: str | None = None,
        feed: str | None = None,
        language: str | None = None,
        trending_traffic: int | None = None,
    ) -> Assignment:
        """Put one item in a story. `t` is when it was seen (epoch seconds).

        `item_id` is not kept: the caller records membership from the returned Assignment.
        """
        vector = np.asarray(vector, dtype=np.float32).reshape(-1)
        if vector.shape != (self.dim,):
            raise EmbedError(
                f"item {item_id}: vector has {vector.shape[0]} dimensions, stories use {self.dim}"
            )
        self._clock = max(self._clock, t)
        self.expire(self._clock)
        terms = self._item_terms(tokenize(title))
        scores = self._scores(vector, terms)
        slot, similarity = self._best(scores)
        created = slot < 0 or similarity < self.params.join
        if created:
            story = self._new_story(vector, t, title)
        else:
            story = self._stories[int(self._slot_story[slot])]
        self._absorb(story, vector, t, terms)
        self._note_member(story, source, feed, language, trending_traffic)
        if created:
            self._enter(story)
        else:
            self._relabel(story, vector, title)
            self._post(story, terms)
        merged: tuple[int, ...] = ()
        if not created:
            story, merged = self._merge_closest(story)
        self._touch(story)
        return Assignment(story.id, created, float(similarity) if slot >= 0 else 0.0, merged)

    # -- scoring -----------------------------------------------------------------------------

    def _item_terms(self, tokens: Sequence[str]) -> dict[str, float]:
        """Unit TF-IDF weights of an item's terms; rarity counted over the live stories."""
        n = len(self._stories) + 1
        weights = {t: math.log(1 + n / (len(self._postings.get(t, ())) + 1)) for t in tokens}
        norm = math.sqrt(math.fsum(w * w for w in weights.values()))
        return {t: w / norm for t, w in weights.items()} if norm else {}

    def _scores(self, vector: np.ndarray, terms: dict[str, float]) -> np.ndarray:
        n = self._high
        dots = np.zeros(n)
        for term, weight in terms.items():
            for slot, story_weight in self._postings.get(term, {}).items():
                dots[slot] += weight * story_weight
        cosine = self._unit[:n] @ vector
        scores = cosine + self.params.lexical_weight * dots / np.sqrt(self._norm2[:n])
        if self.params.gap_weight:
            quiet = np.clip((self._clock - self._last[:n]) / self._window, 0.0, 1.0)
            scores -= self.params.gap_weight * quiet
        return np.where(self._alive[:n], scores, -np.inf)

    def _best(self, scores: np.ndarray) -> tuple[int, float]:
        """The best slot and its score; equal scores go to the oldest story, whatever the slot."""
        if not len(scores) or not np.isfinite(top := float(scores.max())):
            return -1, -math.inf
        tied = np.flatnonzero(scores == top)
        slot = int(tied[np.argmin(self._slot_story[tied])]) if len(tied) > 1 else int(tied[0])
        return slot, top

    def _merge_closest(self, story: Story) -> tuple[Story, tuple[int, ...]]:
        p = self.params
        slot = self._slot_of[story.id]
        n = self._high
        cosine = np.where(self._alive[:n], self._unit[:n] @ self._unit[slot], -np.inf)
        cosine[slot] = -np.inf
        # Terms cosines are the slow part: only the few nearest centroids can reach `merge`.
        best: tuple[float, int, Story] | None = None
        reach = np.flatnonzero(cosine >= p.merge - p.merge_lexical_weight)
        order = np.lexsort((self._slot_story[reach], -cosine[reach]))[:MERGE_CANDIDATES]
        for near in reach[order]:
            partner = self._stories[int(self._slot_story[near])]
            score = float(cosine[near]) + p.merge_lexical_weight * _terms_cosine(story, partner)
            if score >= p.merge and (best is None or (score, -partner.id) > best[:2]):
                best = (score, -partner.id, partner)
        if best is None:
            return story, ()
        partner = best[2]
        keep, gone = (
            (story, partner)
            if (story.size, -story.id) >= (partner.size, -partner.id)
            else (partner, story)
        )
        self._leave(gone.id)
        keep.vector_sum = keep.vector_sum + gone.vector_sum
        keep.size += gone.size
        keep.first_seen = min(keep.first_seen, gone.first_seen)
        keep.last_seen = max(keep.last_seen, gone.last_seen)
        for term, weight in gone.terms.items():
            keep.terms[term] = keep.terms.get(term, 0.0) + weight
        keep.terms_norm2 = math.fsum(w * w for w in keep.terms.values())
        keep.sources |= gone.sources
        keep.feeds |= gone.feeds
        keep.languages |= gone.languages
        keep.trending = keep.trending or gone.trending
        keep.traffic = _max_traffic(keep.traffic, gone.traffic)
        self._relabel(keep, gone.label_vector, gone.label)
        self._post(keep, gone.terms)
        gone.merged_into = keep.id
        self._retire(gone)
        self._touch(keep)
        return keep, (gone.id,)

    # -- bookkeeping -------------------------------------------------------------------------

    def _new_story(self, vector: np.ndarray, t: float, title: str) -> Story:
        story = Story(
            id=self._next_id,
            vector_sum=np.zeros(self.dim, dtype=np.float32),
            size=0,
            first_seen=t,
            last_seen=t,
            label=title,
            label_vector=vector.copy(),
        )
        self._next_id += 1
        return story

    def _absorb(self, story: Story, vector: np.ndarray, t: float, terms: dict[str, float]) -> None:
        dot = math.fsum(w * story.terms.get(term, 0.0) for term, w in terms.items())
        story.vector_sum = story.vector_sum + vector
        story.size += 1
        story.first_seen = min(story.first_seen, t)
        story.last_seen = max(story.last_seen, t)
        for term, weight in terms.items():
            story.terms[term] = story.terms.get(term, 0.0) + weight
        # |S + x|^2 = |S|^2 + 2 S.x + |x|^2: no pass over the story's whole vocabulary
        story.terms_norm2 += 2 * dot + math.fsum(w * w for w in terms.values())

    def _note_member(
        self,
        story: Story,
        source: str | None,
        feed: str | None,
        language: str | None,
        traffic: int | None,
    ) -> None:
        if source:
            story.sources.add(source)
        if feed:
            story.feeds.add(feed)
        if language:
            story.languages.add(language)
        if traffic is not None:
            story.trending = True
            story.traffic = _max_traffic(story.traffic, traffic)

    def _relabel(self, story: Story, vector: np.ndarray, title: str) -> None:
        """Keep as label whichever title sits nearer the (new) centroid."""
        centroid = story.centroid
        if float(vector @ centroid) > float(story.label_vector @ centroid):
            story.label, story.label_vector = title, vector.copy()

    def _enter(self, story: Story) -> None:
        """Give a story a slot and post its terms."""
        if self._free:
            slot = self._free.pop()
        else:
            slot = self._high
            self._high += 1
            if slot >= len(self._alive):
                self._grow()
        self._slot_of[story.id] = slot
        self._slot_story[slot] = story.id
        self._alive[slot] = True
        self._stories[story.id] = story
        self._post(story, story.terms)

    def _post(self, story: Story, terms: Iterable[str]) -> None:
        """Copy a live story's new state into its slot, and its weights of `terms` to postings."""
        slot = self._slot_of[story.id]
        self._unit[slot] = story.centroid
        self._norm2[slot] = story.terms_norm2 if story.terms_norm2 > 0 else 1.0
        self._last[slot] = story.last_seen
        self._first[slot] = story.first_seen
        for term in terms:
            self._postings.setdefault(term, {})[slot] = story.terms[term]

    def _leave(self, story_id: int) -> Story:
        """Take a story out of the live set and free its slot."""
        story = self._stories.pop(story_id)
        slot = self._slot_of.pop(story_id)
        for term in story.terms:
            posting = self._postings[term]
            del posting[slot]
            if not posting:
                del self._postings[term]
        self._alive[slot] = False
        self._unit[slot] = 0.0
        self._free.append(slot)
        return story

    def _grow(self) -> None:
        size = 2 * len(self._alive)
        unit = np.zeros((size, self.dim), dtype=np.float32)
        unit[: len(self._unit)] = self._unit
        self._unit = unit
        self._alive = np.concatenate([self._alive, np.zeros(size - len(self._alive), bool)])
        self._norm2 = np.concatenate([self._norm2, np.ones(size - len(self._norm2))])
        self._last = np.concatenate([self._last, np.zeros(size - len(self._last))])
        self._first = np.concatenate([self._first, np.zeros(size - len(self._first))])
        self._slot_story = np.concatenate(
            [self._slot_story, np.zeros(size - len(self._slot_story), np.int64)]
        )

    def _touch(self, story: Story) -> None:
        self._changed.add(story.id)
        self._stale.add(story.id)

    def _retire(self, story: Story) -> None:
        self._retired[story.id] = story
        self._touch(story)

    def _refresh(self, story: Story) -> None:
        if story.id in self._stale:
            story.keywords = top_keywords(story.terms, self.params.keywords)
            self._stale.discard(story.id)


def top_keywords(terms: dict[str, float], k: int) -> list[str]:
    """The `k` heaviest terms that contain a letter (ties: alphabetical)."""
    words = [t for t in terms if not t.isdigit()]
    return sorted(words, key=lambda t: (-terms[t], t))[:k]


def _terms_cosine(a: Story, b: Story) -> float:
    small, big = (a.terms, b.terms) if len(a.terms) <= len(b.terms) else (b.terms, a.terms)
    dot = math.fsum(w * big[t] for t, w in small.items() if t in big)
    norm = math.sqrt(a.terms_norm2 * b.terms_norm2)
    return dot / norm if norm else 0.0


def _max_traffic(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)


# -- measuring a clustering against gold labels (bench/eval_stories.py) ------------------------


def _contingency(gold: Sequence[object], predicted: Sequence[object]) -> np.ndarray:
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted labels differ in length")
    _, g = np.unique(np.asarray(gold), return_inverse=True)
    _, p = np.unique(np.asarray(predicted), return_inverse=True)
    table = np.zeros((g.max(initial=-1) + 1, p.max(initial=-1) + 1))
    np.add.at(table, (g, p), 1)
    return table


def nmi(gold: Sequence[object], predicted: Sequence[object], average: str = "geometric") -> float:
    """Normalised mutual information; `average` is "geometric" (Strehl & Ghosh) or "arithmetic".

    Two one-cluster labellings agree fully (1.0).
    """
    table = _contingency(gold, predicted)
    p = table / table.sum()
    pg, pp = p.sum(axis=1), p.sum(axis=0)
    nz = p > 0
    mutual = float((p[nz] * np.log(p[nz] / np.outer(pg, pp)[nz])).sum())
    hg = float(-(pg * np.log(pg)).sum())
    hp = float(-(pp * np.log(pp)).sum())
    if hg == 0 and hp == 0:
        return 1.0
    norm = math.sqrt(hg * hp) if average == "geometric" else (hg + hp) / 2
    return max(0.0, mutual / norm) if norm else 0.0


def bcubed(gold: Sequence[object], predicted: Sequence[object]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 (Bagga & Baldwin), averaged over items."""
    table = _contingency(gold, predicted)
    n = table.sum()
    precision = float((table**2 / table.sum(axis=0)).sum() / n)
    recall = float((table**2 / table.sum(axis=1)[:, None]).sum() / n)
    return precision, recall, 2 * precision * recall / (precision + recall)
