from __future__ import annotations

import json
import math
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest

from trendbot.errors import EmbedError
from trendbot.stories import (
    HOUR,
    Story,
    StoryParams,
    StoryTracker,
    bcubed,
    nmi,
    tokenize,
)

DATA = Path(__file__).parent / "data"
DIM = 8


def unit(*values: float) -> np.ndarray:
    v = np.zeros(DIM, dtype=np.float32)
    v[: len(values)] = values
    return v / np.linalg.norm(v)


def at_cosine(base: np.ndarray, other: np.ndarray, cosine: float) -> np.ndarray:
    """A unit vector at `cosine` from unit `base`, in the plane of `base` and `other`."""
    ortho = other - (other @ base) * base
    ortho /= np.linalg.norm(ortho)
    return (cosine * base + math.sqrt(1 - cosine**2) * ortho).astype(np.float32)


E1, E2, E3 = unit(1), unit(0, 1), unit(0, 0, 1)


def tracker(**overrides: float) -> StoryTracker:
    values = {"join": 0.6, "lexical_weight": 0.0, "merge_lexical_weight": 0.0, "gap_weight": 0.0}
    values |= overrides
    return StoryTracker(StoryParams(**values), DIM)  # type: ignore[arg-type]


# -- joining -------------------------------------------------------------------------------------


def test_close_item_joins_and_far_item_starts_a_story() -> None:
    t = tracker()
    first = t.add("a", E1, 0, title="volcano erupts in iceland")
    near = t.add("b", at_cosine(E1, E2, 0.8), 60, title="iceland eruption")
    far = t.add("c", E2, 120, title="markets fall")
    assert first.created and not near.created and far.created
    assert near.story_id == first.story_id != far.story_id
    assert near.similarity == pytest.approx(0.8, abs=1e-6)
    assert t.get(first.story_id).size == 2


def test_a_story_quiet_for_long_needs_a_closer_item() -> None:
    # one event's coverage comes in a run; a day later, the same words are often another event
    def follow_up(hours: float, cosine: float) -> tuple[bool, float]:
        t = tracker(gap_weight=0.1)  # 48 h window
        t.add("a", E1, 0, title="winter storm hits chicago")
        added = t.add("b", at_cosine(E1, E2, cosine), hours * HOUR, title="storm")
        return added.created, added.similarity

    assert follow_up(2, 0.65) == (False, pytest.approx(0.65 - 0.1 * 2 / 48, abs=1e-4))
    assert follow_up(40, 0.65) == (True, pytest.approx(0.65 - 0.1 * 40 / 48, abs=1e-4))
    assert follow_up(40, 0.9)[0] is False  # a headline close enough still goes on with it


def test_item_goes_to_the_most_similar_story() -> None:
    t = tracker(join=0.5)
    a = t.add("a", E1, 0, title="a").story_id
    b = t.add("b", E2, 0, title="b").story_id
    assert t.add("c", unit(0.6, 0.8), 1, title="c").story_id == b
    assert t.add("d", unit(0.9, 0.44), 2, title="d").story_id == a


def test_shared_rare_title_words_pull_an_item_in() -> None:
    t = tracker(join=0.6, lexical_weight=0.8)
    story = t.add("a", E1, 0, title="Volcano erupts near Grindavik, Iceland").story_id
    t.add("x", E2, 0, title="Stock markets fall on rate fears")
    t.add("y", E3, 0, title="Champions League final tickets")
    echo = t.add("b", at_cosine(E1, E2, 0.5), 60, title="Grindavik volcano: Iceland evacuates")
    other = t.add("c", at_cosine(E1, unit(0, 0, 0, 1), 0.5), 60, title="Heatwave in Europe")
    assert echo.story_id == story
    assert other.created


def test_a_shared_year_does_not_pull_an_item_in() -> None:
    # the last week of December: "…of 2025" in games, money and car headlines alike
    t = tracker(join=0.6, lexical_weight=0.8)
    games = t.add("a", E1, 0, title="The best video games of 2025").story_id
    t.add("x", E2, 0, title="Stock markets fall on rate fears")
    t.add("y", E3, 0, title="Champions League final tickets")
    aside = unit(0, 0, 0, 1)  # as close to the games as to nothing else
    cars = t.add("b", at_cosine(E1, aside, 0.5), 60, title="Electric vehicles had a bumpy 2025")
    other = unit(0, 0, 0, 0, 1)
    more = t.add("c", at_cosine(E1, other, 0.5), 60, title="Top video games: our picks of 2025")
    assert cars.created
    assert more.story_id == games  # the words that name the subject still count


def test_an_acronym_is_not_the_word_it_spells() -> None:
    """A week of winter storms said "snow and ice" in every headline; "ICE operation now
    underway in Minneapolis" (the immigration agency) joined it on that word, and a snow-day
    pitch's thread would have carried a raid."""
    assert tokenize("ICE operation now underway in Minneapolis")[0] == "ICE"
    assert "ice" in tokenize("A winter storm pummels the Northeast with ice and snow")
    # a headline in capitals shouts: its words are words; a short one with a lower-case word
    # does not, however many of its words are capitals
    assert tokenize("SNOW AND ICE EMERGENCY DECLARED") == ["snow", "ice", "emergency", "declared"]
    assert tokenize("ICE raids LA") == ["ICE", "raids"]  # "la" is a stop word, as before
    t = tracker(join=0.6, lexical_weight=0.8)
    storm = t.add("a", E1, 0, title="Winter storm brings ice and snow to Minneapolis").story_id
    t.add("x", E2, 0, title="Stock markets fall on rate fears")
    t.add("y", E3, 0, title="Champions League final tickets")
    aside = unit(0, 0, 0, 1)  # as close to the storm as an uncased encoder puts it
    raid = t.add("b", at_cosine(E1, aside, 0.5), 60, title="ICE operation underway in the city")
    more = t.add("c", at_cosine(E1, unit(0, 0, 0, 0, 1), 0.5), 60, title="Ice and snow close roads")
    assert raid.created and more.story_id == storm


def test_an_old_story_does_not_absorb_a_new_item() -> None:
    t = tracker(window_hours=48)
    old = t.add("a", E1, 0, title="a").story_id
    assert t.add("b", E1, 47 * HOUR, title="b").story_id == old  # still live
    late = t.add("c", E1, (47 + 49) * HOUR, title="c")
    assert late.created and late.story_id != old
    assert t.get(old).closed
    assert [s.id for s in t.live((47 + 49) * HOUR)] == [late.story_id]


def test_max_age_stops_a_story_growing_however_busy_it_is() -> None:
    t = tracker(window_hours=48, max_age_hours=24)
    first = t.add("a", E1, 0, title="a").story_id
    assert t.add("b", E1, 20 * HOUR, title="b").story_id == first
    later = t.add("c", E1, 25 * HOUR, title="c")
    assert later.created and t.get(first).closed


def test_expire_closes_stories_past_the_window() -> None:
    t = tracker(window_hours=1)
    a = t.add("a", E1, 0, title="a").story_id
    b = t.add("b", E2, 1800, title="b").story_id
    t.clear_changed()
    assert t.expire(3700) == [a]
    assert t.changed() == {a}
    assert t.get(a).closed
    assert [s.id for s in t.live(3700)] == [b]
    assert t.expire(3700) == []


# -- merging -------------------------------------------------------------------------------------


def test_stories_that_drift_together_merge_into_the_larger() -> None:
    t = tracker(join=0.75, merge=0.8)
    a = t.add("a", E1, 0, title="a", source="AP").story_id
    b_vec = at_cosine(E1, E2, 0.7)
    b = t.add("b", b_vec, 10, title="b", source="BBC").story_id
    assert a != b
    bridge = (E1 + b_vec) / np.linalg.norm(E1 + b_vec)
    result = t.add("c", bridge, 20, title="c", source="CNN")
    assert result.story_id == a
    assert result.merged == (b,)
    merged = t.get(a)
    assert merged.size == 3
    assert merged.sources == {"AP", "BBC", "CNN"}
    assert t.get(b).merged_into == a
    assert t.changed() >= {a, b}
    assert [s.id for s in t.live(20)] == [a]


def test_distinct_events_sharing_a_common_word_stay_apart() -> None:
    t = tracker(join=0.6, lexical_weight=0.8, merge=0.8, merge_lexical_weight=0.5)
    fed = [
        t.add(f"f{i}", unit(1, 0.1 * i), i, title=f"Trump fires Fed governor {i}") for i in range(3)
    ]
    trade = [
        t.add(f"t{i}", unit(0.1 * i, 1), i, title=f"Trump tariffs hit China {i}") for i in range(3)
    ]
    assert len({a.story_id for a in fed}) == 1
    assert len({a.story_id for a in trade}) == 1
    assert fed[0].story_id != trade[0].story_id
    assert not any(a.merged for a in fed + trade)


# -- label, keywords, sources ----------------------------------------------------------------------


def test_label_is_the_title_nearest_the_centroid_and_keywords_are_frequent_terms() -> None:
    t = tracker(join=0.5)
    a, b, c = unit(1, 0.7), unit(1, 0.2), unit(1, -0.3)
    story = t.add("a", a, 0, title="Opinion: what the eclipse means").story_id
    t.add("b", b, 1, title="Solar eclipse darkens Texas skies")
    t.add("c", c, 2, title="Millions watch the solar eclipse")
    t.add(
        "d", (a + b + c) / np.linalg.norm(a + b + c), 3, title="Total solar eclipse crosses Mexico"
    )
    s = t.get(story)
    assert s.label == "Total solar eclipse crosses Mexico"
    assert s.keywords[:2] == ["eclipse", "solar"]


def test_trending_items_mark_the_story_with_the_highest_traffic() -> None:
    t = tracker()
    story = t.add("a", E1, 0, title="a", feed="news", language="en").story_id
    t.add("b", E1, 1, title="b", feed="trends-fr", language="fr", trending_traffic=20000)
    t.add("c", E1, 2, title="c", feed="trends-fr", trending_traffic=5000)
    s = t.get(story)
    assert s.trending and s.traffic == 20000
    assert s.feeds == {"news", "trends-fr"} and s.languages == {"en", "fr"}


def test_tokenize_keeps_content_words_in_english_and_french() -> None:
    assert tokenize("The protests in Paris: they say 'no'") == ["protests", "paris"]
    assert tokenize("L'armée d'Israël frappe les écoles de Gaza") == [
        "armée",
        "israël",
        "frappe",
        "écoles",
        "gaza",
    ]
    # a short count or a year tells no event from another; a longer figure may ("50000")
    assert tokenize("Dow up 300 points in 2025, Dow says") == ["dow", "points"]
    assert tokenize("Nikkei tops 50000 for the first time in 1999") == [
        "nikkei",
        "tops",
        "50000",
        "first",
        "time",
    ]


def test_a_vector_of_the_wrong_size_is_refused() -> None:
    with pytest.raises(EmbedError, match="dimensions"):
        tracker().add("a", np.ones(DIM + 1, dtype=np.float32), 0, title="a")


# -- restart -----------------------------------------------------------------------------------


def _persist(story: Story) -> dict:
    """What a store would keep: JSON-friendly fields, vectors as bytes."""
    row = asdict(story)
    row["vector_sum"] = story.vector_sum.astype(np.float32).tobytes()
    row["label_vector"] = story.label_vector.astype(np.float32).tobytes()
    for key in ("sources", "feeds", "languages"):
        row[key] = sorted(row[key])
    for key in ("terms", "keywords"):
        row[key] = json.loads(json.dumps(row[key]))
    return row


def _restore(row: dict) -> Story:
    values = dict(row)
    values["vector_sum"] = np.frombuffer(row["vector_sum"], dtype=np.float32).copy()
    values["label_vector"] = np.frombuffer(row["label_vector"], dtype=np.float32).copy()
    for key in ("sources", "feeds", "languages"):
        values[key] = set(row[key])
    return Story(**values)


def _stream(n: int, seed: int) -> list[tuple[np.ndarray, float, str]]:
    """Items from a few drifting topics with overlapping vocabularies, some long gaps."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((6, DIM))
    words = [f"w{i}" for i in range(30)]
    items, t = [], 0.0
    for i in range(n):
        topic = int(rng.integers(6))
        v = centres[topic] + rng.standard_normal(DIM) * 0.6
        title = " ".join(rng.choice(words[topic * 4 : topic * 4 + 10], size=4))
        t += float(rng.exponential(1800)) + (30 * HOUR if i % 97 == 96 else 0.0)
        items.append(((v / np.linalg.norm(v)).astype(np.float32), t, title))
    return items


def test_a_restored_tracker_decides_exactly_as_the_original() -> None:
    params = StoryParams(join=0.55, window_hours=24, lexical_weight=0.8, merge=0.75)
    items = _stream(400, seed=7)
    original = StoryTracker(params, DIM)
    saved: dict[int, dict] = {}
    first = [original.add(str(i), v, t, title=title) for i, (v, t, title) in enumerate(items[:250])]
    for story_id in original.changed():
        saved[story_id] = _persist(original.get(story_id))
    original.clear_changed()

    restored = StoryTracker(params, DIM, stories=[_restore(row) for row in saved.values()])
    rest = items[250:]
    a = [original.add(str(i), v, t, title=title) for i, (v, t, title) in enumerate(rest)]
    b = [restored.add(str(i), v, t, title=title) for i, (v, t, title) in enumerate(rest)]
    # the same decisions; similarities to float32 rounding (SIMD paths depend on alignment)
    assert [(x.story_id, x.created, x.merged) for x in a] == [
        (x.story_id, x.created, x.merged) for x in b
    ]
    assert np.allclose([x.similarity for x in a], [x.similarity for x in b], rtol=0, atol=1e-6)
    assert len({x.story_id for x in first + a}) > 5  # the stream really makes several stories
    assert any(x.merged for x in first + a)  # and merges
    assert any(s["closed"] for s in saved.values())  # and closes some
    now = rest[-1][1]
    assert [s.id for s in original.live(now)] == [s.id for s in restored.live(now)]
    assert [s.keywords for s in original.live(now)] == [s.keywords for s in restored.live(now)]


def test_restoring_stories_of_another_model_is_refused() -> None:
    story = Story(1, np.ones(4, np.float32), 1, 0.0, 0.0, "a", np.ones(4, np.float32))
    with pytest.raises(EmbedError, match=r"embedding\.model"):
        StoryTracker(StoryParams(join=0.5), DIM, stories=[story])


def test_new_ids_follow_the_restored_ones() -> None:
    story = Story(41, unit(1), 1, 0.0, 0.0, "a", unit(1), closed=True)
    t = StoryTracker(StoryParams(join=0.5), DIM, stories=[story])
    assert t.add("x", E1, 10, title="x").story_id == 42
    assert (
        StoryTracker(StoryParams(join=0.5), DIM, next_id=100).add("x", E1, 0, title="x").story_id
        == 100
    )


# -- measures --------------------------------------------------------------------------------------


def test_nmi_on_hand_cases() -> None:
    assert nmi([0, 0, 1, 1], [5, 5, 7, 7]) == pytest.approx(1.0)
    assert nmi([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(0.0)
    assert nmi([0, 0, 0], [1, 1, 1]) == 1.0
    # gold {a,b}{c,d}, predicted {a,b,c}{d}: MI and entropies by hand.
    mi = 0.5 * math.log(4 / 3) + 0.25 * math.log(2 / 3) + 0.25 * math.log(2)
    hg = math.log(2)
    hp = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    assert nmi([0, 0, 1, 1], [0, 0, 0, 1]) == pytest.approx(mi / math.sqrt(hg * hp))
    assert nmi([0, 0, 1, 1], [0, 0, 0, 1], average="arithmetic") == pytest.approx(
        mi / ((hg + hp) / 2)
    )


def test_bcubed_on_hand_cases() -> None:
    assert bcubed([0, 0, 1, 1], [0, 0, 1, 1]) == pytest.approx((1.0, 1.0, 1.0))
    assert bcubed([0, 0, 1, 1], [0, 0, 0, 0]) == pytest.approx((0.5, 1.0, 2 / 3))
    assert bcubed([0, 0, 1, 1], [0, 1, 2, 3]) == pytest.approx((1.0, 0.5, 2 / 3))
    # predicted {a,b,c}{d}: precision (2/3+2/3+1/3+1)/4, recall (1+1+1/2+1/2)/4
    p, r, f = bcubed(["x", "x", "y", "y"], [0, 0, 0, 1])
    assert (p, r) == pytest.approx(((2 / 3 + 2 / 3 + 1 / 3 + 1) / 4, 3 / 4))
    assert f == pytest.approx(2 * p * r / (p + r))
    with pytest.raises(ValueError):
        bcubed([0], [0, 1])


def test_stories_imports_no_heavy_library() -> None:
    heavy = "{'torch', 'faiss', 'sentence_transformers', 'httpx', 'sqlite_utils'}"
    code = f"import sys, trendbot.stories; print(sorted({heavy} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- with the real model ---------------------------------------------------------------------------


@pytest.mark.slow
def test_real_headlines_about_one_event_share_a_story() -> None:
    from datetime import datetime

    from trendbot.embed import MINILM, load_embedder

    rows = [
        json.loads(line) for line in (DATA / "news_archive_events.jsonl").read_text().splitlines()
    ]
    vectors = load_embedder(MINILM).encode([r["title"] for r in rows])
    t = StoryTracker(StoryParams.for_model(MINILM), vectors.shape[1])
    story_of = [
        t.add(
            str(i),
            v,
            datetime.fromisoformat(r["seen_at"].replace("Z", "+00:00")).timestamp(),
            title=r["title"],
            source=r["source"],
        )
        for i, (r, v) in enumerate(zip(rows, vectors, strict=True))
    ]
    final = {s: t.get(s) for s in {a.story_id for a in story_of}}

    def resolve(story_id: int) -> int:
        while final.get(story_id) and final[story_id].merged_into is not None:
            story_id = final[story_id].merged_into  # type: ignore[assignment]
        return story_id

    by_event: dict[str, set[int]] = {}
    for r, a in zip(rows, story_of, strict=True):
        by_event.setdefault(r["event"], set()).add(resolve(a.story_id))
    for event, stories in by_event.items():
        assert len(stories) == 1, f"{event} split over {len(stories)} stories"
    assert len({next(iter(s)) for s in by_event.values()}) == len(by_event), "events mixed"
    maxwell = t.get(next(iter(by_event["maxwell"])))
    assert maxwell.sources == {"ABC News", "CNN", "BBC"}
    assert "maxwell" in maxwell.keywords
