"""The processing half of the pipeline on a real SQLite file with the real multilingual encoder:
items -> stories -> momentum -> brand fit -> cadence -> stored pitches."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from headlines import HEATWAVE, NOISE, SHOOTING, THEMES

from trendbot import brandfit
from trendbot.brandfit import adapt_matcher
from trendbot.cycle import (
    PITCHABLE,
    Interrupted,
    Pipeline,
    _thread_warning,
    embed_new,
    make_pipeline,
)
from trendbot.safety import Verdict
from trendbot.settings import ThemeSettings, parse_settings
from trendbot.types import Item

pytestmark = pytest.mark.slow

T0 = datetime(2025, 7, 15, 9, 0, tzinfo=UTC)  # 11:00 in Paris: outside quiet hours


def item(n: int, source: str, title: str, minutes: float) -> Item:
    seen = T0 + timedelta(minutes=minutes)
    return Item(
        feed="news",
        guid=f"g{n}",
        url=f"https://news.example/{n}",
        title=title,
        summary="",
        published=seen,
        seen=seen,
        source=source,
        language="fr",
    )


@pytest.fixture
def settings() -> Any:
    return parse_settings(
        {
            "feeds": [{"name": "news", "url": "https://news.example/rss", "language": "fr"}],
            "brand": {
                "name": "Maison Brioche",
                "language": "fr",
                "voice": "Chaleureuse et gourmande.",
                "themes": THEMES,
                "cadence": {"queue_minutes": 0, "min_score": 1.0},
            },
        }
    )


def with_model(settings: Any, model: str) -> Any:
    return settings.model_copy(
        update={"embedding": settings.embedding.model_copy(update={"model": model})}
    )


def feed_in(pipeline: Pipeline, items: list[Item]) -> None:
    pipeline.store.save_items("news", items)


def stream() -> list[Item]:
    out = [item(100 + n, "Agence", t, -600 + 90 * n) for n, t in enumerate(NOISE)]
    out += [item(n, s, t, 5 * n) for n, (s, t) in enumerate(HEATWAVE)]
    out += [item(50 + n, s, t, 5 * n + 2) for n, (s, t) in enumerate(SHOOTING)]
    return out


def test_a_burst_on_a_theme_is_pitched_once_and_a_tragedy_never(
    database: str, settings: Any
) -> None:
    """On each engine: SQLite, and PostgreSQL."""
    now = T0 + timedelta(minutes=40)
    with make_pipeline(settings, db=database, clock=lambda: now) as pipeline:
        feed_in(pipeline, stream())
        report = pipeline.process(now)
        assert report.embedded == len(stream()) and report.clustered == len(stream())
        assert [p.theme for p in report.pitched] == ["meteo"]
        pitch = report.pitched[0]
        assert pitch.safety == "safe" and len(pitch.draft) <= 280
        assert (
            "canicule" in pitch.story_label.casefold() or "chaleur" in pitch.story_label.casefold()
        )
        assert len({s.source for s in pitch.sources}) >= 2
        blocked = pipeline.store.query("SELECT detail FROM holds WHERE reason = 'blocked'")
        assert blocked, "the shooting story must be held as unsafe"
        # the same cycle again: nothing new, nothing pitched twice
        again = pipeline.process(now + timedelta(minutes=5))
        assert again.embedded == 0 and again.pitched == []
    # after a restart (a new process): the stories come back, nothing is pitched twice
    later = now + timedelta(minutes=10)
    with make_pipeline(settings, db=database, clock=lambda: later) as pipeline:
        feed_in(
            pipeline, [item(200, "Libération", "Canicule : Paris bat son record de chaleur", 45)]
        )
        report = pipeline.process(later)
        assert report.clustered == 1 and report.pitched == []
        stories = pipeline.store.query(
            "SELECT s.story_id FROM story_items s JOIN items i ON i.id = s.item_id"
            " WHERE i.guid IN ('g0', 'g200')"
        )
        assert len({r["story_id"] for r in stories}) == 1, "the new heatwave item joins its story"
        assert len(pipeline.store.pitches()) == 1


def test_the_drafts_learn_how_the_stream_writes_its_words_once_a_day(
    tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pipeline reads the stored month's titles into `Brain.usage` (which words the news
    writes in lower case: the drafts' tags) when it pitches, and again a day later; sooner
    while the database holds too few titles to tell."""
    now = T0 + timedelta(minutes=40)
    monkeypatch.setattr(brandfit, "USAGE_ENOUGH", len(stream()) + 1)
    with make_pipeline(settings, db=str(tmp_path / "t.db"), clock=lambda: now) as pipeline:
        feed_in(pipeline, stream())
        pipeline.process(now)
        assert pipeline.brain.usage_at is None  # one title short: read again next time
        monkeypatch.setattr(brandfit, "USAGE_ENOUGH", len(stream()))
        hour = now + timedelta(hours=1)
        adapt_matcher(pipeline.brain, pipeline.store, now=hour)
        assert pipeline.brain.usage_at == hour
        first = pipeline.brain.usage
        # "record" is written in lower case inside a clause three times; "Paris" never
        assert first.common("record") is True and first.common("Paris") is False
        pipeline.store.save_items("news", [item(300, "Agence", "Un record de canicule", 60)])
        pipeline.process(hour + timedelta(hours=2))  # embeds it
        adapt_matcher(pipeline.brain, pipeline.store, now=hour + timedelta(hours=3))
        assert pipeline.brain.usage is first
        adapt_matcher(pipeline.brain, pipeline.store, now=hour + timedelta(days=1))
        assert pipeline.brain.usage.lower["record"] == first.lower["record"] + 1


def test_a_pitched_story_that_turns_unsafe_gets_a_warning_in_its_thread(
    tmp_path: Path, settings: Any
) -> None:
    """The heatwave is pitched; an hour later its headlines count the dead. The card is still
    waiting for an editor: its thread says, once, that brand safety now blocks the story."""
    now = T0 + timedelta(minutes=40)
    with make_pipeline(settings, db=str(tmp_path / "t.db"), clock=lambda: now) as pipeline:
        feed_in(pipeline, stream())
        assert [p.theme for p in pipeline.process(now).pitched] == ["meteo"]
        assert pipeline.store.query("SELECT text FROM thread_updates") == []
        deaths = [
            ("Le Figaro", "Canicule à Paris : deux morts, la chaleur record continue"),
            ("Le Parisien", "Canicule : deux personnes retrouvées mortes à Paris"),
            ("franceinfo", "Chaleur record à Paris : deux morts, les secours débordés"),
            ("Libération", "Canicule meurtrière à Paris : deux morts dans la capitale"),
        ]
        feed_in(pipeline, [item(400 + n, s, t, 45 + 5 * n) for n, (s, t) in enumerate(deaths)])
        for minutes in (70, 80):
            pipeline.process(now + timedelta(minutes=minutes))
        [warning] = pipeline.store.query("SELECT text FROM thread_updates")
        assert warning["text"].startswith("⛔ La sécurité de marque bloque désormais cette actu")
        assert "mort" in warning["text"]
        # the pitch says so too: `pitches`, its cards and the report showed it brand-safe
        [pitch] = pipeline.store.pitches()
        assert pitch.safety == "blocked"
        assert pitch.safety_reason.startswith("Depuis la proposition :")
        assert "mort" in pitch.safety_reason
        # a caution after "do not post" would read as a go-ahead: neither said nor kept
        caution = Verdict("caution", "politics: a minister visits")
        later = now + timedelta(minutes=90)
        assert not _thread_warning(
            pipeline.store, pitch.story_id, caution, settings.brand, now=later
        )
        assert pipeline.store.pitches()[0].safety == "blocked"
        # then a wave of plain heat headlines pushes the deaths out of its latest ones: the
        # story reads safe again and grows, but the thread said "do not post" and adds nothing
        plain = [item(500 + n, f"Journal {n}", f"Canicule à Paris : {n + 35} degrés attendus",
                      85 + n) for n in range(12)]  # fmt: skip
        feed_in(pipeline, plain)
        for minutes in (100, 110, 120):
            pipeline.process(now + timedelta(minutes=minutes))
        # (it did read safe again: the last cycles held nothing as blocked)
        last = (now + timedelta(minutes=110)).isoformat()
        assert not pipeline.store.query(
            "SELECT 1 FROM holds WHERE reason = 'blocked' AND at >= ? AND detail LIKE '%mort%'",
            [last],
        )
        assert pipeline.store.query("SELECT text FROM thread_updates") == [warning]


def test_a_pitched_story_no_longer_rising_is_still_watched_for_safety(
    tmp_path: Path, settings: Any
) -> None:
    """A doorbell maker's pitched story of Amazon's event took in "Echo, Kindle, Ring, and
    More" a day later, once it had stopped rising, and its card stayed brand-safe: a pitched
    story is judged again as long as it lives and its pitch waits for an editor."""
    now = T0 + timedelta(minutes=40)
    with make_pipeline(settings, db=str(tmp_path / "t.db"), clock=lambda: now) as pipeline:
        feed_in(pipeline, stream())
        [pitch] = pipeline.process(now).pitched
        later = now + timedelta(hours=20)
        pipeline.process(later - timedelta(minutes=10))  # quiet: the story fades
        title = "Canicule à Paris : deux morts, la chaleur record continue"
        feed_in(pipeline, [item(600, "Le Figaro", title, 20 * 60 + 30)])
        pipeline.process(later)
        [row] = pipeline.store.query("SELECT state FROM stories WHERE id = ?", [pitch.story_id])
        assert row["state"] not in PITCHABLE, row  # not rising: judged all the same
        [joined] = pipeline.store.query("SELECT story_id FROM story_items si JOIN items i"
                                        " ON i.id = si.item_id WHERE i.guid = 'g600'")  # fmt: skip
        assert joined["story_id"] == pitch.story_id
        [warning] = pipeline.store.query("SELECT text FROM thread_updates")
        assert warning["text"].startswith("⛔ La sécurité de marque bloque désormais cette actu")
        assert pipeline.store.pitches()[0].safety == "blocked"


def test_a_quiet_story_keeps_its_count_of_publishers_past_the_momentum_window(
    tmp_path: Path, settings: Any
) -> None:
    """Momentum reads the last 48 h of events: two days on, the first publisher's item is out
    of it, and the card said "1 source so far" above two sources."""
    now = T0 + timedelta(minutes=40)
    with make_pipeline(settings, db=str(tmp_path / "t.db"), clock=lambda: now) as pipeline:
        feed_in(pipeline, stream())
        pipeline.process(now)
        [row] = pipeline.store.query(
            "SELECT s.id, s.sources FROM stories s JOIN story_items si ON si.story_id = s.id"
            " JOIN items i ON i.id = si.item_id WHERE i.guid = 'g0'"
        )
        assert row["sources"] >= 2
        # 2 min short of 48 h after its last item: still scored, its earlier ones out of the window
        last = pipeline.store.query(
            "SELECT MAX(i.published) AS t FROM items i JOIN story_items si ON si.item_id = i.id"
            " WHERE si.story_id = ?",
            [row["id"]],
        )[0]["t"]
        later = datetime.fromisoformat(last) + timedelta(hours=47, minutes=58)
        pipeline.process(later)
        [why] = pipeline.store.query("SELECT why FROM stories WHERE id = ?", [row["id"]])
        growth = json.loads(why["why"])["growth"]
        assert growth["explain"].startswith(f"{row['sources']} sources "), growth  # "… jusqu'ici"
        assert growth["publishers"] >= row["sources"]


def test_a_pitched_story_that_grows_gets_news_in_its_thread_in_the_brands_language(
    tmp_path: Path, settings: Any
) -> None:
    """Five more publishers since the card: the thread hears of it once, in French for a
    French brand ("rising: 20 sources en 8 h" mixed the two)."""
    now = T0 + timedelta(minutes=40)
    with make_pipeline(settings, db=str(tmp_path / "t.db"), clock=lambda: now) as pipeline:
        feed_in(pipeline, stream())
        assert [p.theme for p in pipeline.process(now).pitched] == ["meteo"]
        # the first reports, carried by twelve more publishers
        more = [item(500 + n, f"Journal {n}", HEATWAVE[n % len(HEATWAVE)][1], 85 + n)
                for n in range(12)]  # fmt: skip
        # and, newest, a headline of what the heatwave became
        more.append(item(520, "Libération", "Canicule : Paris ouvre ses piscines la nuit", 98))
        feed_in(pipeline, more)
        for minutes in (100, 110, 120):
            pipeline.process(now + timedelta(minutes=minutes))
        [news] = pipeline.store.query("SELECT text FROM thread_updates")
        state, _, why = news["text"].partition(" : ")  # French puts a space before it
        assert state in ("Nouveau", "En hausse", "Au plus haut", "En baisse"), news["text"]
        assert "sources" in why
        # the newest headline, which the card did not show, says where the story went
        [card] = pipeline.store.pitches(limit=1)
        shown = {card.story_label, *(s.title for s in card.sources)}
        newest = more[-1]
        said = f"Dernier titre : « {newest.title} » ({newest.source})"
        assert newest.title not in shown and news["text"].endswith(said), news["text"]
        # more publishers of the same headline: news again, but the headline is not told twice
        again = [item(530 + n, f"Radio {n}", newest.title, 125 + n) for n in range(8)]
        feed_in(pipeline, again)
        for minutes in (135, 145):
            pipeline.process(now + timedelta(minutes=minutes))
        texts = [r["text"] for r in pipeline.store.query("SELECT text FROM thread_updates")]
        assert len(texts) == 2 and "Dernier titre" not in texts[1], texts


def test_a_story_that_rose_at_night_is_pitched_in_the_morning(
    tmp_path: Path, settings: Any
) -> None:
    """The heatwave breaks at 21:00 in Paris, inside the brand's quiet hours: the pitch waits.
    By 08:00 no headline has come for ten hours and its momentum has faded with the night, but
    the wait it was promised holds: it is pitched then, once."""
    evening = [
        replace(i, published=i.published + timedelta(hours=10), seen=i.seen + timedelta(hours=10))
        for i in stream()
    ]
    night = T0 + timedelta(hours=10, minutes=40)  # 21:40 in Paris
    morning = T0 + timedelta(hours=21, minutes=5)  # 08:05 the next day
    with make_pipeline(settings, db=str(tmp_path / "t.db"), clock=lambda: night) as pipeline:
        feed_in(pipeline, evening)
        assert pipeline.process(night).pitched == []
        [held] = pipeline.store.query("SELECT reason, detail FROM holds WHERE reason != 'blocked'")
        assert (held["reason"], "08:00" in held["detail"]) == ("quiet_hours", True)
        pipeline.process(night + timedelta(hours=3))
        report = pipeline.process(morning)
        assert [p.theme for p in report.pitched] == ["meteo"]
        [story] = pipeline.store.story_rows(pipeline.brain.model, ids=[report.pitched[0].story_id])
        assert story.state != "rising"  # pitched for the wait, not for its momentum
        # and its card says so, not only that nothing came in the last hours
        assert report.pitched[0].why_now.startswith(
            "Montée pendant les heures calmes (21:00-08:00)"
        )
        assert pipeline.process(morning + timedelta(minutes=10)).pitched == []


def test_the_morning_wait_outlasts_the_queue(tmp_path: Path, settings: Any) -> None:
    """Held at 07:55 "until 08:00", then queued at 08:05 (a 30-minute queue): the next cycle, at
    12:55 after an outage, still owes it its look, though it has faded."""
    queue = settings.brand.cadence.model_copy(update={"queue_minutes": 30})
    settings = settings.model_copy(
        update={"brands": [settings.brand.model_copy(update={"cadence": queue})]}
    )
    shift = timedelta(hours=20, minutes=15)  # 07:15 in Paris the next day
    early = [replace(i, published=i.published + shift, seen=i.seen + shift) for i in stream()]
    dawn = T0 + shift + timedelta(minutes=40)  # 07:55
    with make_pipeline(settings, db=str(tmp_path / "t.db"), clock=lambda: dawn) as pipeline:
        feed_in(pipeline, early)
        assert pipeline.process(dawn).pitched == []
        pipeline.process(dawn + timedelta(minutes=10))
        held = "SELECT reason FROM holds WHERE reason != 'blocked' ORDER BY id"
        assert [r["reason"] for r in pipeline.store.query(held)] == ["quiet_hours", "queued"]
        report = pipeline.process(dawn + timedelta(hours=5))
        assert [p.theme for p in report.pitched] == ["meteo"]


def test_changing_the_model_reembeds_lazily(tmp_path: Path, settings: Any) -> None:
    with make_pipeline(settings, db=str(tmp_path / "t.db")) as pipeline:
        feed_in(pipeline, stream()[:3])
        assert pipeline.process(T0).embedded == 3
        assert pipeline.process(T0).embedded == 0
    english = with_model(settings, "minilm")
    with make_pipeline(english, db=str(tmp_path / "t.db")) as pipeline:
        assert pipeline.brain.model == "minilm"
        feed_in(pipeline, stream()[3:4])
        assert pipeline.process(T0).embedded == 4
    with make_pipeline(settings, db=str(tmp_path / "t.db")) as pipeline:
        # Back to the first model: only the item that came meanwhile needs a vector of it.
        assert pipeline.process(T0).embedded == 1
        assert pipeline.process(T0).embedded == 0


def pending(pipeline: Pipeline) -> dict[str, int]:
    rows = pipeline.store.query("SELECT stage, count(*) AS n FROM pending GROUP BY stage")
    return {r["stage"]: r["n"] for r in rows}


def test_a_crash_between_embedding_and_clustering_is_picked_up(
    tmp_path: Path, settings: Any
) -> None:
    with make_pipeline(settings, db=str(tmp_path / "t.db")) as pipeline:
        feed_in(pipeline, stream()[:4])
        assert pending(pipeline) == {"embed": 4}
        since = T0 - timedelta(days=14)
        assert embed_new(pipeline.brain, pipeline.store, since=since) == 4
        assert pending(pipeline) == {"cluster": 4}
    with make_pipeline(settings, db=str(tmp_path / "t.db")) as pipeline:
        report = pipeline.process(T0)
        assert (report.embedded, report.clustered) == (0, 4)
        assert pending(pipeline) == {}
        assert pipeline.store.scalar("SELECT count(*) FROM story_items") == 4


def test_a_corrected_headline_is_embedded_again_and_stays_in_its_story(
    tmp_path: Path, settings: Any
) -> None:
    first = stream()[0]
    with make_pipeline(settings, db=str(tmp_path / "t.db")) as pipeline:
        feed_in(pipeline, [first])
        assert pipeline.process(T0).clustered == 1
        feed_in(pipeline, [first])  # seen again, same text: nothing to do
        assert pending(pipeline) == {}
        feed_in(pipeline, [replace(first, title=first.title + " (mise à jour)")])
        report = pipeline.process(T0)
        assert (report.embedded, report.clustered) == (1, 0)
        assert pipeline.store.scalar("SELECT count(*) FROM story_items") == 1


def test_a_store_from_before_the_queue_catches_up(tmp_path: Path, settings: Any) -> None:
    with make_pipeline(settings, db=str(tmp_path / "t.db")) as pipeline:
        feed_in(pipeline, stream()[:5])
        # As a database written before migration 007 looks: items, no queue.
        pipeline.store.db.execute("DELETE FROM pending")
        pipeline.store.db.execute("DELETE FROM state")
        pipeline.store.db.conn.commit()
        report = pipeline.process(T0)
        assert (report.embedded, report.clustered) == (5, 5)
        assert pipeline.process(T0).embedded == 0


def test_a_model_run_stopped_half_way_leaves_the_other_model_nothing_to_redo(
    tmp_path: Path, settings: Any
) -> None:
    with make_pipeline(settings, db=str(tmp_path / "t.db")) as pipeline:
        feed_in(pipeline, stream()[:3])
        assert pipeline.process(T0).clustered == 3
    english = with_model(settings, "minilm")
    with make_pipeline(english, db=str(tmp_path / "t.db")) as pipeline:
        # stopped after embedding: its items wait in the queue for clustering
        assert embed_new(pipeline.brain, pipeline.store, since=T0 - timedelta(days=14)) == 3
        assert pending(pipeline) == {"cluster": 3}
    with make_pipeline(settings, db=str(tmp_path / "t.db")) as pipeline:
        report = pipeline.process(T0)
        assert (report.embedded, report.clustered) == (0, 0)
        memberships = "SELECT count(*) FROM story_items WHERE model = ?"
        assert pipeline.store.scalar(memberships, [pipeline.brain.model]) == 3
        assert pending(pipeline) == {}


def test_a_stop_ends_the_cycle_between_transactions_and_loses_nothing(
    tmp_path: Path, settings: Any
) -> None:
    with make_pipeline(settings, db=str(tmp_path / "t.db")) as pipeline:
        feed_in(pipeline, stream()[:4])
        pipeline.interrupt.set()
        with pytest.raises(Interrupted):
            pipeline.process(T0)
        assert pending(pipeline) == {"embed": 4}
        pipeline.interrupt.clear()
        report = pipeline.process(T0)
        assert (report.embedded, report.clustered) == (4, 4)
        assert pending(pipeline) == {}


OBITUARY = [
    ("Le Monde", "La chanteuse Juliette Gréco, icône de la chanson française, est morte à 93 ans"),
    ("Le Figaro", "Mort de Juliette Gréco, la muse de Saint-Germain-des-Prés"),
    ("Libération", "Juliette Gréco est morte : la chanson française perd une légende"),
    ("France Info", "Juliette Gréco s'est éteinte à 93 ans, hommages du monde de la musique"),
    ("Le Parisien", "Disparition de Juliette Gréco, interprète de « Déshabillez-moi »"),
    ("20 Minutes", "Juliette Gréco est morte à 93 ans, une vie de chansons et de scène"),
]


PREMIERE = [
    ("Le Monde", "Festival de Cannes : la Palme d'or pour un film d'animation"),
    ("Le Figaro", "Cannes : le film d'animation palmé ovationné pendant dix minutes"),
    ("Libération", "La Palme d'or de Cannes récompense un film d'animation audacieux"),
    ("France Info", "Palme d'or : Macron salue le film d'animation primé à Cannes"),
    ("Le Parisien", "Cannes : le réalisateur du film palmé remercie son équipe d'animation"),
    ("20 Minutes", "Festival de Cannes : un film d'animation remporte la Palme d'or"),
]


@pytest.mark.parametrize(
    ("theme", "burst", "name", "reason", "says"),
    [
        # an obituary: not blocked (a tribute may be right), never pitched on its own
        ({"name": "chanson", "description": "la chanson française, les concerts, les albums",
          "keywords": ["chanson", "chanteuse", "concert", "album"]},
         OBITUARY, "Gréco", "tragedy", "deaths and violence"),
        # a charter word the meaning does not confirm (a president's congratulations in a film
        # story): care, and an editor decides
        ({"name": "cinema", "description": "le cinéma, les festivals de films, les sorties",
          "keywords": ["film", "cannes", "palme"]},
         PREMIERE, "Palme", "caution", "macron"),
    ],
    ids=["death-in-culture-news", "politician-in-culture-news"],
)  # fmt: skip
def test_a_caution_is_held_for_an_editor_not_pitched(
    tmp_path: Path,
    settings: Any,
    theme: dict[str, Any],
    burst: list[tuple[str, str]],
    name: str,
    reason: str,
    says: str,
) -> None:
    """What safety asks care for waits with its caution where editors look (`/trend`, the
    digest, the Home tab); trendbot never pitches it on its own."""
    themes = (*settings.brand.themes, ThemeSettings(**theme))
    brand = settings.brand.model_copy(update={"themes": themes})
    settings = settings.model_copy(update={"brands": (brand,)})
    now = T0 + timedelta(minutes=40)
    items = [item(300 + n, s, t, 5 * n + 1) for n, (s, t) in enumerate(burst)]
    with make_pipeline(settings, db=str(tmp_path / "t.db"), clock=lambda: now) as pipeline:
        feed_in(pipeline, stream() + items)
        report = pipeline.process(now)
        assert all(name not in p.story_label for p in report.pitched)
        assert report.held[reason] == 1
        [held] = [h for h in pipeline.store.held_stories() if name in h.label]
        assert held.hold.reason == reason and says in held.hold.detail.lower()


@pytest.mark.parametrize(("places", "pitched"), [(["Lyon", "Marseille"], False), (["Paris"], True)])
def test_a_theme_with_places_takes_only_the_stories_that_name_one(
    tmp_path: Path, settings: Any, places: list[str], pitched: bool
) -> None:
    """A Midwest credit union's weather theme pitched snow in New York and Washington: a theme
    with `places` fits only the stories that name one of them, and says so when it holds one."""
    themes = tuple(
        t.model_copy(update={"places": tuple(places)}) if t.name == "meteo" else t
        for t in settings.brand.themes
    )
    brand = settings.brand.model_copy(update={"themes": themes})
    settings = settings.model_copy(update={"brands": (brand,)})
    now = T0 + timedelta(minutes=40)
    with make_pipeline(settings, db=str(tmp_path / "t.db"), clock=lambda: now) as pipeline:
        feed_in(pipeline, stream())
        report = pipeline.process(now)
        assert [p.theme for p in report.pitched] == (["meteo"] if pitched else [])
        if not pitched:
            [held] = [h for h in pipeline.store.held_stories() if "Paris" in h.label]
            assert held.hold.reason == "elsewhere", held.hold
            assert held.hold.detail.startswith("Fits theme 'meteo' (")
            assert held.hold.detail.endswith("but names none of its places (Lyon, Marseille).")


def test_workers_share_one_database_one_leads_and_each_searches_it_all(
    postgres_url: str, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers on one PostgreSQL database: the first to process leads (stories, pitches);
    the other only embeds, yet its search index holds what the leader embedded."""
    from pgtest import drop_schema, fresh_schema, schema_name

    from trendbot import brain

    url = fresh_schema(postgres_url)
    now = T0 + timedelta(minutes=40)
    try:
        with (
            make_pipeline(settings, db=url, clock=lambda: now) as one,
            make_pipeline(settings, db=url, clock=lambda: now) as two,
        ):
            assert len(two.brain.item_index(two.store, now)) == 0  # built before any item
            feed_in(one, stream())
            led = one.process(now)
            assert led.clustered == len(stream()) and [p.theme for p in led.pitched] == ["meteo"]
            helped = two.process(now)  # the lead is taken: nothing to cluster, nothing pitched
            assert (helped.clustered, helped.pitched, two.leading) == (0, [], False)
            monkeypatch.setattr(brain, "INDEX_REFRESH", 0.0)
            query = two.brain.encode(["Canicule à Paris, records de chaleur"])[0]
            hits = two.brain.search_items(two.store, query, 3, now=now)
            titles = {r.id: r.title for r in two.store.items_by_id([key for key, _ in hits])}
            assert hits and all("chaleur" in t.lower() or "canicule" in t.lower()
                                for t in titles.values()), titles  # fmt: skip
    finally:
        drop_schema(postgres_url, schema_name(url))


def test_search_index_past_the_compress_limit_scores_from_the_store(
    database: str, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the compress limit the search index holds codes, built chunk by chunk from the
    store, and its hits come back with exact scores (re-scored from the stored vectors)."""
    from trendbot import index

    monkeypatch.setattr(index, "EXACT_LIMIT", 1_000)
    monkeypatch.setattr(index, "COMPRESS_LIMIT", 8_000)
    now = T0 + timedelta(days=1)
    with make_pipeline(settings, db=database, clock=lambda: now) as pipeline:
        store, brain = pipeline.store, pipeline.brain
        dim = brain.embedder.dim
        rng = np.random.default_rng(7)
        centres = rng.standard_normal((40, dim))
        vectors = centres[rng.integers(40, size=12_000)] + 0.8 * rng.standard_normal((12_000, dim))
        vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
        items = [item(n, "Agence", f"Dépêche numéro {n}", n / 20) for n in range(12_000)]
        for start in range(0, 12_000, 3_000):
            saved = store.save_items("news", items[start : start + 3_000])
            assert saved.new == 3_000
        store.save_vectors(
            brain.model, [(it.id, "h", v) for it, v in zip(items, vectors, strict=True)]
        )
        assert store.item_vector_count(brain.model, since=T0) == 12_000
        sampled = list(store.item_vectors(brain.model, since=T0, dim=dim, every=4, chunk=1_000))
        assert [len(keys) for keys, _, _ in sampled] == [1_000, 1_000, 1_000]
        assert sampled[0][0][1] == items[4].id and np.allclose(sampled[0][1][1], vectors[4])

        built = brain.item_index(store, now)
        assert built.kind == "ivfpq" and len(built) == 12_000
        hits = brain.search_items(store, vectors[77], 5, now=now)
        assert hits[0][0] == items[77].id and hits[0][1] == pytest.approx(1.0, abs=1e-5)
        row_of = {it.id: n for n, it in enumerate(items)}
        exact = vectors @ vectors[77]
        assert [s for _, s in hits] == pytest.approx([exact[row_of[k]] for k, _ in hits], abs=1e-5)
        assert [row_of[k] for k, _ in hits] == list(np.argsort(-exact)[:5])


FRAUD = [
    ("Le Figaro", "Élections : le maire Aurélien Castagnet mis en examen pour fraude électorale"),
    ("Le Parisien", "Aurélien Castagnet, maire sortant, accusé de fraude électorale"),
    ("franceinfo", "Fraude électorale : Aurélien Castagnet placé en garde à vue"),
    ("Le Monde", "Le parquet ouvre une enquête sur la campagne d'Aurélien Castagnet"),
    ("BFM", "Aurélien Castagnet dénonce un procès politique avant le scrutin"),
]
RIOT = [
    ("20 Minutes", "Émeutes à Valmont : trois blessés graves, Aurélien Castagnet appelle au calme"),
    ("Ouest-France", "Émeutes à Valmont : trois blessés graves dans la nuit"),
    ("Libération", "Valmont : nuit d'émeutes, trois blessés graves, Aurélien Castagnet sur place"),
    ("L'Express", "Émeutes à Valmont : trois blessés graves et des voitures incendiées"),
    ("La Croix", "Valmont : trois blessés graves après une nuit d'émeutes"),
]
PARKS = [
    ("Le Figaro", "Canicule : Aurélien Castagnet ouvre les parcs toute la nuit"),
    (
        "Le Parisien",
        "Chaleur record : les parcs restent ouverts la nuit, annonce Aurélien Castagnet",
    ),
    ("franceinfo", "Canicule : Aurélien Castagnet fait ouvrir les piscines jusqu'à minuit"),
    ("20 Minutes", "Vague de chaleur : Aurélien Castagnet ouvre les fontaines et les parcs"),
    ("Le Monde", "Canicule : la ville d'Aurélien Castagnet ouvre ses parcs la nuit"),
]


def test_a_name_in_the_weeks_blocked_stories_makes_a_harmless_one_a_caution(
    tmp_path: Path, settings: Any
) -> None:
    """A heatwave story about a politician reads harmless; the week's other stories naming
    him were blocked (politics), so it waits for an editor, with the reason, instead of being
    pitched. Without that company, the same story is pitched."""

    def burst(first: int, rows: list[tuple[str, str]], start: float) -> list[Item]:
        return [item(first + n, s, t, start + 5 * n) for n, (s, t) in enumerate(rows)]

    days = 24 * 60  # five days ago: a fraud case, and a riot where he was
    politics = [(burst(300, FRAUD, -5 * days) + burst(320, RIOT, -5 * days + 2), -5 * days + 40)]
    now = T0 + timedelta(minutes=40)
    for past, pitched in ((politics, False), ([], True)):
        with make_pipeline(settings, db=str(tmp_path / f"{pitched}.db"), clock=lambda: now) as p:
            feed_in(p, [item(100 + n, "Agence", t, -900 + 90 * n) for n, t in enumerate(NOISE)])
            for items, minutes in past:
                feed_in(p, items)
                p.process(T0 + timedelta(minutes=minutes))
            if past:
                blocked = p.store.query("SELECT story_id FROM holds WHERE reason = 'blocked'")
                assert len({r["story_id"] for r in blocked}) == 2, blocked
            feed_in(p, burst(340, PARKS, 0))
            report = p.process(now)
            parks = [x for x in report.pitched if "castagnet" in x.story_label.casefold()]
            assert bool(parks) == pitched, report
            if not pitched:
                [held] = [h for h in p.store.held_stories() if "parcs" in h.label.casefold()]
                assert held.hold.reason == "caution", held
                assert "Aurélien Castagnet: 2 of the 2 stories" in held.hold.detail
