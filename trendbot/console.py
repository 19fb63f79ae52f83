"""What trendbot shows in a terminal: pitch cards, a replay's summary, the stories table (rich).

Headlines and drafts are wrapped in `Text`, never read as markup, so a `[bold]` in a title stays
a title. Every word shown comes from the catalogue (`trendbot.words`), in the brand's language.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from rich.console import Console, Group, OverflowMethod
from rich.panel import Panel
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from trendbot.types import HeldStory, Hold, Item, Pitch, SourceLink, StoryView
from trendbot.words import TEXTS, Messages

if TYPE_CHECKING:
    from trendbot.cycle import CycleReport
    from trendbot.replay import ReplaySummary
    from trendbot.settings import Settings
    from trendbot.tuning import Scored, TryReport

CARD_SOURCES = 3
# the detail says which rule
HELD_DETAIL = frozenset({"blocked", "tragedy", "caution", "weak_fit", "elsewhere", "draft_failed"})
STATE_STYLES = {"rising": "bold green", "peaking": "bold magenta", "fading": "dim", "new": "cyan"}


def _label(msg: Messages, key: str, name: str) -> str:
    """The words for `name` under `key`, or the name itself when a new one has none yet."""
    full = f"{key}.{name}"
    return msg(full) if full in TEXTS else name.replace("_", " ")


def _count(n: int, msg: Messages) -> str:
    return msg.number(f"{n:,}")


def _clock(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def post_text(pitch: Pitch) -> str:
    """The post as it would go out: the draft, then the hashtags it does not already carry."""
    tags = [f"#{t.strip().lstrip('#')}" for t in pitch.hashtags if t.strip("# ")]
    missing = [t for t in tags if t.lower() not in pitch.draft.lower()]
    return f"{pitch.draft}\n\n{' '.join(missing)}" if missing else pitch.draft


def _source_lines(sources: Sequence[SourceLink], msg: Messages) -> list[Text]:
    lines = []
    for s in sources[:CARD_SOURCES]:
        line = Text("• ")
        title = s.title or s.url
        web = s.url.startswith(("http://", "https://"))
        line.append(title, style=f"link {s.url}" if web else "")
        if s.source:
            line.append(f" ({s.source})", style="dim")
        if web:
            line.append(f" {urlsplit(s.url).netloc}", style="dim blue")
        lines.append(line)
    if len(sources) > CARD_SOURCES:
        lines.append(Text(msg("sources.more", count=len(sources) - CARD_SOURCES), style="dim"))
    return lines


def pitch_card(pitch: Pitch, *, when: datetime | None = None, language: str = "en") -> Panel:
    """A pitch as a rich Panel: what an editor reads before saying yes or no."""
    msg = Messages(language)
    head = Text.assemble(
        (msg("console.theme") + msg("console.colon"), "dim"), (pitch.theme, "bold cyan")
    )
    if pitch.brand:  # one install may pitch for several brands
        head = Text.assemble((pitch.brand, "bold"), ("  ·  ", "dim"), head)
    if pitch.angle:
        head.append(f"  ·  {msg('console.angle')}{msg('console.colon')}", style="dim")
        head.append(pitch.angle)
    head.append(f"  ·  score {pitch.score:.1f}", style="dim")
    post = Panel(
        Text(post_text(pitch)), title=msg("console.post"), title_align="left", border_style="dim"
    )
    fields = Table.grid(padding=(0, 1))
    fields.add_column(style="bold", no_wrap=True)
    fields.add_column(ratio=1)
    tags = " ".join(f"#{t.strip().lstrip('#')}" for t in pitch.hashtags if t.strip("# "))
    fields.add_row(
        msg("console.hashtags"), Text(tags or msg("console.none"), style="blue" if tags else "dim")
    )
    if pitch.visual:
        fields.add_row(msg("console.visual"), Text(pitch.visual))
    why = Text(pitch.why_now)
    if pitch.sparkline:
        why.append(f"  {pitch.sparkline}", style="green")
    fields.add_row(msg("console.why_now"), why)
    if pitch.safety == "safe":
        fields.add_row(msg("console.safety"), Text(msg("console.safe"), style="green"))
    else:
        reason = (pitch.safety_reason or pitch.safety).rstrip(".") + "."
        key, style = (
            ("console.blocked_pitch", "bold red") if pitch.blocked else
            ("console.caution", "bold yellow")
        )  # fmt: skip
        fields.add_row(msg("console.safety"), Text(msg(key, reason=reason), style=style))
    label = Text(pitch.story_label, style="bold")
    parts: list[Text | Panel | Table] = [label, head, post, fields]
    if pitch.sources:
        parts.append(Text(msg("console.sources"), style="bold"))
        parts.extend(_source_lines(pitch.sources, msg))
    if pitch.writer == "llm":
        parts.append(Text(msg("card.writer_llm"), style="dim"))
    elif pitch.writer_note:
        parts.append(Text(msg("card.writer_note", note=pitch.writer_note), style="dim"))
    title = f"📈 {msg('console.pitch')}" + (f" #{pitch.id}" if pitch.id is not None else "")
    return Panel(
        Group(*parts),
        title=title,
        title_align="left",
        subtitle=_clock(when) if when else None,
        subtitle_align="right",
        border_style="red" if pitch.blocked else "yellow" if pitch.safety != "safe" else "green",
    )


def print_pitch(
    console: Console, pitch: Pitch, *, when: datetime | None = None, language: str = "en"
) -> None:
    """Print a pitch card; `when` is the (replayed) time it was made, else its creation time."""
    console.print(pitch_card(pitch, when=when or pitch.created, language=language))


def hold_text(hold: Hold, *, language: str = "en") -> str:
    """Why a story was held back, in a few words: "quiet hours", "blocked: war: 'missile' in…"."""
    msg = Messages(language)
    label = _label(msg, "console.hold", hold.reason)
    if hold.reason in HELD_DETAIL and hold.detail:
        return label + msg("console.colon") + hold.detail.rstrip(".")
    return label


def why_not(view: StoryView, *, language: str = "en") -> str:
    """Why a story was not pitched: its pitch when it was, else its latest hold, else its state."""
    msg = Messages(language)
    if view.pitch_id is not None:
        return msg("console.pitched_as", pitch_id=view.pitch_id)
    if view.held is not None:
        return hold_text(view.held, language=language)
    return (
        msg("console.undecided")
        if view.state in ("rising", "peaking")
        else msg("console.not_rising")
    )


def held_table(
    held: Sequence[HeldStory], *, language: str = "en", wrap: bool = False, dated: bool = False
) -> Table:
    """Stories held back: best score, label, and the latest reason; one line each, or with
    `wrap` (a log: nobody can widen it) whole, over several. `dated`: when it was held instead
    of the score (out of a replay, a story's score is its latest, long faded)."""
    table = Table.grid(padding=(0, 2))
    overflow: OverflowMethod = "fold" if wrap else "ellipsis"
    # the score goes with the label: rich drops a narrow column first when the width is short
    table.add_column(min_width=24, max_width=54, no_wrap=not wrap, overflow=overflow)
    table.add_column(
        min_width=24, max_width=70, no_wrap=not wrap, overflow=overflow, style="yellow"
    )
    msg = Messages(language)
    for h in held:
        when = (
            (f"{h.hold.at:%Y-%m-%d %H:%M} UTC  ", "dim") if dated else (f"{h.score:5.1f}  ", "bold")
        )
        # its id, for `trendbot pitch ID`: two new users found it only with SQL
        label = Text.assemble(when, (f"#{h.story_id} ", "cyan"), h.label)
        if h.theme:  # as the matcher reads it now, which may differ from the reason's figure
            label.append(msg("console.fits_now", theme=h.theme, fit=f"{h.fit:.2f}"), style="cyan")
        table.add_row(label, hold_text(h.hold, language=language))
    return table


def print_summary(console: Console, summary: ReplaySummary, *, language: str = "en") -> None:
    """What a replay did: how much came in, what rose, what was pitched and what was held, then
    the best stories held back and why."""
    from trendbot.trends import TrendParams  # numpy: only a replay's summary needs it

    msg = Messages(language)
    table = Table.grid(padding=(0, 2))
    table.add_column(justify="right", style="bold")
    table.add_column()
    table.add_row(_count(summary.items, msg), msg("console.items"))
    table.add_row(_count(summary.cycles, msg), msg("console.cycles"))
    table.add_row(_count(summary.stories, msg), msg("console.stories"))
    table.add_row(_count(len(summary.rising), msg), msg("console.rising"))
    table.add_row(Text(_count(summary.pitched, msg), style="bold green"), msg("console.pitched"))
    table.add_row(Text(_count(len(summary.blocked), msg), style="bold red"), msg("console.blocked"))
    reasons = ", ".join(
        f"{_label(msg, 'console.hold', reason)} {_count(count, msg)}"
        for reason, count in summary.held.most_common()
    )
    held = _count(sum(summary.held.values()), msg)
    table.add_row(
        held, msg("console.held") + (msg("console.by_reason") + reasons if reasons else "")
    )
    parts: list[Table | Text] = [table]
    if not summary.rising and len(summary.publishers) < TrendParams().min_sources:
        # Rising counts publishers: an export of one site (Le Monde's topic feeds) never rises,
        # and the user should learn it here, not from a month of zeros.
        note = msg("console.one_publisher", publisher=", ".join(summary.publishers))
        parts += [Text(), Text(note, style="yellow")]
    if summary.top_held:
        parts += [Text(), Text(msg("console.top_held"), style="bold")]
        wrap = not console.is_terminal
        parts.append(held_table(summary.top_held, language=language, wrap=wrap))
        parts.append(Text(msg("console.held_all"), style="dim"))
    console.print(
        Panel(Group(*parts), title=msg("console.summary"), title_align="left", expand=False)
    )


def stories_table(
    views: Sequence[StoryView], *, language: str = "en", dated: bool = False
) -> Table:
    """Live stories, best first as given: for `trendbot trends`. `dated`: when each was last
    seen instead of its last 24 h (`trendbot search`, over a whole replay)."""
    msg = Messages(language)
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold", expand=True)
    table.add_column("#", justify="right", no_wrap=True, style="cyan")  # for `trendbot pitch ID`
    table.add_column(msg("console.score"), justify="right", no_wrap=True)
    table.add_column(msg("console.state"), no_wrap=True)
    table.add_column(msg("console.sources"), justify="right", no_wrap=True)
    if dated:
        table.add_column(msg("console.last_seen"), no_wrap=True, style="dim")
    else:
        table.add_column(msg("console.last_24h"), no_wrap=True, style="green")
    table.add_column(msg("console.story"), ratio=3, overflow="ellipsis", no_wrap=True)
    table.add_column(msg("console.theme"), ratio=1, overflow="ellipsis", no_wrap=True, style="cyan")
    table.add_column(
        msg("console.why_not"), ratio=3, overflow="ellipsis", no_wrap=True, style="yellow"
    )
    if not views:
        table.caption = msg("console.no_stories")
    for v in views:
        label = Text()
        if v.safety == "blocked":
            label.append("⛔ ", style="red")
        elif v.safety == "caution":
            label.append("⚠ ", style="yellow")
        label.append(v.label, style="dim" if v.muted else "")
        if v.muted:
            label.append(f" {msg('console.muted')}", style="dim")
        table.add_row(
            str(v.id),
            f"{v.score:.1f}",
            Text(_label(msg, "story", v.state), style=STATE_STYLES.get(v.state, "")),
            str(v.sources),
            f"{v.last_seen:%Y-%m-%d %H:%M}" if dated else v.sparkline,
            label,
            v.themes[0].theme if v.themes else "—",
            Text(why_not(v, language=language), style="green" if v.pitch_id else ""),
        )
    return table


# `trendbot run` and replays: signs of life ----------------------------------------------------


def held_counts(blocked: int, held: Counter[str]) -> str:
    """`1 blocked, 2 no theme`: why rising stories were not pitched, most frequent first."""
    counts = Counter(held)
    if blocked:
        counts["blocked"] += blocked
    return ", ".join(f"{n} {reason.replace('_', ' ')}" for reason, n in counts.most_common() if n)


def cycle_line(report: CycleReport, *, new_stories: int) -> str:
    """One processing cycle of `trendbot run` in one line, at the machine's local time:
    `19:42 cycle: 120 new items, 14 new stories, 3 rising, 1 pitched, held: 1 blocked`."""
    line = (
        f"{report.now.astimezone():%H:%M} cycle: {report.embedded:,} new items, "
        f"{new_stories:,} new stories, {report.rising:,} rising, {len(report.pitched):,} pitched"
    )
    if report.updates:
        line += f", {report.updates:,} thread updates"
    held = held_counts(report.blocked, report.held)
    return line + (f", held: {held}" if held else "")


def run_summary(
    settings: Settings,
    *,
    db: str,
    model: str,
    model_reason: str,
    slack: str,
    cache: str,
) -> list[str]:
    """What `trendbot run` is about to do, before it does anything slow."""
    news = [f for f in settings.news_feeds if f.kind == "news"]
    trending = len(settings.news_feeds) - len(news)
    polls = sorted({f.poll_minutes for f in settings.news_feeds})
    every = (
        f"every {polls[0]} min"
        if len(polls) == 1
        else f"every {polls[0]}-{polls[-1]} min"
        if polls
        else "never (no feeds in feeds.yaml)"
    )
    brand = settings.brand
    c = brand.cadence
    return [
        f"trendbot run: {len(news)} news feed{'' if len(news) == 1 else 's'} and {trending}"
        f" trending, polled {every}",
        f"  brand: {brand.name} ({brand.language}), themes: "
        + ", ".join(t.name for t in brand.themes),
        f"  model: {model} ({model_reason}); vectors cached in {cache}",
        f"  pitches: {slack}; a rising story waits {c.queue_minutes} min in the queue "
        f"(brand.cadence.queue_minutes), at most {c.max_per_day} a day",
        f"  database: {db}",
        "  One line per processing cycle follows (the first one encodes every new item: a"
        " minute or two). Ctrl-C to stop.",
    ]


class ReplayProgress:
    """A replay's progress: a rich bar with the replayed date and the counts so far on a
    terminal; otherwise (tests, CI, a pipe) one plain line per replayed day."""

    def __init__(
        self, console: Console, items: Sequence[Item], story_count: Callable[[], int]
    ) -> None:
        self.console = console
        self.story_count = story_count
        self._times = [i.seen for i in items]
        self._pitched = 0
        self._rising: int = 0
        self._day: str | None = None
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> ReplayProgress:
        if self.console.is_terminal:
            self._progress = Progress(
                TextColumn("[bold]{task.fields[date]}"),
                BarColumn(),
                TextColumn("{task.completed:,.0f}/{task.total:,.0f} items"),
                TextColumn("{task.fields[counts]}"),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self._progress.start()
            first = self._times[0] if self._times else None
            self._task = self._progress.add_task(
                "replay",
                total=len(self._times),
                date=f"{first:%Y-%m-%d %H:%M}" if first else "",
                counts="",
            )
        return self

    def update(self, report: CycleReport) -> None:
        done = bisect.bisect_right(self._times, report.now)
        stories = self.story_count()
        self._pitched += len(report.pitched)
        self._rising = report.rising
        counts = f"{stories:,} stories, {self._rising:,} rising now, {self._pitched:,} pitched"
        if self._progress is not None and self._task is not None:
            self._progress.update(
                self._task, completed=done, date=f"{report.now:%Y-%m-%d %H:%M}", counts=counts
            )
            return
        day = f"{report.now:%Y-%m-%d}"
        if day != self._day or done == len(self._times):
            self._day = day
            self.console.print(
                f"replayed to {report.now:%Y-%m-%d %H:%M} UTC: {done:,} items, {counts}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()


# `trendbot themes try` ------------------------------------------------------------------------

SAFETY_MARKS = {"blocked": ("⛔ ", "red"), "caution": ("⚠ ", "yellow")}


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _tried(scored: Scored, *, style: str) -> Table:
    row = Table.grid(padding=(0, 1))
    row.add_column(width=6, justify="right", no_wrap=True)
    row.add_column(ratio=1)
    label = Text()
    mark = SAFETY_MARKS.get(scored.safety)
    if mark:
        label.append(mark[0], style=mark[1])
    label.append(scored.story.label, style=style)
    n, k = scored.story.items, scored.story.sources
    label.append(f"  ({_plural(n, 'item')}, {_plural(k, 'source')})", style="dim")
    row.add_row(Text(f"{scored.relevance:.2f}", style="bold"), label)
    why = scored.why
    if scored.safety != "safe" and scored.safety_reason:
        why += f"\n{scored.safety}: {scored.safety_reason}"
    row.add_row("", Text(why, style="dim"))
    return row


def print_tried(console: Console, report: TryReport) -> None:
    """Per theme: the best matches, the near misses and the closest off-theme stories."""
    from trendbot.topics import said

    bar = report.min_relevance
    for t in report.themes:
        head = Text.assemble((t.theme, "bold cyan"), f": {t.matched} of {report.stories:,} stories")
        head.append(f" match (relevance ≥ {bar:.2f})")
        if t.blocked:
            head.append(f", {t.blocked} of them blocked by brand safety", style="red")
        parts: list[Text | Table] = [head]
        # it would change something, on a stream with enough of the theme's kind to tell
        if t.as_narrow is not None and t.as_narrow < t.matched and not t.feed:
            # a theme whose own texts are not clearly its kind may be a corner of it or a whole
            # section in the brand's flavour (game night: sports and snacks); only the marketer
            # knows, so the question is asked plainly, with the share (floored: 59.9% is not 60%)
            share = int((t.clarity or 0) * 100)
            opening = (
                f"{t.theme}'s own texts read as {said(t.kind)} news only {share}%: if it is"
                if t.unclear
                else f"If {t.theme} is"
            )
            parts.append(
                Text(
                    f"{opening} a corner of {said(t.kind)} news rather than all of it,"
                    f" `narrow: true` would keep {t.as_narrow} of these {t.matched}.",
                    style="" if t.unclear else "dim",
                )
            )
        if t.feed:
            parts.append(
                Text(
                    f"This stream carries little {said(t.kind)} news ({t.of_kind} of its"
                    f" {report.stories:,} stories read as it): add a feed that does to"
                    f" feeds.yaml before tuning {t.theme}, e.g. {t.feed}",
                    style="yellow",
                )
            )
        sections = (
            ("Best matches", t.best, "", "none: add examples and keywords, or lower min_relevance"),
            (f"Weakest matches (just above {bar:.2f}: check these first)", t.weakest, "", ""),
            (f"Near misses (below {bar:.2f})", t.near, "", "none"),
            ("Off-theme, closest in meaning (kept out by their kind of news or a negative"
             " example)", t.off, "dim", "none"),
        )  # fmt: skip
        for title, found, style, empty in sections:
            if not found and not empty:  # no weakest beyond the best: no section
                continue
            parts.append(Text(title, style="bold"))
            if not found:
                parts.append(Text(f"  {empty}", style="dim"))
            parts += [_tried(s, style=style) for s in found]
        console.print(Panel(Group(*parts), title_align="left", expand=True))
