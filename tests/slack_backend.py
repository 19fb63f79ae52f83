"""A small Backend for the Slack tests and bench, over a REAL trendbot Store (SQLite file).

Stories are rows of the store's `stories` table (with their items), read back as StoryViews;
pitches, decisions, mutes, teaching examples and event dedupe use the Store's own methods. Its
momentum and theme figures are whatever `add_story` was given: the Slack layer is what is tested.
When `trendbot.core.Trendbot` exists, tests can pass it instead: it has the same methods.
"""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from trendbot.errors import ConfigError, FeedError
from trendbot.settings import Settings, ThemeSettings, parse_settings
from trendbot.store import Store
from trendbot.store.db import from_iso, iso
from trendbot.types import Item, Pitch, SourceLink, StoryView, ThemeFit

MODEL = "test"
FEED_URL = "https://news.example.org/rss"
STATES = {
    "approve": "approved",
    "reject": "rejected",
    "not_our_topic": "rejected",
    "snooze": "snoozed",
}


def make_settings(**slack: Any) -> Settings:
    return parse_settings(
        {
            "brand": {
                "name": "Maison Test",
                "language": slack.pop("language", "en"),
                "hashtags": ["MaisonTest"],
                "themes": [
                    {"name": "Summer", "description": "heatwaves, holidays, beaches, ice cream"},
                    {"name": "Sport", "description": "football, tennis, the Olympics"},
                ],
            },
            "slack": {"channel": "C0PITCHES", **slack},
        }
    )


@dataclass
class SeedStory:
    label: str
    titles: Sequence[str]
    score: float = 1.0
    state: str = "rising"
    theme: str | None = None
    relevance: float = 0.8
    safety: str = "safe"
    safety_reason: str = ""
    first_seen: datetime | None = None
    sources: Sequence[str] = field(default_factory=tuple)


class StoreBackend:
    def __init__(
        self, settings: Settings, store: Store, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock or (lambda: datetime.now(UTC))
        self.added_themes: list[ThemeSettings] = []
        self.decisions: list[tuple[int, str, str, str | None]] = []
        self._indexed = -1
        self.store.ensure_feed("test-feed", url=FEED_URL)

    def now(self) -> datetime:
        return self.clock()

    # stories ----------------------------------------------------------------------------------

    def add_story(self, seed: SeedStory) -> int:
        return add_stories(self.store, [seed], now=self.now())[0]

    def top_stories(self, n: int = 5, theme: str | None = None) -> list[StoryView]:
        where, params = "merged_into IS NULL", []
        if theme:
            where += " AND json_extract(why, '$.theme') = ?"
            params.append(theme)
        rows = self.store.query(
            f"SELECT * FROM stories WHERE {where} ORDER BY score DESC LIMIT ?", [*params, n]
        )
        return [self._view(r) for r in rows]

    def search(self, words: str, k: int = 5) -> list[StoryView]:
        terms = [t for t in re.findall(r"\w+", words) if len(t) > 1][:5]
        if not terms:
            return []
        self._index_text()
        match = " ".join(f'"{t}"' for t in terms)  # every word, in a headline or a label
        rows = self.store.query(
            """
            SELECT * FROM stories WHERE id IN (
                SELECT story_id FROM temp.story_text WHERE story_text MATCH ?
            ) ORDER BY score DESC LIMIT ?
            """,
            [match, k],
        )
        return [self._view(r) for r in rows]

    def _index_text(self) -> None:
        """A full-text index of labels and headlines (a TEMP table: the schema is untouched),
        rebuilt when stories were added since."""
        count = self.store.scalar("SELECT count(*) FROM story_items")
        if count == self._indexed:
            return
        with self.store.transaction() as db:
            db.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.story_text"
                " USING fts5(text, story_id UNINDEXED)"
            )
            db.execute("DELETE FROM temp.story_text")
            db.execute("INSERT INTO temp.story_text SELECT label, id FROM stories")
            db.execute(
                """INSERT INTO temp.story_text
                   SELECT i.title, s.story_id FROM story_items s JOIN items i ON i.id = s.item_id"""
            )
        self._indexed = count

    def find_story(self, ref: str) -> StoryView | None:
        if ref.strip().isdigit():
            rows = self.store.query("SELECT * FROM stories WHERE id = ?", [int(ref)])
            return self._view(rows[0], links=True) if rows else None
        found = self.search(ref, k=1)
        return self.find_story(str(found[0].id)) if found else None

    def draft_pitch(self, story_id: int, *, save: bool = True) -> Pitch:
        story = self.find_story(str(story_id))
        if story is None:
            raise ValueError(f"no story {story_id}")
        theme = story.themes[0].theme if story.themes else self.settings.brand.themes[0].name
        pitch = Pitch(
            story_id=story.id,
            story_label=story.label,
            theme=theme,
            angle="a wink, not a lecture",
            draft=f"Everyone is talking about {story.label}. We are too. #{theme}",
            hashtags=(theme, "MaisonTest"),
            visual="A croissant in sunglasses",
            why_now=story.why_now,
            score=story.score,
            safety=story.safety,
            safety_reason=story.safety_reason,
            sources=story.links,
            languages=("en",),
            sparkline=story.sparkline,
            theme_evidence=f"close to {theme!r}",
        )
        return self.store.insert_pitch(pitch, now=self.now()) if save else pitch

    # themes, feeds, mutes ----------------------------------------------------------------------

    def themes(self) -> list[ThemeSettings]:
        return [*self.settings.brand.themes, *self.added_themes]

    def add_theme(self, name: str, description: str, *, user: str) -> None:
        if any(t.name.casefold() == name.casefold() for t in self.themes()):
            raise ConfigError(f"a theme named {name!r} exists already", file="feeds.yaml")
        self.added_themes.append(ThemeSettings(name=name, description=description))

    def feeds(self) -> list[dict[str, Any]]:
        return self.store.feed_rows()

    def add_feed(self, url: str, *, user: str) -> str:
        if "not-a-feed" in url:
            raise FeedError("not a feed trendbot can read (is it a web page?)", url=url)
        name = urlsplit(url).hostname or url
        self.store.ensure_feed(name, url=url)
        return name

    def mute(self, ref: str, *, user: str) -> str:
        kind, value = _mute_key(ref)
        self.store.add_mute(kind, value, now=self.now(), user=user)
        return f"story {value}" if kind == "story" else f"“{value}”"

    def unmute(self, ref: str) -> bool:
        return self.store.remove_mute(*_mute_key(ref))

    # decisions and figures ---------------------------------------------------------------------

    def decide(
        self,
        pitch_id: int,
        action: str,
        *,
        user: str,
        reason: str | None = None,
        channel: str | None = None,
        message_ts: str | None = None,
        text: str | None = None,
    ) -> Pitch:
        pitch = self.store.pitch(pitch_id)
        if pitch is None:
            raise ValueError(f"no pitch {pitch_id}")
        now = self.now()
        self.decisions.append((pitch_id, action, user, reason))
        if action == "edit":
            self.store.edit_pitch_draft(pitch_id, text or pitch.draft, now=now, user=user)
        else:
            final = pitch.draft if action == "approve" else None
            self.store.set_pitch_state(
                pitch_id,
                STATES[action],
                now=now,
                user=user,
                reason=reason or ("not our topic" if action == "not_our_topic" else None),
                channel=channel,
                message_ts=message_ts,
                final_text=final,
            )
            if action != "snooze":
                polarity = 1 if action == "approve" else -1
                self.store.add_theme_example(
                    pitch.theme, polarity, pitch.story_label, now=now, pitch_id=pitch_id,
                    story_id=pitch.story_id, reason=reason, user=user,
                )  # fmt: skip
        updated = self.store.pitch(pitch_id)
        assert updated is not None
        return updated

    def stats(self) -> dict[str, Any]:
        now = self.now()
        month = self.store.pitches(since=now - timedelta(days=30))
        week = [p for p in month if p.created and p.created >= now - timedelta(days=7)]
        approved = sum(p.state == "approved" for p in month)
        rejected = sum(p.state == "rejected" for p in month)
        to_decision = []
        for p in month:
            events = [e for e in self.store.pitch_events(p.id or 0) if e["user"]]
            if events and p.created:
                to_decision.append((from_iso(events[0]["at"]) - p.created).total_seconds() / 60)
        decided = approved + rejected
        return {
            "pitches_week": len(week),
            "pitches_month": len(month),
            "approved": approved,
            "rejected": rejected,
            "approval_rate": approved / decided if decided else None,
            "median_minutes_to_pitch": None,
            "median_minutes_to_decision": statistics.median(to_decision) if to_decision else None,
        }

    # rows -> views -----------------------------------------------------------------------------

    def _view(self, row: dict[str, Any], *, links: bool = False) -> StoryView:
        why = json.loads(row["why"] or "{}")
        themes = ()
        if why.get("theme"):
            themes = (ThemeFit(why["theme"], why.get("relevance", 0.0), "seed"),)
        muted = bool(
            self.store.scalar(
                "SELECT 1 FROM mutes WHERE kind = 'story' AND value = ?", [str(row["id"])]
            )
        )
        return StoryView(
            id=row["id"],
            label=row["label"],
            state=row["state"],
            score=row["score"],
            why_now=why.get("why_now", ""),
            size=row["size"],
            sources=row["sources"],
            first_seen=from_iso(row["first_seen"]),
            last_seen=from_iso(row["last_seen"]),
            keywords=tuple(json.loads(row["keywords"])),
            languages=tuple(json.loads(row["languages"])),
            sparkline=why.get("sparkline", ""),
            themes=themes,
            safety=why.get("safety", "safe"),
            safety_reason=why.get("safety_reason", ""),
            links=self._links(row["id"]) if links else (),
            muted=muted,
            pitch_id=self.store.latest_pitch_ids([row["id"]]).get(row["id"]),
            held=self.store.latest_holds([row["id"]]).get(row["id"]),
        )

    def _links(self, story_id: int) -> tuple[SourceLink, ...]:
        rows = self.store.query(
            """
            SELECT i.title, i.url, i.source FROM story_items si JOIN items i ON i.id = si.item_id
            WHERE si.story_id = ? ORDER BY i.published LIMIT 20
            """,
            [story_id],
        )
        return tuple(SourceLink(r["title"], r["url"], r["source"] or "") for r in rows)


def add_stories(store: Store, seeds: Iterable[SeedStory], *, now: datetime) -> list[int]:
    """Save the stories' items through the store, then write the stories and their links."""
    store.ensure_feed("test-feed", url=FEED_URL)
    next_id = store.next_story_id()
    items: list[Item] = []
    links: list[tuple[str, str, int]] = []
    stories: list[tuple[Any, ...]] = []
    ids: list[int] = []
    for story_id, seed in enumerate(seeds, next_id):
        first = seed.first_seen or now - timedelta(hours=3)
        sources = list(seed.sources) or [f"Source {n % 7}" for n in range(len(seed.titles))]
        span = (now - first) / max(len(seed.titles), 1)
        for n, title in enumerate(seed.titles):
            published = first + span * n
            item = Item(
                feed="test-feed",
                guid=f"s{story_id}i{n}",
                url=f"https://news.example.org/s{story_id}i{n}",
                title=title,
                summary="",
                published=published,
                seen=published,
                language="en",
                source=sources[n % len(sources)],
            )
            items.append(item)
            links.append((item.id, MODEL, story_id))
        why = {
            "why_now": f"{len(set(sources))} sources in 3 h",
            "sparkline": "▁▂▃▅▇",
            "theme": seed.theme,
            "relevance": seed.relevance,
            "safety": seed.safety,
            "safety_reason": seed.safety_reason,
        }
        stories.append(
            (story_id, MODEL, seed.label, iso(first), iso(now), len(seed.titles),
             len(set(sources)), seed.state, seed.score, json.dumps(why))
        )  # fmt: skip
        ids.append(story_id)
    save_stories(store, items, stories, links)
    return ids


def save_stories(
    store: Store,
    items: Sequence[Item],
    stories: Sequence[tuple[Any, ...]],
    links: Sequence[tuple[str, str, int]],
) -> None:
    """Items through `Store.save_items`; stories rows (id, model, label, first_seen, last_seen,
    size, sources, state, score, why) and story_items links (item id, model, story id) after."""
    saved = set(store.save_items("test-feed", items).new_ids)
    with store.transaction() as db:
        db.conn.executemany(
            """INSERT INTO stories (id, model, label, first_seen, last_seen, size, sources,
                                    languages, state, score, why)
               VALUES (?, ?, ?, ?, ?, ?, ?, '["en"]', ?, ?, ?)""",
            stories,
        )
        db.conn.executemany(
            "INSERT INTO story_items (item_id, model, story_id) VALUES (?, ?, ?)",
            [link for link in links if link[0] in saved],
        )


def _mute_key(ref: str) -> tuple[str, str]:
    ref = ref.strip()
    return ("story", ref) if ref.isdigit() else ("words", ref.casefold())


# a whole Slack side for a test: fake Web API, real store, backend, client and bolt app ----------


@dataclass
class SlackEnv:
    fake: Any  # fakeslack.FakeSlack
    store: Store
    backend: StoreBackend
    client: Any  # slack_sdk.WebClient
    app: Any  # slack_bolt.App

    def pitch(self, **seed: Any) -> Pitch:
        """A story and its stored pitch, not yet posted."""
        seed.setdefault("label", "Heatwave sends Paris to the beach")
        seed.setdefault("titles", ["Paris swelters", "Record heat in Paris", "Beaches packed"])
        seed.setdefault("theme", "Summer")
        story_id = self.backend.add_story(SeedStory(**seed))
        return self.backend.draft_pitch(story_id)

    def posted_pitch(self, **seed: Any) -> Pitch:
        from trendbot.slack.poster import post_pitch

        pitch = self.pitch(**seed)
        post_pitch(self.client, self.store, pitch, self.backend.settings.slack.channel)
        posted = self.store.pitch(pitch.id or 0)
        assert posted is not None and posted.slack_ts
        return posted


def open_env(
    tmp_path: Any,
    *,
    fake_options: dict[str, Any] | None = None,
    process_before_response: bool = True,
    **slack: Any,
) -> Any:
    """A context manager yielding a SlackEnv; closes the server and the store after."""
    from contextlib import contextmanager

    from fakeslack import TOKEN, FakeSlack
    from pydantic import SecretStr
    from slackkit import SECRET

    from trendbot.settings import Secrets
    from trendbot.slack.app import make_app
    from trendbot.slack.poster import make_client

    @contextmanager
    def env() -> Any:
        slack.setdefault("editors", ["U0EDITOR"])
        settings = make_settings(**slack)
        secrets = Secrets(slack_bot_token=SecretStr(TOKEN), slack_signing_secret=SecretStr(SECRET))
        with FakeSlack(**(fake_options or {})) as fake, Store(tmp_path / "trendbot.db") as store:
            backend = StoreBackend(settings, store)
            client = make_client(secrets, base_url=fake.url)
            app = make_app(
                backend, secrets, client=client, process_before_response=process_before_response
            )
            yield SlackEnv(fake, store, backend, client, app)

    return env()
