"""`trendbot report`: what came in, what rose and what was pitched over a period, as charts.

One HTML page (self-contained: the charts are PNGs inlined as base64, so it can be mailed or
dropped in Slack) or, when the file name ends in `.png`, the same charts stacked in one image;
any other ending is refused. The time axis frames the part of the period that has data (a
replayed fortnight is not squashed against one edge of a long period).
matplotlib is imported in the functions that draw, and only its Agg canvas is used: no pyplot
state, no display, and `trendbot --help` stays fast.
"""

from __future__ import annotations

import base64
import html
import io
import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from trendbot.errors import TrendbotError
from trendbot.store import PitchLine, Store, from_iso, iso
from trendbot.types import PitchState

TOP_STORIES = 8
MAX_BINS = 168  # an hourly bar for a week, one every two hours for a fortnight, ...
MAX_STORY_BINS = 56  # hourly for two days, every six hours for a fortnight
BIN_HOURS = (1, 2, 3, 6, 12, 24)
DECISIONS = (
    PitchState.PROPOSED,
    PitchState.APPROVED,
    PitchState.REJECTED,
    PitchState.SNOOZED,
    PitchState.EXPIRED,
)
DECIDED = DECISIONS[1:]
COLOURS = {
    "news": "#4C72B0",
    "trending": "#DD8452",
    "proposed": "#4C72B0",
    "approved": "#55A868",
    "rejected": "#C44E52",
    "snoozed": "#8C8C8C",
    "expired": "#CCCCCC",
}
FORMATS = (".html", ".htm", ".png")
# An empty stretch at an edge of the period longer than this share of it is cut off the charts:
# a replayed fortnight in a 500-day period, a week's report on a two-day-old database.
FRAME_SLACK = 0.25
TABLE_ROWS = 200  # pitches listed in the HTML page
IMAGE_TABLE_ROWS = 15  # and in the PNG
WIDTH = 11.0  # inches, at 100 dpi
DPI = 100


@dataclass(frozen=True)
class Bins:
    """Equal slices of time from `start`, each `hours` long, aligned on the hour."""

    start: datetime
    hours: int
    count: int

    @classmethod
    def over(cls, since: datetime, now: datetime, *, most: int) -> Bins:
        span = (now - since).total_seconds() / 3600
        hours = next((h for h in BIN_HOURS if span / h <= most), 24 * math.ceil(span / most / 24))
        start = since.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        start -= timedelta(hours=start.hour % hours)
        return cls(start, hours, max(1, math.ceil((now - start) / timedelta(hours=hours))))

    def index(self, moment: datetime) -> int:
        return min(self.count - 1, int((moment - self.start) / timedelta(hours=self.hours)))

    @property
    def starts(self) -> list[datetime]:
        return [self.start + timedelta(hours=n * self.hours) for n in range(self.count)]

    @property
    def centres(self) -> list[datetime]:
        return [t + timedelta(hours=self.hours / 2) for t in self.starts]

    def per_hour(self, counts: list[int]) -> list[float]:
        return [c / self.hours for c in counts]


@dataclass(frozen=True)
class StoryLine:
    id: int
    label: str
    counts: list[int]  # new items per story bin
    total: int


@dataclass(frozen=True)
class ReportData:
    """Everything the charts show, read from the store in one go."""

    since: datetime  # the period drawn: the one asked for, framed to its data
    now: datetime
    bins: Bins  # for the items chart
    news: list[int]  # new items per bin
    trending: list[int]
    story_bins: Bins  # coarser: a story has a few items an hour at most
    stories: list[StoryLine]  # the biggest stories of the period, biggest first
    story_count: int  # stories with at least one new item in the period
    days: list[date]  # UTC days
    decisions: dict[str, list[int]]  # pitch event state -> count per day
    pitches: list[PitchLine]  # the latest pitches, newest first
    pitch_count: int

    @property
    def items(self) -> int:
        return sum(self.news) + sum(self.trending)

    @property
    def any_pitching(self) -> bool:
        return bool(self.pitch_count) or any(any(v) for v in self.decisions.values())


def report_data(store: Store, *, since: datetime, now: datetime) -> ReportData:
    if now <= since:
        raise TrendbotError(
            f"the report's period is empty: it starts at {iso(since)} and ends at {iso(now)};"
            " give a start before the end"
        )
    start, end = since, now
    events = store.pitch_events_between(since=start, until=end, states=DECISIONS)
    moments = [at for _, at in events]
    moments += store.items_period(since=since, until=now) or ()
    since, now = framed(since, now, moments)
    bins = Bins.over(since, now, most=MAX_BINS)
    news, trending = [0] * bins.count, [0] * bins.count
    for first_seen, kind in store.items_seen(since=start, until=end):
        (trending if kind == "trending" else news)[bins.index(first_seen)] += 1
    story_bins = Bins.over(since, now, most=MAX_STORY_BINS)
    stories, story_count = _stories(store, start, end, story_bins)
    days = [since.astimezone(UTC).date()]
    while days[-1] < (now - timedelta(microseconds=1)).astimezone(UTC).date():
        days.append(days[-1] + timedelta(days=1))
    decisions: dict[str, list[int]] = {state: [0] * len(days) for state in DECISIONS}
    for state, at in events:
        day = (at.astimezone(UTC).date() - days[0]).days
        decisions[state][min(day, len(days) - 1)] += 1
    return ReportData(
        since=since,
        now=now,
        bins=bins,
        news=news,
        trending=trending,
        story_bins=story_bins,
        stories=stories,
        story_count=story_count,
        days=days,
        decisions=decisions,
        pitches=store.pitch_lines(since=start, until=end, decided=DECIDED, limit=TABLE_ROWS),
        pitch_count=store.pitch_count(since=start, until=end),
    )


def framed(since: datetime, now: datetime, moments: list[datetime]) -> tuple[datetime, datetime]:
    """The part of [since, now] to draw: less an empty stretch at either edge longer than
    FRAME_SLACK of it, keeping an hour on each side of the data."""
    if not moments:
        return since, now
    slack = (now - since) * FRAME_SLACK
    first, last = min(moments), max(moments)
    start = since if first - since <= slack else max(since, first - timedelta(hours=1))
    end = now if now - last <= slack else min(now, last + timedelta(hours=1))
    return start, end


def _stories(
    store: Store, since: datetime, until: datetime, bins: Bins
) -> tuple[list[StoryLine], int]:
    """The biggest stories of the period (of the model that clustered most of it)."""
    activity = store.story_activity(since=since, until=until, top=TOP_STORIES)
    counts: dict[int, list[int]] = {i: [0] * bins.count for i in activity.top}
    for story_id, first_seen in activity.seen:
        counts[story_id][bins.index(first_seen)] += 1
    labels = activity.labels
    lines = [StoryLine(i, labels.get(i, f"#{i}"), counts[i], sum(counts[i])) for i in activity.top]
    return lines, activity.count


# drawing --------------------------------------------------------------------------------------


@contextmanager
def _quiet() -> Iterator[None]:
    # Headlines carry emoji and scripts the default font lacks: a missing glyph is drawn as a
    # box, which is no reason to fail (pytest turns warnings into errors).
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph .* missing from", category=UserWarning)
        yield


def _text(text: str, limit: int = 70) -> str:
    """Headline text as matplotlib should print it: clipped, and `$` not read as maths."""
    text = " ".join(text.split())
    text = text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    return text.replace("$", r"\$")


def _figure(height: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    with _quiet():
        figure.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()


def _time_axis(ax: Any, data: ReportData) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(tz=UTC)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=UTC))
    ax.set_xlim(data.since, data.now)
    _tidy(ax)


def _tidy(ax: Any) -> None:
    ax.grid(axis="y", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_ylim(bottom=0)


def _rate(bins: Bins) -> str:
    return "per hour" if bins.hours == 1 else f"per hour (over {bins.hours} h)"


def _smooth(values: list[float]) -> list[float]:
    """A 1-2-1 moving average: bursts of headlines read as a swell, not as spikes."""
    padded = [values[0], *values, values[-1]]
    return [(a + 2 * b + c) / 4 for a, b, c in zip(padded, padded[1:], padded[2:], strict=False)]


def items_chart(data: ReportData) -> bytes:
    figure = _figure(3.0)
    ax = figure.add_subplot()
    bins = data.bins
    width = timedelta(hours=bins.hours)
    news = bins.per_hour(data.news)
    ax.bar(bins.starts, news, width=width, align="edge", color=COLOURS["news"], label="news")
    if any(data.trending):
        ax.bar(
            bins.starts,
            bins.per_hour(data.trending),
            width=width,
            align="edge",
            bottom=news,
            color=COLOURS["trending"],
            label="trending searches",
        )
        ax.legend(loc="upper left", bbox_to_anchor=(1, 1), frameon=False)
    ax.set_title(f"New items {_rate(bins)}", loc="left")
    _time_axis(ax, data)
    return _png(figure)


def stories_chart(data: ReportData) -> bytes:
    from matplotlib import colormaps

    figure = _figure(4.0 + 0.2 * math.ceil(len(data.stories) / 2))
    ax = figure.add_subplot()
    bins = data.story_bins
    x = bins.centres
    rates = [_smooth(bins.per_hour(s.counts)) for s in data.stories]
    colours = [colormaps["tab10"](n) for n in range(len(data.stories))]
    labels = [f"{n}. {_text(s.label, 60)} ({s.total} items)" for n, s in enumerate(data.stories, 1)]
    ax.stackplot(x, rates, labels=labels, colors=colours, alpha=0.9)
    # Each band's number at its thickest, so the legend is not the only way to tell them apart.
    below = [0.0] * len(x)
    tops = [sum(column) for column in zip(*rates, strict=True)]
    for n, rate in enumerate(rates, 1):
        inner = range(1, len(rate) - 1) if len(rate) > 2 else range(len(rate))  # not on an edge
        peak = max(inner, key=rate.__getitem__)
        if rate[peak] >= 0.06 * max(tops):
            ax.annotate(
                str(n),
                (x[peak], below[peak] + rate[peak] / 2),
                ha="center",
                va="center",
                fontsize=8,
                fontweight="bold",
                color="white",
            )
        below = [b + r for b, r in zip(below, rate, strict=True)]
    title = f"The {len(data.stories)} biggest stories: new items {_rate(bins)}"
    ax.set_title(title, loc="left")
    _time_axis(ax, data)
    figure.legend(loc="outside lower left", ncols=2, fontsize=8, frameon=False)
    return _png(figure)


def decisions_chart(data: ReportData) -> bytes:
    figure = _figure(3.0)
    ax = figure.add_subplot()
    # Snoozed and expired only when there are some: three bars a day read better than five.
    states = [s for s in DECISIONS if s in DECISIONS[:3] or any(data.decisions[s])]
    width = 0.8 / len(states)
    for n, state in enumerate(states):
        x = [day + (n + 0.5) * width - 0.4 for day in range(len(data.days))]
        ax.bar(x, data.decisions[state], width=width, color=COLOURS[state], label=state)
    every = math.ceil(len(data.days) / 16)
    ticks = list(range(0, len(data.days), every))
    ax.set_xticks(ticks, [f"{data.days[t]:%b %d}" for t in ticks])
    ax.set_xlim(-0.6, len(data.days) - 0.4)
    ax.yaxis.get_major_locator().set_params(integer=True)
    _tidy(ax)
    ax.set_title("Pitches and decisions per day (UTC)", loc="left")
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1), frameon=False)
    return _png(figure)


def table_image(data: ReportData) -> bytes:
    rows = [
        [
            str(p.id),
            _day_time(p.created),
            _text(p.label, 40),
            _text(p.theme, 16),
            p.state,
            _text(p.draft or "", 60),
        ]
        for p in data.pitches[:IMAGE_TABLE_ROWS]
    ]
    figure = _figure(0.6 + 0.25 * (len(rows) + 1))
    ax = figure.add_subplot()
    ax.axis("off")
    more = data.pitch_count - len(rows)
    title = f"Latest pitches ({len(rows)} of {data.pitch_count})" if more else "Pitches"
    ax.set_title(title, loc="left")
    table = ax.table(
        cellText=rows,
        colLabels=["#", "created (UTC)", "story", "theme", "state", "draft"],
        colWidths=[0.04, 0.12, 0.32, 0.1, 0.08, 0.34],
        cellLoc="left",
        loc="upper left",
        edges="horizontal",
    )
    table.auto_set_font_size(False)
    table.set_fontsize(8.5)
    for (row, col), cell in table.get_celld().items():
        if row == 0:
            cell.set_text_props(fontweight="bold", horizontalalignment="left")
        elif col == 4:
            cell.set_text_props(color=COLOURS.get(cell.get_text().get_text(), "black"))
    return _png(figure)


def message_image(title: str, lines: list[str]) -> bytes:
    """A title and a few lines of text, as a strip of image."""
    height = 0.5 + 0.3 * (len(lines) + 1)
    figure = _figure(height)
    figure.text(
        0.01, 1 - 0.15 / height, _text(title, 200), fontsize=14, fontweight="bold", va="top"
    )
    for n, line in enumerate(lines, 1):
        figure.text(0.01, 1 - (0.25 + 0.3 * n) / height, _text(line, 200), va="top")
    return _png(figure)


# the page -------------------------------------------------------------------------------------


def _day_time(text: str | None) -> str:
    return from_iso(text).astimezone(UTC).strftime("%Y-%m-%d %H:%M") if text else ""


def _period(data: ReportData) -> str:
    since, now = data.since.astimezone(UTC), data.now.astimezone(UTC)
    return f"{since:%Y-%m-%d %H:%M} → {now:%Y-%m-%d %H:%M} UTC"


def _headline_figures(data: ReportData) -> list[tuple[str, str]]:
    approved = sum(data.decisions["approved"])
    rejected = sum(data.decisions["rejected"])
    figures = [
        (f"{data.items:,}", "new items"),
        (f"{data.story_count:,}", "stories"),
        (f"{data.pitch_count:,}", "pitches"),
        (f"{approved:,}", "approved"),
        (f"{rejected:,}", "rejected"),
    ]
    if approved + rejected:
        figures.append((f"{approved / (approved + rejected):.0%}", "approval rate"))
    return figures


def _empty_lines(data: ReportData) -> list[str]:
    """Why there is nothing (or little) to see, and what to do about it."""
    if not data.items and not data.pitch_count:
        return [
            f"Nothing to report: no items were collected in {_period(data)}.",
            "Run `trendbot fetch` (or `trendbot demo`) first, or choose another period.",
        ]
    lines = []
    if not data.stories:
        lines.append(
            "No stories yet: items are grouped into stories when they are processed "
            "(`trendbot run`, or `trendbot replay`)."
        )
    if not data.pitch_count:
        lines.append("No pitches in this period.")
    return lines


def _img(png: bytes, alt: str) -> str:
    source = base64.b64encode(png).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{source}">'


def _story_list(data: ReportData) -> str:
    rows = "".join(
        f"<li>{html.escape(s.label)} <small>({s.total} items)</small></li>" for s in data.stories
    )
    return f'<ol class="stories">{rows}</ol>'


def _pitch_table(data: ReportData) -> str:
    head = "".join(
        f"<th>{h}</th>"
        for h in ("#", "created (UTC)", "story", "theme", "score", "safety", "state", "decision")
    )
    rows = []
    for p in data.pitches:
        decision = ""
        if p.decided_at:
            who = f" by {p.decided_by}" if p.decided_by else ""
            why = f": {p.reason}" if p.reason else ""
            decision = f"{_day_time(p.decided_at)}{who}{why}"
        cells = [
            str(p.id),
            _day_time(p.created),
            p.label,
            p.theme,
            f"{p.score:.1f}",
            p.safety,
        ]
        tds = "".join(f"<td>{html.escape(c)}</td>" for c in cells)
        state = html.escape(p.state)
        tds += f'<td><span class="state {state}">{state}</span></td>'
        tds += f"<td>{html.escape(decision)}</td>"
        rows.append(f"<tr>{tds}</tr>")
        if p.draft:
            draft = html.escape(p.draft)
            rows.append(f'<tr class="draft"><td></td><td colspan="7">{draft}</td></tr>')
    caption = ""
    if data.pitch_count > len(data.pitches):
        caption = f"<caption>The latest {len(data.pitches)} of {data.pitch_count}.</caption>"
    return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; color: #222; max-width: 1120px; margin: 2em auto;
       padding: 0 1em; }
h1 { margin-bottom: 0; } .period { color: #666; margin-top: .2em; }
.figures { display: flex; gap: 2em; list-style: none; padding: 0; }
.figures b { display: block; font-size: 1.6em; }
img { max-width: 100%; } .note { background: #fff8e1; padding: .6em 1em; border-radius: 4px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: .3em .5em; border-bottom: 1px solid #e4e4e4;
         vertical-align: top; }
caption { text-align: left; color: #666; padding-bottom: .4em; }
.state { padding: .1em .5em; border-radius: 3px; background: #eee; }
.approved { background: #dff0d8; } .rejected { background: #f2dede; }
.proposed, .posted { background: #e1ecf7; }
.stories { font-size: 13px; columns: 2; } small { color: #888; }
tr.draft td { color: #444; font-style: italic; white-space: pre-wrap; padding-top: 0; }
tr:has(+ tr.draft) td { border-bottom: none; }
footer { color: #888; margin-top: 2em; font-size: 12px; }
"""


def render_html(data: ReportData) -> str:
    figures = "".join(
        f"<li><b>{html.escape(v)}</b>{html.escape(k)}</li>" for v, k in _headline_figures(data)
    )
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>trendbot report · {html.escape(_period(data))}</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>trendbot report</h1>",
        f'<p class="period">{html.escape(_period(data))}</p>',
        f'<ul class="figures">{figures}</ul>',
    ]
    parts += [f'<p class="note">{html.escape(line)}</p>' for line in _empty_lines(data)]
    with _quiet():
        if data.items:
            parts.append("<section><h2>What came in</h2>")
            parts.append(_img(items_chart(data), "New items per hour") + "</section>")
        if data.stories:
            parts.append("<section><h2>The biggest stories</h2>")
            parts.append(_img(stories_chart(data), "The biggest stories over time"))
            parts.append(_story_list(data) + "</section>")
        if data.any_pitching:
            parts.append("<section><h2>Pitches and decisions</h2>")
            parts.append(_img(decisions_chart(data), "Pitches and decisions per day"))
            parts.append(_pitch_table(data) + "</section>")
    made = f"{data.now.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    parts.append(f"<footer>Made by trendbot from its database as of {made}.</footer>")
    parts.append("</body></html>")
    return "\n".join(parts)


def render_png(data: ReportData) -> bytes:
    """The charts of the page, stacked in one image under a title."""
    import numpy as np
    from matplotlib import image

    head = "  ·  ".join(f"{v} {k}" for v, k in _headline_figures(data))
    images = [message_image(f"trendbot report · {_period(data)}", [head, *_empty_lines(data)])]
    with _quiet():
        if data.items:
            images.append(items_chart(data))
        if data.stories:
            images.append(stories_chart(data))
        if data.any_pitching:
            images.append(decisions_chart(data))
            if data.pitches:
                images.append(table_image(data))
    arrays = [image.imread(io.BytesIO(png)) for png in images]
    width = max(a.shape[1] for a in arrays)
    padded = [
        np.pad(a, ((0, 0), (0, width - a.shape[1]), (0, 0)), constant_values=1.0) for a in arrays
    ]
    buffer = io.BytesIO()
    image.imsave(buffer, np.vstack(padded), format="png")
    return buffer.getvalue()


def check_format(out: Path) -> None:
    """Refuse, in one line, a file name that is neither .html nor .png (a .pdf would get HTML)."""
    if out.suffix.lower() not in FORMATS:
        raise TrendbotError(
            f"cannot write a report as {out.suffix or 'a file without an extension'}: give a file"
            " name ending in .html (a page) or .png (an image)",
            where=str(out),
        )


def write_report(store: Store, *, since: datetime, now: datetime, out: Path) -> Path:
    """Charts of the period [since, now] written to `out`: a PNG image when its name ends in
    `.png`, a self-contained HTML page for `.html`. Returns the path written."""
    out = Path(out)
    check_format(out)
    data = report_data(store, since=since, now=now)
    try:
        content = render_png(data) if out.suffix.lower() == ".png" else render_html(data)
        out.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            out.write_bytes(content)
        else:
            out.write_text(content, encoding="utf-8")
    except OSError as e:
        raise TrendbotError(
            "cannot write the report (check the folder exists and you may write to it)",
            where=str(out),
        ) from e
    return out
