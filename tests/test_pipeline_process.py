"""The processing half of the pipeline on a real SQLite file with the real multilingual encoder:
items -> stories -> momentum -> brand fit -> cadence -> stored pitches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from headlines import HEATWAVE, NOISE, SHOOTING

from trendbot.pipeline import Pipeline, make_pipeline
from trendbot.settings import parse_settings
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
                "themes": [
                    {
                        "name": "meteo",
                        "description": "La météo et les saisons : canicule, neige, pluie.",
                        "keywords": ["canicule", "chaleur", "neige", "météo"],
                        "angles": ["Le réconfort d'une glace quand il fait chaud"],
                    },
                    {
                        "name": "sport",
                        "description": "Les grands moments de sport.",
                        "keywords": ["football", "tennis", "rugby"],
                    },
                ],
                "cadence": {"queue_minutes": 0, "min_score": 1.0},
            },
        }
    )


def feed_in(pipeline: Pipeline, items: list[Item]) -> None:
    pipeline.store.save_items("news", items)


def stream() -> list[Item]:
    out = [item(100 + n, "Agence", t, -600 + 90 * n) for n, t in enumerate(NOISE)]
    out += [item(n, s, t, 5 * n) for n, (s, t) in enumerate(HEATWAVE)]
    out += [item(50 + n, s, t, 5 * n + 2) for n, (s, t) in enumerate(SHOOTING)]
    return out


def test_a_burst_on_a_theme_is_pitched_once_and_a_tragedy_never(
    tmp_path: Path, settings: Any
) -> None:
    now = T0 + timedelta(minutes=40)
    with make_pipeline(settings, db=str(tmp_path / "t.db"), clock=lambda: now) as pipeline:
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
    with make_pipeline(settings, db=str(tmp_path / "t.db"), clock=lambda: later) as pipeline:
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


def test_changing_the_model_reembeds_lazily(tmp_path: Path, settings: Any) -> None:
    with make_pipeline(settings, db=str(tmp_path / "t.db")) as pipeline:
        feed_in(pipeline, stream()[:3])
        assert pipeline.process(T0).embedded == 3
        assert pipeline.process(T0).embedded == 0
    english = settings.model_copy(
        update={"embedding": settings.embedding.model_copy(update={"model": "minilm"})}
    )
    with make_pipeline(english, db=str(tmp_path / "t.db")) as pipeline:
        assert pipeline.brain.model == "minilm"
        assert pipeline.process(T0).embedded == 3
