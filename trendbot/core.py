"""`Trendbot`: what people ask of trendbot (the CLI, `/trend`, editors' decisions), on top of
the pipeline. Reads stories from the store, explains them, drafts pitches on demand and turns
editors' decisions into what the matcher learns.
"""

from __future__ import annotations

import json
import re
import statistics
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from trendbot import pitches
from trendbot.errors import ConfigError, PitchError, TrendbotError
from trendbot.pipeline import (
    LIVE,
    Pipeline,
    StoryContext,
    adapt_matcher,
    brand_fit,
    learned_of,
    links_of,
    muted,
    pitch_input,
    read_one_feed,
    story_contexts,
)
from trendbot.settings import (
    FeedSettings,
    Settings,
    ThemeSettings,
    add_feeds_to_config,
    add_theme_to_config,
    load_settings,
)
from trendbot.store import Store, from_iso, iso
from trendbot.types import Pitch, StoryView, ThemeFit

DECISIONS = {
    "approve": "approved",
    "reject": "rejected",
    "snooze": "snoozed",
    "not_our_topic": "rejected",
}


class Trendbot:
    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline

    @property
    def settings(self) -> Settings:
        return self.pipeline.settings

    @property
    def store(self) -> Store:
        return self.pipeline.store

    def now(self) -> datetime:
        return self.pipeline.clock()

    def close(self) -> None:
        self.pipeline.close()

    # stories ---------------------------------------------------------------------------------

    def top_stories(self, n: int = 5, theme: str | None = None) -> list[StoryView]:
        """The live stories with the most momentum now; rising ones first."""
        if theme and theme.casefold() not in {
            t.name.casefold() for t in self.settings.brand.themes
        }:
            raise ConfigError(f"no theme named {theme!r} (see `themes`)")
        rows = self.store.query(
            """
            SELECT * FROM stories WHERE model = ? AND merged_into IS NULL AND closed = 0
              AND last_seen >= ?
            ORDER BY state IN ('rising', 'peaking') DESC, score DESC, last_seen DESC LIMIT ?
            """,
            [self.pipeline.brain.model, iso(self.now() - LIVE), n * 10 if theme else n],
        )
        views = self._views(rows)
        if theme:
            views = [
                v for v in views if v.themes and v.themes[0].theme.casefold() == theme.casefold()
            ]
        return views[:n]

    def search(self, words: str, k: int = 5) -> list[StoryView]:
        """Stories whose items are nearest in meaning to `words`, best first."""
        brain = self.pipeline.brain
        query = brain.encode([words])[0]
        hits = brain.search_items(self.store, query, k * 8, now=self.now())
        story_ids: list[int] = []
        if hits:
            marks = ",".join("?" * len(hits))
            rows = self.store.query(
                "SELECT item_id, story_id FROM story_items"
                f" WHERE model = ? AND item_id IN ({marks})",
                [brain.model, *(item_id for item_id, _ in hits)],
            )
            story_of = {r["item_id"]: r["story_id"] for r in rows}
            for item_id, _ in hits:
                story_id = story_of.get(item_id)
                if story_id is not None and story_id not in story_ids:
                    story_ids.append(story_id)
        rows = self._story_rows(story_ids[:k])
        return self._views(rows)

    def find_story(self, ref: str) -> StoryView | None:
        ref = ref.strip().lstrip("#")
        if ref.isdigit():
            views = self._views(self._story_rows([int(ref)]))
            return views[0] if views else None
        found = self.search(ref, 1) if ref else []
        return found[0] if found else None

    def story_context(self, story_id: int) -> StoryContext | None:
        rows = self._story_rows([story_id])
        return story_contexts(self.store, rows)[0] if rows else None

    def _story_rows(self, ids: list[int]) -> list[dict[str, Any]]:
        """Stories by id in that order, following merges to the story that absorbed them."""
        rows: list[dict[str, Any]] = []
        for story_id in ids:
            for _ in range(10):
                found = self.store.query("SELECT * FROM stories WHERE id = ?", [story_id])
                if not found or found[0]["merged_into"] is None:
                    break
                story_id = found[0]["merged_into"]
            if found and all(r["id"] != found[0]["id"] for r in rows):
                rows.append(found[0])
        return rows

    def _views(self, rows: list[dict[str, Any]]) -> list[StoryView]:
        contexts = story_contexts(self.store, rows)
        # themes as the pitching stage sees them: centred on the recent stream
        adapt_matcher(self.pipeline.brain, self.store, now=self.now())
        fits = brand_fit(self.pipeline.brain, contexts)
        mutes = self.store.mutes()
        ids = [c.row["id"] for c in contexts]
        holds, pitched = self.store.latest_holds(ids), self.store.latest_pitch_ids(ids)
        views = []
        for c, fit in zip(contexts, fits, strict=True):
            row, why = c.row, c.why
            views.append(
                StoryView(
                    id=row["id"],
                    label=row["label"],
                    state=row["state"],
                    score=row["score"],
                    why_now=why.get("explain", ""),
                    size=row["size"],
                    sources=row["sources"],
                    first_seen=from_iso(row["first_seen"]),
                    last_seen=from_iso(row["last_seen"]),
                    growth_drivers=(why.get("growth") or {}).get("drivers", ""),
                    keywords=tuple(json.loads(row["keywords"])),
                    languages=tuple(json.loads(row["languages"])),
                    sparkline=why.get("sparkline", ""),
                    themes=tuple(ThemeFit(m.theme, m.relevance, m.evidence) for m in fit.matches),
                    safety=fit.verdict.level,
                    safety_reason=fit.verdict.reason,
                    links=links_of(c.items)[:10],
                    trending=bool(row["trending"]),
                    traffic=row["traffic"],
                    muted=muted(c, mutes) is not None,
                    pitch_id=pitched.get(row["id"]),
                    held=holds.get(row["id"]),
                )
            )
        return views

    # pitches ---------------------------------------------------------------------------------

    def draft_pitch(self, story_id: int, *, save: bool = True) -> Pitch:
        """A pitch for a story an editor picked. Saved, it is stored as `proposed` like the
        automatic ones: it counts toward the day's pitches and is delivered by the next cycle.
        Unsaved (a preview), nothing is stored and it has no id."""
        context = self.story_context(story_id)
        if context is None:
            raise TrendbotError(f"no story #{story_id} (see `/trend top` or `trendbot trends`)")
        (fit,) = brand_fit(self.pipeline.brain, [context])
        if fit.verdict.blocked:
            raise PitchError(f"story #{story_id} is not brand-safe: {fit.verdict.reason}")
        if fit.theme is None:
            # The editor asked for it: take the closest theme even under the usual bar.
            relevance = self.pipeline.brain.matcher.relevance([context.text], context.vector[None])
            best = int(np.argmax(relevance[0]))
            from trendbot.themes import ThemeMatch

            theme = self.settings.brand.themes[best]
            fit = type(fit)(
                ThemeMatch(theme.name, float(relevance[0, best]), "closest theme, picked by hand"),
                fit.matches,
                fit.verdict,
            )
        themes_by_name = {t.name: t for t in self.settings.brand.themes}
        assert fit.theme is not None
        story = pitch_input(context, fit, themes_by_name[fit.theme.theme])
        pitch = pitches.draft_pitch(
            story,
            self.settings.brand,
            self.settings.pitches,
            writer=self.pipeline.writer,
            check=self.pipeline.brain.safety.check_draft,
            encode=self.pipeline.brain.encode,
            examples=self.store.approved_drafts(limit=pitches.MAX_EXAMPLES),
        )
        return self.store.insert_pitch(pitch, now=self.now()) if save else pitch

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
        """Record an editor's decision and teach the matcher from it."""
        pitch = self.store.pitch(pitch_id)
        if pitch is None:
            raise TrendbotError(f"no pitch #{pitch_id}")
        now = self.now()
        if action == "edit":
            if not text or not text.strip():
                raise PitchError("an edit needs the new text: `edit: new text`")
            problems = pitches.check_draft(
                text.strip(),
                max_chars=self.settings.pitches.max_chars,
                allowed_mentions=self.settings.pitches.allowed_mentions,
                blocked=self.pipeline.brain.safety.check_draft,
            )
            if problems:
                raise PitchError(f"the new text cannot go out: {'; '.join(problems)}")
            self.store.edit_pitch_draft(pitch_id, text.strip(), now=now, user=user)
        elif action in DECISIONS:
            state = DECISIONS[action]
            if action == "not_our_topic":
                reason = reason or "not our topic"
            self.store.set_pitch_state(
                pitch_id,
                state,
                now=now,
                user=user,
                reason=reason,
                channel=channel,
                message_ts=message_ts,
                final_text=pitch.draft if state == "approved" else None,
            )
            self._learn(pitch, action, reason=reason, user=user)
        else:
            raise TrendbotError(f"unknown decision {action!r}")
        updated = self.store.pitch(pitch_id)
        assert updated is not None
        return updated

    def _learn(self, pitch: Pitch, action: str, *, reason: str | None, user: str) -> None:
        if action == "snooze":
            return
        polarity = 1 if action == "approve" else -1
        theme = "*" if action == "not_our_topic" else pitch.theme
        now = self.now()
        self.store.add_theme_example(
            theme,
            polarity,
            pitch.story_label,
            now=now,
            story_id=pitch.story_id,
            pitch_id=pitch.id,
            reason=reason,
            user=user,
        )
        if action == "not_our_topic":
            self.store.add_mute("story", str(pitch.story_id), now=now, user=user)
        rows = self.store.query("SELECT * FROM theme_examples ORDER BY id DESC LIMIT 1")
        self.pipeline.brain.matcher.learn(learned_of(rows[0]))

    # configuration -------------------------------------------------------------------------

    def themes(self) -> list[ThemeSettings]:
        return list(self.settings.brand.themes)

    def add_theme(self, name: str, description: str, *, user: str) -> None:
        theme = ThemeSettings(name=name.strip(), description=description.strip())
        add_theme_to_config(self._config_path(), theme)
        self._reload()

    def feeds(self) -> list[dict[str, Any]]:
        names = {f.name for f in self.settings.news_feeds}
        return [r for r in self.store.feed_rows() if r["name"] in names]

    def add_feed(self, url: str, *, user: str) -> str:
        """Fetch the feed once (it must parse), then add it to feeds.yaml and the store."""
        url = url.strip().strip("<>")
        if "://" not in url:  # else read_one_feed would read it as a local file
            raise ConfigError(f"not an http(s) URL: {url!r}")
        info = read_one_feed(url, allow_private=self.settings.fetch.allow_private)
        name = _slug(info.title or url)
        taken = {f.name for f in self.settings.news_feeds}
        base, n = name, 2
        while name in taken:
            name, n = f"{base}-{n}", n + 1
        feed = FeedSettings(name=name, url=url, language=info.language)
        if not add_feeds_to_config(self._config_path(), [feed]):
            raise ConfigError(f"{url} is in feeds.yaml already")
        self._reload()
        return name

    def mute(self, ref: str, *, user: str) -> str:
        kind, value = _mute_key(ref)
        if not value:
            raise TrendbotError("say what to mute: words, or a story number")
        self.store.add_mute(kind, value, now=self.now(), user=user)
        return f"story #{value}" if kind == "story" else repr(value)

    def unmute(self, ref: str) -> bool:
        return self.store.remove_mute(*_mute_key(ref))

    def stats(self) -> dict[str, Any]:
        now = self.now()
        week = self.store.pitches(since=now - timedelta(days=7))
        month = self.store.pitches(since=now - timedelta(days=30))
        decided = [p for p in month if p.state in ("approved", "rejected")]
        approved = sum(p.state == "approved" for p in decided)
        to_pitch, to_decision = [], []
        for p in month:
            assert p.created is not None and p.id is not None
            first = self.store.scalar("SELECT first_seen FROM stories WHERE id = ?", [p.story_id])
            if first:
                to_pitch.append((p.created - from_iso(first)).total_seconds() / 60)
            events = [e for e in self.store.pitch_events(p.id) if e["state"] in DECISIONS.values()]
            if events:
                to_decision.append((from_iso(events[-1]["at"]) - p.created).total_seconds() / 60)
        return {
            "pitches_week": len(week),
            "pitches_month": len(month),
            "approved": approved,
            "rejected": len(decided) - approved,
            "approval_rate": approved / len(decided) if decided else None,
            "median_minutes_to_pitch": statistics.median(to_pitch) if to_pitch else None,
            "median_minutes_to_decision": statistics.median(to_decision) if to_decision else None,
        }

    def _config_path(self) -> Path:
        if not self.settings.config_path:
            raise ConfigError("this trendbot was not started from a feeds.yaml: edit it by hand")
        return Path(self.settings.config_path)

    def _reload(self) -> None:
        settings = load_settings(self._config_path())
        self.pipeline.reconfigure(settings)


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")
    return slug[:40].strip("-") or "feed"


def _mute_key(ref: str) -> tuple[str, str]:
    ref = ref.strip()
    if ref.lstrip("#").isdigit():
        return "story", ref.lstrip("#")
    return "words", " ".join(ref.split())


def make_trendbot(settings: Settings, **kwargs: Any) -> Trendbot:
    from trendbot.pipeline import make_pipeline

    return Trendbot(make_pipeline(settings, **kwargs))
