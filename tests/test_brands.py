"""Two brands in one install: one crawl and one story index, each brand with its own themes,
channels, editors, pitches and learning. Through the real pipeline, the real `Trendbot`, the
bolt app over HTTP with signed requests, and the fake Slack Web API."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import yaml
from fakeslack import TOKEN, FakeSlack
from feedserver import FeedServer, Response
from pydantic import SecretStr
from slackkit import (
    BRAND,
    NOW,
    SECRET,
    STRIKE,
    Clock,
    SlackEnv,
    command_body,
    config,
    message_body,
    payload,
    process_stream,
    wait_until,
)

from trendbot.core import make_trendbot
from trendbot.delivery import Delivery
from trendbot.settings import Secrets, load_settings
from trendbot.slack.app import make_app, start_http
from trendbot.slack.poster import make_client
from trendbot.types import Pitch

MAISON, GLACE = "Maison Test", "Glace Co"
MAISON_EDITOR, GLACE_EDITOR = "U0MAISON", "U0GLACE"
CHANNELS = {"C0MAISON": "maison", "C0GLACE": "glace", "C0HEAT": "glace-heat"}


def two_brands() -> dict[str, Any]:
    """Maison Test (summer and sport) and Glace Co (heat, with its own channel, and bakery):
    both pitch the heatwave, their strongest story of the day."""
    data = config()
    maison = copy.deepcopy(BRAND) | {"channel": "C0MAISON", "editors": [MAISON_EDITOR]}
    # one pitch a day each: the stronger story is pitched, the next waits for the digest
    maison["cadence"] = maison["cadence"] | {"max_per_day": 1}
    glace = {
        "name": GLACE,
        "language": "en",
        "hashtags": ["GlaceCo"],
        "channel": "C0GLACE",
        "editors": [GLACE_EDITOR],
        "cadence": {"queue_minutes": 0, "min_score": 1.0, "timezone": "UTC", "max_per_day": 1},
        "digest": {"at": "09:35"},  # NOW is 09:40 UTC: today's is due, the heatwave in it
        "themes": [
            {
                "name": "Heat",
                "description": "heatwaves, hot weather, ice cream, staying cool",
                "keywords": ["heatwave", "heat"],
                "channel": "C0HEAT",
            },
            {
                "name": "Bakery",
                "description": "bread, bakers, croissants, flour",
                "keywords": ["bakers", "flour", "bread"],
            },
        ],
    }
    del data["brand"]
    data["brands"] = [maison, glace]
    data["slack"] = {"channel": "C0FALLBACK"}
    return data


@pytest.fixture(scope="module")
def processed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return process_stream(tmp_path_factory.mktemp("brands"), two_brands())


@contextmanager
def brands_env(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackEnv]:
    clock = Clock()
    bot = make_trendbot(load_settings(folder / "feeds.yaml"), db=str(folder / "t.db"), clock=clock)
    secrets = Secrets(slack_bot_token=SecretStr(TOKEN), slack_signing_secret=SecretStr(SECRET))
    try:
        with FakeSlack(channels={**CHANNELS, "C0FALLBACK": "fallback"}) as fake:
            monkeypatch.setenv("TRENDBOT_SLACK_API_URL", fake.url)
            client = make_client(secrets, base_url=fake.url)
            app = make_app(bot, secrets, client=client)
            server = start_http(app, host="127.0.0.1", port=0)
            try:
                yield SlackEnv(fake, bot, client, app, clock, server)
            finally:
                server()
    finally:
        bot.close()


@pytest.fixture
def env(processed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackEnv]:
    folder = tmp_path / "bot"
    shutil.copytree(processed, folder)
    with brands_env(folder, monkeypatch) as opened:
        yield opened


def delivered(env: SlackEnv) -> dict[str, Pitch]:
    """Deliver what the cycle pitched; each brand's pitch, as stored after."""
    Delivery(env.bot, Secrets(slack_bot_token=SecretStr(TOKEN)), printer=print).deliver()
    out = {}
    for pitch in env.store.pitches():
        assert pitch.id is not None
        found = env.bot.pitch(pitch.id)
        assert found is not None
        out[pitch.brand] = found
    return out


def cards_in(env: SlackEnv, channel: str) -> list[dict[str, Any]]:
    return [m for m in env.fake.messages(channel) if m.get("metadata")]


def test_each_brand_gets_its_own_pitch_in_its_own_channel(env: SlackEnv) -> None:
    pitches = delivered(env)
    assert set(pitches) == {MAISON, GLACE}
    maison, glace = pitches[MAISON], pitches[GLACE]
    assert maison.theme in ("Summer", "Sport") and glace.theme == "Heat"
    assert maison.slack_channel == "C0MAISON"
    assert glace.slack_channel == "C0HEAT"  # the theme's own channel, not the brand's
    assert [c["ts"] for c in cards_in(env, "C0MAISON")] == [maison.slack_ts]
    assert [c["ts"] for c in cards_in(env, "C0HEAT")] == [glace.slack_ts]
    assert cards_in(env, "C0GLACE") == [] and cards_in(env, "C0FALLBACK") == []
    assert "#GlaceCo" in glace.draft or "GlaceCo" in glace.hashtags
    assert "MaisonTest" not in " ".join(glace.hashtags)


def test_a_decision_teaches_only_its_brand(env: SlackEnv) -> None:
    glace = delivered(env)[GLACE]
    ts = glace.slack_ts or ""
    brain = env.bot.pipeline.brain
    context = env.bot.story_context(glace.story_id)
    assert context is not None

    def relevance(brand: str) -> list[float]:
        matcher = brain.matcher_of(env.bot.brand(brand))
        return [
            round(float(x), 6) for x in matcher.relevance([context.text], context.vector[None])[0]
        ]

    maison_before, glace_before = relevance(MAISON), relevance(GLACE)
    # Maison's editor may not decide Glace's card; Glace's editor says not our topic.
    status, _ = env.post(message_body("not our topic", thread_ts=ts, channel="C0HEAT",
                                      user=MAISON_EDITOR, event_id="EvMAISON"))  # fmt: skip
    assert status == 200
    [refused] = env.fake.wait_for("chat.postEphemeral", 1)
    assert refused.args["user"] == MAISON_EDITOR and "editor" in refused.args["text"].lower()
    status, _ = env.post(message_body("not our topic", thread_ts=ts, channel="C0HEAT",
                                      user=GLACE_EDITOR, event_id="EvGLACE"))  # fmt: skip
    assert status == 200
    wait_until(lambda: (env.bot.pitch(glace.id or 0) or glace).state == "rejected")
    wait_until(lambda: relevance(GLACE) != glace_before)  # learnt just after the state is set
    taught = env.store.theme_examples()
    assert [(t.brand, t.user) for t in taught] == [(GLACE, GLACE_EDITOR)]
    assert relevance(MAISON) == maison_before  # nothing reached the other brand's matcher
    assert env.store.mutes() == []  # a story one brand declines may be another's


def test_trend_answers_for_the_channels_brand_unless_told(env: SlackEnv) -> None:
    def ask(text: str, channel: str, user: str = GLACE_EDITOR) -> str:
        status, body = env.post(command_body(text, user=user, channel=channel))
        assert status == 200
        return str(json.loads(body)["text"]) if body else ""

    assert "Heat" in ask("themes", "C0GLACE") and "Summer" not in ask("themes", "C0GLACE")
    assert "Heat" in ask("themes", "C0HEAT")  # a theme's channel is its brand's too
    assert "Summer" in ask("themes", "C0MAISON") and "Heat" not in ask("themes", "C0MAISON")
    assert "Summer" in ask("themes --brand maison-test", "C0GLACE")
    assert "Heat" in ask("themes --brand=GLACECO", "C0MAISON")
    assert "Summer" in ask("themes", "C0ELSEWHERE")  # no brand's channel: the first brand
    unknown = ask("themes --brand Nope", "C0GLACE")
    assert "Nope" in unknown and MAISON in unknown and GLACE in unknown
    assert GLACE in ask("stats", "C0GLACE")


def test_channels_named_by_name_in_feeds_yaml(
    processed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, feed_server: FeedServer
) -> None:
    """feeds.yaml names channels `#glace`, Slack sends their IDs and names: the brand is the
    channel's, for /trend and for Pitch this."""
    folder = tmp_path / "bot"
    shutil.copytree(processed, folder)
    data = yaml.safe_load((folder / "feeds.yaml").read_text(encoding="utf-8"))
    data["brands"][0]["channel"] = "#maison"
    data["brands"][1]["channel"] = "#glace"
    data["brands"][1]["themes"][0]["channel"] = "#glace-heat"
    (folder / "feeds.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with brands_env(folder, monkeypatch) as env:

        def themes(channel: str) -> str:
            body = command_body("themes", user=GLACE_EDITOR, channel=channel,
                                channel_name=CHANNELS[channel])  # fmt: skip
            status, text = env.post(body)
            assert status == 200
            return str(json.loads(text)["text"])

        assert "Heat" in themes("C0GLACE") and "Summer" not in themes("C0GLACE")
        assert "Heat" in themes("C0HEAT")
        assert "Summer" in themes("C0MAISON") and "Heat" not in themes("C0MAISON")
        title = "Pastry chefs bake a giant croissant at the bread festival"
        html = ARTICLE.format(title=title, summary="Bakers shaped it from local flour.")
        url = feed_server.route("/festival", Response(body=html.encode(),
                                headers={"Content-Type": "text/html"}))  # fmt: skip
        data = payload("message_action")
        data["user"]["id"] = GLACE_EDITOR
        data["channel"] = {"id": "C0GLACE", "name": "glace"}
        data["message"]["text"] = f"<{url}>"
        assert env.post(urlencode({"payload": json.dumps(data)}))[0] == 200
        wait_until(lambda: env.fake.replies("C0GLACE", data["message"]["ts"]), timeout=60)
        # Bakery is Glace Co's theme only: for the first brand it would be off every theme
        [bakery] = [p for p in env.store.pitches() if "croissant" in p.story_label.lower()]
        assert (bakery.brand, bakery.theme, bakery.slack_channel) == (GLACE, "Bakery", "C0GLACE")


def test_a_brands_stories_are_found_past_other_brands(env: SlackEnv) -> None:
    """The second best story now is the bakers' strike, on none of Maison Test's themes: its
    top two are the heatwave and the final, filtered first and then cut."""
    top = [v.label for v in env.bot.top_stories(2)]
    # (its label is whichever headline sits nearest its centre: a hair's breadth between two)
    assert top[1] in {title for _, title in STRIKE}, top
    rising = [e.label for e in env.bot.rising_now(brand=MAISON, n=2)]
    assert len(rising) == 2 and "Champions League" in rising[1]
    rose = env.bot.rose(since=NOW - timedelta(days=1), brand=MAISON, limit=2)
    assert len(rose) == 2 and all(e.theme in ("Summer", "Sport") for e in rose)


def test_the_home_tab_shows_the_users_brands(env: SlackEnv) -> None:
    pitches = delivered(env)

    def home(user: str) -> str:
        event = payload("app_home_opened")
        event["event"]["user"] = user
        event["event_id"] = f"EvHOME{user}"
        assert env.post(json.dumps(event))[0] == 200
        view = wait_until(lambda: env.fake.home_views.get(user))
        assert view["type"] == "home"
        return json.dumps(view["blocks"])

    glace_home = home(GLACE_EDITOR)
    assert GLACE in glace_home and MAISON not in glace_home
    assert f'"trendbot_home_{pitches[GLACE].id}"' in glace_home  # awaiting, with buttons
    assert f'"trendbot_home_{pitches[MAISON].id}"' not in glace_home
    everyone = home("U0READER")  # decides for no brand: follows them all
    assert GLACE in everyone and MAISON in everyone
    # a button on the Home tab decides on the card, and the page is published again
    glace = pitches[GLACE]
    published = len(env.fake.calls("views.publish"))
    assert env.post(home_action("trendbot_approve", glace.id or 0, GLACE_EDITOR))[0] == 200
    wait_until(lambda: (env.bot.pitch(glace.id or 0) or glace).state == "approved")
    wait_until(lambda: len(env.fake.calls("views.publish")) > published)
    assert f'"trendbot_home_{glace.id}"' not in json.dumps(env.fake.home_views[GLACE_EDITOR])
    [update] = env.fake.calls("chat.update")
    assert (update.args["channel"], update.args["ts"]) == ("C0HEAT", glace.slack_ts)
    # someone who decides for no brand is told why not in the app's DM, not in a channel
    maison = pitches[MAISON]
    assert env.post(home_action("trendbot_approve", maison.id or 0, "U0READER"))[0] == 200
    [told] = wait_until(lambda: env.fake.messages("D0READER"))  # the app's DM with them
    assert "editors" in told["text"] and not env.fake.calls("chat.postEphemeral")
    assert (env.bot.pitch(maison.id or 0) or maison).state != "approved"


def home_action(action_id: str, pitch_id: int, user: str) -> str:
    """A button pressed on the Home tab: Slack sends the view, no channel and no message."""
    data = payload("block_actions")
    for key in ("channel", "message", "response_url"):
        data.pop(key)
    data["user"]["id"] = user
    data["container"] = {"type": "view", "view_id": "V0HOME"}
    data["view"] = {"id": "V0HOME", "type": "home", "blocks": []}
    data["actions"][0].update(action_id=action_id, value=str(pitch_id), action_ts="1.000001")
    return urlencode({"payload": json.dumps(data)})


def digest_messages(env: SlackEnv) -> list[dict[str, Any]]:
    return [
        m
        for m in env.fake.messages("C0GLACE")
        if (m.get("metadata") or {}).get("event_type") == "trendbot_digest"
    ]


def digests_on_since_morning(env: SlackEnv) -> None:
    """The install ran since 09:00: digests count from then, and today's 09:35 one is due."""
    env.clock.now = NOW.replace(hour=9, minute=0)
    try:
        assert (
            Delivery(env.bot, Secrets(slack_bot_token=SecretStr(TOKEN)), printer=print).digests()
            == 0
        )
    finally:
        env.clock.now = NOW


def test_digests_start_with_the_next_time_and_skip_empty_ones(env: SlackEnv) -> None:
    secrets = Secrets(slack_bot_token=SecretStr(TOKEN))
    assert (
        Delivery(env.bot, secrets, printer=print).digests() == 0
    )  # first start, at 09:40: from tomorrow on
    assert Delivery(env.bot, secrets, printer=print).digests() == 0
    env.clock.now = NOW + timedelta(days=1)  # nothing new rose since: no empty message
    assert Delivery(env.bot, secrets, printer=print).digests() == 0
    assert digest_messages(env) == []
    end = (NOW + timedelta(days=1)).replace(minute=35)
    key = f"digest:{GLACE}:{end.isoformat(timespec='minutes')}"
    assert env.store.state(key) == "posted:empty"


def test_a_digest_goes_out_once_across_a_crash_and_a_restart(env: SlackEnv) -> None:
    secrets = Secrets(slack_bot_token=SecretStr(TOKEN))
    digests_on_since_morning(env)
    store = env.store
    noted = store.set_state

    def killed_after_posting(key: str, value: str) -> None:
        if value.startswith("posted:"):
            raise KeyboardInterrupt  # the process dies between the post and its note
        noted(key, value)

    store.set_state = killed_after_posting  # type: ignore[method-assign]
    try:
        with pytest.raises(KeyboardInterrupt):
            Delivery(env.bot, secrets, printer=print).digests()
    finally:
        del store.set_state  # the instance's own attribute: the method shows again
    [posted] = digest_messages(env)
    assert Delivery(env.bot, secrets, printer=print).digests() == 1  # the restart finds it
    assert Delivery(env.bot, secrets, printer=print).digests() == 0  # and it is out
    assert digest_messages(env) == [posted]
    text = json.dumps(posted["blocks"])
    assert GLACE in text and "Heat" in text and "Paris" in text
    assert MAISON not in text and "Summer" not in text  # Maison has no digest
    assert env.store.state(posted["metadata"]["event_payload"]["key"]) == f"posted:{posted['ts']}"


def test_a_digest_waits_out_a_slack_outage(env: SlackEnv) -> None:
    secrets = Secrets(slack_bot_token=SecretStr(TOKEN))
    digests_on_since_morning(env)
    env.fake.fail("chat.postMessage", 503)
    assert Delivery(env.bot, secrets, printer=print).digests() == 0
    assert digest_messages(env) == []
    assert Delivery(env.bot, secrets, printer=print).digests() == 1
    assert len(digest_messages(env)) == 1


def test_draft_a_pitch_from_the_digest(env: SlackEnv) -> None:
    digests_on_since_morning(env)
    Delivery(env.bot, Secrets(slack_bot_token=SecretStr(TOKEN)), printer=print).digests()
    [digest] = digest_messages(env)
    buttons = [b["accessory"] for b in digest["blocks"] if (b.get("accessory") or {}).get("type")]
    assert buttons, "a story not pitched yet has a button"
    asked = json.loads(buttons[0]["value"])
    assert asked["brand"] == GLACE
    before = {p.id for p in env.store.pitches()}
    data = payload("block_actions")
    data["user"]["id"] = GLACE_EDITOR
    data["channel"]["id"] = data["container"]["channel_id"] = "C0GLACE"
    data["container"]["message_ts"] = data["message"]["ts"] = digest["ts"]
    data["actions"][0].update(action_id="trendbot_draft_now", value=buttons[0]["value"])
    assert env.post(urlencode({"payload": json.dumps(data)}))[0] == 200
    said = wait_until(lambda: env.fake.replies("C0GLACE", digest["ts"]))
    [new] = [p for p in env.store.pitches() if p.id not in before]
    assert (new.brand, new.story_id) == (GLACE, asked["story_id"])
    assert f"#{new.id}" in said[-1]["text"] and f"<@{GLACE_EDITOR}>" in said[-1]["text"]
    assert new.slack_channel in ("C0GLACE", "C0HEAT")
    data["actions"][0]["action_ts"] = "1700000999.000001"  # clicked again: the same pitch
    assert env.post(urlencode({"payload": json.dumps(data)}))[0] == 200
    again = wait_until(lambda: env.fake.replies("C0GLACE", digest["ts"])[len(said) :])
    assert f"already: #{new.id}" in again[-1]["text"]
    assert len(env.store.pitches()) == len(before) + 1


ARTICLE = """<html lang="en"><head>
<title>{title}</title>
<meta property="og:title" content="{title}">
<meta property="og:description" content="{summary}">
<meta property="og:site_name" content="Daily Example">
</head><body><p>{summary}</p></body></html>"""


def test_pitch_this_on_a_shared_link(env: SlackEnv, feed_server: FeedServer) -> None:
    def page(path: str, title: str, summary: str) -> str:
        html = ARTICLE.format(title=title, summary=summary).encode()
        return feed_server.route(path, Response(body=html, headers={"Content-Type": "text/html"}))

    hot = page(
        "/heat",
        "Paris heatwave: ice cream sellers run out as records fall",
        "Parisians queue for ice cream as the heatwave breaks temperature records.",
    )
    festival = page(
        "/festival",
        "Pastry chefs bake a giant croissant at the bread festival",
        "Bakers from every region shaped a four-metre croissant from local flour.",
    )
    chips = page("/chips", "Chipmaker quarterly earnings beat analyst estimates",
                 "The semiconductor company raised its revenue guidance for the year.")  # fmt: skip

    def pitch_this(text: str, n: int) -> str:
        data = payload("message_action")
        data["user"]["id"] = GLACE_EDITOR
        data["channel"]["id"] = "C0GLACE"
        data["action_ts"] = f"1700000300.{n:06d}"
        data["message"].update(text=text, ts=f"1700000250.{n:06d}")
        data["message_ts"] = data["message"]["ts"]
        assert env.post(urlencode({"payload": json.dumps(data)}))[0] == 200
        thread = data["message"]["ts"]
        replies = wait_until(lambda: env.fake.replies("C0GLACE", thread), timeout=60)
        return str(replies[-1]["text"])

    glace = delivered(env)[GLACE]  # the heatwave, pitched by the cycle
    # the same news from another site joins the heatwave's story, which has its pitch
    assert f"#{glace.id}" in pitch_this(f"look <{hot}|this>", 1)
    assert "already" in pitch_this(f"look <{hot}|this>", 2)
    # news no story holds yet starts one, pitched for the channel's brand
    answer = pitch_this(f"<{festival}>", 3)
    [pitch] = [p for p in env.store.pitches() if p.id != glace.id and p.brand == GLACE]
    assert (pitch.theme, pitch.slack_channel) == ("Bakery", "C0GLACE")
    assert f"#{pitch.id}" in answer and "<#C0GLACE>" in answer
    assert "croissant" in pitch.story_label.lower()
    assert "none of" in pitch_this(f"<{chips}>", 4)  # off every theme
    assert len(env.store.pitches()) == 3  # and nothing more was pitched
    data = payload("message_action")
    data["channel"]["id"] = "C0GLACE"
    data["message"]["text"] = "no link here"
    assert env.post(urlencode({"payload": json.dumps(data)}))[0] == 200
    [told] = wait_until(lambda: env.fake.calls("chat.postEphemeral"))
    assert "link" in told.args["text"].lower()


def test_a_renamed_brand_keeps_its_pitches_and_teaching(processed: Path, tmp_path: Path) -> None:
    """Rename a brand in feeds.yaml: its pitches stay its own and nothing is pitched again; a
    brand removed from a list of several gives nothing to the others."""
    folder = tmp_path / "bot"
    shutil.copytree(processed, folder)
    path = folder / "feeds.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["brands"][1]["name"] = "Glace & Co"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    bot = make_trendbot(load_settings(path), db=str(folder / "t.db"))
    try:
        assert {p.brand for p in bot.store.pitches()} == {MAISON, GLACE}  # a command renames not
        bot.pipeline.adopt_brands()  # as `trendbot run` does when it starts
        before = {(p.id, p.story_id) for p in bot.store.pitches()}
        assert {p.brand for p in bot.store.pitches()} == {MAISON, "Glace & Co"}
        bot.pipeline.process(NOW)
        assert {(p.id, p.story_id) for p in bot.store.pitches()} == before  # none again
    finally:
        bot.close()
    del data["brands"][1]  # Glace & Co leaves: its rows stay its own, not Maison Test's
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    bot = make_trendbot(load_settings(path), db=str(folder / "t.db"))
    try:
        assert sorted(p.brand for p in bot.store.pitches()) == ["Glace & Co", MAISON]
    finally:
        bot.close()
