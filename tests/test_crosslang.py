"""The cross-language check of bench/eval_crosslang.py: French versions of real English headlines
should join the English headline's story (tests/data/crosslang.jsonl, sources in its README)."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from trendbot.stories import StoryParams

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "data" / "crosslang.jsonl"
DAY = 86_400.0


def _load_bench():
    # bench/ is not a package: load the script itself so the test runs the bench's own check
    spec = importlib.util.spec_from_file_location(
        "eval_crosslang", ROOT / "bench" / "eval_crosslang.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


bench = _load_bench()


def test_fixture_pairs_are_distinct_real_headlines_in_time_order() -> None:
    headlines = bench.load_headlines(FIXTURE)
    assert len(headlines) == 200
    assert len({h.title for h in headlines}) == 200
    assert [h.seen_at for h in headlines] == sorted(h.seen_at for h in headlines)
    french = [h for h in headlines if h.title_fr is not None]
    assert len(french) == 50
    assert all(h.title_fr and h.title_fr.strip() != h.title for h in french)
    assert all(h.source for h in headlines)


def _unit(i: int, dim: int = 8) -> np.ndarray:
    v = np.zeros(dim, dtype=np.float32)
    v[i] = 1.0
    return v


def test_probe_tells_right_wrong_and_missed_apart() -> None:
    t0 = 1_750_000_000.0
    headlines = [
        bench.Headline(t0, "A", "alpha harbour strike", "delta"),
        bench.Headline(t0 + 600, "B", "bravo orchard vote", "epsilon"),
        bench.Headline(t0 + 1200, "C", "charlie comet launch", "zeta"),
    ]
    english = np.stack([_unit(0), _unit(1), _unit(2)])
    # French 1 sits on the English 0 direction, French 2 on the English 2 one, French 3 nowhere
    french = np.stack([_unit(0), _unit(2), _unit(5)])
    probes = bench.probe_pairs(headlines, english, french, StoryParams(join=0.5))
    assert [p.outcome for p in probes] == ["right", "wrong", "missed"]
    assert probes[1].joined == "charlie comet launch"
    assert bench.count(probes) == {"right": 1, "wrong": 1, "missed": 1}


def test_a_probe_leaves_the_english_stories_untouched() -> None:
    t0 = 1_750_000_000.0
    # both English headlines tell one story; the first French version is tried in between
    headlines = [
        bench.Headline(t0, "A", "alpha harbour strike", "delta"),
        bench.Headline(t0 + 3600, "B", "bravo orchard vote", "epsilon"),
    ]
    english = np.stack([_unit(0), _unit(0)])
    french = np.stack([_unit(0), _unit(0)])
    probes = bench.probe_pairs(headlines, english, french, StoryParams(join=0.5))
    assert [p.outcome for p in probes] == ["right", "right"]
    assert [p.own_size for p in probes] == [1, 2]  # 3 if the first probe had been kept


@pytest.mark.slow
def test_french_versions_join_their_english_story_with_the_multilingual_model() -> None:
    from trendbot.embed import USE_MULTILINGUAL, load_embedder

    headlines = bench.load_headlines(FIXTURE)
    translated = [i for i, h in enumerate(headlines) if h.title_fr]
    chosen = [translated[int(k)] for k in np.linspace(0, len(translated) - 1, 15).round()]
    # 15 pairs spread over the months, among the English headlines of their days
    subset = [
        replace(h, title_fr=h.title_fr if i in chosen else None)
        for i, h in enumerate(headlines)
        if any(abs(h.seen_at - headlines[c].seen_at) <= DAY for c in chosen)
    ]
    english = [h.title for h in subset]
    french = [h.title_fr for h in subset if h.title_fr]
    assert len(french) == 15
    vectors = load_embedder(USE_MULTILINGUAL).encode(english + french)
    probes = bench.probe_pairs(
        subset,
        vectors[: len(english)],
        vectors[len(english) :],
        StoryParams.for_model(USE_MULTILINGUAL),
    )
    counts = bench.count(probes)
    assert counts["right"] >= 13, [(p.outcome, p.title_fr) for p in probes if p.outcome != "right"]
    assert counts["wrong"] <= 1
