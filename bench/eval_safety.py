"""What does the brand-safety filter do to real headlines?

    .venv/bin/python bench/eval_safety.py --data ../shared/data/news_archive_2025.jsonl.gz

Takes a fixed sample of distinct headlines (first sightings, spread evenly over the file's time
span), checks them with the built-in rules only (no brand rules), and reports how many are
blocked / caution / safe, how many were decided by a word and how many by meaning, and prints
20 blocked ones with their reasons (and a few of the others) so a person can judge. The labelled
check lives in tests/test_safety.py; this one shows the filter at work on unlabelled news.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import add_data_argument, load_news_archive

from trendbot.calibration import for_model
from trendbot.embed import load_embedder, resolve_model
from trendbot.safety import SafetyFilter, SafetyRules, Verdict
from trendbot.topics import load as load_topics


def sample_titles(path: Path, n: int) -> list[str]:
    rows = sorted(load_news_archive(path), key=lambda r: (r.seen_at, r.rank))
    titles = list(dict.fromkeys(r.title for r in rows))
    picks = np.linspace(0, len(titles) - 1, num=min(n, len(titles))).round().astype(int)
    return [titles[i] for i in dict.fromkeys(picks.tolist())]


def decided_by(verdict: Verdict) -> str:
    if verdict.level == "safe":
        return "-"
    quoted = f"{verdict.evidence!r}" if verdict.evidence else ""
    return "word" if quoted and f"{quoted} in " in verdict.reason else "meaning"


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_argument(parser, "news_archive_2025.jsonl.gz")
    parser.add_argument("--model", default="auto", help="auto (English: minilm) | use-multilingual")
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--language", default="en", help="the headlines' language, for auto")
    args = parser.parse_args(argv)

    model, why = resolve_model(args.model, [args.language])
    titles = sample_titles(args.data, args.sample)
    cal = for_model(model)
    print(f"{args.data.name}: {len(titles)} distinct headlines, model {model} ({why})")
    print(f"thresholds: blocked at cosine {cal.safety_block}, caution at {cal.safety_caution}")

    embedder = load_embedder(model)
    started = time.perf_counter()
    vectors = embedder.encode(titles)
    # as the product builds it: the built-in charter with the topic model (trendbot/topics.py)
    topic_model = load_topics(model, embedder.encode)
    safety = SafetyFilter(SafetyRules(), embedder.encode, model=model, topics=topic_model)
    verdicts = safety.check(titles, vectors)
    rate = len(titles) / (time.perf_counter() - started)

    levels = Counter(v.level for v in verdicts)
    by = Counter((v.level, decided_by(v)) for v in verdicts)
    categories = Counter(v.category for v in verdicts if v.level == "blocked")
    for level in ("blocked", "caution", "safe"):
        how = ", ".join(f"{by[(level, d)]} by {d}" for d in ("word", "meaning") if by[(level, d)])
        print(f"{level:8} {levels[level]:4}  {how}")
    print("blocked by category: " + ", ".join(f"{c} {n}" for c, n in categories.most_common()))

    def show(level: str, count: int) -> None:
        chosen = [(t, v) for t, v in zip(titles, verdicts, strict=True) if v.level == level]
        step = max(1, len(chosen) // count)
        print(f"\n{min(count, len(chosen))} of the {len(chosen)} {level}:")
        for title, verdict in chosen[::step][:count]:
            print(f"  {title[:90]}\n      -> {verdict.reason or 'no rule matched'}"[:300])

    show("blocked", 20)
    show("caution", 10)
    show("safe", 10)
    print(f"\ncheck rate (encode + check): {rate:.0f} headlines/s")

    result = {
        "bench": "safety",
        "data": args.data.name,
        "model": model,
        "headlines": len(titles),
        "blocked": levels["blocked"],
        "caution": levels["caution"],
        "safe": levels["safe"],
        "blocked_by_word": by[("blocked", "word")],
        "blocked_by_meaning": by[("blocked", "meaning")],
        "safety_block": cal.safety_block,
        "safety_caution": cal.safety_caution,
        "rate": round(rate, 1),
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
