"""Does a French headline join the story of the English headline it translates?

    .venv/bin/python bench/eval_crosslang.py [--data tests/data/crosslang.jsonl]
                                             [--model use-multilingual|minilm|auto|both]

Reads JSON lines `seen_at`, `source`, `title`, `title_fr` (null for most): real English headlines
and hand-written French versions of some of them (tests/data/README.md says where they come from).
The English headlines go through the real embedder and StoryTracker in time order, with the
model's calibrated StoryParams, as the pipeline feeds them. Each French version is then tried
alone at its original's time + 30 min, on a copy of the tracker, so one probe never changes the
stories the next one meets. A probe is `right` when the French headline ends in the story of its
English original, `wrong` when it ends in another story, `missed` when it starts a new one.

Target with the multilingual model: >= 45 of 50 right, <= 2 wrong. Thresholds are not tuned here
(stories.py and calibration.py own them). Embeddings are cached under /tmp.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

import numpy as np

from trendbot.embed import AUTO, MINILM, USE_MULTILINGUAL, load_embedder, resolve_model
from trendbot.stories import StoryParams, StoryTracker

DEFAULT_DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "crosslang.jsonl"
CACHE = Path("/tmp/trendbot-cache/crosslang")
LAG = 30 * 60.0  # a French newsroom picks the story up about half an hour later
TARGET_RIGHT, TARGET_WRONG = 0.9, 0.04  # shares of the pairs (45 and 2 of 50), multilingual

Outcome = Literal["right", "wrong", "missed"]


@dataclass(frozen=True)
class Headline:
    seen_at: float  # epoch seconds
    source: str
    title: str
    title_fr: str | None


@dataclass(frozen=True)
class Probe:
    """What happened to one French version."""

    title: str
    title_fr: str
    outcome: Outcome
    score: float  # the tracker's best join score for the French headline
    own_cosine: float  # cosine between the French headline and its original's story centroid
    own_size: int  # headlines in the original's story when the French one arrived
    joined: str  # label of the story it joined ("" when it started one)


def load_headlines(path: str | Path) -> list[Headline]:
    rows = []
    with Path(path).open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                t = datetime.fromisoformat(r["seen_at"].replace("Z", "+00:00")).timestamp()
                rows.append(Headline(t, r.get("source") or "", r["title"], r.get("title_fr")))
    return sorted(rows, key=lambda h: h.seen_at)


def probe_pairs(
    headlines: Sequence[Headline],
    english: np.ndarray,
    french: np.ndarray,
    params: StoryParams,
) -> list[Probe]:
    """Replay the English headlines; try each French version (row k of `french` is the k-th
    headline with a `title_fr`) at its original's time + LAG on a throwaway copy of the tracker."""
    tracker = StoryTracker(params, english.shape[1])
    story_of: dict[int, int] = {}  # headline -> story it joined
    merged: dict[int, int] = {}  # story -> story it was folded into

    def resolve(story: int) -> int:
        while story in merged:
            story = merged[story]
        return story

    translated = [i for i, h in enumerate(headlines) if h.title_fr]
    events = [(h.seen_at, 0, i) for i, h in enumerate(headlines)]
    events += [(headlines[i].seen_at + LAG, 1, k) for k, i in enumerate(translated)]
    probes = []
    for t, kind, n in sorted(events):
        if kind == 0:
            h = headlines[n]
            a = tracker.add(f"en{n}", english[n], t, title=h.title, source=h.source, language="en")
            merged.update({gone: a.story_id for gone in a.merged})
            story_of[n] = a.story_id
            continue
        h = headlines[translated[n]]
        assert h.title_fr is not None
        own = resolve(story_of[translated[n]])
        trial = copy.deepcopy(tracker)
        own_story = trial.get(own)
        own_cosine = float(french[n] @ own_story.centroid)
        own_size = own_story.size
        a = trial.add(f"fr{n}", french[n], t, title=h.title_fr, source=h.source, language="fr")
        outcome: Outcome
        if a.created:
            outcome = "missed"
        elif a.story_id == own or own in a.merged:
            outcome = "right"
        else:
            outcome = "wrong"
        joined = "" if a.created else trial.get(a.story_id).label
        probes.append(
            Probe(h.title, h.title_fr, outcome, a.similarity, own_cosine, own_size, joined)
        )
    return probes


def count(probes: Sequence[Probe]) -> dict[str, int]:
    return {o: sum(p.outcome == o for p in probes) for o in ("right", "wrong", "missed")}


def embed(texts: list[str], model: str) -> np.ndarray:
    key = hashlib.sha1("\n".join(texts).encode()).hexdigest()[:16]
    path = CACHE / f"{model}-{key}.npy"
    if path.exists():
        return np.load(path)
    started = time.perf_counter()
    vectors = load_embedder(model).encode(texts)
    print(f"embedded {len(texts)} headlines with {model} in {time.perf_counter() - started:.0f} s")
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def evaluate(headlines: Sequence[Headline], model: str) -> dict[str, float]:
    english = [h.title for h in headlines]
    french = [h.title_fr for h in headlines if h.title_fr]
    vectors = embed(english + french, model)
    params = StoryParams.for_model(model)
    probes = probe_pairs(headlines, vectors[: len(english)], vectors[len(english) :], params)
    counts = count(probes)
    alone = [p for p in probes if p.own_size == 1]
    figures: dict[str, float] = {
        "join": params.join,
        **counts,
        "pairs": len(probes),
        "right_when_original_alone": sum(p.outcome == "right" for p in alone),
        "original_alone": len(alone),
        "median_own_cosine": round(statistics.median(p.own_cosine for p in probes), 3),
        "min_own_cosine": round(min(p.own_cosine for p in probes), 3),
    }
    print(
        f"\n{model} (join {params.join}): {counts['right']}/{len(probes)} right, "
        f"{counts['wrong']} wrong, {counts['missed']} missed"
    )
    print(
        f"  French vs its original's story, cosine: median {figures['median_own_cosine']}, "
        f"min {figures['min_own_cosine']}; original alone in its story: "
        f"{figures['right_when_original_alone']}/{len(alone)} right"
    )
    for p in probes:
        if p.outcome != "right":
            print(f"  {p.outcome:6}  score {p.score:.2f}  own cos {p.own_cosine:.2f}  {p.title_fr}")
            print(f"          original: {p.title}")
            if p.joined:
                print(f"          joined:   {p.joined}")
    return figures


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--model", default=USE_MULTILINGUAL, choices=[USE_MULTILINGUAL, MINILM, AUTO, "both"]
    )
    args = parser.parse_args(argv)
    headlines = load_headlines(args.data)
    if args.model == "both":
        models = [USE_MULTILINGUAL, MINILM]
    else:
        models = [resolve_model(args.model, ["en", "fr"])[0]]
    pairs = sum(1 for h in headlines if h.title_fr)
    print(
        f"{len(headlines)} English headlines, {pairs} with a French version, lag {LAG / 60:.0f} min"
    )
    results = {model: evaluate(headlines, model) for model in models}
    target_met = None
    if USE_MULTILINGUAL in results:
        r = results[USE_MULTILINGUAL]
        target_met = r["right"] >= TARGET_RIGHT * pairs and r["wrong"] <= TARGET_WRONG * pairs
        print(
            f"\ntarget with {USE_MULTILINGUAL} (>= {TARGET_RIGHT * pairs:.0f} right, "
            f"<= {TARGET_WRONG * pairs:.0f} wrong): {'met' if target_met else 'MISSED'}"
        )
    if len(results) > 1:
        print(f"\n{'':20}" + "".join(f"{m:>18}" for m in results))
        for key in ("right", "wrong", "missed", "median_own_cosine", "join"):
            print(f"{key:20}" + "".join(f"{results[m][key]!s:>18}" for m in results))
    print(
        json.dumps(
            {
                "data": str(args.data),
                "headlines": len(headlines),
                "pairs": pairs,
                "lag_minutes": LAG / 60,
                "target_met": target_met,
                "models": results,
            }
        )
    )


if __name__ == "__main__":
    main()
