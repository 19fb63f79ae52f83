"""`/trend`: reading what was typed, and the answer for each subcommand.

`parse_command` is pure. `answer` calls the backend and returns mrkdwn; the Slack app decides
whether it goes back in the ack (fast commands) or later through the response URL (`SLOW` ones).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from trendbot.errors import TrendbotError
from trendbot.slack.cards import clip, escape, final_text, link, safety_warning
from trendbot.slack.messages import TEXTS, Messages
from trendbot.slack.replies import unescape
from trendbot.types import Pitch, StoryView

if TYPE_CHECKING:
    from trendbot.core import FeedRow
    from trendbot.slack.app import Backend

DEFAULT_TOP = 5
MAX_TOP = 20
SEARCH_RESULTS = 5
WHY_LINKS = 5
PREVIEW_LINKS = 3  # as on a card
ECHO_MAX = 80  # characters of what was typed that an answer repeats: Slack accepts thousands
ERROR_MAX = 300
SLOW = frozenset({"search", "pitch", "feed_add"})  # answered by a lazy listener after the ack
EDITORS_ONLY = frozenset({"theme_add", "feed_add"})
NO_ARGS = frozenset({"help", "themes", "feeds", "stats"})

# French (and a few natural) spellings of the subcommands.
ALIASES = {
    "aide": "help", "?": "help",
    "recherche": "search", "cherche": "search", "chercher": "search", "find": "search",
    "pourquoi": "why",
    "propose": "pitch", "proposer": "pitch", "proposition": "pitch",
    "themes": "themes", "theme": "theme",
    "flux": "feeds", "feed": "feed", "sources": "feeds",
    "masquer": "mute", "demasquer": "unmute",
    "stat": "stats", "statistiques": "stats",
}  # fmt: skip
KNOWN = frozenset({"help", "top", "search", "why", "pitch", "themes", "theme", "feeds", "feed"})
KNOWN |= {"mute", "unmute", "stats"}
SHARE = frozenset({"share", "partager"})
SAVE = frozenset({"save", "queue", "garder", "enregistrer"})  # `/trend pitch STORY save`
ADD = frozenset({"add", "ajouter", "ajout"})
BRAND_OPTIONS = frozenset({"--brand", "--marque"})


@dataclass(frozen=True)
class Command:
    """One /trend request. `name` is `invalid` when the text cannot be run; `usage` says why."""

    name: str
    arg: str = ""  # words, a story reference, a URL or a theme name
    n: int = DEFAULT_TOP
    description: str = ""  # theme add
    share: bool = False
    save: bool = False  # pitch: queue it for the editors, not just a preview
    usage: str = ""  # the messages key answering an invalid command
    word: str = ""  # what was typed, for that answer
    brand: str | None = None  # `--brand NAME`: another brand than the channel's


@dataclass(frozen=True)
class Answer:
    text: str
    share: bool = False


@dataclass(frozen=True)
class Asker:
    """Who typed the command, and what the answer may do on their behalf."""

    user: str
    channel: str
    is_editor: Callable[[], bool]
    post_pitch: Callable[[Pitch], str]  # posts a card; returns the channel it went to
    brand: str | None = None  # the brand asked about: --brand, else the channel's (None: first)


def parse_command(text: str) -> Command:
    text = re.sub(r"<(https?://[^|>\s]+)(?:\|[^>]*)?>", r"\1", text)  # Slack's links: the URL
    words, brand = _brand_option(unescape(text).split())
    if brand == "":
        return _invalid("usage.brand", "--brand")
    cmd = _parse_words(words)
    return replace(cmd, brand=brand) if brand else cmd


def _brand_option(words: list[str]) -> tuple[list[str], str | None]:
    """`--brand NAME` or `--brand=NAME` (`--marque` in French) anywhere: the words without it,
    and NAME ('' when it is missing, None when there is no option)."""
    for n, word in enumerate(words):
        key, sep, value = word.partition("=")
        if _key(key) in BRAND_OPTIONS:
            if sep:
                return words[:n] + words[n + 1 :], value
            if n + 1 < len(words):
                return words[:n] + words[n + 2 :], words[n + 1]
            return words[:n], ""
    return words, None


def _parse_words(words: list[str]) -> Command:
    share = bool(words) and _key(words[-1]) in SHARE
    if share:
        words = words[:-1]
    if not words:
        return Command("help", share=share)
    typed = words[0]
    head = ALIASES.get(_key(typed), _key(typed))
    rest = words[1:]
    arg = " ".join(rest)
    if head not in KNOWN:
        return _invalid("usage.unknown", typed)
    adding = bool(rest) and _key(rest[0]) in ADD
    if head in NO_ARGS and not (adding and head in ("themes", "feeds")):
        return _invalid("usage.no_args", head) if rest else Command(head, share=share)
    if head == "top":
        return _parse_top(rest, share)
    if head in ("theme", "themes"):
        return (
            _parse_theme_add(" ".join(rest[1:]), share)
            if adding
            else _invalid("usage.theme_add", typed)
        )
    if head in ("feed", "feeds"):
        url = _url(" ".join(rest[1:])) if adding else ""
        if not url:
            return _invalid("usage.feed_add", typed)
        return Command("feed_add", arg=url, share=share)
    if not arg:
        return _invalid(f"usage.{head}", typed)
    if head == "pitch" and len(rest) > 1 and _key(rest[-1]) in SAVE:
        return Command(head, arg=" ".join(rest[:-1]), share=share, save=True)
    return Command(head, arg=arg, share=share)


def answer(cmd: Command, backend: Backend, msg: Messages, asker: Asker) -> Answer:
    """The reply to one command. A TrendbotError becomes a one-line answer to the person only."""
    if cmd.name == "invalid":
        return Answer(msg(cmd.usage, word=shown(cmd.word), max=MAX_TOP))
    if cmd.name in EDITORS_ONLY and not asker.is_editor():
        return Answer(msg("only_editors_command"))
    try:
        text = _ANSWERS[cmd.name](cmd, backend, msg, asker)
        return text if isinstance(text, Answer) else Answer(text, share=cmd.share)
    except TrendbotError as e:
        return Answer(msg("error", error=escape(clip(str(e), ERROR_MAX))))


def shown(typed: str) -> str:
    """What the person typed, as an answer repeats it: escaped, and cut when long."""
    return escape(clip(typed, ECHO_MAX))


# answers ----------------------------------------------------------------------------------------


def _help(cmd: Command, backend: Backend, msg: Messages, asker: Asker) -> str:
    return msg("help")


def _top(cmd: Command, backend: Backend, msg: Messages, asker: Asker) -> str:
    theme = None
    if cmd.arg:
        names = [t.name for t in backend.themes(brand=asker.brand)]
        theme = match_theme(cmd.arg, names)
        if theme is None:
            return msg("unknown_theme", theme=shown(cmd.arg), themes=", ".join(names))
    stories = backend.top_stories(cmd.n, theme, brand=asker.brand)
    in_theme = msg("top.theme", theme=escape(theme)) if theme else ""
    if not stories:
        return msg("top.empty", theme=in_theme)
    return "\n".join([msg("top.title", theme=in_theme), *story_lines(stories, msg)])


def _search(cmd: Command, backend: Backend, msg: Messages, asker: Asker) -> str:
    stories = backend.search(cmd.arg, k=SEARCH_RESULTS, brand=asker.brand)
    if not stories:
        return msg("search.empty", words=shown(cmd.arg))
    return "\n".join([msg("search.title", words=shown(cmd.arg)), *story_lines(stories, msg)])


def _why(cmd: Command, backend: Backend, msg: Messages, asker: Asker) -> str:
    story = backend.find_story(cmd.arg, brand=asker.brand)
    if story is None:
        return msg("no_story", ref=shown(cmd.arg))
    return why_text(story, msg)


def _pitch(cmd: Command, backend: Backend, msg: Messages, asker: Asker) -> str | Answer:
    """A preview only the asker sees, unless they said `save`: then it is stored (it counts
    toward the day's pitches) and its card goes to the editors' channel."""
    story = backend.find_story(cmd.arg, brand=asker.brand)
    if story is None:
        return msg("no_story", ref=shown(cmd.arg))
    pitch = backend.draft_pitch(story.id, save=cmd.save, brand=asker.brand)
    if not cmd.save:  # a blocked story's draft is never shown to the channel
        blocked = pitch.safety == "blocked"
        return Answer(preview_text(pitch, msg), share=cmd.share and not blocked)
    label = escape(pitch.story_label)
    try:
        channel = asker.post_pitch(pitch)
    except TrendbotError as e:  # saved all the same: the next cycle delivers it
        return msg("pitch.queued", pitch_id=pitch.id, label=label, error=escape(str(e)))
    return msg("pitch.posted", pitch_id=pitch.id, label=label, channel=channel)


def _themes(cmd: Command, backend: Backend, msg: Messages, asker: Asker) -> str:
    lines = [msg("themes.title", brand=escape(backend.brand(asker.brand).name))]
    for theme in backend.themes(brand=asker.brand):
        description = theme.description or ", ".join(theme.keywords) or "…"
        lines.append(msg("themes.line", name=escape(theme.name), description=escape(description)))
    return "\n".join(lines)


def _theme_add(cmd: Command, backend: Backend, msg: Messages, asker: Asker) -> str:
    backend.add_theme(cmd.arg, cmd.description, user=asker.user, brand=asker.brand)
    return msg("theme.added", name=shown(cmd.arg))


def _feeds(cmd: Command, backend: Backend, msg: Messages, asker: Asker) -> str:
    rows = backend.feeds()
    if not rows:
        return msg("feeds.empty")
    return "\n".join([msg("feeds.title", count=len(rows)), *(feed_line(r, msg) for r in rows)])


def _feed_add(cmd: Command, backend: Backend, msg: Messages, asker: Asker) -> str:
    name = backend.add_feed(cmd.arg, user=asker.user)
    return msg("feed.added", name=escape(name))


def _mute(cmd: Command, backend: Backend, msg: Messages, asker: Asker) -> str:
    what = backend.mute(cmd.arg, user=asker.user)
    return msg("muted", what=shown(what), ref=shown(cmd.arg))


def _unmute(cmd: Command, backend: Backend, msg: Messages, asker: Asker) -> str:
    if backend.unmute(cmd.arg):
        return msg("unmuted", ref=shown(cmd.arg))
    return msg("not_muted", ref=shown(cmd.arg))


def _stats(cmd: Command, backend: Backend, msg: Messages, asker: Asker) -> str:
    stats = backend.stats(brand=asker.brand)
    none = msg("stats.none")
    rate = stats.get("approval_rate")
    return "\n".join(
        [
            msg("stats.title", brand=escape(backend.brand(asker.brand).name)),
            msg(
                "stats.pitches",
                week=stats.get("pitches_week", 0),
                month=stats.get("pitches_month", 0),
            ),
            msg(
                "stats.decisions",
                approved=stats.get("approved", 0),
                rejected=stats.get("rejected", 0),
                rate=f"{rate:.0%}" if rate is not None else none,
            ),
            msg(
                "stats.speed",
                to_pitch=duration(stats.get("median_minutes_to_pitch"), msg),
                to_decision=duration(stats.get("median_minutes_to_decision"), msg),
            ),
        ]
    )


_ANSWERS: dict[str, Callable[[Command, Backend, Messages, Asker], str | Answer]] = {
    "help": _help,
    "top": _top,
    "search": _search,
    "why": _why,
    "pitch": _pitch,
    "themes": _themes,
    "theme_add": _theme_add,
    "feeds": _feeds,
    "feed_add": _feed_add,
    "mute": _mute,
    "unmute": _unmute,
    "stats": _stats,
}


# formatting -------------------------------------------------------------------------------------


def story_lines(stories: list[StoryView], msg: Messages) -> list[str]:
    return [story_line(rank, story, msg) for rank, story in enumerate(stories, 1)]


def story_line(rank: int, story: StoryView, msg: Messages) -> str:
    flags = ""
    if story.themes:
        flags += msg("story.theme_flag", theme=escape(story.themes[0].theme))
    if story.trending:
        flags += msg("story.trending_flag")
    if story.safety != "safe":
        flags += msg("story.caution_flag")
    if story.muted:
        flags += msg("story.muted_flag")
    return msg(
        "story.line",
        rank=rank,
        label=escape(clip(story.label, 200)),
        state=_state(story.state, msg),
        score=f"{story.score:.1f}",
        sources=story.sources,
        id=story.id,
        flags=flags,
        why_now=escape(story.why_now),
        sparkline=f"`{story.sparkline}`" if story.sparkline else "",
    ).rstrip()


def why_text(story: StoryView, msg: Messages) -> str:
    spark = f"`{story.sparkline}`" if story.sparkline else ""
    lines = [
        msg(
            "why.title",
            label=escape(story.label),
            id=story.id,
            state=_state(story.state, msg),
            score=f"{story.score:.1f}",
        ),
        msg("why.momentum", why_now=escape(story.why_now), sparkline=spark).rstrip(),
        msg(
            "why.size",
            size=story.size,
            sources=story.sources,
            first_seen=ago(story.first_seen),
            last_seen=ago(story.last_seen),
        ),
    ]
    if story.growth_drivers:  # right after why now, which says the predicted reach
        lines.insert(2, msg("why.growth", drivers=escape(story.growth_drivers)))
    if story.traffic:
        lines.append(msg("why.traffic", traffic=f"{story.traffic:,}"))
    if story.keywords:
        lines.append(msg("why.keywords", keywords=escape(", ".join(story.keywords))))
    if story.themes:
        fits = [
            msg(
                "why.theme",
                theme=escape(fit.theme),
                relevance=f"{fit.relevance:.2f}",
                evidence=escape(clip(fit.evidence, 200)),
            )
            for fit in story.themes
        ]
        lines.append(msg("why.themes", themes="; ".join(fits)))
    else:
        lines.append(msg("why.no_theme"))
    reason = escape(story.safety_reason or story.safety)
    lines.append(
        msg("why.safe")
        if story.safety == "safe"
        else msg(f"why.{'blocked' if story.safety == 'blocked' else 'caution'}", reason=reason)
    )
    if story.muted:
        lines.append(msg("why.muted"))
    lines.append(why_not_line(story, msg))
    if story.links:
        links = "\n".join(f"• {link(s)}" for s in story.links[:WHY_LINKS])
        lines.append(msg("why.links", links=links))
    return "\n".join(lines)


def why_not_line(story: StoryView, msg: Messages) -> str:
    """Whether the story was pitched, else the latest reason it was held back."""
    if story.pitch_id is not None:
        return msg("why.pitched", pitch_id=story.pitch_id)
    hold = story.held
    if hold is None:
        return msg("why.undecided" if story.state in ("rising", "peaking") else "why.not_rising")
    reason = (
        msg(f"held.{hold.reason}")
        if f"held.{hold.reason}" in TEXTS
        else hold.reason.replace("_", " ")
    )
    detail = escape(clip(hold.detail.rstrip("."), 300))
    return msg("why.held", reason=reason, detail=detail, when=ago(hold.at))


def preview_text(pitch: Pitch, msg: Messages) -> str:
    """An unsaved pitch as mrkdwn: what its card would say, and how to queue it."""
    lines = [
        msg(
            "pitch.preview",
            label=escape(pitch.story_label),
            theme=escape(pitch.theme),
            score=f"{pitch.score:.1f}",
        )
    ]
    if pitch.angle:
        lines.append(msg("card.angle", angle=escape(pitch.angle)))
    lines.append(f"```{escape(final_text(pitch))}```")  # the post as it would go out
    if pitch.visual:
        lines.append(msg("card.visual", visual=escape(pitch.visual)))
    spark = f" `{pitch.sparkline}`" if pitch.sparkline else ""
    lines.append(msg("card.why_now", why_now=escape(pitch.why_now) + spark))
    if pitch.safety == "safe":
        lines.append(msg("card.safe"))
    else:
        lines.append(safety_warning(pitch, msg))
    if pitch.sources:
        links = "\n".join(f"• {link(s)}" for s in pitch.sources[:PREVIEW_LINKS])
        lines.append(msg("card.sources", links=links))
    if pitch.safety == "blocked":
        lines.append(msg("pitch.preview_blocked"))
    else:
        lines.append(msg("pitch.preview_only", story_id=pitch.story_id))
    return "\n".join(lines)


def feed_line(row: FeedRow, msg: Messages) -> str:
    fields = {"name": escape(row.name), "kind": row.kind or "news"}
    error = escape(clip(row.last_error or "", 200))
    if row.disabled:
        return msg("feeds.disabled", error=error, **fields)
    if row.last_error and row.consecutive_failures:
        return msg("feeds.failing", error=error, **fields)
    if row.last_success:
        return msg("feeds.ok", when=ago(row.last_success), **fields)
    return msg("feeds.never", **fields)


def ago(moment: datetime) -> str:
    """'3 hours ago' in each reader's language and zone, rendered by Slack."""
    fallback = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{ago}}|{fallback}>"


def duration(minutes: float | None, msg: Messages) -> str:
    if minutes is None:
        return msg("stats.none")
    if minutes < 120:
        return msg("minutes", minutes=round(minutes))
    return msg("hours", hours=f"{minutes / 60:.1f}")


def match_theme(typed: str, names: list[str]) -> str | None:
    """The theme a person meant: exact, then accent- and case-blind, then a unique prefix."""
    if typed in names:
        return typed
    key = _key(typed)
    exact = [n for n in names if _key(n) == key]
    if exact:
        return exact[0]
    starts = [n for n in names if _key(n).startswith(key)]
    return starts[0] if len(starts) == 1 else None


# parsing helpers --------------------------------------------------------------------------------


def _key(word: str) -> str:
    text = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _invalid(usage: str, word: str) -> Command:
    return Command("invalid", usage=usage, word=word)


def _parse_top(rest: list[str], share: bool) -> Command:
    n = DEFAULT_TOP
    if rest and rest[0].lstrip("-").isdigit():
        n = int(rest[0])
        rest = rest[1:]
        if not 1 <= n <= MAX_TOP:
            return _invalid("usage.top", "top")
    return Command("top", arg=" ".join(rest), n=n, share=share)


def _parse_theme_add(text: str, share: bool) -> Command:
    name, sep, description = text.partition(":")
    if not sep or not name.strip() or not description.strip():
        return _invalid("usage.theme_add", "theme")
    return Command("theme_add", arg=name.strip(), description=description.strip(), share=share)


def _url(text: str) -> str:
    text = text.strip().strip("<>")
    return text if re.fullmatch(r"https?://\S+", text) else ""


def _state(state: str, msg: Messages) -> str:
    return msg(f"story.{state}") if state in ("new", "rising", "peaking", "fading") else state
