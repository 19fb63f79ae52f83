"""Issue 14, threads: the theme matcher and the brain's models are shared by the processing
thread and Slack's handler threads. Four threads hammer `/trend top` through the bolt app while
one thread runs processing cycles and another makes editors' decisions between them; the
database, the matcher and the answers must end as a single-threaded run leaves them.

The decisions are pinned to the batch boundaries (the writer waits for them), so they come in
the same order relative to processing as in the single-threaded run: what races is the readers
against the cycles (the matcher adapting, stories being written) and against the decisions (the
matcher learning). Cycles are 90 minutes of clock apart, more than `brandfit.ADAPT_EVERY`, and
the clock that `/trend top` reads moves to a cycle's time only once that cycle is done: every
adapt that counts then happens at the same point, on the same stream, in both runs.

What it cannot see: a half-learnt matcher state that still has consistent shapes gives a reader a
transient score and nothing else; tests/test_themes.py checks every score against whole states.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from slackkit import (
    EDITOR,
    FOOTBALL,
    HEATWAVE,
    NOISE,
    STRIKE,
    T0,
    SlackEnv,
    command_body,
    dispatch,
    open_env,
)

from trendbot import brain, embed
from trendbot.brandfit import LIVE, story_contexts
from trendbot.types import Item

pytestmark = pytest.mark.slow  # the real core loads the bundled embedding model

DATA = Path(__file__).parent / "data"
STEP = timedelta(minutes=90)  # between two cycles: more than ADAPT_EVERY, each one adapts anew
TIMES = [T0 + k * STEP for k in range(1, 5)]  # one cycle per batch, at the batch's end
START = T0  # the clock `/trend top` reads before the first cycle is done
HEAT_SOUTH = [  # more of the heatwave in the last batch: it joins the approved story
    ("BBC", "Heatwave moves south: Lyon and Marseille brace for 40C"),
    ("Reuters", "Southern France heatwave: Marseille sets a new temperature record"),
    ("AP", "Lyon swelters as the heatwave spreads south"),
    ("Guardian", "Beaches packed in Marseille as the heat record falls"),
]
READERS = 4
ASKS = ("top", "top 10", "top 5 summer", "top 3 sport")
MAX_ASKS = 50_000  # per reader; they stop when the run is over, long before
WAIT_S = 90.0  # for a boundary or a decision
HAMMER_S = 180.0  # for the whole hammered run's threads to end
ROUND = 4  # decimals kept of every float compared


# the stream --------------------------------------------------------------------------------------


def item(n: int, source: str, title: str, seen: datetime) -> Item:
    return Item(
        feed="news", guid=f"g{n}", url=f"https://news.example/{n}", title=title, summary="",
        published=seen, seen=seen, source=source, language="en",
    )  # fmt: skip


def batches() -> list[list[Item]]:
    """About 250 items in four batches, one per cycle: 200 real headlines spread over the ten
    hours (tests/data/crosslang.jsonl, oldest first), slackkit's everyday news, and a burst that
    ends just before each cycle from the second on (heatwave, football, then the bakers' strike
    and more heatwave)."""
    lines = (DATA / "crosslang.jsonl").read_text(encoding="utf-8").splitlines()
    rows = sorted((json.loads(line) for line in lines), key=lambda r: r["seen_at"])
    start, end = T0 - timedelta(hours=6), TIMES[-1] - timedelta(minutes=1)
    out = [
        item(1000 + n, r["source"], r["title"], start + (end - start) * n / len(rows))
        for n, r in enumerate(rows)
    ]
    out += [
        item(100 + n, "Agency", title, T0 - timedelta(minutes=300 - 50 * n))
        for n, title in enumerate(NOISE)
    ]
    bursts = [
        (HEATWAVE, TIMES[1]),
        (FOOTBALL, TIMES[2]),
        (STRIKE, TIMES[3]),
        (HEAT_SOUTH, TIMES[3]),
    ]
    for b, (headlines, cycle_at) in enumerate(bursts):
        out += [
            item(10 * (b + 1) + n, source, title, cycle_at - timedelta(minutes=40 - 6 * n))
            for n, (source, title) in enumerate(headlines)
        ]
    groups: list[list[Item]] = [[] for _ in TIMES]
    for one in out:
        groups[next(k for k, at in enumerate(TIMES) if one.seen <= at)].append(one)
    assert all(groups)
    return groups


def cycle(env: SlackEnv, at: datetime, batch: list[Item]) -> None:
    """What a fetch then a processing cycle at `at` do to the database."""
    env.store.save_items("news", batch)
    env.bot.pipeline.process(at)


# the decisions, one list per batch boundary ------------------------------------------------------


def story_id(env: SlackEnv, words: str) -> int:
    return env.story(words).id


def not_our_topic(env: SlackEnv) -> None:
    pitch = env.bot.draft_pitch(story_id(env, "Electric bike"))
    env.bot.decide(pitch.id or 0, "not_our_topic", user=EDITOR)


def approve_heatwave(env: SlackEnv) -> None:
    pitch = env.bot.draft_pitch(story_id(env, "Heat record falls"))
    env.bot.decide(pitch.id or 0, "approve", user=EDITOR)


def reject_football(env: SlackEnv) -> None:
    story = env.story("Champions League")
    pitch_id = story.pitch_id or env.bot.draft_pitch(story.id).id or 0  # processing pitched it
    env.bot.decide(pitch_id, "reject", user=EDITOR, reason="we covered the final yesterday")


def reject_strike(env: SlackEnv) -> None:
    pitch = env.bot.draft_pitch(story_id(env, "Flour price"))
    env.bot.decide(pitch.id or 0, "reject", user="U0OTHER", reason="no strikes for a bakery")


DECISIONS: list[list[Callable[[SlackEnv], None]]] = [
    [not_our_topic],
    [approve_heatwave],
    [reject_football],
    [reject_strike],
]


# what is compared --------------------------------------------------------------------------------

TABLES = (
    "stories", "story_items", "pitches", "pitch_events", "theme_examples", "mutes", "holds",
    "thread_updates", "queued", "pending",
)  # fmt: skip


def rounded(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return round(float(value), ROUND)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [rounded(v) for v in value]
    return value


def snapshot(env: SlackEnv) -> dict[str, Any]:
    """Everything processing and the decisions wrote (vectors aside), what the matcher learnt and
    how it scores every live story now, and `/trend top` as the core and Slack answer it."""
    state: dict[str, Any] = {
        table: [
            {k: v for k, v in row.items() if not isinstance(v, bytes)}
            for row in env.store.query(f"SELECT * FROM {table} ORDER BY 1, 2")
        ]
        for table in TABLES
    }
    models = env.bot.pipeline.brain
    contexts = story_contexts(
        env.store, env.store.story_rows(models.model, since=env.clock() - LIVE)
    )
    relevance, parts = models.matcher.score(
        [c.text for c in contexts], np.vstack([c.vector for c in contexts])
    )
    state["learnt"] = {
        "positive": [p.labels for p in parts.state.positive],
        "negative": [p.labels for p in parts.state.negative],
    }
    state["relevance"] = {c.row.id: r for c, r in zip(contexts, relevance.tolist(), strict=True)}
    state["top"] = [dataclasses.asdict(v) for v in env.bot.top_stories(10)]
    state["top_text"] = {text: ask(env, text) for text in ASKS}
    return rounded(state)


def differing(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


def count_builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the brain's lazily built models, appended to as each one is built."""
    built: list[str] = []
    for module, name in [
        (embed, "cached_embedder"),
        (brain, "restore_tracker"),
        (brain, "load_topics"),
        (brain, "make_matcher"),
        (brain, "make_safety"),
    ]:
        build = getattr(module, name)

        def counted(*args: Any, _build: Any = build, _name: str = name, **kwargs: Any) -> Any:
            built.append(_name)
            return _build(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
    return built


# /trend top --------------------------------------------------------------------------------------


def ask(env: SlackEnv, text: str) -> str:
    """`/trend TEXT` through the bolt app; the answer it acknowledges with."""
    response = dispatch(env.app, command_body(text))
    assert response.status == 200, response.body
    return str(json.loads(response.body)["text"])


HEAD = re.compile(r"\*(\d+)\. .+\* · [^·]+ · score -?\d+\.\d · \d+ sources · id `(\d+)`(.*)")


def check_top(asked: str, answer: str) -> list[int]:
    """A well-formed `/trend top` answer (a title, then numbered stories; or "nothing rising"),
    and the story ids it lists."""
    n = int(asked.split()[1]) if len(asked.split()) > 1 else 5
    theme = {"summer": "Summer", "sport": "Sport"}.get(asked.split()[-1])
    where = f" in *{theme}*" if theme else ""
    if answer.startswith("Nothing is rising right now"):
        assert answer == (
            f"Nothing is rising right now{where}. Try again later or `/trend search WORDS`."
        )
        return []
    title, *lines = answer.split("\n")
    assert title == f"*Rising now*{where}", answer
    ids: list[int] = []
    for line in lines:
        if line.startswith("      "):  # a story's second line: why now, its sparkline
            continue
        head = HEAD.fullmatch(line)
        assert head is not None, answer
        assert int(head[1]) == len(ids) + 1, answer
        if theme:
            assert head[3].startswith(f" · {theme}"), answer
        ids.append(int(head[2]))
    assert 1 <= len(ids) <= n and len(set(ids)) == len(ids), answer
    return ids


# the runs ----------------------------------------------------------------------------------------


@dataclass
class Run:
    boundaries: list[str]  # `/trend top 10` at each boundary, before its decisions
    final: dict[str, Any]
    before_last: dict[str, Any] | None = None  # before the last boundary's decisions


def single_threaded(env: SlackEnv, *, late: bool = False) -> Run:
    """The reference: each batch, its cycle, then `/trend top` and the boundary's decisions.
    `late`: each boundary makes the decisions of the one before (the last ones at the end)."""
    env.clock.now = START
    schedule = [[], *DECISIONS] if late else [*DECISIONS, []]
    boundaries: list[str] = []
    before_last = None
    for k, (at, batch) in enumerate(zip(TIMES, batches(), strict=True)):
        cycle(env, at, batch)
        env.clock.now = at
        boundaries.append(ask(env, "top 10"))
        if k == len(TIMES) - 1:
            before_last = snapshot(env)
        for decide in schedule[k]:
            decide(env)
    for decide in schedule[-1]:
        decide(env)
    return Run(boundaries, snapshot(env), before_last)


@dataclass
class Asked:
    text: str
    ids: list[int]  # the stories it listed, checked well-formed as it came
    during_cycle: bool  # a cycle ran while it was answered
    during_decision: bool  # a boundary's decisions were being made


@dataclass
class Hammered:
    run: Run | None  # None when a thread failed or did not end
    asked: list[Asked]
    errors: list[tuple[str, BaseException]]  # what each thread that failed raised


@dataclass
class Progress:
    """Counters the writer and the decider move, each counter by one thread; readers read."""

    cycles: int = 0  # started
    cycles_done: int = 0
    decisions: int = 0  # boundaries whose decisions started
    decisions_done: int = 0

    def moments(self) -> tuple[int, int, int, int]:
        return self.cycles, self.cycles_done, self.decisions, self.decisions_done


def overlapped(before: tuple[int, int], after: tuple[int, int]) -> bool:
    """Whether something counted as (started, done) ran between two readings."""
    return before[0] > before[1] or after[0] > before[0]


def hammered(env: SlackEnv) -> Hammered:
    """The same batches and decisions, with READERS threads asking `/trend top` all along."""
    env.clock.now = START
    embedder = env.bot.pipeline.brain.embedder
    if isinstance(embedder, embed.CachedEmbedder):
        embedder.load()  # the model, loaded once per process, as `trendbot run` does first
    groups = batches()
    errors: list[tuple[str, BaseException]] = []
    abort, over = threading.Event(), threading.Event()
    at_boundary = [threading.Event() for _ in groups]
    decided = [threading.Event() for _ in groups]
    progress = Progress()
    start = threading.Barrier(READERS + 2, timeout=WAIT_S)
    boundaries: list[str] = []
    asked: list[Asked] = []

    def wait(event: threading.Event) -> None:
        deadline = time.monotonic() + WAIT_S
        while not event.wait(0.05):
            if abort.is_set():
                raise RuntimeError("another thread failed")
            if time.monotonic() > deadline:
                raise TimeoutError("a boundary never came")

    def writer() -> None:
        for k, (at, batch) in enumerate(zip(TIMES, groups, strict=True)):
            if k:
                wait(decided[k - 1])
            progress.cycles += 1
            cycle(env, at, batch)
            progress.cycles_done += 1
            env.clock.now = at  # `/trend top` reads this cycle's time from now on
            at_boundary[k].set()

    def decider() -> None:
        for k in range(len(groups)):
            wait(at_boundary[k])
            boundaries.append(ask(env, "top 10"))
            progress.decisions += 1
            for decide in DECISIONS[k]:
                decide(env)
            progress.decisions_done += 1
            decided[k].set()

    def reader(number: int) -> None:
        for n in range(MAX_ASKS):
            if over.is_set() or abort.is_set():
                return
            text = ASKS[(number + n) % len(ASKS)]
            before = progress.moments()
            ids = check_top(text, ask(env, text))
            after = progress.moments()
            during = overlapped(before[:2], after[:2]), overlapped(before[2:], after[2:])
            asked.append(Asked(text, ids, *during))

    def guarded(name: str, body: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                start.wait()
                body()
            except BaseException as e:  # re-raised by the test, in its thread
                errors.append((name, e))
                abort.set()

        return run

    work = [
        threading.Thread(target=guarded("writer", writer), name="writer", daemon=True),
        threading.Thread(target=guarded("decider", decider), name="decider", daemon=True),
    ]
    readers = [
        threading.Thread(
            target=guarded(f"reader {i}", functools.partial(reader, i)),
            name=f"reader {i}",
            daemon=True,
        )
        for i in range(READERS)
    ]
    deadline = time.monotonic() + HAMMER_S
    for thread in work + readers:
        thread.start()
    try:
        for thread in work:
            thread.join(max(0.0, deadline - time.monotonic()))
    finally:
        over.set()
        if any(thread.is_alive() for thread in work):
            abort.set()
        for thread in readers:
            thread.join(max(1.0, deadline - time.monotonic()))
    for thread in work + readers:
        if thread.is_alive():
            errors.append((thread.name, TimeoutError(f"still running after {HAMMER_S:.0f} s")))
    return Hammered(None if errors else Run(boundaries, snapshot(env)), asked, errors)


# the test ----------------------------------------------------------------------------------------


def test_top_decisions_and_cycles_at_once_end_as_one_thread_leaves_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    empty = tmp_path / "empty"  # open_env copies it: each run starts from an empty database
    empty.mkdir()
    built = count_builds(monkeypatch)
    # the hammered run first: its cycles embed with the model (the others read the test's vector
    # cache), so each cycle is longer and the model runs while the readers ask
    with open_env(empty, tmp_path / "hammered") as env:
        hammer = hammered(env)
    # a handler that failed answered "something went wrong" (a reader raised) and logged why
    logged = [
        f"{r.name} {r.getMessage()} {getattr(r, 'fields', '')}"
        for r in caplog.records
        if r.levelno >= logging.ERROR
    ]
    assert logged == []
    if hammer.errors:
        name, error = hammer.errors[0]
        raise AssertionError(f"{len(hammer.errors)} thread(s) failed; {name}: {error!r}") from error
    assert hammer.run is not None
    run, asked = hammer.run, hammer.asked
    built_hammered = sorted(built)
    built.clear()
    with open_env(empty, tmp_path / "reference") as env:
        reference = single_threaded(env)
    built_reference = sorted(built)
    with open_env(empty, tmp_path / "late") as env:
        late = single_threaded(env, late=True)

    # the comparison can fail: it sees the last decisions, and decisions made a cycle late
    assert reference.before_last is not None
    assert {"pitches", "theme_examples", "learnt", "relevance"} <= set(
        differing(reference.before_last, reference.final)
    )
    assert {"holds", "pitches", "thread_updates"} <= set(differing(late.final, reference.final))
    # and what it compares is there: stories, pitches in each state, what editors taught
    final = reference.final
    assert len(final["stories"]) > 50 and len(final["story_items"]) > 200
    assert {"approved", "rejected"} <= {p["state"] for p in final["pitches"]}
    assert len(final["theme_examples"]) == 4 and final["mutes"]
    assert any(label.startswith("approved ") for label in final["learnt"]["positive"][0])
    assert final["top"] and final["top"][0]["themes"]

    # the hammered run ends as the single-threaded one, having built each model once as it does
    assert built_hammered == built_reference
    assert sorted(set(built_reference)) == built_reference and "make_matcher" in built_reference
    assert run.boundaries == reference.boundaries
    for key in differing(run.final, reference.final):
        assert run.final[key] == reference.final[key], key

    # every answer during the hammer was a well-formed story list (checked as it came) of known
    # stories, some of them given while a cycle ran and while the matcher learnt
    assert len(asked) >= READERS * len(TIMES)
    known = {s["id"] for s in run.final["stories"]}
    assert {i for one in asked for i in one.ids} <= known
    assert sum(one.during_cycle for one in asked) >= len(TIMES)
    assert sum(one.during_decision for one in asked) >= len(DECISIONS)
    for answer in run.boundaries:
        check_top("top 10", answer)
