"""What trendbot shows in a terminal: pitch cards, a replay's summary, the stories table (rich).

Headlines and drafts are wrapped in `Text`, never read as markup, so a `[bold]` in a title stays
a title. Every word shown is in WORDS, in English and French, chosen by the brand's language.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from rich.console import Console, Group
from rich.panel import Panel
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from trendbot.lang import base_language
from trendbot.types import HeldStory, Hold, Item, Pitch, SourceLink, StoryView

if TYPE_CHECKING:
    from trendbot.pipeline import CycleReport, ReplaySummary
    from trendbot.settings import Settings
    from trendbot.store import Store
    from trendbot.tuning import Scored, TryReport

# key: (English, French)
WORDS: dict[str, tuple[str, str]] = {
    "colon": (": ", " : "),
    "thousands": (",", "\u202f"),
    "pitch": ("Pitch", "Proposition"),
    "theme": ("Theme", "Thème"),
    "angle": ("Angle", "Angle"),
    "post": ("Post", "Publication"),
    "hashtags": ("Hashtags", "Hashtags"),
    "visual": ("Visual idea", "Idée de visuel"),
    "why_now": ("Why now", "Pourquoi maintenant"),
    "safety": ("Safety", "Sécurité"),
    "safe": ("✅ brand-safe", "✅ sans risque pour la marque"),
    "caution": (
        "⚠ caution: {reason} Read the sources first.",
        "⚠ prudence : {reason} Lisez les sources d'abord.",
    ),
    "sources": ("Sources", "Sources"),
    "more": ("…and {count} more", "…et {count} autres"),
    "none": ("(none)", "(aucun)"),
    "llm": ("written by the LLM writer", "rédigé par le rédacteur LLM"),
    "template": ("template draft: {note}", "texte modèle : {note}"),
    "summary": ("Replay summary", "Bilan du rejeu"),
    "items": ("items replayed", "articles rejoués"),
    "cycles": ("cycles", "cycles"),
    "stories": ("stories", "sujets"),
    "rising": ("rising at some point", "en hausse à un moment"),
    "pitched": ("pitched", "proposés"),
    "blocked": ("blocked by brand safety", "bloqués (sécurité de la marque)"),
    "held": ("stories held back", "sujets retenus"),
    "by_reason": (", by reason: ", ", par raison : "),
    "top_held": (
        "Rose but not pitched, best score first",
        "En hausse mais pas proposés, meilleur score d'abord",
    ),
    "preview": (
        "Preview only: nothing saved or queued. `trendbot pitch {id} --save` queues it.",
        "Aperçu seulement : rien n'est enregistré ni mis en file. `trendbot pitch {id} --save` "
        "le met en file.",
    ),
    "saved": (
        "Saved as pitch #{pitch_id}: it counts toward today's pitches; `trendbot run` posts it.",
        "Enregistrée comme proposition n°{pitch_id} : elle compte dans les propositions du jour ;"
        " `trendbot run` la publie.",
    ),
    "score": ("Score", "Score"),
    "state": ("State", "État"),
    "n_sources": ("Sources", "Sources"),
    "last_24h": ("Last 24 h", "Dernières 24 h"),
    "story": ("Story", "Sujet"),
    "muted": ("(muted)", "(en sourdine)"),
    "no_stories": ("No live stories yet.", "Aucun sujet en cours."),
    "why_not": ("Why not pitched", "Pourquoi pas proposé"),
    "pitched_as": ("pitched #{pitch_id}", "proposé n°{pitch_id}"),
    "not_rising": ("not rising", "ne monte pas"),
    "undecided": ("not decided yet", "pas encore décidé"),
    # story states and the reasons a rising story waits or is dropped (cadence's words)
    "state.new": ("new", "nouveau"),
    "state.rising": ("rising", "en hausse"),
    "state.peaking": ("peaking", "au plus haut"),
    "state.fading": ("fading", "en baisse"),
    "hold.queued": ("queued", "en file"),
    "hold.outranked": ("outranked", "devancé"),
    "hold.quiet_hours": ("quiet hours", "heures calmes"),
    "hold.daily_limit": ("daily limit reached", "limite du jour atteinte"),
    "hold.monthly_limit": ("monthly limit reached", "limite du mois atteinte"),
    "hold.low_score": ("score too low", "score trop bas"),
    "hold.fading": ("fading", "en baisse"),
    "hold.stale": ("stale", "trop ancien"),
    "hold.already_pitched": ("already pitched", "déjà proposé"),
    "hold.no_theme": ("no theme fits", "aucun thème"),
    "hold.weak_fit": ("theme too loose", "thème trop lointain"),
    "hold.muted": ("muted", "en sourdine"),
    "hold.draft_failed": ("draft failed", "texte refusé"),
    "hold.blocked": ("blocked", "bloqué"),
}
CARD_SOURCES = 3
HELD_DETAIL = frozenset({"blocked", "weak_fit", "draft_failed"})  # the detail says which rule
STATE_STYLES = {"rising": "bold green", "peaking": "bold magenta", "fading": "dim", "new": "cyan"}


def words(language: str | None) -> dict[str, str]:
    """WORDS in one language: French for `fr`, `fr-FR`...; English otherwise."""
    column = 1 if base_language(language) == "fr" else 0
    return {key: pair[column] for key, pair in WORDS.items()}


def _label(w: dict[str, str], key: str, name: str) -> str:
    return w.get(f"{key}.{name}", name.replace("_", " "))


def _count(n: int, w: dict[str, str]) -> str:
    return f"{n:,}".replace(",", w["thousands"])


def _clock(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def post_text(pitch: Pitch) -> str:
    """The post as it would go out: the draft, then the hashtags it does not already carry."""
    tags = [f"#{t.strip().lstrip('#')}" for t in pitch.hashtags if t.strip("# ")]
    missing = [t for t in tags if t.lower() not in pitch.draft.lower()]
    return f"{pitch.draft}\n\n{' '.join(missing)}" if missing else pitch.draft


def _source_lines(sources: Sequence[SourceLink], w: dict[str, str]) -> list[Text]:
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
        lines.append(Text(w["more"].format(count=len(sources) - CARD_SOURCES), style="dim"))
    return lines


def pitch_card(pitch: Pitch, *, when: datetime | None = None, language: str = "en") -> Panel:
    """A pitch as a rich Panel: what an editor reads before saying yes or no."""
    w = words(language)
    head = Text.assemble((w["theme"] + w["colon"], "dim"), (pitch.theme, "bold cyan"))
    if pitch.angle:
        head.append(f"  ·  {w['angle']}{w['colon']}", style="dim")
        head.append(pitch.angle)
    head.append(f"  ·  score {pitch.score:.1f}", style="dim")
    post = Panel(Text(post_text(pitch)), title=w["post"], title_align="left", border_style="dim")
    fields = Table.grid(padding=(0, 1))
    fields.add_column(style="bold", no_wrap=True)
    fields.add_column(ratio=1)
    tags = " ".join(f"#{t.strip().lstrip('#')}" for t in pitch.hashtags if t.strip("# "))
    fields.add_row(w["hashtags"], Text(tags or w["none"], style="blue" if tags else "dim"))
    if pitch.visual:
        fields.add_row(w["visual"], Text(pitch.visual))
    why = Text(pitch.why_now)
    if pitch.sparkline:
        why.append(f"  {pitch.sparkline}", style="green")
    fields.add_row(w["why_now"], why)
    if pitch.safety == "safe":
        fields.add_row(w["safety"], Text(w["safe"], style="green"))
    else:
        reason = (pitch.safety_reason or pitch.safety).rstrip(".") + "."
        fields.add_row(w["safety"], Text(w["caution"].format(reason=reason), style="bold yellow"))
    label = Text(pitch.story_label, style="bold")
    parts: list[Text | Panel | Table] = [label, head, post, fields]
    if pitch.sources:
        parts.append(Text(w["sources"], style="bold"))
        parts.extend(_source_lines(pitch.sources, w))
    if pitch.writer == "llm":
        parts.append(Text(w["llm"], style="dim"))
    elif pitch.writer_note:
        parts.append(Text(w["template"].format(note=pitch.writer_note), style="dim"))
    title = f"📈 {w['pitch']}" + (f" #{pitch.id}" if pitch.id is not None else "")
    return Panel(
        Group(*parts),
        title=title,
        title_align="left",
        subtitle=_clock(when) if when else None,
        subtitle_align="right",
        border_style="yellow" if pitch.safety != "safe" else "green",
    )


def print_pitch(
    console: Console, pitch: Pitch, *, when: datetime | None = None, language: str = "en"
) -> None:
    """Print a pitch card; `when` is the (replayed) time it was made, else its creation time."""
    console.print(pitch_card(pitch, when=when or pitch.created, language=language))


def hold_text(hold: Hold, *, language: str = "en") -> str:
    """Why a story was held back, in a few words: "quiet hours", "blocked: war: 'missile' in…"."""
    w = words(language)
    label = _label(w, "hold", hold.reason)
    if hold.reason in HELD_DETAIL and hold.detail:
        return label + w["colon"] + hold.detail.rstrip(".")
    return label


def why_not(view: StoryView, *, language: str = "en") -> str:
    """Why a story was not pitched: its pitch when it was, else its latest hold, else its state."""
    w = words(language)
    if view.pitch_id is not None:
        return w["pitched_as"].format(pitch_id=view.pitch_id)
    if view.held is not None:
        return hold_text(view.held, language=language)
    return w["undecided"] if view.state in ("rising", "peaking") else w["not_rising"]


def held_table(held: Sequence[HeldStory], *, language: str = "en") -> Table:
    """Stories held back: best score, label, and the latest reason."""
    table = Table.grid(padding=(0, 2))
    # the score goes with the label: rich drops a narrow column first when the width is short
    table.add_column(min_width=24, max_width=54, no_wrap=True, overflow="ellipsis")
    table.add_column(min_width=24, max_width=70, no_wrap=True, overflow="ellipsis", style="yellow")
    for h in held:
        label = Text.assemble((f"{h.score:5.1f}  ", "bold"), h.label)
        table.add_row(label, hold_text(h.hold, language=language))
    return table


def print_summary(console: Console, summary: ReplaySummary, *, language: str = "en") -> None:
    """What a replay did: how much came in, what rose, what was pitched and what was held, then
    the best stories held back and why."""
    w = words(language)
    table = Table.grid(padding=(0, 2))
    table.add_column(justify="right", style="bold")
    table.add_column()
    table.add_row(_count(summary.items, w), w["items"])
    table.add_row(_count(summary.cycles, w), w["cycles"])
    table.add_row(_count(summary.stories, w), w["stories"])
    table.add_row(_count(len(summary.rising), w), w["rising"])
    table.add_row(Text(_count(summary.pitched, w), style="bold green"), w["pitched"])
    table.add_row(Text(_count(len(summary.blocked), w), style="bold red"), w["blocked"])
    reasons = ", ".join(
        f"{_label(w, 'hold', reason)} {_count(count, w)}"
        for reason, count in summary.held.most_common()
    )
    held = _count(sum(summary.held.values()), w)
    table.add_row(held, w["held"] + (w["by_reason"] + reasons if reasons else ""))
    parts: list[Table | Text] = [table]
    if summary.top_held:
        parts += [Text(), Text(w["top_held"], style="bold")]
        parts.append(held_table(summary.top_held, language=language))
    console.print(Panel(Group(*parts), title=w["summary"], title_align="left", expand=False))


def stories_table(views: Sequence[StoryView], *, language: str = "en") -> Table:
    """Live stories, best first as given: for `trendbot trends`."""
    w = words(language)
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold", expand=True)
    table.add_column(w["score"], justify="right", no_wrap=True)
    table.add_column(w["state"], no_wrap=True)
    table.add_column(w["n_sources"], justify="right", no_wrap=True)
    table.add_column(w["last_24h"], no_wrap=True, style="green")
    table.add_column(w["story"], ratio=3, overflow="ellipsis", no_wrap=True)
    table.add_column(w["theme"], ratio=1, overflow="ellipsis", no_wrap=True, style="cyan")
    table.add_column(w["why_not"], ratio=3, overflow="ellipsis", no_wrap=True, style="yellow")
    if not views:
        table.caption = w["no_stories"]
    for v in views:
        label = Text()
        if v.safety == "blocked":
            label.append("⛔ ", style="red")
        elif v.safety == "caution":
            label.append("⚠ ", style="yellow")
        label.append(v.label, style="dim" if v.muted else "")
        if v.muted:
            label.append(f" {w['muted']}", style="dim")
        table.add_row(
            f"{v.score:.1f}",
            Text(_label(w, "state", v.state), style=STATE_STYLES.get(v.state, "")),
            str(v.sources),
            v.sparkline,
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

    def __init__(self, console: Console, items: Sequence[Item], store: Store) -> None:
        self.console = console
        self.store = store
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
        stories = self.store.story_count()
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
    bar = report.min_relevance
    for t in report.themes:
        head = Text.assemble((t.theme, "bold cyan"), f": {t.matched} of {report.stories:,} stories")
        head.append(f" match (relevance ≥ {bar:.2f})")
        if t.blocked:
            head.append(f", {t.blocked} of them blocked by brand safety", style="red")
        parts: list[Text | Table] = [head]
        sections = (
            ("Best matches", t.best, "", "none: add examples and keywords, or lower min_relevance"),
            (f"Near misses (below {bar:.2f})", t.near, "", "none"),
            ("Off-theme, closest in meaning (kept out by their kind of news or a negative"
             " example)", t.off, "dim", "none"),
        )  # fmt: skip
        for title, found, style, empty in sections:
            parts.append(Text(title, style="bold"))
            if not found:
                parts.append(Text(f"  {empty}", style="dim"))
            parts += [_tried(s, style=style) for s in found]
        console.print(Panel(Group(*parts), title_align="left", expand=True))
