"""Recorded streams as a source: replay what the feeds said, with the recorded times as the clock.

Each recorded format has its own small reader; a file is read with the reader its first record
fits, and every later line must fit the same one (a file may be gzipped):
- news archive (hourly snapshots of a ranked news page): `seen_at`, `rank`, `title`, `source`.
  A headline listed in many snapshots is one item, first seen at its first snapshot; later
  snapshots are sightings of the same item.
- RSS corpus (feeds saved over time): `feed`, `published`, `title`, `link` (`seen_at` and
  `description` optional). The clock is `published`. The publisher is the site of the link, so
  the many topic feeds of one newspaper count as one publisher, as they do for momentum live.
- trendbot's own export (`trendbot export`): one `Item` per line.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from trendbot.errors import FeedError
from trendbot.lang import detect_language
from trendbot.sources.parse import publisher_of
from trendbot.store.base import iso
from trendbot.types import Item

ARCHIVE_FEED = "google-news-archive"


def _open(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class Reader:
    name: str
    fields: frozenset[str]  # the fields every record of this format has
    item: Callable[[dict[str, Any]], Item]

    def fits(self, record: dict[str, Any]) -> bool:
        return self.fields <= record.keys()


def _archive_item(record: dict[str, Any]) -> Item:
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
        rank=int(record["rank"]) if record["rank"] else None,
    )


def _rss_item(record: dict[str, Any]) -> Item:
    published = _time(record["published"] or record.get("seen_at") or "")
    summary = record.get("description") or ""
    return Item(
        feed=f"recorded-{record['feed']}",
        guid=record["link"],
        url=record["link"],
        title=record["title"],
        summary=summary,
        published=published,
        seen=published,
        source=publisher_of(record["link"]) or str(record["feed"]),
        language=detect_language(f"{record['title']}. {summary}"),
    )


def _export_item(record: dict[str, Any]) -> Item:
    fields = dict(record)
    fields["published"] = _time(fields["published"])
    fields["seen"] = _time(fields["seen"])
    fields.pop("id", None)
    return Item(**fields)


READERS = (
    Reader("news archive", frozenset({"seen_at", "rank", "title", "source"}), _archive_item),
    Reader(
        "trendbot export", frozenset({"feed", "guid", "title", "published", "seen"}), _export_item
    ),
    Reader("RSS corpus", frozenset({"feed", "published", "title", "link"}), _rss_item),
)


def reader_for(record: dict[str, Any]) -> Reader:
    for reader in READERS:
        if reader.fits(record):
            return reader
    names = ", ".join(f"{r.name} ({', '.join(sorted(r.fields))})" for r in READERS)
    raise ValueError(f"unknown record: expected one of {names}")


def item_from_record(record: dict[str, Any]) -> Item:
    """One recorded line as an Item, whatever its format."""
    return reader_for(record).item(record)


def read_stream(
    path: str | Path, *, start: datetime | None = None, end: datetime | None = None
) -> list[Item]:
    """The items of a recorded stream in clock order, between `start` and `end` when given."""
    path = Path(path)
    if not path.is_file():
        raise FeedError("no such recorded stream", url=str(path))
    items: list[Item] = []
    reader: Reader | None = None
    with _open(path) as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if reader is None:
                    reader = reader_for(record)
                elif not reader.fits(record):
                    missing = ", ".join(sorted(reader.fields - record.keys()))
                    raise ValueError(f"a {reader.name} record lacks {missing}")
                item = reader.item(record)
            except (ValueError, TypeError, KeyError, AttributeError) as e:
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
    for item in store.stored_items(since=since):
        record = {
            "feed": item.feed,
            "guid": item.guid,
            "url": item.url,
            "title": item.title,
            "summary": item.summary,
            "published": iso(item.published),
            "seen": iso(item.seen),
            "kind": item.kind,
            "language": item.language,
            "author": item.author,
            "source": item.source,
            "extra": item.extra,
        }
        stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count
