"""Feed lists exported as OPML (Feedly, Inoreader, most readers) -> `OpmlFeed`s."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from trendbot.errors import ConfigError
from trendbot.lang import base_language


@dataclass(frozen=True)
class OpmlFeed:
    name: str
    url: str
    tags: tuple[str, ...] = ()  # the folders it sits in, outermost first, then its categories
    language: str | None = None


def read_opml(source: str | os.PathLike[str] | bytes) -> list[OpmlFeed]:
    """The feeds of an OPML file (a path, or its bytes), in document order.

    A feed filed in several folders comes once, with the tags of all of them."""
    if isinstance(source, bytes):
        name, content = "OPML", source
    else:
        name = str(source)
        try:
            content = Path(source).read_bytes()
        except OSError as e:
            raise ConfigError(f"cannot read the OPML file ({e.strerror})", file=name) from e
    try:
        root = ET.fromstring(content)  # expat >= 2.4 refuses entity-expansion bombs
    except ET.ParseError as e:
        line, column = e.position
        raise ConfigError(
            f"not valid XML (line {line}, column {column + 1}): export the OPML file again",
            file=name,
        ) from e
    if root.tag.lower() != "opml":
        raise ConfigError(f"not an OPML file (it starts with <{root.tag}>, not <opml>)", file=name)
    body = root.find("body")
    if body is None:
        raise ConfigError("the OPML file has no <body>: export it again", file=name)

    feeds: dict[str, OpmlFeed] = {}
    _walk(body, (), feeds)
    if not feeds:
        raise ConfigError("no feeds in the OPML file (no outline has an xmlUrl)", file=name)
    return list(feeds.values())


def _walk(parent: ET.Element, folders: tuple[str, ...], feeds: dict[str, OpmlFeed]) -> None:
    for outline in parent.findall("outline"):
        title = (outline.get("title") or outline.get("text") or "").strip()
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if not url:
            _walk(outline, (*folders, title) if title else folders, feeds)
            continue
        # OPML 2.0 categories: "/News/World,/Tech" (Inoreader writes tags this way)
        categories = (
            c.strip("/ ").rsplit("/", 1)[-1] for c in outline.get("category", "").split(",")
        )
        tags = _unique((*folders, *(c for c in categories if c)))
        language = base_language(outline.get("language"))
        if url in feeds:
            known = feeds[url]
            feeds[url] = OpmlFeed(known.name, url, _unique((*known.tags, *tags)), known.language)
        else:
            feeds[url] = OpmlFeed(name=title or url, url=url, tags=tags, language=language)


def _unique(tags: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(tags))
