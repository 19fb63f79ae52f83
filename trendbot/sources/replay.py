"""Recorded streams as a source: replay what the feeds said, with the recorded times as the clock.

Formats, told apart line by line (a file may be gzipped):
- news archive (Google News snapshots): `seen_at`, `rank`, `title`, `source`. A headline listed
  in many hourly snapshots is one item, first seen at its first snapshot; later snapshots are
  sightings of the same item.
- Le Monde RSS corpus: `feed`, `seen_at`, `published`, `title`, `description`, `link`. The clock
  is `published`; the topic feed is both the feed and the source.
- trendbot's own export (`trendbot export`): one `Item` per line.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from trendbot.errors import FeedError
from trendbot.types import Item

ARCHIVE_FEED = "google-news-archive"


def _open(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def item_from_record(record: dict[str, Any]) -> Item:
    """One recorded line as an Item, whatever its format."""
    if {"seen_at", "rank", "title", "source"} <= record.keys():
        seen = _time(record["seen_at"])
        return Item(
            feed=ARCHIVE_FEED,
            guid=f"{record['source']}\n{record['title']}",
            url="",
            title=record["title"],
            summary="",
            published=seen,
            seen=seen,
            source=record["source"],
            language="en",
        )
    if {"feed", "published", "title", "link"} <= record.keys():
        published = _time(record["published"] or record["seen_at"])
        return Item(
            feed=f"lemonde-{record['feed']}",
            guid=record["link"],
            url=record["link"],
            title=record["title"],
            summary=record.get("description") or "",
            published=published,
            seen=published,
            source=record["feed"],  # the topic feed (une, sport, ...) is the source
            language="fr",
        )
    if {"feed", "guid", "title", "published", "seen"} <= record.keys():
        fields = dict(record)
        fields["published"] = _time(fields["published"])
        fields["seen"] = _time(fields["seen"])
        fields.pop("id", None)
        return Item(**fields)
    raise ValueError("unknown record: expected the news archive, Le Monde or trendbot format")


def read_stream(
    path: str | Path, *, start: datetime | None = None, end: datetime | None = None
) -> list[Item]:
    """The items of a recorded stream in clock order, between `start` and `end` when given."""
    path = Path(path)
    if not path.is_file():
        raise FeedError("no such recorded stream", url=str(path))
    items: list[Item] = []
    with _open(path) as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                item = item_from_record(json.loads(line))
            except (ValueError, TypeError, KeyError) as e:
                raise FeedError(
                    f"line {number}: not a recorded item ({e})", url=str(path)
                ) from None
            if (start is None or item.seen >= start) and (end is None or item.seen < end):
                items.append(item)
    items.sort(key=lambda i: i.seen)
    return items


def batches(items: Iterable[Item], every: timedelta) -> Iterator[tuple[datetime, list[Item]]]:
    """Items (in clock order) grouped by arrival, at most `every` of recorded time a group, each
    with the clock of its last item: when a poller would have had them all."""
    batch: list[Item] = []
    for item in items:
        if batch and item.seen >= batch[0].seen + every:
            yield batch[-1].seen, batch
            batch = []
        batch.append(item)
    if batch:
        yield batch[-1].seen, batch


def export_items(store: Any, stream: IO[str], *, since: datetime | None = None) -> int:
    """Write the store's items as trendbot's own format, oldest first: one JSON object a line."""
    count = 0
    where = "WHERE first_seen >= ?" if since else ""
    params = [since.isoformat(timespec="seconds")] if since else []
    for row in store.query(f"SELECT * FROM items {where} ORDER BY first_seen, rowid", params):
        record = {
            "feed": row["feed"],
            "guid": row["guid"] or "",
            "url": row["url"] or "",
            "title": row["title"],
            "summary": row["summary"],
            "published": row["published"],
            "seen": row["first_seen"],
            "kind": row["kind"],
            "language": row["language"],
            "author": row["author"],
            "source": row["source"],
            "extra": json.loads(row["extra"]),
        }
        stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count
