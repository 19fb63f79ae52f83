"""How well StoryTracker groups a headline stream into stories, measured on public data.

    .venv/bin/python bench/eval_stories.py --data ../shared/data/mstream_news_t.jsonl --model both
    .venv/bin/python bench/eval_stories.py --data ../shared/data/news_archive_2025.jsonl.gz

Two input formats, told apart by their fields:
- labelled streams (`id`, `story`, `text`; MStream's News / News-T): headlines go in file order,
  one at a time, and the stories found are scored against the gold `story` with NMI and B-cubed.
  These files carry no times: item i is given the time i * 60 s (one a minute), which only
  matters through the tracker's live window (48 h = 2,880 items).
- Google News snapshots (`seen_at`, `title`, `source`): each distinct title once, at its first
  `seen_at`; no gold, so the script prints the stories that gathered the most publishers for a
  person to check that one event from several publishers landed in one story.

Embeddings are computed first, in batches (encoding speed is reported on its own); the tracker
then sees the items one at a time. `--cache DIR` keeps the embeddings between runs. The last line
printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _data

from trendbot.embed import AUTO, MINILM, USE_MULTILINGUAL, load_embedder, resolve_model
from trendbot.stories import StoryParams, StoryTracker, bcubed, nmi

STEP = 60.0  # seconds between two items of a stream without times
PUBLISHED = "published NMI on News-T: MStreamF 0.873, MStream 0.850; on News: MStream 0.834"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    _data.add_data_argument(parser, "mstream_news_t.jsonl")
    parser.add_argument("--model", default="both", help="minilm, use-multilingual, auto or both")
    parser.add_argument("--limit", type=int, default=0, help="only the first N items")
    parser.add_argument("--cache", type=Path, help="directory to keep embeddings between runs")
    parser.add_argument("--show", type=int, default=8, help="stories to print (snapshot files)")
    args = parser.parse_args()

    kind = _format(args.data)
    if kind == "stream":
        rows = _data.load_mstream(args.data)
        texts = [r.text for r in rows]
    else:
        archive = _distinct_titles(_data.load_news_archive(args.data))
        texts = [r.title for r in archive]
    if args.limit:
        texts = texts[: args.limit]
    models = _models(args.model)
    print(f"{args.data.name}: {len(texts)} items, models {', '.join(models)}")

    results: dict[str, dict[str, Any]] = {}
    for model in models:
        vectors, encode_rate, cached = _embed(model, texts, args.cache)
        if kind == "stream":
            gold = [r.story for r in rows[: len(texts)]]
            times = [i * STEP for i in range(len(texts))]
            labels, rate, tracker = _track(model, vectors, texts, times)
            results[model] = _score(gold, labels)
        else:
            times = [r.seen_at for r in archive[: len(texts)]]
            sources = [r.source for r in archive[: len(texts)]]
            labels, rate, tracker = _track(model, vectors, texts, times, sources)
            results[model] = _spot_check(tracker, labels, texts, sources, args.show)
        results[model]["tracker_items_per_s"] = rate["wall"]
        results[model]["tracker_items_per_cpu_s"] = rate["cpu"]
        results[model]["encode_items_per_s"] = round(encode_rate, 1)
        results[model]["encode_rate_from_cache"] = cached
        results[model]["join"] = tracker.params.join
        _print(model, results[model], kind)

    if kind == "stream":
        print(PUBLISHED)
    summary = {
        "bench": "eval_stories",
        "data": args.data.name,
        "format": kind,
        "items": len(texts),
        "seconds_between_items": STEP if kind == "stream" else None,
        "models": results,
    }
    print(json.dumps(summary, sort_keys=True))


def _format(path: Path) -> str:
    with _data._open(path) as f:
        first = json.loads(f.readline())
    if {"story", "text"} <= first.keys():
        return "stream"
    if {"seen_at", "title"} <= first.keys():
        return "snapshots"
    raise SystemExit(f"{path}: neither a labelled stream (story, text) nor snapshots (seen_at)")


def _distinct_titles(rows: list[_data.ArchiveRow]) -> list[_data.ArchiveRow]:
    """Each title once, at its first sighting, in time order."""
    first: dict[str, _data.ArchiveRow] = {}
    for row in sorted(rows, key=lambda r: r.seen_at):
        first.setdefault(row.title, row)
    return list(first.values())


def _models(choice: str) -> list[str]:
    if choice == "both":
        return [MINILM, USE_MULTILINGUAL]
    if choice == AUTO:
        return [resolve_model(AUTO, ["en"])[0]]  # both public files are English
    return [choice]


def _embed(model: str, texts: list[str], cache: Path | None) -> tuple[np.ndarray, float, bool]:
    """Unit vectors, the encoder's items/s, and whether both came from the cache (the rate
    then is the one measured when the cache was written)."""
    key = hashlib.sha1("\n".join([model, *texts]).encode()).hexdigest()[:16]
    if cache:
        vectors_file, meta_file = cache / f"{model}-{key}.npy", cache / f"{model}-{key}.json"
        if vectors_file.exists() and meta_file.exists():
            return np.load(vectors_file), json.loads(meta_file.read_text())["rate"], True
    embedder = load_embedder(model)
    started = time.perf_counter()
    vectors = embedder.encode(texts)
    rate = len(texts) / (time.perf_counter() - started)
    if cache:
        cache.mkdir(parents=True, exist_ok=True)
        np.save(vectors_file, vectors)
        meta_file.write_text(json.dumps({"rate": rate}))
    return vectors, rate, False


def _track(
    model: str,
    vectors: np.ndarray,
    texts: list[str],
    times: list[float],
    sources: list[str] | None = None,
) -> tuple[list[int], dict[str, int], StoryTracker]:
    """Feed items one at a time: each item's final story (after merges), items/s, the tracker.

    Items/s per wall-clock second and per CPU second of this process: on a shared machine the
    second one says more about the code.
    """
    tracker = StoryTracker(StoryParams.for_model(model), vectors.shape[1])
    assigned = []
    started, cpu = time.perf_counter(), time.process_time()
    for i, (vector, text, t) in enumerate(zip(vectors, texts, times, strict=True)):
        source = sources[i] if sources else None
        assigned.append(tracker.add(str(i), vector, t, title=text, source=source).story_id)
    rate = len(texts) / (time.perf_counter() - started)
    cpu_rate = len(texts) / max(time.process_time() - cpu, 1e-9)
    merged_into = {}
    for story_id in tracker.changed():
        target = tracker.get(story_id).merged_into
        if target is not None:
            merged_into[story_id] = target

    def final(story_id: int) -> int:
        while story_id in merged_into:
            story_id = merged_into[story_id]
        return story_id

    return [final(s) for s in assigned], {"wall": round(rate), "cpu": round(cpu_rate)}, tracker


def _score(gold: list[int], labels: list[int]) -> dict[str, Any]:
    precision, recall, f1 = bcubed(gold, labels)
    return {
        "nmi": round(nmi(gold, labels), 4),
        "nmi_arithmetic": round(nmi(gold, labels, average="arithmetic"), 4),
        "bcubed_precision": round(precision, 4),
        "bcubed_recall": round(recall, 4),
        "bcubed_f1": round(f1, 4),
        "stories_found": len(set(labels)),
        "stories_gold": len(set(gold)),
    }


def _spot_check(
    tracker: StoryTracker, labels: list[int], texts: list[str], sources: list[str], show: int
) -> dict[str, Any]:
    """Print stories for a person to judge; return counts that need no gold."""
    members: dict[int, list[int]] = {}
    for i, story_id in enumerate(labels):
        members.setdefault(story_id, []).append(i)
    publishers = {s: {sources[i] for i in items} for s, items in members.items()}
    span = {s: tracker.get(s).last_seen - tracker.get(s).first_seen for s in members}
    by_publishers = sorted(members, key=lambda s: (-len(publishers[s]), -len(members[s]), s))
    # Event-sized: 3+ publishers within two days; every n-th of them, so the sample is spread.
    events = [s for s in sorted(members) if len(publishers[s]) >= 3 and span[s] <= 48 * 3600]
    sample = events[:: max(1, len(events) // show)][:show] if events else []
    for title, chosen in (
        ("stories with the most publishers", by_publishers[:show]),
        ("event-sized stories (3+ publishers within 48 h), spread over the file", sample),
    ):
        print(f"  {title} (label; then titles from other publishers):")
        for story_id in chosen:
            story = tracker.get(story_id)
            print(
                f"  - [{len(publishers[story_id])} publishers, {len(members[story_id])} titles,"
                f" {span[story_id] / 3600:.0f} h] {story.label}"
            )
            shown_sources = {sources[i] for i in members[story_id] if texts[i] == story.label}
            for i in members[story_id]:
                if sources[i] not in shown_sources and len(shown_sources) < 4:
                    shown_sources.add(sources[i])
                    print(f"      {sources[i]}: {texts[i]}")
    sizes = Counter(len(items) for items in members.values())
    week = 7 * 24 * 3600
    return {
        "stories_found": len(members),
        "singleton_stories": sizes[1],
        "stories_with_3_publishers_or_more": sum(len(p) >= 3 for p in publishers.values()),
        "largest_story_titles": max(sizes),
        "share_of_titles_in_stories_over_7_days": round(
            sum(len(members[s]) for s in members if span[s] > week) / len(labels), 3
        ),
    }


def _print(model: str, figures: dict[str, Any], kind: str) -> None:
    if kind == "stream":
        print(
            f"{model:>16}: NMI {figures['nmi']:.4f} (arithmetic {figures['nmi_arithmetic']:.4f})"
            f"  B-cubed P {figures['bcubed_precision']:.3f} R {figures['bcubed_recall']:.3f}"
            f" F1 {figures['bcubed_f1']:.3f}  stories {figures['stories_found']}"
            f" (gold {figures['stories_gold']})"
        )
    else:
        print(
            f"{model:>16}: stories {figures['stories_found']}"
            f" ({figures['singleton_stories']} of one title,"
            f" {figures['stories_with_3_publishers_or_more']} with 3+ publishers;"
            f" largest {figures['largest_story_titles']} titles;"
            f" {figures['share_of_titles_in_stories_over_7_days']:.0%} of titles in stories"
            " spanning over 7 days)"
        )
    print(
        f"{'':>16}  tracker {figures['tracker_items_per_s']} items/s"
        f" ({figures['tracker_items_per_cpu_s']} per CPU second),"
        f" encoder {figures['encode_items_per_s']:.0f} items/s"
        f"{' (cached run)' if figures['encode_rate_from_cache'] else ''}, join {figures['join']}"
    )


if __name__ == "__main__":
    main()
