"""Feed documents -> `FeedInfo` with normalised `Item`s (feedparser; pure, no I/O).

Reads RSS 0.9x / 1.0 / 2.0 and Atom, including broken ("bozo") feeds feedparser can recover,
Google News RSS (publisher in `<source>`) and Google Trends "Trending now" RSS (`ht:` namespace).
Anything that is not a feed raises `ParseError` with one line saying what the address really is.
"""

from __future__ import annotations

import calendar
import html
import io
import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, quote_plus, unquote_plus, urljoin, urlsplit, urlunsplit

import feedparser

from trendbot.errors import ParseError
from trendbot.lang import base_language, detect_language
from trendbot.types import FeedInfo, FeedKind, Item

SUMMARY_CHARS = 1000
MAX_SKEW = timedelta(minutes=5)  # publisher clocks run a little fast; beyond this, a date is wrong
TRENDS_NAMESPACES = (
    "https://trends.google.com/trending/rss",
    "https://trends.google.com/trends/trendingsearches/daily",
)
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "twclid",
        "mc_cid", "mc_eid", "ocid", "cmpid", "xtor", "xtref", "_ga", "_gl", "smid", "ito",
    }
)  # fmt: skip
# utm_* (Google Analytics), at_* (AT Internet: Le Monde's at_medium, at_campaign), pk_/mtm_ (Matomo)
TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_")
# Google News adds `oc=5` to every article link; it says nothing about the article.
HOST_TRACKING_PARAMS = {"news.google.com": frozenset({"oc"})}
DEFAULT_PORTS = {"http": ":80", "https": ":443"}


# -- URLs and titles ------------------------------------------------------------------------------


def canonical_url(url: str) -> str:
    """The form of `url` used to spot the same article twice.

    Lowercases scheme and host, drops the default port, the fragment and tracking parameters
    (utm_*, fbclid, gclid, xtor, at_medium ...), keeps every other parameter in its order and
    spelling. Anything that is not an absolute http(s) URL comes back stripped but unchanged.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.netloc:
        return url
    userinfo, at, hostport = parts.netloc.rpartition("@")
    hostport = hostport.lower()
    hostport = hostport.removesuffix(DEFAULT_PORTS[scheme])
    host = hostport.rsplit(":", 1)[0] if not hostport.endswith("]") else hostport
    dropped = HOST_TRACKING_PARAMS.get(host, frozenset())
    kept = [p for p in parts.query.split("&") if p and not _is_tracking(p, dropped)]
    return urlunsplit((scheme, userinfo + at + hostport, parts.path or "/", "&".join(kept), ""))


# Prefixes that name a service of a site, not another publisher: rss.example.com is example.com.
_SERVICE_HOSTS = ("www.", "rss.", "feeds.", "feed.", "m.", "mobile.", "amp.")


def publisher_of(url: str) -> str:
    """The site behind `url` (`https://www.lemonde.fr/sport/rss_full.xml` -> `lemonde.fr`), or
    "" when it is not an http(s) URL: the many topic feeds of one newspaper are one publisher."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    host = (parts.hostname or "") if parts.scheme.lower() in DEFAULT_PORTS else ""
    while host.startswith(_SERVICE_HOSTS) and host.count(".") > 1:
        host = host.split(".", 1)[1]
    return host


def _is_tracking(param: str, dropped: frozenset[str]) -> bool:
    name = unquote_plus(param.split("=", 1)[0]).lower()
    return name in TRACKING_PARAMS or name in dropped or name.startswith(TRACKING_PREFIXES)


def normalise_title(title: str) -> str:
    """A headline reduced to compare it with another: casefolded, accents and punctuation removed,
    whitespace collapsed (`"Élection : Macron réélu !"` -> `"election macron reelu"`)."""
    text = unicodedata.normalize("NFKD", title.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


# a web address's part that names no publisher: "news.yahoo.com", "edition.cnn.com", the "com"
# of "news.com.au"
_SUBDOMAINS_WORDS = "www m amp mobile news edition en eu uk us com co org net go"
_SUBDOMAINS = frozenset(_SUBDOMAINS_WORDS.split())


def publisher_key(source: str) -> str:
    """A publisher's name reduced to compare it: the name and the web address an aggregator
    gives for one publisher agree ("Axios" and "axios.com", "ABC News" and "abcnews.go.com",
    "Bloomberg.com", "news.yahoo.com" and "Yahoo"). 104 headlines of the autumn's Google News
    archive came twice, once under each."""
    name = re.sub(r"^[a-z]+://", "", source.strip().casefold())
    if "." in name and not re.search(r"\s", name):  # a web address
        labels = name.split("/")[0].split(".")[:-1] or [name]
        name = next((part for part in labels if part not in _SUBDOMAINS), labels[0])
    return re.sub(r"[\W_]+", "", name)


# -- text -----------------------------------------------------------------------------------------


class _TextExtractor(HTMLParser):
    BLOCKS = frozenset(
        {
            "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt",
            "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
            "li", "main", "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
        }
    )  # fmt: skip
    SKIP = frozenset({"script", "style", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.links: list[tuple[str, str, str]] = []  # (rel, type, href) of <link> tags

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append(" ")
        elif tag == "link":
            a = {k: v or "" for k, v in attrs}
            self.links.append(
                (a.get("rel", "").lower(), a.get("type", "").lower(), a.get("href", ""))
            )

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def plain_text(text: str, *, is_html: bool = True) -> str:
    """`text` without tags, with entities decoded and whitespace collapsed to single spaces."""
    if is_html and "<" in text:
        extractor = _TextExtractor()
        extractor.feed(text)
        extractor.close()
        text = "".join(extractor.parts)
    else:
        # feeds often escape twice (`&amp;eacute;` in CDATA): decode what is left
        text = html.unescape(text)
    return " ".join(text.split())


def shorten(text: str, limit: int = SUMMARY_CHARS) -> str:
    """`text` cut at the last word boundary before `limit` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-–—") + "…"


def _detail_text(entry: Any, key: str) -> str:
    value = entry.get(key) or ""
    detail = entry.get(f"{key}_detail") or {}
    return plain_text(value, is_html="html" in (detail.get("type") or "text/html"))


# -- Google Trends --------------------------------------------------------------------------------

_MULTIPLIERS = {
    "k": 1e3, "mil": 1e3, "tis": 1e3, "tys": 1e3, "тыс": 1e3, "b": 1e9, "mrd": 1e9, "md": 1e9,
    "m": 1e6, "mi": 1e6, "mio": 1e6, "mln": 1e6, "млн": 1e6, "lakh": 1e5, "lac": 1e5,
    "千": 1e3, "천": 1e3, "万": 1e4, "만": 1e4, "萬": 1e4, "億": 1e8, "亿": 1e8, "억": 1e8,
}  # fmt: skip
_TRAFFIC = re.compile(r"^([\d.,\s\u00a0\u202f]*\d)\s*([^\d\s+]*)\s*\+?$")


def parse_traffic(raw: str) -> int | None:
    """Google Trends' approximate traffic as a number: `200,000+` -> 200000, `10 k+` -> 10000,
    `1천+` -> 1000, `2 Mio.+` -> 2000000. None when the wording is not one we know."""
    match = _TRAFFIC.match(raw.strip())
    if not match:
        return None
    number, unit = match.group(1), match.group(2).strip(".").lower()
    number = re.sub(r"[\s\u00a0\u202f]", "", number)
    if unit not in _MULTIPLIERS and unit:
        return None
    multiplier = _MULTIPLIERS.get(unit, 1.0)
    # `1,5 M` / `1.5 M` are decimals; `200,000` / `200.000` are thousands separators
    decimal = re.fullmatch(r"(\d+)[.,](\d{1,2})", number)
    if decimal and multiplier > 1:
        value = float(f"{decimal.group(1)}.{decimal.group(2)}")
    else:
        digits = re.sub(r"[.,]", "", number)
        if not digits.isdigit():
            return None
        value = float(digits)
    return round(value * multiplier)


NEWS_FIELDS = ("title", "snippet", "url", "source", "picture")


def _trends_namespace(parsed: Any) -> tuple[str, str] | None:
    """(namespace URI, prefix feedparser uses for it) when this is a Google Trends feed."""
    for prefix, uri in (parsed.get("namespaces") or {}).items():
        if uri.rstrip("/") in TRENDS_NAMESPACES:
            return uri, prefix
    return None


def _trends_news(content: bytes, namespace: str) -> list[list[dict[str, str | None]]] | None:
    """The `ht:news_item` blocks of each <item>; feedparser flattens them and keeps only the last.

    None when the document is not well-formed XML (feedparser recovered it; we cannot)."""
    try:
        root = ET.fromstring(content)  # expat >= 2.4 refuses entity-expansion bombs
    except ET.ParseError:
        return None
    ns = "{" + namespace + "}"
    result = []
    for item in root.iter("item"):
        news = []
        for block in item.iter(ns + "news_item"):
            fields = {
                name: plain_text(block.findtext(ns + "news_item_" + name) or "") or None
                for name in NEWS_FIELDS
            }
            news.append(fields)
        result.append(news)
    return result


def _trends_extra(
    entry: Any, prefix: str, news: list[dict[str, str | None]] | None
) -> dict[str, Any]:
    def get(name: str) -> str | None:
        return plain_text(entry.get(f"{prefix}_{name}") or "") or None

    if news is None:  # fall back on the one news item feedparser kept
        one = {name: get("news_item_" + name) for name in NEWS_FIELDS}
        news = [one] if one["title"] else []
    for item in news:
        item["url"] = canonical_url(item["url"]) if item["url"] else None
    raw = get("approx_traffic")
    return {
        "traffic": parse_traffic(raw) if raw else None,
        "traffic_raw": raw,
        "picture": get("picture"),
        "picture_source": get("picture_source"),
        "news": news,
    }


def _geo(*urls: str) -> str | None:
    for url in urls:
        values = parse_qs(urlsplit(url).query).get("geo")
        if values and values[0]:
            return values[0].upper()
    return None


def trends_url(term: str, geo: str | None) -> str:
    """Where a marketer can look at a search term: one address per term (and country), so that
    every trending item has its own id (the feed gives all of them the same <link>)."""
    url = "https://trends.google.com/trends/explore?q=" + quote_plus(term)
    return url + f"&geo={geo}" if geo else url


# -- the feed -------------------------------------------------------------------------------------


def parse_feed(
    content: bytes,
    *,
    url: str,
    feed: str,
    kind: FeedKind = "news",
    language: str | None = None,
    seen: datetime,
    content_type: str | None = None,
    ranked: bool | None = None,
) -> FeedInfo:
    """Parse one fetched document. `url` is where it came from (relative links resolve against
    it), `feed` the name in feeds.yaml, `seen` when it was fetched (timezone-aware). In a
    `ranked` feed (by default Google News' top stories) each item gets its position, from 1."""
    if seen.tzinfo is None:
        raise ValueError("seen must be timezone-aware")
    seen = seen.astimezone(UTC)
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    # a stream, never bytes: feedparser opens bytes that name a local file (a body of
    # b"/etc/passwd" would be read from disk)
    # Summaries become plain text, so resolving their relative links is wasted work (~20%).
    parsed = feedparser.parse(
        io.BytesIO(content),
        response_headers=headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    if not parsed.get("version") and not parsed.entries:
        raise _not_a_feed(content, url=url, content_type=content_type, parsed=parsed)

    channel = parsed.feed
    title = _detail_text(channel, "title") or feed
    link = canonical_url(channel.get("link") or url)
    feed_language = base_language(language) or base_language(channel.get("language"))
    trends = _trends_namespace(parsed)
    news_blocks = _trends_news(content, trends[0]) if trends else None
    if news_blocks is not None and len(news_blocks) != len(parsed.entries):
        news_blocks = None
    geo = _geo(url, channel.get("link") or "") if trends else None
    # Who published an item without its own <source>: the site, so that a newspaper's topic
    # feeds count as one publisher for momentum; the feed's title when the feed names no site.
    publisher = (not trends and publisher_of(channel.get("link") or "")) or title
    if ranked is None:  # Google News' top stories: its topic and search feeds have their own #1
        parts = urlsplit(url)
        ranked = parts.hostname == "news.google.com" and parts.path.rstrip("/") == "/rss"

    items: list[Item] = []
    ids: set[str] = set()
    for index, entry in enumerate(parsed.entries):
        common: dict[str, Any] = dict(
            feed=feed,
            source=publisher,
            seen=seen,
            published=_published(entry, seen),
            language=feed_language,
        )
        if trends:
            news = news_blocks[index] if news_blocks is not None else None
            item = _trending_item(entry, trends[1], news, geo=geo, **common)
        else:
            item = _news_item(entry, kind=kind, **common)
        if item is None or item.id in ids:
            continue
        ids.add(item.id)
        if not feed_language:
            item = replace(item, language=detect_language(f"{item.title}. {item.summary}"))
        if ranked:
            item = replace(item, rank=index + 1)  # its place in the feed as served
        items.append(item)
    return FeedInfo(title=title, link=link, language=feed_language, items=items)


def _news_item(entry: Any, *, kind: FeedKind, source: str, **common: Any) -> Item | None:
    title = _detail_text(entry, "title")
    summary = _detail_text(entry, "summary")
    if not summary and entry.get("content"):
        first = entry.content[0]
        summary = plain_text(first.get("value") or "", is_html="html" in (first.get("type") or ""))
    publisher = plain_text((entry.get("source") or {}).get("title") or "")
    if publisher:
        title = title.removesuffix(f" - {publisher}").strip() or title
        summary = summary.removesuffix(publisher).strip()
    if normalise_title(summary) == normalise_title(title):
        summary = ""  # Google News and many others repeat the headline as the description
    if not title:
        title = shorten(summary, 160)
    if not title:
        return None
    link = entry.get("link") or ""
    url = canonical_url(link) if link.startswith(("http://", "https://")) else ""
    return Item(
        guid=entry.get("id") or link or normalise_title(title),
        url=url,
        title=title,
        summary=shorten(summary),
        kind=kind,
        author=_author(entry),
        source=publisher or source,
        **common,
    )


def _author(entry: Any) -> str | None:
    # RSS <author> is "email (Name)": feedparser splits it; the name is what people read
    name = (entry.get("author_detail") or {}).get("name") or entry.get("author") or ""
    return plain_text(name) or None


def _trending_item(
    entry: Any,
    prefix: str,
    news: list[dict[str, str | None]] | None,
    *,
    geo: str | None,
    **common: Any,
) -> Item | None:
    term = _detail_text(entry, "title")
    if not term:
        return None
    extra = _trends_extra(entry, prefix, news)
    if geo:
        extra["geo"] = geo
    summary = "; ".join(n["title"] for n in extra["news"] if n["title"])
    return Item(
        guid=term,
        url=trends_url(term, geo),
        title=term,
        summary=shorten(summary),
        kind="trending",
        extra=extra,
        **common,
    )


def _published(entry: Any, seen: datetime) -> datetime:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        # dict.get: feedparser's own get() maps updated_parsed to published_parsed and warns
        parsed = dict.get(entry, key)
        if not parsed:
            continue
        try:
            when = datetime.fromtimestamp(calendar.timegm(parsed), UTC)
        except (OverflowError, ValueError, OSError):
            continue
        return seen if when > seen + MAX_SKEW else when
    return seen


def _not_a_feed(content: bytes, *, url: str, content_type: str | None, parsed: Any) -> ParseError:
    head = content[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head:
        return ParseError("the feed is empty (the server sent no content): check the URL", url=url)
    if "html" in (content_type or "") or head.startswith((b"<!doctype html", b"<html")):
        alternate = _feed_link_in_page(content, url)
        hint = f"; its feed seems to be {alternate}" if alternate else ""
        return ParseError(
            f"this address is a web page, not an RSS or Atom feed{hint}: put the feed's address "
            "in feeds.yaml",
            url=url,
        )
    error = ParseError("not an RSS or Atom feed: check the URL in feeds.yaml", url=url)
    cause = parsed.get("bozo_exception")
    if isinstance(cause, BaseException):
        error.__cause__ = cause
    return error


def _feed_link_in_page(content: bytes, url: str) -> str | None:
    extractor = _TextExtractor()
    try:
        extractor.feed(content[: 256 * 1024].decode("utf-8", "replace"))
    except Exception:  # a page broken enough to upset HTMLParser has no link worth suggesting
        return None
    for rel, type_, href in extractor.links:
        if "alternate" in rel.split() and type_ in ("application/rss+xml", "application/atom+xml"):
            return canonical_url(urljoin(url, href)) if href else None
    return None
