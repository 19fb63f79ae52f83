"""The leads the templates take from Title Case headlines, to read: each Title Case headline of
a month as a story of its own, the month's headlines as the stream (`entities.sentence_case`).

    .venv/bin/python bench/eval_title_case.py [--data ../shared/data/news_archive_2025.jsonl.gz]
        [--month 2025-08 --month 2025-10 --month 2025-12]

Prints every lead with the headline it came from, for a person to mark the wrong capitals (the
README's figure, 7 of 339 on these three months, is such a count), then one JSON line with the
counts: Title Case headlines, those told in sentence case, and leads.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _data import add_data_argument, load_news_archive  # noqa: E402

from trendbot import drafts, entities, leads, pitches  # noqa: E402
from trendbot.settings import BrandSettings, ThemeSettings  # noqa: E402

THEME = ThemeSettings(name="news", description="the news")
BRAND = BrandSettings(name="Reader", language="en", themes=(THEME,))


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_argument(parser, "news_archive_2025.jsonl.gz")
    parser.add_argument("--month", action="append", help="YYYY-MM (default: Aug, Oct, Dec 2025)")
    args = parser.parse_args(argv)
    rows = load_news_archive(args.data)
    counts = {"title_case": 0, "told": 0, "leads": 0}
    for month in args.month or ["2025-08", "2025-10", "2025-12"]:
        titles = list(
            dict.fromkeys(
                r.title
                for r in rows
                if datetime.fromtimestamp(r.seen_at, UTC).strftime("%Y-%m") == month
            )
        )
        usage = entities.Usage.of(titles)
        for title in titles:
            bare = entities.strip_publisher(title)
            if not entities.title_case(entities.headline_tokens(bare)):
                continue
            counts["title_case"] += 1
            story = drafts.PitchInput(
                story_id=1, label=title, titles=(title,), keywords=(), links=(),
                languages=("en",), why_now="", score=0.0, sparkline="", theme=THEME,
                relevance=1.0, theme_evidence="", safety="safe", safety_reason="", usage=usage,
            )  # fmt: skip
            names = pitches.story_names(story, BRAND)
            counts["told"] += bool(entities.sentence_case(bare, usage, names))
            lead = leads.story_lead(story, BRAND, names)
            if lead:
                counts["leads"] += 1
                print(f"{lead}\n    <- {title}")
    print(json.dumps(counts))
    return counts


if __name__ == "__main__":
    main()
