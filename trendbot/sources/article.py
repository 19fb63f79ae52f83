"""One web page as an item: the "Pitch this" shortcut shares an article, not a feed.

The page is fetched by the feeds' Fetcher (same address, size and redirect guards); its title,
description, site and language come from the tags publishers fill for link previews (Open Graph,
`<meta name="description">`, `<html lang>`), the `<title>` when those are missing.
"""

from __future__ import annotations

import re
from datetime import datetime
from html.parser import HTMLParser

from trendbot.errors import FetchError
from trendbot.lang import base_language, detect_language
from trendbot.sources.parse import canonical_url, plain_text, publisher_of, shorten
from trendbot.types import Item

SHARED_FEED = "shared-links"  # the feed an article shared in Slack is filed under
# Slack writes links as <https://…|label> or <https://…>; a pasted bare URL is rare but legal.
_SLACK_LINK = re.compile(r"<(https?://[^|>\s]+)(?:\|[^>]*)?>|(https?://[^\s<>]+)")


def links_in(text: str) -> list[str]:
    """The http(s) links of a Slack message's text, in order, without duplicates."""
    found = (a or b for a, b in _SLACK_LINK.findall(text or ""))
    return list(dict.fromkeys(link.rstrip(".,;)") for link in found))


class _Head(HTMLParser):
    """The few tags of a page's head that say what it is; stops caring after <body> starts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.lang = ""
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "html":
            self.lang = values.get("lang", "")
        elif tag == "title":
            self._in_title = True
        elif tag == "meta":
            key = (values.get("property") or values.get("name") or "").lower()
            if key and values.get("content") and key not in self.meta:
                self.meta[key] = values["content"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def _decode(content: bytes, content_type: str | None) -> str:
    charset = re.search(r"charset=([\w-]+)", content_type or "", re.I)
    sniffed = re.search(rb"<meta[^>]+charset=[\"']?([\w-]+)", content[:2048], re.I)
    for name in (charset and charset.group(1), sniffed and sniffed.group(1).decode(), "utf-8"):
        if name:
            try:
                return content.decode(name)
            except (LookupError, UnicodeDecodeError):
                continue
    return content.decode("utf-8", errors="replace")


def article_item(
    url: str, content: bytes, *, content_type: str | None = None, seen: datetime
) -> Item:
    """The page at `url` as an Item; FetchError when it says nothing a story could use."""
    if content_type and not re.search(r"html|xml", content_type, re.I):
        raise FetchError(f"not a web page ({content_type}): share the article's link", url=url)
    head = _Head()
    head.feed(_decode(content, content_type)[:500_000])  # the head is near the top
    meta = head.meta
    title = plain_text(meta.get("og:title") or meta.get("twitter:title") or head.title)
    if not title:
        raise FetchError("the page has no title: is it an article?", url=url)
    summary = plain_text(
        meta.get("og:description") or meta.get("description") or meta.get("twitter:description", "")
    )
    published = seen
    if meta.get("article:published_time"):
        try:
            stamp = datetime.fromisoformat(meta["article:published_time"].replace("Z", "+00:00"))
            published = stamp if stamp.tzinfo else published
        except ValueError:
            pass
    language = base_language(head.lang) or detect_language(f"{title}. {summary}")
    address = canonical_url(meta.get("og:url") or url)
    return Item(
        feed=SHARED_FEED,
        guid=address,
        url=address,
        title=shorten(title, 300),
        summary=shorten(summary),
        published=min(published, seen),
        seen=seen,
        source=plain_text(meta.get("og:site_name", "")) or publisher_of(address),
        language=language,
    )
