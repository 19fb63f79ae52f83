"""Cut the demo stream (trendbot/data/demo_news.jsonl.gz) from the news archive.

    .venv/bin/python scripts/make_demo_slice.py [--data ../shared/data/news_archive_2025.jsonl.gz]
        [--start 2025-09-01] [--days 14] [--out trendbot/data/demo_news.jsonl.gz]

Keeps the archive's lines whose `seen_at` falls in [start, start + days), byte for byte and in
their order. The gzip header carries no name and no time, so the same input gives the same file.
The default fortnight is the autumn launch season (a phone maker's September event, a long-awaited
video game, fall films and shows, the NFL's opening weeks) next to the usual politics: the
example brand of feeds.yaml, a coffee chain with consumer and pop-culture themes, finds several
stories there. The fortnight of 2025-10-19, mostly politics and markets, gave it one.
"""

from __future__ import annotations

import argparse
import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "news_archive_2025.jsonl.gz"
DEFAULT_OUT = REPO / "trendbot" / "data" / "demo_news.jsonl.gz"


def cut(lines: list[bytes], start: datetime, end: datetime) -> list[bytes]:
    kept = []
    for line in lines:
        if not line.strip():
            continue
        seen = datetime.fromisoformat(json.loads(line)["seen_at"].replace("Z", "+00:00"))
        if start <= seen < end:
            kept.append(line if line.endswith(b"\n") else line + b"\n")
    return kept


def write(lines: list[bytes], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as raw, gzip.GzipFile("", "wb", 9, raw, mtime=0) as gz:
        gz.writelines(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--start", default="2025-09-01", help="first day (UTC), YYYY-MM-DD")
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    start = datetime.fromisoformat(args.start).replace(tzinfo=UTC)
    end = start + timedelta(days=args.days)
    with gzip.open(args.data, "rb") as f:
        lines = cut(f.readlines(), start, end)
    write(lines, args.out)
    titles = {json.loads(line)["title"] for line in lines}
    print(f"{len(lines)} rows ({len(titles)} distinct headlines)", end=" ")
    print(f"seen from {start:%Y-%m-%d} to {end:%Y-%m-%d} (excluded)")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
