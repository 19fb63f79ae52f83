"""The `trendbot` command: parse arguments, call the library, print, turn errors into one line.

Nothing heavy is imported at module level, so `trendbot --help` answers at once.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from trendbot import __version__
from trendbot.errors import TrendbotError
from trendbot.logs import redact

if TYPE_CHECKING:
    from trendbot.core import Trendbot
    from trendbot.pipeline import Pipeline
    from trendbot.settings import BrandSettings, Settings
    from trendbot.types import Pitch

F = TypeVar("F", bound=Callable[..., Any])


class Context:
    def __init__(
        self,
        config: str | None,
        db: str | None,
        log_level: str = "warning",
        log_json: bool = False,
    ) -> None:
        self.config_arg = config
        self.db_arg = db
        self.log_level = log_level
        self.log_json = log_json
        self._settings: Settings | None = None

    def setup_logs(self) -> None:
        from trendbot import logs

        logs.setup(self.log_level, json_lines=self.log_json)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from trendbot.settings import load_settings

            self._settings = load_settings(self.config_arg)
        return self._settings

    @property
    def config_path(self) -> Path:
        from trendbot.settings import config_path

        return config_path(self.config_arg)

    def db_path(self) -> str:
        from trendbot.settings import db_path

        return self.db_arg or db_path(self.settings)


pass_ctx = click.make_pass_decorator(Context)


def one_line_errors(func: F) -> F:
    """A user's mistake ends in one line on stderr and exit status 1, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except TrendbotError as e:
            text = str(e)
            if "\n" in text:  # several config mistakes: one line each
                for line in text.splitlines():
                    click.echo(f"error: {line}", err=True)
            else:
                click.echo(f"error: {text}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


CONFIG_HELP = "feeds.yaml to use [env TRENDBOT_CONFIG; default ./feeds.yaml]"
DB_HELP = "SQLite file [env TRENDBOT_DB]"
LOG_LEVELS = click.Choice(["debug", "info", "warning", "error"])
LOG_JSON_HELP = "Logs as one JSON object a line."


def _global_options() -> list[click.Option]:
    """--config, --db, --log-level and --log-json for a command, so that they work after its
    name too (`trendbot feeds --config x.yaml`); each overrides what came before the name."""

    def keep(name: str) -> Callable[[click.Context, click.Parameter, Any], None]:
        def callback(click_ctx: click.Context, param: click.Parameter, value: Any) -> None:
            ctx = click_ctx.find_object(Context)
            if ctx is None or value is None or value is False:
                return
            setattr(ctx, name, value)
            if name.startswith("log"):
                ctx.setup_logs()

        return callback

    return [
        click.Option(
            ["--config", "-c"],
            type=click.Path(dir_okay=False),
            help=CONFIG_HELP,
            expose_value=False,
            callback=keep("config_arg"),
        ),
        click.Option(
            ["--db"],
            type=click.Path(dir_okay=False),
            help=DB_HELP,
            expose_value=False,
            callback=keep("db_arg"),
        ),
        click.Option(
            ["--log-level"], type=LOG_LEVELS, expose_value=False, callback=keep("log_level")
        ),
        click.Option(
            ["--log-json"],
            is_flag=True,
            default=None,
            help=LOG_JSON_HELP,
            expose_value=False,
            callback=keep("log_json"),
        ),
    ]


class TrendbotGroup(click.Group):
    """A group whose commands (and their subcommands) all take the global options."""

    group_class = type  # subgroups are TrendbotGroups too

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        taken = {opt for p in cmd.params for opt in getattr(p, "opts", ())}
        cmd.params += [o for o in _global_options() if not taken.intersection(o.opts)]
        super().add_command(cmd, name)


@click.group(cls=TrendbotGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="trendbot")
@click.option("--config", "-c", type=click.Path(dir_okay=False), help=CONFIG_HELP)
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
@click.option("--log-level", type=LOG_LEVELS, default="warning", show_default=True)
@click.option("--log-json", is_flag=True, help=LOG_JSON_HELP)
@click.pass_context
def cli(
    ctx: click.Context, config: str | None, db: str | None, log_level: str, log_json: bool
) -> None:
    """trendbot: spots rising news stories that fit your brand and pitches post ideas in Slack.

    The options above work after a command's name too: `trendbot feeds --config x.yaml`."""
    ctx.obj = Context(config, db, log_level, log_json)
    ctx.obj.setup_logs()


# config -------------------------------------------------------------------------------------


@cli.group()
def config() -> None:
    """Check feeds.yaml."""


@config.command("check")
@click.option(
    "--themes",
    "kinds",
    is_flag=True,
    help="Also say what kind of news each theme's own texts read as (loads the model once).",
)
@pass_ctx
@one_line_errors
def config_check(ctx: Context, kinds: bool) -> None:
    """Validate feeds.yaml and print what will run."""
    from trendbot import embed, entities
    from trendbot.fit import held_keywords

    s = ctx.settings
    model, why = embed.resolve_model(s.embedding.model, s.languages)
    news = [f for f in s.news_feeds if f.kind == "news"]
    click.echo(f"{ctx.config_path}: ok")
    click.echo(f"  feeds: {len(news)} news, {len(s.news_feeds) - len(news)} trending")
    for brand in s.brands:
        click.echo(
            f"  brand: {brand.name} ({brand.language}), themes: "
            + ", ".join(t.name for t in brand.themes)
        )
        c = brand.cadence
        digest = f", digest {brand.digest.at} {','.join(brand.digest.days)}" if brand.digest else ""
        click.echo(
            f"    cadence: {c.mode}, {c.max_per_day}/day, {c.max_per_month}/month, quiet "
            f"{c.quiet_hours or 'never'} ({c.timezone}){digest}"
        )
        if "timezone" not in c.model_fields_set:  # a US brand counting its days in Paris
            click.echo(
                f"    warning: brand {brand.name!r}: cadence.timezone is not set, so its days and"
                f" quiet hours are {c.timezone}'s; set yours (e.g. America/New_York)"
            )
        if s.slack.channel or brand.channel:
            click.echo(f"    channel: {s.channel_of(brand)}")
        if brand.safety.allow:
            allowed = ", ".join(brand.safety.allow)
            click.echo(
                f"    your own news (safety.allow): {allowed}"
                if brand.safety.builtin
                else f"    warning: brand {brand.name!r}: safety.allow ({allowed}) does nothing"
                " with safety.builtin: false (no built-in category blocks anything)"
            )
        # which first words count alone, which names only with their capital, depends on their
        # rarity: show them, not a threshold
        whole, words = entities.rival_names(brand.safety.competitors, brand.name)
        if whole:
            click.echo(f"    competitors matched in any case: {', '.join(map(repr, whole))}")
        if short := {w: n for w, n in words.items() if w.casefold() != n.casefold()}:
            named = ", ".join(f"{word!r} ({name})" for word, name in short.items())
            click.echo(f"    competitors also caught by their first word: {named}")
        if common := [n for w, n in words.items() if w.casefold() == n.casefold()]:
            named = ", ".join(repr(n) for n in common)
            click.echo(f"    competitors matched only when written with their capital: {named}")
        if shortened := entities.shortened_rivals(brand.safety.competitors, words, brand.name):
            named = ", ".join(f"{word!r} ({name})" for word, name in shortened.items())
            click.echo(
                f"    note: the news may name {named} by a first word too common to be matched"
                " alone; if that word names the company in the news (not a place, a person or"
                " a thing), list it as a competitor too: it is then matched only with its"
                " capital, so a Title Case headline still counts ('Progressive Democrats…')"
            )
        for problem in held_keywords(brand):
            click.echo(f"    warning: {problem}")
        if kinds:
            for line in _theme_kinds(brand, model):
                click.echo(f"    {line}")
    click.echo(f"  embedding model: {model} ({why})")
    click.echo(f"  database: {redact(ctx.db_path())}")
    from trendbot.settings import Secrets

    secrets = Secrets.from_env(llm_key_env=s.pitches.llm.api_key_env if s.pitches.llm else "")
    if secrets.slack_enabled:
        mode = "Socket Mode" if secrets.slack_app_token else "HTTP (/slack/events)"
        click.echo(f"  slack: on, {mode}, channel {s.slack.channel or '(none)'}")
    else:
        click.echo("  slack: off (SLACK_BOT_TOKEN not set): pitches are printed here")


def _theme_kinds(brand: BrandSettings, model: str) -> list[str]:
    """Per theme, the kinds of news its own texts read as, and what that means for `narrow`: a
    new team sees it before any news is read (`themes try` shows it on news)."""
    from trendbot import embed, themes
    from trendbot.fit import held_examples, make_matcher, make_safety
    from trendbot.pitches import angle_occasions
    from trendbot.topics import SPANS, said
    from trendbot.topics import load as load_topics

    encode = embed.cached_embedder(model).encode
    topics = load_topics(model, encode)
    matcher = make_matcher(brand, encode, model=model, topics=topics)
    held: dict[str, list[str]] = {}
    for name, warning in held_examples(
        brand, make_safety(brand, encode, model=model, topics=topics), encode
    ):
        held.setdefault(name, []).append(f"  warning: {warning}")
    lines = []
    for t, theme in enumerate(brand.themes):
        reading = matcher.reading(t)
        if not reading:
            return []  # no topic model for this embedding model
        (kind, clarity), *others = reading
        pulls: list[str] = []  # the texts to rewrite, for a theme not clearly one kind
        line = f"theme {theme.name}: {said(kind)} news {int(clarity * 100)}%" + "".join(
            f", {said(k)} {int(p * 100)}%" for k, p in others
        )
        if theme.narrow:
            line += f"; narrow: matched on what sets it apart within {said(kind)} news"
        elif clarity < themes.KIND_CLEAR / 2:
            line += "; no kind of news is clearly its own: its keywords and examples decide"
        elif clarity < themes.KIND_CLEAR:
            line += (
                "; not clearly one kind, so likeness to its texts decides more: if it is a"
                f" corner of {said(kind)} news ({SPANS[kind]}), `narrow: true`; if two"
                " subjects, two themes"
            )
            pulls = [
                f"  reads least as {said(kind)} news: {label} ({said(other)} {int(p * 100)}%,"
                f" {said(kind)} {int(own * 100)}%)"
                for label, other, p, own in matcher.pulls(t)
            ]
        else:
            line += (
                f"; any {said(kind)} story is of its kind, and {said(kind)} news is"
                f" {SPANS[kind]}: if the theme is only part of that, `narrow: true`"
            )
        lines += [line, *pulls, *held.get(theme.name, [])]
        # which story an angle waits for (its occasion) decides whether it is ever used
        for angle, occasion in angle_occasions(theme, encode):
            if occasion:
                waits = f"stories of {' or '.join(map(repr, occasion))}"
            elif any(k.strip() for k in theme.keywords):
                waits = "any story close to it (several keywords alike are its occasion)"
            else:
                waits = "any story close to it (the theme has no keywords to tie it to)"
            lines.append(f"  angle {angle!r}: waits for {waits}")
    return lines


# feeds --------------------------------------------------------------------------------------


@cli.group(invoke_without_command=True)
@click.pass_context
@one_line_errors
def feeds(click_ctx: click.Context) -> None:
    """List the feeds and their health (or `feeds import FILE.opml`)."""
    if click_ctx.invoked_subcommand is not None:
        return
    from rich.console import Console
    from rich.table import Table

    ctx: Context = click_ctx.obj
    with _trendbot(ctx) as bot:
        rows = bot.feeds()
    table = Table("feed", "kind", "items", "last success", "failures", "status")
    for row in rows:
        if row.disabled:
            status = "[red]disabled[/red]: " + (row.last_error or "")
        elif row.last_error and row.consecutive_failures:
            status = "[yellow]failing[/yellow]: " + row.last_error
        else:
            status = "ok" if row.last_success else "never fetched"
        table.add_row(
            row.name,
            row.kind,
            str(row.items_total),
            row.last_success.isoformat() if row.last_success else "-",
            str(row.consecutive_failures),
            status,
        )
    Console().print(table)


@feeds.command("import")
@click.argument("opml_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--kind", type=click.Choice(["news", "trending"]), default="news")
@click.option("--language", default=None, help="Language of these feeds, e.g. fr.")
@pass_ctx
@one_line_errors
def feeds_import(ctx: Context, opml_file: str, kind: str, language: str | None) -> None:
    """Add the feeds of an OPML export (Feedly, Inoreader) to feeds.yaml, keeping its comments."""
    from trendbot.settings import FeedSettings, add_feeds_to_config, load_settings
    from trendbot.sources.opml import read_opml

    found = read_opml(Path(opml_file))
    entries = [
        FeedSettings(
            name=f.name,
            url=f.url,
            kind=kind,
            language=f.language or language,
            tags=tuple(f.tags),
        )
        for f in found
    ]
    path = ctx.config_path
    ctx.settings  # noqa: B018 - refuse to edit a feeds.yaml that is already broken
    added = add_feeds_to_config(path, entries)
    load_settings(path)
    click.echo(f"{path}: added {added} feed(s), {len(entries) - added} already there")


@cli.command("check-feed")
@click.argument("url_or_file")
@click.option("--items", "show", default=10, show_default=True, help="Items to show.")
@click.option(
    "--allow-private",
    is_flag=True,
    help="Allow loopback and private addresses [default: fetch.allow_private of feeds.yaml].",
)
@pass_ctx
@one_line_errors
def check_feed(ctx: Context, url_or_file: str, show: int, allow_private: bool) -> None:
    """Fetch or read one feed and show what trendbot sees in it."""
    from rich.console import Console
    from rich.table import Table

    from trendbot.pipeline import read_one_feed

    # A feed can be tried before feeds.yaml exists; when it does, its fetch settings apply.
    if not allow_private and ctx.config_path.exists():
        allow_private = ctx.settings.fetch.allow_private
    info = read_one_feed(url_or_file, allow_private=allow_private)
    console = Console()
    console.print(f"[bold]{info.title or '(no title)'}[/bold]  {info.link}")
    console.print(f"{len(info.items)} items, language {info.language or 'unknown'}")
    table = Table("published (UTC)", "source", "title", "lang")
    for item in info.items[:show]:
        table.add_row(
            item.published.strftime("%Y-%m-%d %H:%M"),
            item.source or "",
            item.title,
            item.language or "",
        )
    console.print(table)


# fetch --------------------------------------------------------------------------------------


@cli.command()
@click.option("--feed", "names", multiple=True, help="Only this feed (repeatable).")
@click.option("--force", is_flag=True, help="Fetch even the feeds not due yet.")
@pass_ctx
@one_line_errors
def fetch(ctx: Context, names: tuple[str, ...], force: bool) -> None:
    """Run one fetch cycle and show what each feed gave."""
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    from trendbot.pipeline import make_pipeline

    console = Console(stderr=True)
    with make_pipeline(ctx.settings, db=ctx.db_path()) as pipeline:
        force = force or bool(names)  # a feed asked for by name is fetched now
        total = len(pipeline.feeds_to_fetch(names, force=force))
        with Progress(console=console, transient=True, disable=not console.is_terminal) as bar:
            task = bar.add_task("fetching", total=total)
            reports = pipeline.fetch(names, force=force, on_report=lambda r: bar.advance(task))
    table = Table("feed", "status", "new", "seen again", "detail")
    for r in reports:
        colour = {"ok": "green", "not modified": "cyan", "error": "red"}.get(r.status, "white")
        table.add_row(
            r.feed, f"[{colour}]{r.status}[/{colour}]", str(r.new), str(r.seen_again), r.detail
        )
    Console().print(table)
    if reports and all(r.status == "error" for r in reports):
        sys.exit(1)
    if not reports:
        click.echo("No feed was due: `trendbot fetch --force` fetches them all now.")
    click.echo(
        "Next: stories are built from these items, and pitched, by `trendbot run`;"
        " then `trendbot trends` shows them."
    )


# stories and pitches ------------------------------------------------------------------------


def _duration(text: str) -> timedelta:
    """`6h`, `30m`, `7d`, `2w` -> a timedelta."""
    units = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
    value, unit = text[:-1], text[-1:].lower()
    if unit not in units or not value.isdigit():
        raise click.BadParameter(f"{text!r}: use a number and m, h, d or w, like 6h or 7d")
    return timedelta(**{units[unit]: int(value)})


@cli.command()
@click.option("--since", default="6h", show_default=True, help="Stories active this recently.")
@click.option("--limit", default=20, show_default=True)
@click.option("--theme", default=None, help="Only stories matching this theme.")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
@pass_ctx
@one_line_errors
def trends(ctx: Context, since: str, limit: int, theme: str | None, as_json: bool) -> None:
    """The top stories now: score, state, sources, sparkline, and why each was not pitched."""
    from rich.console import Console

    from trendbot.console import stories_table, why_not

    language = ctx.settings.brand.language
    window = _duration(since)
    with _trendbot(ctx, since=since) as bot:
        views = [v for v in bot.top_stories(limit, theme) if v.last_seen >= bot.now() - window]
    if as_json:
        found = [_jsonable(asdict(v)) | {"why_not": why_not(v, language=language)} for v in views]
        click.echo(json.dumps(found, ensure_ascii=False, indent=1))
        return
    Console().print(stories_table(views, language=language))
    if not views:
        click.echo(NO_STORIES_HINT)


@cli.command("search")
@click.argument("words", nargs=-1, required=True)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(min=1))
@click.option("--brand", "brand_name", default=None, help="With several brands: which one.")
@pass_ctx
@one_line_errors
def search_cmd(ctx: Context, words: tuple[str, ...], limit: int, brand_name: str | None) -> None:
    """The stories with a headline that says all these words, the latest first, with their ids
    (for `trendbot pitch ID`) and why each was not pitched; risen or not."""
    from rich.console import Console

    from trendbot.console import stories_table
    from trendbot.words import Messages

    brand = _brand(ctx.settings, brand_name)
    with _trendbot(ctx, since=ALL_OF_IT) as bot:
        views = bot.stories_saying(" ".join(words), limit, brand=brand.name)
    if not views:
        click.echo(Messages(brand.language)("console.none_saying", words=" ".join(words)))
        return
    Console().print(stories_table(views, language=brand.language, dated=True))


def _brand(settings: Settings, name: str | None) -> BrandSettings:
    """The brand `--brand` names, or the first."""
    if not name:
        return settings.brand
    found = settings.brand_named(name)
    if found is None:
        names = ", ".join(b.name for b in settings.brands)
        raise click.BadParameter(f"no brand named {name!r}; there are: {names}")
    return found


@cli.command("held")
@click.option(
    "--since", default=None, help="Held this recently.  [default: 7d; a replay's: all of it]"
)
@click.option(
    "--limit", default=50, show_default=True, type=click.IntRange(min=0), help="0 for all."
)
@click.option("--brand", "brand_name", default=None, help="With several brands: which one.")
@pass_ctx
@one_line_errors
def held_cmd(ctx: Context, since: str | None, limit: int, brand_name: str | None) -> None:
    """Every story held back and never pitched, with why: those that fit a theme first, then
    the near misses, then the rest (a replay's summary names ten)."""
    from rich.console import Console

    from trendbot.console import held_table
    from trendbot.types import utcnow
    from trendbot.words import Messages

    brand = _brand(ctx.settings, brand_name)
    with _trendbot(ctx) as bot:
        since, window = _default_period(bot, since, "7d")
        now = _replayed_end(bot, window, since) or utcnow()
        groups = bot.held(since=now - window, brand=brand)
    total, msg, language = sum(map(len, groups)), Messages(brand.language), brand.language
    if not total:
        period = msg("console.whole_replay") if since == ALL_OF_IT else since
        click.echo(msg("console.none_held", since=period, now=f"{now:%Y-%m-%d %H:%M}"))
        return
    console, left = Console(), limit or total
    titles = msg("console.held_groups").split("|")
    for title, group in zip(titles, groups, strict=True):
        if group and left:
            console.print(f"[bold]{title}[/bold] ({len(group)})")
            console.print(held_table(group[:left], language=language, wrap=True, dated=True))
            left -= min(left, len(group))
    if limit and total > limit:
        click.echo(msg("console.held_more", shown=limit, total=total))


NO_STORIES_HINT = (
    "Stories are built from the fetched items by `trendbot run` (or `trendbot replay FILE`);"
    " `trendbot fetch` only collects items."
)


@cli.command("pitches")
@click.option("--since", default=None, help="[default: 24h; a replay's: all of it]")
@click.option(
    "--state",
    "states",
    multiple=True,
    type=click.Choice(["proposed", "posted", "approved", "rejected", "snoozed", "expired"]),
)
@click.option(
    "--cards", is_flag=True, help="Each pitch as its card (draft, tags, visual…), oldest first."
)
@pass_ctx
@one_line_errors
def pitches_cmd(ctx: Context, since: str | None, states: tuple[str, ...], cards: bool) -> None:
    """The pitches made recently, with their state; with --cards, each one whole, to read a
    replayed month's drafts again."""
    from rich.console import Console
    from rich.table import Table

    from trendbot.console import print_pitch
    from trendbot.types import utcnow

    with _trendbot(ctx) as bot:
        since, window = _default_period(bot, since, "24h")
        now = _replayed_end(bot, window, since) or utcnow()
        found = bot.pitches(since=now - window, states=states)
        last = [] if found else bot.pitches(since=None, states=states, limit=1)
        newest = last[0] if last else None
    if not found:
        # "try a longer --since" after --since 400d on a replay that pitched nothing misled
        which = f"{'/'.join(states)} " if states else ""
        if newest is None or newest.created is None:
            click.echo(
                f"No {which}pitches in this database."
                if states
                else "No pitches in this database: pitches are made by `trendbot run` (or"
                " `trendbot replay FILE`) when a story that fits a theme rises; a replay's"
                " summary lists those held, and why."
            )
        else:
            period = "whole replay" if since == ALL_OF_IT else since
            click.echo(
                f"No {which}pitches in the {period} up to {now:%Y-%m-%d %H:%M} UTC; the newest is"
                f" from {newest.created:%Y-%m-%d %H:%M} UTC: try a longer --since."
            )
        return
    if cards:
        console = Console()
        for p in reversed(found):
            brand = ctx.settings.brand_named(p.brand) or ctx.settings.brand
            print_pitch(console, p, language=brand.language)
        return
    table = Table("#", "created", "state", "theme", "story", "safety")
    for p in found:
        created = p.created.strftime("%Y-%m-%d %H:%M") if p.created else ""
        table.add_row(str(p.id), created, p.state, p.theme, p.story_label, p.safety)
    Console().print(table)


# a period that reaches back past any replay: 100 years
ALL_OF_IT = "36500d"


def _default_period(bot: Trendbot, since: str | None, live: str) -> tuple[str, timedelta]:
    """`--since` as given, else `live` (the last day or week of a running install), or all of
    a replay's database: each new user who replayed a month asked for `--since 400d` to see its
    pitches, or saw a week of them."""
    if since is None:
        since = ALL_OF_IT if _stored_end(bot, timedelta(days=1)) is not None else live
    return since, _duration(since)


def _replayed_end(bot: Trendbot, window: timedelta, since: str) -> datetime | None:
    """When the stored data ends before `window` or a day ago (a replay's database, or one that
    stopped fetching): its end, to count back from, said in one line."""
    end = _stored_end(bot, window)
    if end is None:
        return None
    shown = "all of it" if since == ALL_OF_IT else f"the {since}"
    click.echo(
        f"replayed data: showing {shown} up to {end:%Y-%m-%d %H:%M} UTC, where the stored"
        " data ends (--since counts back from there)",
        err=True,
    )
    return end


def _stored_end(bot: Trendbot, window: timedelta) -> datetime | None:
    """When the stored data ends, if that is longer ago than `window` or a day (a replay's
    database). Not the window alone: `--since 400d` on a replay of last autumn counted back
    from today and showed two of its five pitches, without a word."""
    from trendbot.types import utcnow

    end = bot.data_end()
    stale = min(window, timedelta(days=1))
    return end if end is not None and end < utcnow() - stale else None


@cli.command("pitch")
@click.argument("story_id", type=int)
@click.option("--save", is_flag=True, help="Keep it: queued for delivery, counts toward limits.")
@pass_ctx
@one_line_errors
def pitch_cmd(ctx: Context, story_id: int, save: bool) -> None:
    """Draft a pitch for a story now and show it as it would appear; a preview, saved only with
    --save."""
    from rich.console import Console

    from trendbot.console import print_pitch
    from trendbot.words import Messages

    language = ctx.settings.brand.language
    with _trendbot(ctx) as bot:
        # a replay's database: drafted as the replay saw the story (`replayed_as_of`), where
        # the matcher adapts on that day's stream as the replay's did (today's clock found no
        # stream to adapt on), and saved as previewed, now: a new user's saved card had another
        # theme and draft, drafted with today's clock
        today = bot.pipeline.clock
        end = _stored_end(bot, timedelta(days=1))
        if end is not None:
            when = bot.replayed_as_of(story_id, end)
            bot.pipeline.clock = lambda: when
            why = (
                "when the replay last scored the story"
                if when < end
                else "where the stored data ends"
            )
            click.echo(f"replayed data: drafting as of {when:%Y-%m-%d %H:%M} UTC, {why}", err=True)
        pitch = bot.draft_pitch(story_id, save=False)
        if save:
            bot.pipeline.clock = today  # for today's pitches, never dated back
            pitch = bot.keep_pitch(pitch)
        when = pitch.created or bot.now()
    console = Console()
    print_pitch(console, pitch, when=when, language=language)
    msg = Messages(language)
    if save:
        done = msg("console.saved", pitch_id=pitch.id)
    elif pitch.safety == "blocked":
        done = msg("console.preview_blocked")
    else:
        done = msg("console.preview", id=story_id)
    console.print(done, markup=False, highlight=False, soft_wrap=True)


@contextmanager
def _trendbot(ctx: Context, *, since: str | None = None) -> Iterator[Trendbot]:
    """The facade on the database; with `since`, its clock is a replay's end when the data is
    older than that (see `_replayed_end`)."""
    from trendbot.core import make_trendbot

    bot = make_trendbot(ctx.settings, db=ctx.db_path())
    try:
        end = _replayed_end(bot, _duration(since), since) if since else None
        if end is not None:
            bot.pipeline.clock = lambda: end
        yield bot
    finally:
        bot.close()


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


# run, replay, demo, export, report ----------------------------------------------------------


@cli.command()
@click.option("--port", default=3000, show_default=True, help="HTTP mode: /slack/events port.")
@click.option(
    "--host",
    envvar="TRENDBOT_HOST",
    default="127.0.0.1",
    show_default=True,
    help="HTTP mode: the address to listen on ($TRENDBOT_HOST; the Docker image sets 0.0.0.0).",
)
@click.option(
    "--listen/--no-listen",
    default=True,
    show_default=True,
    help="Answer Slack (events, /trend, buttons); --no-listen for a worker beside one that does.",
)
@pass_ctx
@one_line_errors
def run(ctx: Context, port: int, host: str, listen: bool) -> None:
    """Run day and night: fetch, process, pitch (to Slack, or here without tokens). On
    PostgreSQL, start several: they share the work (see "More than one machine")."""
    from rich.console import Console

    from trendbot import embed, scheduler
    from trendbot.console import cycle_line, print_pitch, run_summary
    from trendbot.pipeline import CycleReport
    from trendbot.settings import Secrets

    console = Console()
    settings = ctx.settings
    language = settings.brand.language
    model, why = embed.resolve_model(settings.embedding.model, settings.languages)
    secrets = Secrets.from_env()
    if secrets.slack_enabled:
        mode = "Socket Mode" if secrets.slack_app_token else f"HTTP on port {port}"
        slack = f"to Slack ({mode}), channel {settings.slack.channel or '(none set)'}"
    else:
        slack = "printed here (SLACK_BOT_TOKEN not set)"
    folder = embed.cache_dir()
    cache = str(folder / embed.CACHE_FILE) if folder else "no cache (TRENDBOT_CACHE=off)"
    db = redact(ctx.db_path())  # a URL's password never reaches the terminal or a log
    for line in run_summary(
        settings, db=db, model=model, model_reason=why, slack=slack, cache=cache
    ):
        click.echo(line)

    def printer(pitch: Pitch) -> None:
        print_pitch(console, pitch, when=pitch.created, language=language)

    def on_cycle(report: CycleReport, new_stories: int) -> None:
        click.echo(cycle_line(report, new_stories=new_stories))

    scheduler.run(
        settings, db=ctx.db_path(), printer=printer, port=port, on_cycle=on_cycle, host=host,
        listen=listen,
    )  # fmt: skip


@cli.command()
@pass_ctx
@one_line_errors
def health(ctx: Context) -> None:
    """Exit 0 when a `trendbot run` is alive on this database (for container health checks)."""
    with _trendbot(ctx) as bot:
        ok, detail = bot.health()
    click.echo(detail, err=not ok)
    sys.exit(0 if ok else 1)


def _replay(
    settings: Settings,
    db: str,
    path: str,
    start: datetime | None,
    end: datetime | None,
    every: timedelta,
    speed: float | None,
    then: Callable[[Pipeline], None] | None = None,
) -> None:
    import time

    from rich.console import Console

    from trendbot.console import ReplayProgress, print_pitch, print_summary
    from trendbot.core import make_trendbot
    from trendbot.pipeline import CycleReport, replay
    from trendbot.sources.replay import read_stream

    console = Console()
    items = read_stream(path, start=start, end=end)
    if not items:
        raise TrendbotError("nothing to replay in that period", where=path)
    console.print(
        f"Replaying {len(items)} items from {items[0].seen:%Y-%m-%d %H:%M} to "
        f"{items[-1].seen:%Y-%m-%d %H:%M} UTC into {db}",
        style="dim",
    )
    last: list[datetime] = []

    bot = make_trendbot(settings, db=db, clock=lambda: items[-1].seen)
    with bot.pipeline as pipeline:
        with ReplayProgress(console, items, bot.story_count) as progress:

            def show(report: CycleReport) -> None:
                if speed and last:
                    time.sleep(max(0.0, (report.now - last[0]).total_seconds() / speed))
                last[:] = [report.now]
                for pitch in report.pitched:
                    print_pitch(console, pitch, when=report.now, language=settings.brand.language)
                progress.update(report)

            summary = replay(pipeline, items, every=every, on_cycle=show)
        print_summary(console, summary, language=settings.brand.language)
        if then is not None:
            then(pipeline)


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r}: use a date like 2025-09-01 or 2025-09-01T08:00"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@cli.command("replay")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--from", "start", default=None, help="Start (UTC), e.g. 2025-09-01.")
@click.option("--to", "end", default=None, help="End (UTC), exclusive.")
@click.option("--speed", type=float, default=None, help="Replay N times faster than real time.")
@click.option("--instant", is_flag=True, help="As fast as possible (the default).")
@click.option("--every", default="30m", show_default=True, help="Recorded time per cycle.")
@pass_ctx
@one_line_errors
def replay_cmd(
    ctx: Context,
    file: str,
    start: str | None,
    end: str | None,
    speed: float | None,
    instant: bool,
    every: str,
) -> None:
    """Replay a recorded stream through the real pipeline: what would we have pitched?"""
    db = ctx.db_arg or _fresh_db(file)
    _replay(
        ctx.settings,
        db,
        file,
        _when(start),
        _when(end),
        _duration(every),
        None if instant else speed,
    )


def _fresh_db(source: str) -> str:
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="trendbot-replay-"))
    return str(folder / (Path(source).name.split(".")[0] + ".db"))


@cli.command()
@pass_ctx
@one_line_errors
def demo(ctx: Context) -> None:
    """Replay two real weeks of news, offline, with the example brand: see what it pitches."""
    from importlib.resources import as_file, files

    from trendbot.settings import load_settings

    config = ctx.config_path
    settings = load_settings(config if config.exists() else _example_config())
    with as_file(files("trendbot") / "data" / "demo_news.jsonl.gz") as path:
        _replay(
            settings,
            ctx.db_arg or _fresh_db("demo"),
            str(path),
            None,
            None,
            timedelta(minutes=30),
            None,
            then=_demo_in_slack,
        )


def _demo_in_slack(pipeline: Pipeline) -> None:
    """With Slack tokens, the demo's pitches go to the channel and the bot answers there."""
    import threading

    from rich.console import Console

    from trendbot.core import Trendbot
    from trendbot.scheduler import Delivery, serve

    if not pipeline.secrets.slack_enabled:
        return
    bot = Trendbot(pipeline)
    delivery = Delivery(bot, pipeline.secrets, printer=lambda pitch: None)
    posted = delivery.deliver()
    Console().print(
        f"Posted {posted} pitches to {pipeline.settings.slack.channel}: approve or reject them "
        "there, try /trend. Ctrl-C to stop."
    )
    with suppress(KeyboardInterrupt):
        serve(bot, pipeline.secrets, threading.Event(), client=delivery.client, port=3000)


def _example_config() -> Path:
    from importlib.resources import files

    return Path(str(files("trendbot") / "data" / "feeds.example.yaml"))


@cli.command()
@click.argument("out", type=click.Path(dir_okay=False), default="-")
@click.option("--since", default=None, help="Only items first seen this recently, e.g. 7d.")
@pass_ctx
@one_line_errors
def export(ctx: Context, out: str, since: str | None) -> None:
    """Write the stored items as JSON lines, ready for `trendbot replay`."""
    from trendbot.types import utcnow

    start = utcnow() - _duration(since) if since else None
    with _trendbot(ctx) as bot, click.open_file(out, "w", encoding="utf-8") as stream:
        count = bot.export(stream, since=start)
    click.echo(f"exported {count} items", err=True)


@cli.command()
@click.option("--since", default="7d", show_default=True)
@click.option("--out", default="report.html", show_default=True, help="An .html or .png file.")
@pass_ctx
@one_line_errors
def report(ctx: Context, since: str, out: str) -> None:
    """Charts of stories over time, and the pitches with their drafts and decisions."""
    from trendbot.report import check_format
    from trendbot.types import utcnow

    check_format(Path(out))  # before any work
    window = _duration(since)
    with _trendbot(ctx) as bot:
        now = _replayed_end(bot, window, since) or utcnow()
        path = bot.report(Path(out), since=now - window, now=now)
    click.echo(f"wrote {path}")


# themes -------------------------------------------------------------------------------------


@cli.group()
def themes() -> None:
    """Tune the brand's themes."""


@themes.command("try")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--since", default=None, help="Stored stories this recent, e.g. 7d (no FILE).")
@click.option("--from", "start", default=None, help="With FILE: start (UTC), e.g. 2025-09-01.")
@click.option("--to", "end", default=None, help="With FILE: end (UTC), exclusive.")
@click.option("--limit", default=5, show_default=True, help="Stories shown per list.")
@click.option("--brand", "brand_name", default=None, help="With several brands: which one.")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of panels.")
@pass_ctx
@one_line_errors
def themes_try(
    ctx: Context,
    file: str | None,
    since: str | None,
    start: str | None,
    end: str | None,
    limit: int,
    brand_name: str | None,
    as_json: bool,
) -> None:
    """Score the themes of feeds.yaml, as they are now, against a recorded stream (FILE, the
    formats `replay` reads) or the stored stories (--since, default 7d): per theme, the best
    matches, the near misses and the closest off-theme stories, with why. Seconds once the
    stories' vectors are cached (by any run, replay or try before)."""
    import time

    from rich.console import Console

    from trendbot import embed, tuning
    from trendbot.console import print_tried
    from trendbot.fit import held_keywords
    from trendbot.topics import load as load_topics

    if file and since:
        raise click.UsageError("give FILE or --since, not both")
    if not file and (start or end):
        raise click.UsageError("--from and --to go with FILE; use --since for stored stories")
    started = time.monotonic()
    settings = ctx.settings
    brand = _brand(settings, brand_name)
    model, _ = embed.resolve_model(settings.embedding.model, settings.languages)
    embedder = embed.cached_embedder(model)
    learned: list[Any] = []
    if file:
        stories, titles, vectors, source = _stories_of_file(
            embedder, model, file, _when(start), _when(end)
        )
    else:
        stories, titles, vectors, source, learned = _stored_stories(
            ctx, embedder, model, since, brand.name
        )
    report = tuning.try_themes(
        brand,
        stories,
        titles,
        vectors,
        encode=embedder.encode,
        model=model,
        topics=load_topics(model, embedder.encode),
        learned=learned,
        shown=limit,
    )
    problems = held_keywords(brand)
    if as_json:
        click.echo(tuning.report_json(report))
        for problem in problems:  # beside the JSON, not in it
            click.echo(f"warning: {problem}", err=True)
        return
    console = Console()
    print_tried(console, report)
    for problem in problems:
        click.echo(f"warning: {problem}")
    took = time.monotonic() - started
    click.echo(
        f"{report.stories:,} stories from {source}, scored with {model} in {took:.1f} s"
        f" ({embedder.misses:,} texts encoded, {embedder.hits:,} from the cache"
        f"{'' if embedder.loaded else ', model not loaded'}). Edit brand.themes in"
        f" {ctx.config_path.name} and run this again."
    )


def _stories_of_file(
    embedder: Any, model: str, path: str, start: datetime | None, end: datetime | None
) -> tuple[list[Any], list[str], Any, str]:
    from trendbot import tuning
    from trendbot.sources.replay import read_stream

    items = tuning.unique_items(read_stream(path, start=start, end=end))
    if not items:
        raise TrendbotError("nothing to score in that period", where=path)
    vectors = embedder.encode(tuning.item_texts(items))
    stories = tuning.group_stories(items, vectors, model=model)
    source = (
        f"{len(items):,} items of {Path(path).name}, {items[0].seen:%Y-%m-%d %H:%M} to "
        f"{items[-1].seen:%Y-%m-%d %H:%M} UTC"
    )
    return stories, [i.title for i in items], vectors, source


def _stored_stories(
    ctx: Context, embedder: Any, model: str, since: str | None, brand: str
) -> tuple[list[Any], list[str], Any, str, list[Any]]:
    from trendbot.types import utcnow

    since = since or "7d"
    window = _duration(since)
    with _trendbot(ctx) as bot:
        now = _replayed_end(bot, window, since) or utcnow()
        stories, titles, vectors, learned = bot.stored_for_tuning(
            model, since=now - window, until=now, dim=embedder.dim, brand=brand
        )
    if not stories:
        raise TrendbotError(
            f"no stories stored in the {since} up to {now:%Y-%m-%d %H:%M} UTC for model"
            f" {model}: run `trendbot run` or `trendbot replay FILE` first, or try a"
            " recorded stream: `trendbot themes try FILE`",
            where=redact(ctx.db_path()),
        )
    source = f"{redact(ctx.db_path())}, the {since} up to {now:%Y-%m-%d %H:%M} UTC"
    return stories, titles, vectors, source, learned


@cli.group()
def slack() -> None:
    """The Slack app."""


@slack.command("manifest")
@click.option("--http-url", default=None, help="HTTP mode: the public URL of /slack/events.")
@pass_ctx
@one_line_errors
def slack_manifest(ctx: Context, http_url: str | None) -> None:
    """Print the Slack app manifest (YAML) to paste at api.slack.com/apps."""
    from trendbot.slack.manifest import build_manifest

    click.echo(build_manifest(ctx.settings, socket_mode=http_url is None, request_url=http_url))


def main() -> None:
    cli(prog_name="trendbot")


if __name__ == "__main__":
    main()
