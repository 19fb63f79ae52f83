"""Digest schedule and content (pure); its delivery through Slack is in test_slack_digest.py."""

from __future__ import annotations

from datetime import UTC, datetime

from trendbot.digest import Entry, compose, current_period, due_at, next_at
from trendbot.settings import BrandSettings, DigestSettings, ThemeSettings

NY = "America/New_York"
MWF = DigestSettings(at="08:30", days=("mon", "wed", "fri"))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_due_is_the_latest_scheduled_day_and_time_in_the_brand_zone() -> None:
    # Wednesday 2025-09-10 12:00 UTC is 08:00 in New York: before today's 08:30
    assert due_at(utc(2025, 9, 10, 12, 0), MWF, NY) == utc(2025, 9, 8, 12, 30)  # Monday's
    assert due_at(utc(2025, 9, 10, 12, 30), MWF, NY) == utc(2025, 9, 10, 12, 30)
    assert due_at(utc(2025, 9, 11, 23, 0), MWF, NY) == utc(2025, 9, 10, 12, 30)  # Thursday
    assert next_at(utc(2025, 9, 10, 12, 30), MWF, NY) == utc(2025, 9, 12, 12, 30)  # Friday
    # clocks fall back on Sunday 2025-11-02: Monday's 08:30 is 13:30 UTC, Friday's was 12:30
    assert due_at(utc(2025, 11, 3, 14, 0), MWF, NY) == utc(2025, 11, 3, 13, 30)
    assert next_at(utc(2025, 10, 31, 13, 0), MWF, NY) == utc(2025, 11, 3, 13, 30)


def test_a_period_runs_from_the_previous_digest_and_has_a_stable_key() -> None:
    brand = BrandSettings(
        name="Daybreak",
        themes=(ThemeSettings(name="t", description="d"),),
        cadence={"timezone": NY},
        digest=MWF,
    )
    assert brand.cadence.mode == "both"  # a digest set, the mode left alone
    period = current_period(utc(2025, 9, 10, 15, 0), brand)
    assert period is not None
    assert (period.start, period.end) == (utc(2025, 9, 8, 12, 30), utc(2025, 9, 10, 12, 30))
    assert period.key == "digest:Daybreak:2025-09-10T12:30+00:00"
    assert current_period(utc(2025, 9, 10, 23, 59), brand) == period  # same period all day
    realtime = brand.model_copy(
        update={"digest": None, "cadence": brand.cadence.model_copy(update={"mode": "realtime"})}
    )
    assert current_period(utc(2025, 9, 10, 15, 0), realtime) is None


def test_compose_keeps_each_story_once_groups_by_theme_and_caps_the_length() -> None:
    period = current_period(
        utc(2025, 9, 10, 15, 0),
        BrandSettings(name="B", themes=(ThemeSettings(name="t", description="d"),), digest=MWF),
    )
    assert period is not None
    entries = [
        Entry(n, f"story {n}", "pop" if n % 2 else "sport", n / 100, "why") for n in range(30)
    ]
    entries.append(Entry(29, "story 29", "sport", 0.99, "why"))  # a story on two themes: its best
    digest = compose(period, entries, language="en")
    assert len(digest.entries) == 10
    assert [e.story_id for e in digest.entries] == [29, 28, 26, 24, 22, 20, 27, 25, 23, 21]
    assert digest.entries[0].theme == "sport" and digest.entries[0].relevance == 0.99
