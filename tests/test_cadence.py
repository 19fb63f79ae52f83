from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from trendbot.cadence import Candidate, Decision, plan
from trendbot.settings import CadenceSettings

# 12:00 UTC on a June Tuesday is 14:00 in Paris (summer time): outside the default quiet hours.
NOW = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)
PARIS = CadenceSettings()  # 3 a day, 20 a month, quiet 21:00-08:00 Europe/Paris, queue 30 min


def cand(
    story_id: int,
    score: float = 5.0,
    relevance: float = 0.8,
    *,
    queued: timedelta = HOUR,
    now: datetime = NOW,
    **kw: object,
) -> Candidate:
    """A candidate that became one `queued` before `now` (past its queue window by default)."""
    kw.setdefault("state", "rising")
    return Candidate(story_id, score, relevance, first_queued=now - queued, **kw)  # type: ignore[arg-type]


def decide(
    candidates: list[Candidate],
    *,
    now: datetime = NOW,
    settings: CadenceSettings = PARIS,
    pitched: list[datetime] | None = None,
) -> dict[int, Decision]:
    decisions = plan(candidates, now=now, settings=settings, pitched_times=pitched or [])
    assert len(decisions) == len(candidates)
    return {d.story_id: d for d in decisions}


def test_a_strong_story_past_its_queue_window_is_pitched() -> None:
    d = decide([cand(1)])[1]
    assert (d.action, d.reason) == ("pitch", "ready")
    assert "score 5.0" in d.detail


def test_a_new_candidate_waits_in_the_queue_until_its_window_closes() -> None:
    d = decide([cand(1, queued=10 * MIN)])[1]
    assert (d.action, d.reason) == ("wait", "queued")
    assert "14:20" in d.detail  # queued at 11:50 UTC, so until 12:20 UTC: 14:20 in Paris
    assert decide([cand(1, queued=30 * MIN)])[1].action == "pitch"
    no_queue = CadenceSettings(queue_minutes=0)
    assert decide([cand(1, queued=0 * MIN)], settings=no_queue)[1].action == "pitch"


def test_the_best_story_wins_the_last_slot_and_the_other_drops() -> None:
    two_today = [NOW - 3 * HOUR, NOW - 2 * HOUR]
    got = decide([cand(1, score=4.0), cand(2, score=9.0)], pitched=two_today)
    assert got[2].action == "pitch"
    assert (got[1].action, got[1].reason) == ("drop", "daily_limit")


def test_rank_is_score_times_relevance() -> None:
    two_today = [NOW - 3 * HOUR, NOW - 2 * HOUR]
    got = decide(
        [cand(1, score=9.0, relevance=0.3), cand(2, score=5.0, relevance=0.9)], pitched=two_today
    )
    assert got[2].action == "pitch"  # 4.5 beats 2.7
    assert got[1].action == "drop"


def test_a_stronger_story_still_queued_holds_the_last_slot() -> None:
    two_today = [NOW - 3 * HOUR, NOW - 2 * HOUR]
    weak, strong = cand(1, score=4.0), cand(2, score=9.0, queued=10 * MIN)
    got = decide([weak, strong], pitched=two_today)
    assert (got[1].action, got[1].reason) == ("wait", "outranked")
    assert "#2" in got[1].detail
    assert (got[2].action, got[2].reason) == ("wait", "queued")
    # 20 minutes later the strong one's window has closed: it goes, the weak one drops.
    later = NOW + 20 * MIN
    got = decide([weak, strong], now=later, pitched=two_today)
    assert got[2].action == "pitch"
    assert (got[1].action, got[1].reason) == ("drop", "daily_limit")


def test_with_budget_for_both_nobody_waits_for_the_queue() -> None:
    got = decide([cand(1, score=4.0), cand(2, score=9.0, queued=10 * MIN)])
    assert got[1].action == "pitch"
    assert got[2].action == "wait"


def test_several_ready_stories_share_the_remaining_budget_best_first() -> None:
    got = decide([cand(i, score=float(i + 4)) for i in range(1, 6)], pitched=[NOW - HOUR])
    assert [i for i, d in got.items() if d.action == "pitch"] == [5, 4]
    assert {got[i].reason for i in (1, 2, 3)} == {"daily_limit"}


def test_days_are_counted_in_the_brand_time_zone() -> None:
    # 22:30 UTC on June 9 is 00:30 on June 10 in Paris: today. 21:30 UTC is still June 9 there.
    today = datetime(2025, 6, 9, 22, 30, tzinfo=UTC)
    yesterday = datetime(2025, 6, 9, 21, 30, tzinfo=UTC)
    assert decide([cand(1)], pitched=[today] * 3)[1].reason == "daily_limit"
    assert decide([cand(1)], pitched=[yesterday] * 3)[1].action == "pitch"
    utc = CadenceSettings(timezone="UTC", quiet_hours=None)
    assert decide([cand(1)], settings=utc, pitched=[today] * 3)[1].action == "pitch"


def test_the_monthly_budget_is_counted_too() -> None:
    earlier_this_month = [datetime(2025, 6, d, 10, tzinfo=UTC) for d in range(1, 10)] * 2
    last_month = [datetime(2025, 5, 20, 10, tzinfo=UTC)] * 30
    settings = CadenceSettings(max_per_month=18)
    d = decide([cand(1)], settings=settings, pitched=earlier_this_month + last_month)[1]
    assert (d.action, d.reason) == ("drop", "monthly_limit")
    assert decide([cand(1)], pitched=earlier_this_month + last_month)[1].action == "pitch"


def test_zero_per_day_turns_pitching_off() -> None:
    d = decide([cand(1, queued=MIN)], settings=CadenceSettings(max_per_day=0))[1]
    assert (d.action, d.reason) == ("drop", "daily_limit")


def test_quiet_hours_keep_a_story_waiting_until_morning() -> None:
    night = datetime(2025, 6, 10, 20, 0, tzinfo=UTC)  # 22:00 in Paris
    d = decide([cand(1, now=night)], now=night)[1]
    assert (d.action, d.reason) == ("wait", "quiet_hours")
    assert "08:00" in d.detail
    after_midnight = datetime(2025, 6, 11, 0, 30, tzinfo=UTC)  # 02:30 in Paris
    assert decide([cand(1, now=after_midnight)], now=after_midnight)[1].reason == "quiet_hours"
    morning = datetime(2025, 6, 11, 6, 0, tzinfo=UTC)  # 08:00 in Paris: quiet hours are over
    assert decide([cand(1, now=morning)], now=morning)[1].action == "pitch"


def test_a_story_that_faded_overnight_is_still_pitched_in_the_morning() -> None:
    # momentum falls at night because the news does: the wait promised "until 08:00" holds
    morning = datetime(2025, 6, 11, 6, 0, tzinfo=UTC)  # 08:00 in Paris

    def faded(queued: timedelta = 10 * HOUR, **kw: object) -> Decision:
        c = cand(1, 1.0, queued=queued, now=morning, state="fading", **kw)
        return decide([c], now=morning)[1]

    assert (faded(overnight=True).action, faded(overnight=True).reason) == ("pitch", "ready")
    assert faded().reason == "low_score"
    # ...while it stays fresh: not once queue + quiet hours + the margin have gone by
    assert faded(16 * HOUR, overnight=True).reason == "stale"
    # and a story already pitched gets no update for having waited
    assert faded(overnight=True, already_pitched=True).reason == "already_pitched"


def test_a_quiet_window_within_one_day() -> None:
    lunch = CadenceSettings(quiet_hours="13:30-15:00")  # NOW is 14:00 in Paris
    d = decide([cand(1)], settings=lunch)[1]
    assert (d.reason, "15:00" in d.detail) == ("quiet_hours", True)
    assert decide([cand(1)], settings=CadenceSettings(quiet_hours="15:00-16:00"))[1].action == (
        "pitch"
    )
    assert decide([cand(1)], settings=CadenceSettings(quiet_hours=None))[1].action == "pitch"


def test_a_story_too_old_by_morning_is_dropped_at_night() -> None:
    night = datetime(2025, 6, 10, 20, 0, tzinfo=UTC)  # 22:00 in Paris, quiet until 08:00
    d = decide([cand(1, queued=8 * HOUR, now=night)], now=night)[1]
    assert (d.action, d.reason) == ("drop", "stale")
    assert decide([cand(1, queued=2 * HOUR, now=night)], now=night)[1].action == "wait"


def test_at_night_a_story_drops_when_the_morning_has_no_budget() -> None:
    night = datetime(2025, 6, 30, 20, 0, tzinfo=UTC)  # June 30, 22:00 in Paris
    june = [datetime(2025, 6, d, 10, tzinfo=UTC) for d in range(1, 21)]
    # The morning is July 1st: June's spent budget does not matter.
    assert decide([cand(1, now=night)], now=night, pitched=june)[1].action == "wait"
    mid_month = datetime(2025, 6, 20, 20, 0, tzinfo=UTC)
    d = decide([cand(1, now=mid_month)], now=mid_month, pitched=june)[1]
    assert (d.action, d.reason) == ("drop", "monthly_limit")


def test_a_story_that_waited_too_long_by_day_is_stale() -> None:
    d = decide([cand(1, queued=20 * HOUR)])[1]
    assert (d.action, d.reason) == ("drop", "stale")


def test_weak_fading_and_blocked_stories_drop_with_their_reason() -> None:
    got = decide(
        [
            cand(1, score=0.5),
            cand(2, state="fading"),
            cand(3, safety="blocked"),
        ]
    )
    assert {i: (d.action, d.reason) for i, d in got.items()} == {
        1: ("drop", "low_score"),
        2: ("drop", "fading"),
        3: ("drop", "blocked"),
    }


def test_a_pitched_story_that_keeps_rising_gets_an_update_not_a_new_pitch() -> None:
    full_day = [NOW - HOUR] * 3  # updates do not count against the budget
    got = decide(
        [
            cand(1, already_pitched=True),
            cand(2, already_pitched=True, state="peaking"),
            cand(3, already_pitched=True, state="fading"),
        ],
        pitched=full_day,
    )
    assert (got[1].action, got[1].reason) == ("update", "update")
    assert got[2].action == "update"
    assert (got[3].action, got[3].reason) == ("drop", "already_pitched")


def test_updates_wait_for_the_morning_too() -> None:
    night = datetime(2025, 6, 10, 20, 0, tzinfo=UTC)
    d = decide([cand(1, already_pitched=True, now=night)], now=night)[1]
    assert (d.action, d.reason) == ("wait", "quiet_hours")


def test_a_caution_story_is_pitched_with_a_warning_and_loses_ties() -> None:
    two_today = [NOW - 3 * HOUR, NOW - 2 * HOUR]
    got = decide([cand(1, safety="caution"), cand(2)], pitched=two_today)
    assert got[2].action == "pitch"
    assert got[1].action == "drop"
    alone = decide([cand(1, safety="caution")])[1]
    assert alone.action == "pitch"
    assert "never posted anywhere automatically" in alone.detail


def test_decisions_are_deterministic_and_pitches_come_first() -> None:
    candidates = [cand(i, score=1.0 + (i * 7) % 11, queued=(i % 4) * 20 * MIN) for i in range(12)]
    first = plan(candidates, now=NOW, settings=PARIS, pitched_times=[])
    for seed in range(5):
        shuffled = candidates[:]
        random.Random(seed).shuffle(shuffled)
        assert plan(shuffled, now=NOW, settings=PARIS, pitched_times=[]) == first
    actions = [d.action for d in first]
    assert actions == sorted(actions, key=["pitch", "update", "wait", "drop"].index)
    pitched = [d for d in first if d.action == "pitch"]
    assert 1 <= len(pitched) <= 3  # one of the day's three slots is held for a queued story
    scores = {c.story_id: c.score for c in candidates}
    assert [scores[d.story_id] for d in pitched] == sorted(
        (scores[d.story_id] for d in pitched), reverse=True
    )


def test_now_must_carry_a_time_zone() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        plan([cand(1)], now=NOW.replace(tzinfo=None), settings=PARIS, pitched_times=[])
