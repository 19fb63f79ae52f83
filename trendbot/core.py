"""`Trendbot`: what people ask of trendbot (the CLI, `/trend`, editors' decisions), on top of
the pipeline. Reads stories from the store, explains them, drafts pitches on demand and turns
editors' decisions into what the matcher learns.
"""

from __future__ import annotations

import re
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

import numpy as np

from trendbot import drafts, pitches
from trendbot.brain import learned_of
from trendbot.brandfit import (
    LIVE,
    StoryContext,
    adapt_matcher,
    brand_fit,
    judged_stories,
    links_of,
    muted,
    names_of,
    pitch_input,
    story_contexts,
)
from trendbot.cycle import PITCHABLE, Pipeline, absorbing, read_one_feed
from trendbot.digest import Digest, Entry, Period, compose, current_period
from trendbot.errors import ConfigError, PitchError, TrendbotError
from trendbot.lease import take_lease
from trendbot.replay import held_group, theme_fits
from trendbot.safety import Verdict, bad_company
from trendbot.settings import (
    BrandSettings,
    FeedSettings,
    Settings,
    ThemeSettings,
    add_feeds_to_config,
    add_theme_to_config,
    load_settings,
)
from trendbot.store import FeedRow, Store, StoryRow
from trendbot.themes import LearnedExample
from trendbot.tuning import StoryText
from trendbot.types import OPEN_STATES, HeldStory, Pitch, PitchState, StoryView, ThemeFit

DECISIONS = {
    "approve": PitchState.APPROVED,
    "reject": PitchState.REJECTED,
    "snooze": PitchState.SNOOZED,
    "not_our_topic": PitchState.REJECTED,
}
SHARED_WAIT = 60  # seconds a shared link waits for the leading worker to file it
PAGES = 10  # pages of stories read at most to find a brand's (a bound, not a tuning)


@dataclass(frozen=True)
class Shared:
    """What "Pitch this" made of a link: `pitched` (with the pitch), `already` (the earlier
    pitch), `unsafe` (with the reason), `off_theme`, or `no_story` (nothing to pitch)."""

    outcome: str
    label: str
    story: StoryView | None = None
    pitch: Pitch | None = None
    reason: str = ""


class Trendbot:
    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self._drafting = threading.Lock()  # one "draft once" at a time: two clicks, one pitch

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

    # the run ---------------------------------------------------------------------------------

    def take_lease(self, holder: str, *, now: datetime) -> None:
        """Hold the database for this run, or raise LockedError saying who does."""
        take_lease(self.store, holder, now=now)

    def release_lease(self, holder: str) -> None:
        from trendbot.lease import lease_name

        self.store.release_lease(lease_name(self.store, holder), holder)

    @property
    def multi_worker(self) -> bool:
        """Several `trendbot run` workers may share this database (PostgreSQL)."""
        return self.store.multi_writer

    @property
    def leading(self) -> bool:
        """This process runs the story tracker and what follows it (pitches, deliveries,
        digests, housekeeping), as its latest cycle found: always on SQLite; the one elected
        worker on PostgreSQL. Reading it takes no lead: only the cycle's thread does that."""
        return self.pipeline.leading

    def story_count(self) -> int:
        return self.store.story_count()

    def health(self) -> tuple[bool, str]:
        """Is a `trendbot run` alive on this database (for the container's health check)?"""
        from trendbot.lease import lease_status

        return lease_status(self.store, now=self.now())

    def data_end(self) -> datetime | None:
        """When the stored items end: a replay's database ends in the past."""
        return self.store.data_end()

    def pitches(
        self, *, since: datetime | None, states: tuple[str, ...] = (), limit: int = 1000
    ) -> list[Pitch]:
        return self.store.pitches(since=since, states=states, limit=limit)

    def held(self, *, since: datetime, brand: BrandSettings) -> list[list[HeldStory]]:
        """Every story held back for `brand` since `since` and never pitched to it, newest
        first, in a replay summary's three groups (those that fit a theme, the near misses,
        the rest): the summary names ten."""
        held = self.store.held_stories(since=since, brand=brand.name)
        fits = theme_fits(self.pipeline, [h.story_id for h in held], brands=[brand])
        shares = {story_id: share for story_id, (share, _) in fits.items()}
        groups: list[list[HeldStory]] = [[], [], []]
        for h in sorted(held, key=lambda h: h.hold.at, reverse=True):
            group = held_group(h, shares)
            if group < 2:  # which theme: "Fit a theme" said none
                match = fits[h.story_id][1]
                h = replace(h, theme=match.theme, fit=match.relevance)
            groups[group].append(h)
        return groups

    def export(self, stream: IO[str], *, since: datetime | None = None) -> int:
        """The stored items as trendbot's own JSON lines (what `trendbot replay` reads)."""
        from trendbot.sources.replay import export_items

        return export_items(self.store, stream, since=since)

    def report(self, out: Path, *, since: datetime, now: datetime) -> Path:
        from trendbot.report import write_report

        return write_report(self.store, since=since, now=now, out=out)

    def stored_for_tuning(
        self, model: str, *, since: datetime, until: datetime, dim: int, brand: str | None = None
    ) -> tuple[list[StoryText], list[str], np.ndarray, list[LearnedExample]]:
        """What `trendbot themes try` scores: the period's stories (up to 8 headlines each), the
        latest embedded headlines with their vectors, and what editors taught the brand."""
        from trendbot.tuning import ADAPT_ITEMS, stored_story

        rows = self.store.story_rows(model, since=since)
        stories = [stored_story(r, self.store.story_items(r.id, limit=8)) for r in rows]
        stream = self.store.embedded_titles(model, since=since, until=until, limit=ADAPT_ITEMS)
        found = self.store.vectors(model, [r.id for r in stream])
        stream = [r for r in stream if r.id in found]
        vectors = np.vstack([found[r.id] for r in stream]) if stream else np.zeros((0, dim))
        taught = self.store.theme_examples(brand=self.brand(brand).name)
        learned = [learned_of(e) for e in taught]
        return stories, [r.title for r in stream], vectors, learned

    def build_index(self, now: datetime) -> None:
        """The search index, built now rather than at the first search."""
        self.pipeline.brain.item_index(self.store, now)

    # stories ---------------------------------------------------------------------------------

    def brand(self, name: str | None = None) -> BrandSettings:
        """The brand named `name`, the first one when None; ConfigError naming the others."""
        return self.pipeline.brain.brand(name)

    def top_stories(
        self, n: int = 5, theme: str | None = None, *, brand: str | None = None
    ) -> list[StoryView]:
        """The live stories with the most momentum now; rising ones first. Themes, safety and
        holds are the brand's."""
        fitted = self.brand(brand)
        if theme and theme.casefold() not in {t.name.casefold() for t in fitted.themes}:
            raise ConfigError(f"no theme named {theme!r} (see `themes`)")
        rows = self.store.top_story_rows(
            self.pipeline.brain.model, since=self.now() - LIVE, limit=n * 10 if theme else n
        )
        views = self._views(rows, fitted)
        if theme:
            views = [
                v for v in views if v.themes and v.themes[0].theme.casefold() == theme.casefold()
            ]
        return views[:n]

    def search(self, words: str, k: int = 5, *, brand: str | None = None) -> list[StoryView]:
        """Stories whose items are nearest in meaning to `words`, best first."""
        brain = self.pipeline.brain
        query = brain.encode([words])[0]
        hits = brain.search_items(self.store, query, k * 8, now=self.now())
        story_ids: list[int] = []
        if hits:
            story_of = self.store.stories_of_items(brain.model, [item_id for item_id, _ in hits])
            for item_id, _ in hits:
                story_id = story_of.get(item_id)
                if story_id is not None and story_id not in story_ids:
                    story_ids.append(story_id)
        rows = self._story_rows(story_ids[:k])
        return self._views(rows, self.brand(brand))

    def stories_saying(
        self, words: str, limit: int = 10, *, brand: str | None = None
    ) -> list[StoryView]:
        """Stories with a headline that says all of `words`, the latest first: the story of
        "daylight saving" of a replay's November, which `search` (meaning, over the stories of
        the retention period) and `held` (risen stories only) do not find."""
        from trendbot.sources.parse import normalise_title

        said = normalise_title(words).split()
        if not said:
            return []
        # twice as many: stories merged since fold into the one that absorbed them
        ids = self.store.stories_saying(self.pipeline.brain.model, said, limit=2 * limit)
        return self._views(self._story_rows(ids), self.brand(brand))[:limit]

    def find_story(self, ref: str, *, brand: str | None = None) -> StoryView | None:
        ref = ref.strip().lstrip("#")
        if ref.isdigit():
            views = self._views(self._story_rows([int(ref)]), self.brand(brand))
            return views[0] if views else None
        found = self.search(ref, 1, brand=brand) if ref else []
        return found[0] if found else None

    def replayed_as_of(self, story_id: int, end: datetime) -> datetime:
        """When to preview a story of a replay's database: when the replay last scored it (the
        card's figures and the matcher's stream are from then), never after the data's `end`.
        Drafted as of the end, an October story's card was dated December 31; momentum is not
        replayed again, so "why now" is the last scoring's."""
        context = self.story_context(story_id)
        scored = context.row.scored_at if context is not None else None
        return min(scored, end) if scored is not None else end

    def story_context(self, story_id: int) -> StoryContext | None:
        rows = self._story_rows([story_id])
        return story_contexts(self.store, rows)[0] if rows else None

    def _story_rows(self, ids: list[int]) -> list[StoryRow]:
        """Stories by id in that order, following merges to the story that absorbed them."""
        rows: list[StoryRow] = []
        for story_id in ids:
            found = absorbing(self.store, story_id)
            if found is not None and all(r.id != found.id for r in rows):
                rows.append(found)
        return rows

    def _views(self, rows: list[StoryRow], brand: BrandSettings) -> list[StoryView]:
        contexts = story_contexts(self.store, rows)
        # themes as the pitching stage sees them: centred on the recent stream
        adapt_matcher(self.pipeline.brain, self.store, now=self.now())
        fits = brand_fit(self.pipeline.brain, contexts, brand)
        mutes = self.store.mutes()
        ids = [c.row.id for c in contexts]
        holds = self.store.latest_holds(ids, brand=brand.name)
        pitched = self.store.latest_pitch_ids(ids, brand=brand.name)
        views = []
        for c, fit in zip(contexts, fits, strict=True):
            row, why = c.row, c.why
            views.append(
                StoryView(
                    id=row.id,
                    label=row.label,
                    state=row.state,
                    score=row.score,
                    why_now=why.get("explain", ""),
                    size=row.size,
                    sources=row.sources,
                    first_seen=row.first_seen,
                    last_seen=row.last_seen,
                    growth_drivers=(why.get("growth") or {}).get("drivers", ""),
                    keywords=row.keywords,
                    languages=row.languages,
                    sparkline=why.get("sparkline", ""),
                    themes=tuple(ThemeFit(m.theme, m.relevance, m.evidence) for m in fit.matches),
                    safety=fit.verdict.level,
                    safety_reason=fit.verdict.reason,
                    links=links_of(c.items)[:10],
                    trending=row.trending,
                    traffic=row.traffic,
                    muted=muted(c, mutes) is not None,
                    pitch_id=pitched.get(row.id),
                    held=holds.get(row.id),
                )
            )
        return views

    def rose(
        self, *, since: datetime, until: datetime | None = None, brand: str | None = None,
        limit: int = 30,
    ) -> list[Entry]:  # fmt: skip
        """The stories that rose in [since, until] and fit one of the brand's themes, pitched
        or not, best first: a digest's entries."""
        model, until = self.pipeline.brain.model, until or self.now()
        return self._fitting(
            lambda offset, n: self.store.risen_story_rows(
                model, since=since, until=until, limit=n, offset=offset
            ),
            self.brand(brand),
            limit,
        )

    def rising_now(self, *, brand: str | None = None, n: int = 10) -> list[Entry]:
        """The brand's stories rising or peaking now that fit its themes: the Home tab's."""
        model, since = self.pipeline.brain.model, self.now() - LIVE

        def rising(offset: int, size: int) -> list[StoryRow]:
            rows = self.store.top_story_rows(model, since=since, limit=size, offset=offset)
            return [r for r in rows if r.state in PITCHABLE]  # they come first

        return self._fitting(rising, self.brand(brand), n)

    def _fitting(
        self, rows_at: Callable[[int, int], list[StoryRow]], brand: BrandSettings, limit: int
    ) -> list[Entry]:
        """The first `limit` stories of `rows_at(offset, size)` on the brand's themes. Filter,
        then cut: on a busy day the best stories may all be on other brands' themes."""
        out: list[Entry] = []
        size = max(2 * limit, 20)
        for offset in range(0, PAGES * size, size):
            rows = rows_at(offset, size)
            out += _entries(self._views(rows, brand), brand.name)
            if len(out) >= limit or len(rows) < size:
                break
        return out[:limit]

    def share_link(self, url: str, *, brand: str | None = None) -> Shared:
        """ "Pitch this" on a link: fetch the article (the feeds' guards), file it under the
        shared-links feed, run a cycle so it finds or starts its story, then pitch that story
        for the brand, or say why not (off every theme, unsafe, pitched already)."""
        from trendbot.sources.article import SHARED_FEED, article_item
        from trendbot.sources.fetch import Fetcher

        fitted = self.brand(brand)
        with Fetcher(allow_private=self.settings.fetch.allow_private) as fetcher:
            result = fetcher.fetch(url)
        assert result.content is not None  # no validators were sent, so no 304
        item = article_item(
            result.final_url, result.content, content_type=result.content_type, seen=self.now()
        )
        self.store.ensure_feed(SHARED_FEED, url="slack:shared-links")
        (item_id,) = self.store.save_items(SHARED_FEED, [item]).ids
        self.pipeline.process(self.now())  # waits for a cycle under way, then runs one
        model = self.pipeline.brain.model
        story_id = self.store.stories_of_items(model, [item_id]).get(item_id)
        for _ in range(SHARED_WAIT if not self.pipeline.leading else 0):
            if story_id is not None:
                break
            time.sleep(1)  # another worker leads: it files the item at its next cycle
            story_id = self.store.stories_of_items(model, [item_id]).get(item_id)
        view = self.find_story(str(story_id), brand=fitted.name) if story_id else None
        if view is None:
            return Shared("no_story", item.title)
        if view.pitch_id is not None:
            return Shared("already", view.label, view, self.pitch(view.pitch_id))
        if view.safety == "blocked":
            return Shared("unsafe", view.label, view, reason=view.safety_reason)
        if not view.themes:
            return Shared("off_theme", view.label, view)
        pitch, new = self.draft_once(view.id, brand=fitted.name)
        return Shared("pitched" if new else "already", view.label, view, pitch)

    def digest(self, period: Period) -> Digest:
        """The brand's digest of `period`: the stories that rose in it on its themes."""
        brand = self.brand(period.brand)
        entries = self.rose(since=period.start, until=period.end, brand=brand.name)
        return compose(period, entries, language=brand.language)

    def digest_due(self, brand: str | None = None) -> Period | None:
        """The period whose digest should be out now, unless it is out already."""
        fitted, now = self.brand(brand), self.now()
        period = current_period(now, fitted)
        if period is None or (self.store.state(period.key) or "").startswith("posted:"):
            return None
        # Digests start with the first scheduled time after they were turned on: a fresh
        # install, a new brand or an upgrade from the old daily job gets no digest at once.
        since = f"digest:{fitted.name}:since"
        started = self.store.state(since)
        if started is None:
            self.store.set_state(since, now.isoformat(timespec="seconds"))
            return None
        return period if period.end >= datetime.fromisoformat(started) else None

    def post_digest(self, client: Any, digest: Digest, *, messages: Any) -> str:
        """Post the digest to its brand's channel, once; the message's ts."""
        from trendbot.slack.poster import post_digest

        channel = self.settings.channel_of(self.brand(digest.period.brand))
        return post_digest(client, self.store, digest, channel, messages=messages)

    def digest_printed(self, digest: Digest, *, how: str = "terminal") -> None:
        """No Slack: the digest went to the terminal (or had nothing in it); it counts as out."""
        self.store.set_state(digest.period.key, f"posted:{how}")

    def awaiting(self, *, brand: str | None = None) -> list[Pitch]:
        """The brand's pitches waiting for an editor, oldest first."""
        name = self.brand(brand).name
        return list(reversed(self.store.pitches(states=OPEN_STATES, brand=name)))

    def week(self, *, brand: str | None = None) -> dict[str, int]:
        """This week's pitches of the brand: made, approved, rejected."""
        name = self.brand(brand).name
        made = self.store.pitches(since=self.now() - timedelta(days=7), brand=name)
        return {
            "proposed": len(made),
            "approved": sum(p.state == PitchState.APPROVED for p in made),
            "rejected": sum(p.state == PitchState.REJECTED for p in made),
        }

    # pitches ---------------------------------------------------------------------------------

    def draft_pitch(self, story_id: int, *, save: bool = True, brand: str | None = None) -> Pitch:
        """A pitch of the brand for a story an editor picked. Saved, it is stored as `proposed`
        like the automatic ones: it counts toward the day's pitches and is delivered by the next
        cycle. Unsaved (a preview), nothing is stored and it has no id; a story safety blocks is
        previewed too, its card saying why (an editor asks what a held story would have given),
        and never saved."""
        fitted = self.brand(brand)
        brain = self.pipeline.brain
        context = self.story_context(story_id)
        if context is None:
            raise TrendbotError(f"no story #{story_id} (see `/trend top` or `trendbot trends`)")
        adapt_matcher(brain, self.store, now=self.now())  # as the pitching stage sees it
        (fit,) = brand_fit(brain, [context], fitted)
        if fit.verdict.level == "safe":
            # as the cycle reads it: a name mostly in blocked stories this week asks a person
            # (a preview said ✅ of a Tesla launch the cycle held for Tesla's crash probes)
            judged = judged_stories(self.store, fitted, now=self.now())
            if why := bad_company(story_id, names_of(context), judged):
                fit = replace(fit, verdict=Verdict("caution", f"{why}.", "company", ""))
        if fit.verdict.blocked and save:
            raise PitchError(f"story #{story_id} is not brand-safe: {fit.verdict.reason}")
        if fit.theme is None:
            # The editor asked for it: take the closest theme even under the usual bar.
            relevance = brain.matcher_of(fitted).relevance([context.text], context.vector[None])
            best = int(np.argmax(relevance[0]))
            from trendbot.themes import ThemeMatch

            theme = fitted.themes[best]
            fit = type(fit)(
                ThemeMatch(theme.name, float(relevance[0, best]), "closest theme, picked by hand"),
                fit.matches,
                fit.verdict,
            )
        themes_by_name = {t.name: t for t in fitted.themes}
        assert fit.theme is not None
        story = pitch_input(context, fit, themes_by_name[fit.theme.theme], brain.usage)
        now = self.now()
        lately = self.store.pitches(since=now - pitches.RECENT_ANGLES, brand=fitted.name)
        story = replace(
            story,
            recent_angles=pitches.rested_angles(lately, now=now, sign_offs=fitted.sign_offs),
        )
        pitch = pitches.draft_pitch(
            story,
            fitted,
            self.settings.pitches,
            writer=self.pipeline.writer,
            check=brain.safety_of(fitted).check_draft,
            encode=brain.encode,
            examples=self.store.approved_drafts(limit=pitches.MAX_EXAMPLES, brand=fitted.name),
        )
        pitch = replace(pitch, brand=fitted.name)
        return self.keep_pitch(pitch) if save else pitch

    def keep_pitch(self, pitch: Pitch) -> Pitch:
        """Save a drafted pitch as it is (a preview an editor keeps): stored as `proposed`, it
        counts toward the day's pitches and the next cycle delivers it. Never one that brand
        safety blocks."""
        if pitch.safety == "blocked":
            raise PitchError(f"story #{pitch.story_id} is not brand-safe: {pitch.safety_reason}")
        return self.store.insert_pitch(pitch, now=self.now())

    def draft_once(self, story_id: int, *, brand: str | None = None) -> tuple[Pitch, bool]:
        """The brand's pitch of the story: the one it has, else a new one saved. True when new.
        For buttons and shortcuts, where a second click must not make a second pitch."""
        fitted = self.brand(brand)
        with self._drafting:
            found = self.store.latest_pitch_ids([story_id], brand=fitted.name).get(story_id)
            pitch = self.pitch(found) if found is not None else None
            if pitch is not None:
                return pitch, False
            return self.draft_pitch(story_id, brand=fitted.name), True

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
            problems = drafts.check_draft(
                text.strip(),
                max_chars=self.settings.pitches.max_chars,
                allowed_mentions=self.settings.pitches.allowed_mentions,
                blocked=self.pipeline.brain.safety_of(self._brand_of(pitch)).check_draft,
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
                final_text=pitch.draft if state == PitchState.APPROVED else None,
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
        # built before the example is stored: one built after would read it, then learn it again
        matcher = self.pipeline.brain.matcher_of(self._brand_of(pitch))
        self.store.add_theme_example(
            theme,
            polarity,
            pitch.story_label,
            now=now,
            story_id=pitch.story_id,
            pitch_id=pitch.id,
            reason=reason,
            user=user,
            brand=pitch.brand,
        )
        if action == "not_our_topic" and len(self.settings.brands) == 1:
            # a mute is the whole install's: with several brands, the story may be another's
            self.store.add_mute("story", str(pitch.story_id), now=now, user=user)
        learned = LearnedExample(
            theme=None if theme == "*" else theme,
            text=pitch.story_label,
            approved=polarity > 0,
            reason=reason or "",
        )
        matcher.learn(learned)

    def _brand_of(self, pitch: Pitch) -> BrandSettings:
        """The pitch's brand; the first when it is gone from feeds.yaml (renamed, removed)."""
        return self.settings.brand_named(pitch.brand) or self.settings.brand

    def pitch(self, pitch_id: int) -> Pitch | None:
        return self.store.pitch(pitch_id)

    def pitch_for_card(self, channel: str, ts: str) -> Pitch | None:
        """The pitch whose card is the message `ts` in `channel`."""
        return self.store.pitch_by_slack(channel, ts)

    def first_delivery(self, key: str, kind: str) -> bool:
        """True the first time Slack delivers this event or action; False for its retries."""
        return self.store.first_delivery(key, kind, now=self.now())

    def post_card(self, client: Any, pitch: Pitch, channel: str, *, messages: Any) -> Pitch:
        """Post the pitch's card (once: a card already out is found again, not posted twice)
        and return the pitch as stored after it."""
        from trendbot.slack.poster import post_pitch

        if self.multi_worker and not self.leading:
            return pitch  # the leading worker posts every card: within 30 s, and only once
        post_pitch(client, self.store, pitch, channel, messages=messages, now=self.now())
        assert pitch.id is not None
        return self.store.pitch(pitch.id) or pitch

    # configuration -------------------------------------------------------------------------

    def themes(self, *, brand: str | None = None) -> list[ThemeSettings]:
        return list(self.brand(brand).themes)

    def add_theme(
        self, name: str, description: str, *, user: str, brand: str | None = None
    ) -> None:
        theme = ThemeSettings(name=name.strip(), description=description.strip())
        add_theme_to_config(self._config_path(), theme, brand=self.brand(brand).name)
        self._reload()

    def feeds(self) -> list[FeedRow]:
        names = {f.name for f in self.settings.news_feeds}
        return [r for r in self.store.feed_rows() if r.name in names]

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

    def stats(self, *, brand: str | None = None) -> dict[str, Any]:
        """The brand's pitches this week and month, decisions and delays."""
        now, name = self.now(), self.brand(brand).name
        week = self.store.pitches(since=now - timedelta(days=7), brand=name)
        month = self.store.pitches(since=now - timedelta(days=30), brand=name)
        decided = [p for p in month if p.state in (PitchState.APPROVED, PitchState.REJECTED)]
        approved = sum(p.state == PitchState.APPROVED for p in decided)
        to_pitch, to_decision = [], []
        first_seen = self.store.stories_first_seen([p.story_id for p in month])
        for p in month:
            assert p.created is not None and p.id is not None
            if p.story_id in first_seen:
                to_pitch.append((p.created - first_seen[p.story_id]).total_seconds() / 60)
            decided_at = self.store.decided_at(p.id)
            if decided_at is not None:
                to_decision.append((decided_at - p.created).total_seconds() / 60)
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


def _entries(views: list[StoryView], brand: str) -> list[Entry]:
    """Stories as a digest or the Home tab lists them: on one of the brand's themes, neither
    unsafe nor muted; a caution is kept with its reason."""
    entries = []
    for view in views:
        if not view.themes or view.safety == "blocked" or view.muted:
            continue
        best = view.themes[0]
        entries.append(
            Entry(
                story_id=view.id,
                label=view.label,
                theme=best.theme,
                relevance=best.relevance,
                why_now=view.why_now,
                pitch_id=view.pitch_id,
                caution=view.safety_reason if view.safety == "caution" else None,
                brand=brand,
            )
        )
    return entries


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")
    return slug[:40].strip("-") or "feed"


def _mute_key(ref: str) -> tuple[str, str]:
    ref = ref.strip()
    if ref.lstrip("#").isdigit():
        return "story", ref.lstrip("#")
    return "words", " ".join(ref.split())


def make_trendbot(settings: Settings, **kwargs: Any) -> Trendbot:
    from trendbot.cycle import make_pipeline

    return Trendbot(make_pipeline(settings, **kwargs))
