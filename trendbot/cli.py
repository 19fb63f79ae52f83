"""The `trendbot` command: parse arguments, call the library, print, turn errors into one line.

Nothing heavy is imported at module level, so `trendbot --help` answers at once.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from trendbot import __version__
from trendbot.errors import TrendbotError

if TYPE_CHECKING:
    from trendbot.settings import Settings
    from trendbot.store import Store

F = TypeVar("F", bound=Callable[..., Any])


class Context:
    def __init__(self, config: str | None, db: str | None) -> None:
        self.config_arg = config
        self.db_arg = db
        self._settings: Settings | None = None

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

    def store(self) -> Store:
        from trendbot.store import Store

        return Store(self.db_path())


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="trendbot")
@click.option(
    "--config",
    "-c",
    type=click.Path(dir_okay=False),
    help="feeds.yaml to use [env TRENDBOT_CONFIG; default ./feeds.yaml]",
)
@click.option("--db", type=click.Path(dir_okay=False), help="SQLite file [env TRENDBOT_DB]")
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="warning",
    show_default=True,
)
@click.option("--log-json", is_flag=True, help="Logs as one JSON object a line.")
@click.pass_context
def cli(
    ctx: click.Context, config: str | None, db: str | None, log_level: str, log_json: bool
) -> None:
    """trendbot: spots rising news stories that fit your brand and pitches post ideas in Slack."""
    from trendbot import logs

    logs.setup(log_level, json_lines=log_json)
    ctx.obj = Context(config, db)


# config -------------------------------------------------------------------------------------


@cli.group()
def config() -> None:
    """Check feeds.yaml."""


@config.command("check")
@pass_ctx
@one_line_errors
def config_check(ctx: Context) -> None:
    """Validate feeds.yaml and print what will run."""
    from trendbot import embed

    s = ctx.settings
    model, why = embed.resolve_model(s.embedding.model, s.languages)
    news = [f for f in s.news_feeds if f.kind == "news"]
    click.echo(f"{ctx.config_path}: ok")
    click.echo(f"  feeds: {len(news)} news, {len(s.news_feeds) - len(news)} trending")
    click.echo(f"  brand: {s.brand.name} ({s.brand.language}), themes: "
               + ", ".join(t.name for t in s.brand.themes))
    click.echo(f"  embedding model: {model} ({why})")
    c = s.brand.cadence
    click.echo(f"  cadence: {c.max_per_day}/day, {c.max_per_month}/month, quiet "
               f"{c.quiet_hours or 'never'} ({c.timezone})")
    click.echo(f"  database: {ctx.db_path()}")
    from trendbot.settings import Secrets

    secrets = Secrets.from_env(llm_key_env=s.pitches.llm.api_key_env if s.pitches.llm else "")
    if secrets.slack_enabled:
        mode = "Socket Mode" if secrets.slack_app_token else "HTTP (/slack/events)"
        click.echo(f"  slack: on, {mode}, channel {s.slack.channel or '(none)'}")
    else:
        click.echo("  slack: off (SLACK_BOT_TOKEN not set): pitches are printed here")


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
    with ctx.store() as store:
        store.sync_feeds(ctx.settings.news_feeds)
        rows = store.feed_rows()
    configured = {f.name for f in ctx.settings.news_feeds}
    table = Table("feed", "kind", "items", "last success", "failures", "status")
    for row in rows:
        if row["name"] not in configured:
            continue
        if row["disabled"]:
            status = "[red]disabled[/red]: " + (row["last_error"] or "")
        elif row["last_error"] and row["consecutive_failures"]:
            status = "[yellow]failing[/yellow]: " + row["last_error"]
        else:
            status = "ok" if row["last_success"] else "never fetched"
        table.add_row(
            row["name"], row["kind"], str(row["items_total"]), row["last_success"] or "-",
            str(row["consecutive_failures"]), status,
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
            name=f.name, url=f.url, kind=kind,
            language=f.language or language, tags=tuple(f.tags),
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
@click.option("--allow-private", is_flag=True, help="Allow loopback and private addresses.")
@one_line_errors
def check_feed(url_or_file: str, show: int, allow_private: bool) -> None:
    """Fetch or read one feed and show what trendbot sees in it."""
    from rich.console import Console
    from rich.table import Table

    from trendbot.pipeline import read_one_feed

    info = read_one_feed(url_or_file, allow_private=allow_private)
    console = Console()
    console.print(f"[bold]{info.title or '(no title)'}[/bold]  {info.link}")
    console.print(f"{len(info.items)} items, language {info.language or 'unknown'}")
    table = Table("published (UTC)", "source", "title", "lang")
    for item in info.items[:show]:
        table.add_row(
            item.published.strftime("%Y-%m-%d %H:%M"), item.source or "", item.title,
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
        total = len(pipeline.feeds_to_fetch(names, force=force))
        with Progress(console=console, transient=True, disable=not console.is_terminal) as bar:
            task = bar.add_task("fetching", total=total)
            reports = pipeline.fetch(names, force=force, on_report=lambda r: bar.advance(task))
    table = Table("feed", "status", "new", "seen again", "detail")
    for r in reports:
        colour = {"ok": "green", "not modified": "cyan", "error": "red"}.get(r.status, "white")
        table.add_row(r.feed, f"[{colour}]{r.status}[/{colour}]", str(r.new), str(r.seen_again),
                      r.detail)
    Console().print(table)
    if reports and all(r.status == "error" for r in reports):
        sys.exit(1)


def main() -> None:
    cli(prog_name="trendbot")


if __name__ == "__main__":
    main()
