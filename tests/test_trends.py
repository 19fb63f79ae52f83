from __future__ import annotations

import itertools

import pytest

from trendbot.trends import (
    FADING,
    NEW,
    PEAKING,
    RISING,
    Baseline,
    Event,
    Momentum,
    StreamBaseline,
    TrendParams,
    hourly_timeline,
    momentum,
    sparkline,
)

NOW = 1_760_000_000.0
MIN = 60.0
HOUR = 3600.0
BASE = 1 / 1.5  # a typical story: one item per 90-minute window


def burst(n_sources: int, *, end: float = NOW, every: float = 5 * MIN) -> list[Event]:
    return [Event(end - i * every, f"pub{i}") for i in range(n_sources)]


def run(events: list[Event], now: float = NOW, **kw: object) -> Momentum:
    kw.setdefault("baseline_per_hour", BASE)
    return momentum(events, now, **kw)  # type: ignore[arg-type]


def test_a_burst_from_many_sources_rises() -> None:
    m = run(burst(8))
    assert m.state == RISING
    assert m.sources_recent == 8
    assert m.sources_total == 8
    assert m.velocity == pytest.approx(8 / 1.5)
    assert m.rate_ratio == pytest.approx(8)
    assert m.score >= TrendParams().rise_enter


def test_one_source_spamming_does_not_rise() -> None:
    spam = [Event(NOW - i * 5 * MIN, "same-pub") for i in range(12)]
    m = run(spam)
    assert m.state == NEW
    assert m.sources_recent == 1
    assert m.items_recent == TrendParams().source_cap  # the rest of the spam counts for nothing
    assert m.score < run(burst(3)).score
    # however low the bar, one publisher alone is not a trend
    low_bar = TrendParams(rise_enter=1.0)
    assert run(spam, params=low_bar).state == NEW
    assert run(spam, params=TrendParams(rise_enter=1.0, min_sources=1)).state == RISING


def test_two_items_from_two_sources_stay_new() -> None:
    assert run(burst(2)).state == NEW


def test_a_story_fades_after_silence() -> None:
    events = burst(8, end=NOW - 6 * HOUR)
    m = run(events, previous_state=RISING, state_since=NOW - 6 * HOUR)
    assert m.state == FADING
    assert m.velocity == 0
    assert m.freshness == pytest.approx(0.25)  # two half-lives
    # and a story that never rose is no longer "new" once it is old
    assert run(burst(1, end=NOW - 7 * HOUR)).state == FADING


def test_rising_turns_peaking_when_velocity_drops_but_stays_warm() -> None:
    p = TrendParams()
    earlier = burst(8, end=NOW - 100 * MIN)
    now_events = burst(4, end=NOW - 10 * MIN)
    m = run(earlier + now_events, previous_state=RISING, state_since=NOW - 2 * HOUR)
    assert m.acceleration < 0
    assert m.score >= p.rise_exit
    assert m.state == PEAKING


def test_minimum_dwell_holds_a_fresh_state() -> None:
    events = burst(8, end=NOW - 6 * HOUR)
    m = run(events, previous_state=RISING, state_since=NOW - 10 * MIN)
    assert m.state == RISING


def wobble_states(params: TrendParams) -> list[str]:
    """Every 30 minutes the story has 3, then 2 sources in the window: around rise_enter."""
    state, since = None, None
    states = []
    for step in range(24):
        now = NOW + step * 30 * MIN
        events = burst(3 if step % 2 == 0 else 2, end=now)
        m = momentum(
            events,
            now,
            baseline_per_hour=BASE,
            previous_state=state,
            state_since=since,
            params=params,
        )
        if m.state != state:
            state, since = m.state, now
        states.append(m.state)
    return states


def transitions(states: list[str]) -> int:
    return sum(a != b for a, b in itertools.pairwise(states))


def test_hysteresis_a_wobble_does_not_flap() -> None:
    states = wobble_states(TrendParams())
    assert RISING in states
    assert FADING not in states
    assert transitions(states) <= 3
    # the same wobble with a single threshold and no dwell does flap: the test can fail
    flappy = TrendParams(rise_exit=TrendParams().rise_enter, min_dwell_minutes=0)
    assert transitions(wobble_states(flappy)) >= 6


def test_trending_presence_and_traffic_raise_the_score() -> None:
    news = burst(2)
    plain = run(news)
    listed = run([*news, Event(NOW - HOUR, "Google Trends", kind="trending")])
    small = run([*news, Event(NOW - HOUR, "Google Trends", kind="trending", traffic=2_000)])
    big = run([*news, Event(NOW - HOUR, "Google Trends", kind="trending", traffic=500_000)])
    assert not plain.trending and plain.traffic is None
    assert listed.trending and listed.traffic is None
    assert big.traffic == 500_000
    assert plain.score < listed.score < small.score < big.score
    assert plain.state == NEW and big.state == RISING
    # an old trending listing is not presence now
    stale = run([*news, Event(NOW - 5 * HOUR, "Google Trends", kind="trending", traffic=9_000)])
    assert not stale.trending


def test_repeat_sightings_keep_freshness_but_add_no_items() -> None:
    events = burst(3, end=NOW - 5 * HOUR)
    seen_again = [Event(NOW - 10 * MIN, "pub0", repeat=True), Event(NOW, "pub1", repeat=True)]
    quiet = run(events)
    listed = run(events + seen_again)
    assert listed.items_recent == quiet.items_recent == 0
    assert listed.sources_recent == 0 and listed.sources_total == 3
    assert listed.freshness == 1.0 > quiet.freshness


def test_usual_rate_is_the_storys_own_when_higher_than_the_stream() -> None:
    # 2 items an hour for the last 12 hours, from rotating publishers: busy but not surging
    steady = [Event(NOW - i * 30 * MIN, f"pub{i % 6}") for i in range(24)]
    m = run(steady)
    assert m.rate_ratio == pytest.approx(1.0, abs=0.2)
    assert m.state == NEW or m.state == FADING
    assert run(burst(3)).rate_ratio > 2 * m.rate_ratio


def test_future_and_empty_events() -> None:
    assert run([Event(NOW + HOUR, "pub")]).score == 0.0
    assert run([]).state == NEW
    assert run([], previous_state=RISING).state == FADING


def test_explain_in_english_and_french() -> None:
    m = Momentum(
        score=20.0,
        state=RISING,
        velocity=8.0,
        rate_ratio=4.2,
        acceleration=2.0,
        sources_recent=12,
        sources_total=15,
        trending=True,
        traffic=50_000,
        freshness=1.0,
        items_recent=14,
        window_minutes=90,
    )
    assert m.explain() == "12 sources in 90 min, ×4 the usual rate, in Google Trends ~50k"
    assert m.explain("fr") == "12 sources en 90 min, ×4 le rythme habituel, dans Google Trends ~50k"
    calm = Momentum(1.0, NEW, 0.7, 1.5, 0.0, 1, 1, True, 1_200_000, 1.0, 1, 180)
    assert calm.explain() == "1 source in 3 h, ×1.5 the usual rate, in Google Trends ~1.2M"
    assert calm.explain("fr-FR") == (
        "1 source en 3 h, ×1,5 le rythme habituel, dans Google Trends ~1,2M"
    )
    slow = Momentum(0.5, FADING, 0.7, 0.4, -1.0, 1, 4, False, None, 0.5, 1, 90)
    assert slow.explain() == "1 source in 90 min, below the usual rate"
    assert slow.explain("fr") == "1 source en 90 min, sous le rythme habituel"


def test_explain_from_momentum() -> None:
    m = run([*burst(4), Event(NOW, "Google Trends", kind="trending")])
    assert m.explain() == "5 sources in 90 min, ×5 the usual rate, in Google Trends"


def test_a_longer_window_from_the_stream() -> None:
    events = [Event(NOW - h * HOUR, f"pub{h}") for h in range(7)]  # one item an hour
    short = run(events)
    long = run(events, window_minutes=480, baseline_per_hour=1 / 8)
    assert (short.sources_recent, long.sources_recent) == (2, 7)
    assert long.window_minutes == 480
    assert long.explain() == "7 sources in 8 h, ×7 the usual rate"
    assert run(events, window_minutes=270).explain("fr").startswith("5 sources en 4,5 h")


def test_hourly_timeline() -> None:
    events = [
        Event(NOW, "a"),  # the hour ending now: last bucket
        Event(NOW - 59 * MIN, "b"),
        Event(NOW - 60 * MIN, "c"),  # exactly one hour ago: the bucket before
        Event(NOW - 3.5 * HOUR, "d"),
        Event(NOW - 3.6 * HOUR, "e"),
        Event(NOW - 30 * MIN, "a", repeat=True),  # a sighting is not an item
        Event(NOW - 6 * HOUR, "f"),  # outside 6 hours
        Event(NOW + MIN, "g"),  # future
    ]
    assert hourly_timeline(events, NOW, hours=6) == [0, 0, 2, 0, 1, 2]
    assert hourly_timeline([], NOW, hours=3) == [0, 0, 0]
    assert len(hourly_timeline(events, NOW)) == 24


def test_sparkline() -> None:
    assert sparkline([0, 1, 2, 3, 4, 5, 6, 7]) == "▁▂▃▄▅▆▇█"
    assert sparkline([0, 1, 14]) == "▁▂█"
    assert sparkline([3, 3]) == "██"
    assert sparkline([0, 0]) == "▁▁"
    assert sparkline([]) == ""


def test_stream_baseline() -> None:
    params = TrendParams(window_minutes=60, window_items=4, max_window_hours=4)
    base = StreamBaseline(params, history_hours=3)
    t0 = 1_000 * HOUR
    assert base.at(t0) == Baseline(240, 1 / 4, 0.0)  # nothing yet: longest window, 1 item in it
    # hour 0: story 1 x3, story 2 x1; hour 1: story 1 x2
    for t, story in [(0, 1), (10, 1), (20, 2), (30, 1), (70, 1), (80, 1)]:
        base.add(t0 + t * MIN, story)
    now = t0 + 90 * MIN
    # 6 items in the 1.5 h since the first: 4/h, so 4 items take 60 min; 3 story-hours
    at = base.at(now)
    assert at.window_minutes == 60
    assert at.story_per_hour == pytest.approx(6 / 3)
    assert at.stream_per_hour == pytest.approx(4.0)
    assert base.baseline_per_hour(now) == pytest.approx(6 / 3)  # over params.window_minutes
    # past the history, hour 0 is forgotten: 2 items in 3 h, the window stretches to its cap
    later = base.at(t0 + 4 * HOUR + 10 * MIN)
    assert later.window_minutes == 240
    assert later.story_per_hour == pytest.approx(2 / 4)
    assert later.stream_per_hour == pytest.approx(2 / 3)


def test_stream_baseline_takes_items_in_any_order() -> None:
    t0 = 1_000 * HOUR
    items = [(t0 + i * 7 * MIN, i % 9) for i in range(200)]
    in_order, shuffled = StreamBaseline(), StreamBaseline()
    for t, story in items:
        in_order.add(t, story)
    for t, story in sorted(items, key=lambda x: (x[1], -x[0])):  # story by story, newest first
        shuffled.add(t, story)
    now = t0 + 24 * HOUR
    assert shuffled.at(now) == in_order.at(now)


def test_stream_baseline_window_follows_the_stream() -> None:
    params = TrendParams()  # 90 min at least, 60 items, 8 h at most
    busy, thin = StreamBaseline(params), StreamBaseline(params)
    t0 = 1_000 * HOUR
    for i in range(24 * 100):  # 100 items an hour, in 50 stories
        busy.add(t0 + i * 36, i % 50)
    for i in range(24 * 12):  # 12 items an hour, 2 per story
        thin.add(t0 + i * 300, i // 2)
    now = t0 + 24 * HOUR
    assert busy.at(now).window_minutes == 90
    assert thin.at(now).window_minutes == 300  # 60 items at 12 an hour
    assert thin.at(now).story_per_hour == pytest.approx(2 / 5, rel=0.1)
    # one-item stories never push the usual rate below one item per window
    quiet = StreamBaseline(params)
    for i in range(24):
        quiet.add(t0 + i * HOUR, i)
    assert quiet.at(now).story_per_hour == pytest.approx(1 / 8)


def test_baseline_scales_the_ratio() -> None:
    busy = run(burst(6), baseline_per_hour=4.0)
    quiet = run(burst(6), baseline_per_hour=BASE)
    assert busy.rate_ratio == pytest.approx(1.0)
    assert quiet.rate_ratio == pytest.approx(6.0)
    assert busy.score < quiet.score
