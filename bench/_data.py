"""Small loaders for the public datasets the bench scripts read (see ../shared/data/README.md).

Every loader takes a path and returns plain rows, in file order, so scripts stay short and can run
on any other file in the same format. Stable on purpose: several bench scripts import it.

- `load_mstream(path)`      MStream jsonl (`id`, `story`, `text`)         -> list[StreamRow]
- `load_news_archive(path)` Google News snapshots jsonl.gz                 -> list[ArchiveRow]
- `load_labelled_csv(path)` AG-News-style CSV (`label`, `title`, `description`) -> list[LabelledRow]
- `load_lemonde(path)`      Le Monde RSS jsonl.gz                          -> list[LemondeRow]
- `epoch(iso)`              ISO 8601 time (with `Z` or an offset) -> float epoch seconds
- `default_data_dir()`      ../shared/data relative to the repository
- `add_data_argument(parser, default_name)`  the common `--data` option

Files ending in `.gz` are read through gzip whatever the loader.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO


@dataclass(frozen=True)
class StreamRow:
    id: str
    story: int
    text: str


@dataclass(frozen=True)
class ArchiveRow:
    seen_at: float  # epoch seconds (UTC)
    rank: int
    title: str
    source: str


@dataclass(frozen=True)
class LabelledRow:
    label: str
    title: str
    description: str


@dataclass(frozen=True)
class LemondeRow:
    feed: str
    seen_at: float  # epoch seconds
    published: float | None  # epoch seconds, None when the feed gave no date
    title: str
    description: str
    link: str


def default_data_dir() -> Path:
    """`../shared/data` next to the repository (bench scripts run from the repository root)."""
    return Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def add_data_argument(parser: argparse.ArgumentParser, default_name: str) -> None:
    parser.add_argument(
        "--data",
        type=Path,
        default=default_data_dir() / default_name,
        help=f"input file (default: ../shared/data/{default_name})",
    )


def epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def _open(path: str | Path) -> IO[str]:
    path = Path(path)
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8", newline="")


def _json_lines(path: str | Path) -> Iterator[dict]:
    with _open(path) as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def load_mstream(path: str | Path) -> list[StreamRow]:
    return [StreamRow(str(r["id"]), int(r["story"]), str(r["text"])) for r in _json_lines(path)]


def load_news_archive(path: str | Path) -> list[ArchiveRow]:
    return [
        ArchiveRow(epoch(r["seen_at"]), int(r.get("rank") or 0), r["title"], r.get("source") or "")
        for r in _json_lines(path)
    ]


def load_labelled_csv(path: str | Path) -> list[LabelledRow]:
    with _open(path) as f:
        return [
            LabelledRow(r["label"], r["title"], r.get("description") or "")
            for r in csv.DictReader(f)
        ]


def load_lemonde(path: str | Path) -> list[LemondeRow]:
    return [
        LemondeRow(
            feed=r["feed"],
            seen_at=epoch(r["seen_at"]),
            published=epoch(r["published"]) if r.get("published") else None,
            title=r["title"],
            description=r.get("description") or "",
            link=r.get("link") or "",
        )
        for r in _json_lines(path)
    ]
