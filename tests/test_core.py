"""`Trendbot`, the facade people talk to, on a real store processed by the real pipeline with the
real multilingual encoder: a burst of French headlines about a heatwave, a shooting and a football
final, among everyday news. Each test gets its own copy of the processed database and of its
feeds.yaml, and a clock it can move."""

from __future__ import annotations

import json
import shutil
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakeslack import TOKEN, FakeSlack
from feedserver import FeedServer
from headlines import HEATWAVE, NOISE, SHOOTING
from pydantic import SecretStr
from slackkit import CHANNEL, EDITOR, SECRET, action_body, command_body, dispatch

from trendbot.core import Trendbot, make_trendbot
from trendbot.errors import ConfigError, FeedError, PitchError, TrendbotError
from trendbot.lang import detect_language
from trendbot.settings import BrandSettings, Secrets, ThemeSettings, load_settings
from trendbot.types import Item, StoryView

pytestmark = pytest.mark.slow

T0 = datetime(2025, 7, 15, 9, 0, tzinfo=UTC)  # 11:00 in Paris: outside quiet hours
NOW = T0 + timedelta(minutes=40)

FOOTBALL = [
    ("L'Equipe", "Football : le PSG remporte la Ligue des champions face à l'Inter"),
    ("Le Parisien", "Ligue des champions : le PSG sacré champion d'Europe"),
    ("franceinfo", "Le PSG champion d'Europe, une première pour le club parisien"),
    ("RMC Sport", "Finale de la Ligue des champions : le PSG écrase l'Inter"),
    ("Le Figaro", "Le Paris Saint-Germain remporte enfin la Ligue des champions"),
]

FEEDS_YAML = """\
# Maison Brioche's trendbot (a comment that edits from Slack must keep)
feeds:
  - name: news
    url: https://news.example/rss
    language: fr
brand:
  name: Maison Brioche
  language: fr
  voice: Chaleureuse et gourmande.
  themes:
    - name: meteo
      description: "La météo et les saisons : canicule, neige, pluie."
      keywords: [canicule, chaleur, neige, météo]
      angles: ["Le réconfort d'une glace quand il fait chaud"]
    - name: sport
      description: Les grands moments de sport.
      keywords: [football, tennis, rugby]
  cadence:
    queue_minutes: 0
    min_score: 1.0
slack:
  channel: C0PITCHES
  editors: [U0EDITOR]
fetch:
  allow_private: true  # the test feeds are served on 127.0.0.1
"""


def item(n: int, source: str, title: str, minutes: float) -> Item:
    seen = T0 + timedelta(minutes=minutes)
    return Item(
        feed="news", guid=f"g{n}", url=f"https://news.example/{n}", title=title, summary="",
        published=seen, seen=seen, source=source, language="fr",
    )  # fmt: skip


def stream() -> list[Item]:
    out = [item(100 + n, "Agence", t, -600 + 90 * n) for n, t in enumerate(NOISE)]
    out += [item(n, s, t, 5 * n) for n, (s, t) in enumerate(HEATWAVE)]
    out += [item(50 + n, s, t, 5 * n + 2) for n, (s, t) in enumerate(SHOOTING)]
    out += [item(70 + n, s, t, 6 * n + 1) for n, (s, t) in enumerate(FOOTBALL)]
    return out


@dataclass
class Clock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def processed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """feeds.yaml and a database holding the stream, processed once at NOW."""
    folder = tmp_path_factory.mktemp("processed")
    (folder / "feeds.yaml").write_text(FEEDS_YAML, encoding="utf-8")
    bot = make_trendbot(load_settings(folder / "feeds.yaml"), db=str(folder / "t.db"))
    with bot.pipeline:
        bot.store.save_items("news", stream())
        report = bot.pipeline.process(NOW)
    assert report.embedded == len(stream())
    return folder


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def bot(processed: Path, tmp_path: Path, clock: Clock) -> Iterator[Trendbot]:
    folder = tmp_path / "bot"
    shutil.copytree(processed, folder)
    trendbot = make_trendbot(
        load_settings(folder / "feeds.yaml"), db=str(folder / "t.db"), clock=clock
    )
    yield trendbot
    trendbot.close()


def stories_of(bot: Trendbot, burst: list[tuple[str, str]]) -> set[int]:
    """The stories holding the burst's items (a burst may be one story or a few)."""
    rows = bot.store.query(
        "SELECT DISTINCT s.story_id FROM story_items s JOIN items i ON i.id = s.item_id"
        f" WHERE i.title IN ({','.join('?' * len(burst))})",
        [title for _, title in burst],
    )
    ids = {bot.find_story(str(r["story_id"])).id for r in rows}  # type: ignore[union-attr]
    return ids


def main_story(bot: Trendbot, burst: list[tuple[str, str]]) -> StoryView:
    """The burst's biggest story."""
    views = [bot.find_story(str(i)) for i in stories_of(bot, burst)]
    return max((v for v in views if v is not None), key=lambda v: v.size)


def relevance(bot: Trendbot, text: str, theme: str) -> float:
    brain = bot.pipeline.brain
    column = [t.name for t in bot.themes()].index(theme)
    return float(brain.matcher.relevance([text], brain.encode([text]))[0, column])


# stories -------------------------------------------------------------------------------------


def test_top_stories_puts_rising_ones_first_and_filters_by_theme(bot: Trendbot) -> None:
    heatwave, football = main_story(bot, HEATWAVE), main_story(bot, FOOTBALL)
    top = bot.top_stories(10)
    rising = [v.state in ("rising", "peaking") for v in top]
    assert rising == sorted(rising, reverse=True) and rising[0] and not rising[-1]
    assert {heatwave.id, football.id} <= {v.id for v in top if v.state == "rising"}
    assert len(bot.top_stories(2)) == 2

    sport = bot.top_stories(5, theme="Sport")  # theme names are not case-sensitive
    assert sport and sport[0].id == football.id
    assert all(v.themes[0].theme == "sport" for v in sport)
    meteo = bot.top_stories(5, theme="meteo")
    assert meteo[0].id == heatwave.id and football.id not in {v.id for v in meteo}

    with pytest.raises(ConfigError, match="no theme named 'cuisine'") as unknown:
        bot.top_stories(theme="cuisine")
    assert "\n" not in str(unknown.value)


def test_search_finds_the_heatwave_from_other_words(bot: Trendbot, clock: Clock) -> None:
    heatwave = stories_of(bot, HEATWAVE)
    for words in ("chaleur à Paris", "heatwave in Paris"):  # other words, another language
        found = bot.search(words)
        assert found[0].id in heatwave, (words, [v.label for v in found])
        assert len(found) <= 5 and len({v.id for v in found}) == len(found)
    assert bot.search("fusillade")[0].id in stories_of(bot, SHOOTING)
    # an item that arrives after the first search is found by the next one, without a restart
    storm = "Orages violents et grêle attendus en Bretagne ce week-end"
    clock.now = NOW + timedelta(minutes=20)
    bot.store.save_items("news", [item(300, "Ouest-France", storm, 55)])
    bot.pipeline.process(clock.now)
    assert bot.search("orages en Bretagne")[0].label == storm


def test_find_story_by_id_and_by_words(bot: Trendbot) -> None:
    heatwave = main_story(bot, HEATWAVE)
    found = [
        bot.find_story(ref) for ref in (str(heatwave.id), f"#{heatwave.id}", f" {heatwave.id} ")
    ]
    assert [v.id if v else None for v in found] == [heatwave.id] * 3
    assert {link.source for link in heatwave.links} >= {"Le Figaro", "Ouest-France"}
    by_words = bot.find_story("records de chaleur dans la capitale")
    assert by_words is not None and by_words.id in stories_of(bot, HEATWAVE)
    assert bot.find_story("99999") is None


# pitches -------------------------------------------------------------------------------------


def test_draft_pitch_for_a_story_is_stored_proposed_and_in_french(bot: Trendbot) -> None:
    heatwave = main_story(bot, HEATWAVE)
    pitch = bot.draft_pitch(heatwave.id)
    assert pitch.id is not None and pitch.story_id == heatwave.id and pitch.theme == "meteo"
    stored = bot.store.pitch(pitch.id)
    assert stored is not None and stored.state == "proposed" and stored.draft == pitch.draft
    assert [e.state for e in bot.store.pitch_events(pitch.id)] == ["proposed"]
    assert len(pitch.draft) <= 280 and pitch.safety == "safe"
    assert detect_language(pitch.draft) == "fr", pitch.draft
    assert len({s.source for s in pitch.sources}) >= 2


def test_held_themes_follow_a_theme_s_places(bot: Trendbot) -> None:
    """`trendbot held` and the replay summary say which theme a held story fits: not a Midwest
    brand's weather theme for a New York snowstorm."""
    from trendbot.replay import theme_fits

    heatwave = main_story(bot, HEATWAVE)

    def placed(places: tuple[str, ...]) -> BrandSettings:
        themes = tuple(
            t.model_copy(update={"places": places}) if t.name == "meteo" else t
            for t in bot.settings.brand.themes
        )
        return bot.settings.brand.model_copy(update={"themes": themes})

    [(share, match)] = theme_fits(bot.pipeline, [heatwave.id], [placed(("Paris",))]).values()
    assert match.theme == "meteo" and share > 0
    elsewhere = theme_fits(bot.pipeline, [heatwave.id], [placed(("Lyon",))])
    assert all(m.theme != "meteo" for _, m in elsewhere.values())


def test_draft_pitch_is_refused_for_a_blocked_story(bot: Trendbot) -> None:
    shooting = main_story(bot, SHOOTING)
    assert shooting.safety == "blocked" and shooting.safety_reason
    before = len(bot.store.pitches())
    with pytest.raises(PitchError) as refused:
        bot.draft_pitch(shooting.id)
    message = str(refused.value)
    assert "not brand-safe" in message and shooting.safety_reason in message
    assert "\n" not in message
    assert len(bot.store.pitches()) == before
    # a preview shows what the story would have given, its card saying why not, and saves nothing
    preview = bot.draft_pitch(shooting.id, save=False)
    assert preview.id is None and preview.draft and preview.safety == "blocked"
    assert preview.safety_reason == shooting.safety_reason
    assert len(bot.store.pitches()) == before
    with pytest.raises(TrendbotError, match="no story #99999"):
        bot.draft_pitch(99999)


# decisions -----------------------------------------------------------------------------------


def test_approve_records_who_where_and_adds_a_positive_example(bot: Trendbot, clock: Clock) -> None:
    pitch = bot.draft_pitch(main_story(bot, HEATWAVE).id)
    assert pitch.id is not None
    clock.now = NOW + timedelta(minutes=12)
    decided = bot.decide(pitch.id, "approve", user="U0ANNE", channel="C0PITCHES", message_ts="17.5")
    assert decided.state == "approved"
    event = bot.store.pitch_events(pitch.id)[-1]
    assert (event.state, event.user, event.channel, event.message_ts) == (
        "approved",
        "U0ANNE",
        "C0PITCHES",
        "17.5",
    )
    assert event.at == clock.now
    final = bot.store.scalar("SELECT final_text FROM pitches WHERE id = ?", [pitch.id])
    assert final == pitch.draft
    example = bot.store.theme_examples()[-1]
    assert (example.theme, example.polarity, example.text, example.user) == (
        "meteo",
        1,
        pitch.story_label,
        "U0ANNE",
    )


def test_reject_with_a_reason_lowers_similar_stories_without_a_restart(bot: Trendbot) -> None:
    football = main_story(bot, FOOTBALL)
    pitch = bot.draft_pitch(football.id)
    assert pitch.id is not None and pitch.theme == "sport"
    similar = "Ligue des champions : Paris s'offre la coupe aux grandes oreilles"
    unrelated = "Tennis : Roland-Garros s'ouvre sous le soleil"
    before = relevance(bot, similar, "sport"), relevance(bot, unrelated, "sport")
    bot.decide(pitch.id, "reject", user="U0ANNE", reason="pas de foot, trop clivant")
    assert bot.store.pitch(pitch.id).state == "rejected"  # type: ignore[union-attr]
    example = bot.store.theme_examples()[-1]
    assert (example.theme, example.polarity, example.reason) == (
        "sport",
        -1,
        "pas de foot, trop clivant",
    )
    after = relevance(bot, similar, "sport"), relevance(bot, unrelated, "sport")
    assert after[0] < before[0] - 0.05, (before, after)
    assert after[1] >= before[1] - 0.02, "a rejection must not sink the whole theme"
    view = bot.find_story(str(football.id))
    assert view is not None
    fits = {t.theme: t for t in view.themes}  # the story itself: lowered, or out of the theme
    assert "sport" not in fits or "lowered" in fits["sport"].evidence


def test_not_our_topic_mutes_the_story(bot: Trendbot) -> None:
    football = main_story(bot, FOOTBALL)
    pitch = bot.draft_pitch(football.id)
    assert pitch.id is not None and not football.muted
    decided = bot.decide(pitch.id, "not_our_topic", user="U0ANNE")
    assert decided.state == "rejected"
    assert bot.store.pitch_events(pitch.id)[-1].reason == "not our topic"
    example = bot.store.theme_examples()[-1]
    assert (example.theme, example.polarity) == ("*", -1)  # against every theme
    assert [(m.kind, m.value) for m in bot.store.mutes()] == [("story", str(football.id))]
    view = bot.find_story(str(football.id))
    assert view is not None and view.muted
    assert not main_story(bot, HEATWAVE).muted


def test_an_edit_must_pass_the_draft_checks(bot: Trendbot) -> None:
    pitch = bot.draft_pitch(main_story(bot, HEATWAVE).id)
    assert pitch.id is not None
    with pytest.raises(PitchError, match="cannot go out") as refused:
        bot.decide(pitch.id, "edit", user="U0ANNE", text="Il fait chaud. " * 30)
    assert "\n" not in str(refused.value)
    with pytest.raises(PitchError, match="needs the new text"):
        bot.decide(pitch.id, "edit", user="U0ANNE", text="  ")
    assert bot.store.pitch(pitch.id).draft == pitch.draft  # type: ignore[union-attr]
    edited = bot.decide(pitch.id, "edit", user="U0ANNE", text=" Trop chaud pour cuire ? On glace. ")
    assert (edited.draft, edited.state) == ("Trop chaud pour cuire ? On glace.", "proposed")
    with pytest.raises(TrendbotError, match="unknown decision 'publish'"):
        bot.decide(pitch.id, "publish", user="U0ANNE")


# mutes and figures ---------------------------------------------------------------------------


def test_mute_and_unmute_words_and_a_story(bot: Trendbot) -> None:
    heatwave, football = main_story(bot, HEATWAVE), main_story(bot, FOOTBALL)
    assert bot.mute("  CANICULE ", user="U0ANNE") == "'CANICULE'"
    muted = {v.id: v.muted for v in bot.top_stories(10)}
    assert muted[heatwave.id] and not muted[football.id]  # words match without case or accents
    assert bot.unmute("canicule") is False  # unmuting takes the words as they were muted
    assert bot.unmute("CANICULE") is True
    assert not bot.find_story(str(heatwave.id)).muted  # type: ignore[union-attr]

    assert bot.mute(f"#{football.id}", user="U0ANNE") == f"story #{football.id}"
    assert bot.find_story(str(football.id)).muted  # type: ignore[union-attr]
    assert bot.unmute(str(football.id)) is True and bot.unmute(str(football.id)) is False
    assert not bot.find_story(str(football.id)).muted  # type: ignore[union-attr]
    with pytest.raises(TrendbotError, match="say what to mute"):
        bot.mute("   ", user="U0ANNE")


def test_stats_on_a_known_set_of_pitches(bot: Trendbot, clock: Clock) -> None:
    heatwave, football = main_story(bot, HEATWAVE), main_story(bot, FOOTBALL)
    cycle = bot.store.pitches()  # what the cycle at NOW pitched: undecided
    drafted = []
    for minutes, story in ((10, heatwave), (20, football), (120, football)):
        clock.now = NOW + timedelta(minutes=minutes)
        drafted.append(bot.draft_pitch(story.id))
    clock.now = NOW + timedelta(minutes=40)
    bot.decide(drafted[0].id or 0, "approve", user="U0ANNE")  # 30 minutes after it was drafted
    clock.now = NOW + timedelta(minutes=110)
    bot.decide(drafted[1].id or 0, "reject", user="U0ANNE", reason="hors sujet")  # 90 minutes

    clock.now = NOW + timedelta(hours=3)
    to_pitch = []
    for pitch in [*cycle, *drafted]:
        view = bot.find_story(str(pitch.story_id))
        assert view is not None and pitch.created is not None
        to_pitch.append((pitch.created - view.first_seen).total_seconds() / 60)
    assert bot.stats() == {
        "pitches_week": len(cycle) + 3,
        "pitches_month": len(cycle) + 3,
        "approved": 1,
        "rejected": 1,
        "approval_rate": 0.5,
        "median_minutes_to_pitch": pytest.approx(statistics.median(to_pitch)),
        "median_minutes_to_decision": pytest.approx(60.0),
    }
    clock.now = NOW + timedelta(days=8)
    later = bot.stats()
    assert (later["pitches_week"], later["pitches_month"]) == (0, len(cycle) + 3)
    assert (later["approved"], later["rejected"]) == (1, 1)
    clock.now = NOW + timedelta(days=40)
    assert bot.stats()["pitches_month"] == 0 and bot.stats()["approval_rate"] is None


# configuration -------------------------------------------------------------------------------


def test_add_theme_edits_feeds_yaml_and_is_used_at_once(bot: Trendbot) -> None:
    config = Path(bot.settings.config_path)
    heatwave = main_story(bot, HEATWAVE)
    assert "fraicheur" not in {t.theme for t in heatwave.themes}
    bot.add_theme(
        " fraicheur ",
        "Se rafraîchir quand il fait très chaud : glaces, piscines, ventilateurs, canicule",
        user="U0ANNE",
    )
    text = config.read_text(encoding="utf-8")
    assert text.startswith("# Maison Brioche's trendbot") and "allow_private: true  #" in text
    assert [t.name for t in load_settings(config).brand.themes] == ["meteo", "sport", "fraicheur"]
    assert [t.name for t in bot.themes()] == ["meteo", "sport", "fraicheur"]
    seen = bot.find_story(str(heatwave.id))
    assert seen is not None and "fraicheur" in {t.theme for t in seen.themes}
    # the filter knows it (it keeps the stories whose best theme it is)
    assert all(v.themes[0].theme == "fraicheur" for v in bot.top_stories(5, theme="fraicheur"))

    with pytest.raises(ConfigError, match="exists already"):
        bot.add_theme("Fraicheur", "encore", user="U0ANNE")
    assert config.read_text(encoding="utf-8") == text


def test_add_feed_fetches_it_then_adds_it_to_feeds_yaml(
    bot: Trendbot, feed_server: FeedServer
) -> None:
    config = Path(bot.settings.config_path)
    url = feed_server.url("/feeds/google_news.rss")
    name = bot.add_feed(f"<{url}>", user="U0ANNE")  # as Slack writes links
    assert name == "top-stories-google-news"
    assert len(feed_server.requests_to("/feeds/google_news.rss")) == 1
    added = load_settings(config).feed(name)
    assert added is not None and added.url == url and added.language == "en"
    assert {(f.name, f.url) for f in bot.feeds()} == {
        ("news", "https://news.example/rss"),
        (name, url),
    }
    before = config.read_bytes()
    with pytest.raises(ConfigError, match=r"in feeds\.yaml already"):
        bot.add_feed(url, user="U0ANNE")

    page = feed_server.url("/feeds/page.html")
    with pytest.raises(FeedError) as refused:
        bot.add_feed(page, user="U0ANNE")
    assert "\n" not in str(refused.value) and page in str(refused.value)
    with pytest.raises(ConfigError, match="not an http"):
        bot.add_feed(str(config), user="U0ANNE")  # a local path is never read
    assert config.read_bytes() == before
    assert [f.name for f in bot.feeds()] == ["news", name]


# the Slack app in front of it ----------------------------------------------------------------


def test_slack_top_answers_with_the_heatwave_and_an_approve_button_is_recorded(
    bot: Trendbot,
) -> None:
    from trendbot.slack.app import make_app
    from trendbot.slack.poster import make_client, post_pitch

    heatwave = main_story(bot, HEATWAVE)
    secrets = Secrets(slack_bot_token=SecretStr(TOKEN), slack_signing_secret=SecretStr(SECRET))
    with FakeSlack() as fake:
        client = make_client(secrets, base_url=fake.url)
        app = make_app(bot, secrets, client=client, process_before_response=True)

        response = dispatch(app, command_body("top"))
        assert response.status == 200
        answer = json.loads(response.body)
        assert answer["response_type"] == "ephemeral"
        assert heatwave.label in answer["text"]

        pitch = bot.draft_pitch(heatwave.id)
        ts = post_pitch(client, bot.store, pitch, CHANNEL, now=bot.now())
        response = dispatch(app, action_body("trendbot_approve", pitch.id or 0, message_ts=ts))
        assert response.status == 200
        decided = bot.store.pitch(pitch.id or 0)
        assert decided is not None and decided.state == "approved"
        event = bot.store.pitch_events(pitch.id or 0)[-1]
        assert (event.user, event.channel, event.message_ts) == (EDITOR, CHANNEL, ts)
        assert bot.store.theme_examples()[-1].polarity == 1
        [update] = fake.calls("chat.update")
        assert update.args["ts"] == ts


# previews, and why a story was not pitched -------------------------------------------------


def table_counts(bot: Trendbot) -> dict[str, int]:
    tables = ("pitches", "pitch_events", "holds", "theme_examples", "thread_updates", "mutes")
    return {t: bot.store.scalar(f"SELECT count(*) FROM {t}") for t in tables}


def test_a_preview_stores_nothing_and_no_cycle_delivers_it(bot: Trendbot, clock: Clock) -> None:
    from trendbot.scheduler import Delivery

    printed: list[int | None] = []
    delivery = Delivery(bot, Secrets(), printer=lambda p: printed.append(p.id))
    delivery.deliver()  # what the cycle at NOW pitched, out of the way
    printed.clear()
    football = main_story(bot, FOOTBALL)
    before = table_counts(bot)
    queued = bot.store.scalar("SELECT queued_at FROM stories WHERE id = ?", [football.id])

    preview = bot.draft_pitch(football.id, save=False)
    assert preview.id is None and preview.created is None
    assert preview.story_id == football.id and preview.theme == "sport" and preview.draft
    assert table_counts(bot) == before  # nothing counts toward the day's pitches
    assert bot.store.scalar("SELECT queued_at FROM stories WHERE id = ?", [football.id]) == queued

    clock.now = NOW + timedelta(minutes=10)
    report = bot.pipeline.process(clock.now)
    delivery.deliver()
    assert printed == [p.id for p in report.pitched]  # the cycle's own, none from the preview
    assert table_counts(bot)["pitches"] == before["pitches"] + len(report.pitched)

    printed.clear()
    saved = bot.draft_pitch(football.id, save=True)
    assert saved.id is not None and bot.store.pitch(saved.id) is not None
    delivery.deliver()
    assert printed == [saved.id]


def test_a_preview_reads_the_company_a_story_keeps_as_the_cycle_does(bot: Trendbot) -> None:
    """A name mostly in blocked stories this week makes the cycle hold a story for a person;
    its preview said ✅ (a Tesla launch, after Tesla's crash probes were blocked)."""
    football = main_story(bot, FOOTBALL)
    assert bot.draft_pitch(football.id, save=False).safety == "safe"
    store = bot.store
    for story_id, title in ((901, "PSG supporters clash with police"), (902, "PSG fan stabbed")):
        [it] = [item(story_id, "Agence", title, 30)]
        store.save_items("news", [it])
        [[item_id]] = store.db.execute("SELECT id FROM items WHERE guid = ?", [it.guid])
        store.execute(
            "INSERT INTO stories (id, model, label, first_seen, last_seen)"
            " VALUES (?, 'm', ?, ?, ?)",
            [story_id, title, NOW.isoformat(), NOW.isoformat()],
        )
        store.execute(
            "INSERT INTO story_items (item_id, model, story_id, similarity) VALUES (?, 'm', ?, 1)",
            [item_id, story_id],
        )
        store.hold(
            story_id, "blocked", "deaths and violence: 'stabbed'", now=NOW, brand="Maison Brioche"
        )
    preview = bot.draft_pitch(football.id, save=False)
    assert preview.safety == "caution", preview.safety_reason
    assert preview.safety_reason.startswith("PSG: 2 of the 2 stories naming it this week were")


def test_trendbot_search_finds_the_stories_whose_headlines_say_the_words(bot: Trendbot) -> None:
    from click.testing import CliRunner

    from trendbot.cli import cli

    football = main_story(bot, FOOTBALL)
    # every word, as whole words, any case or accent: "Sacré" finds "sacré", "champion" is not
    # "champions"
    assert [v.id for v in bot.stories_saying("SACRE Champion")] == [football.id]
    assert bot.stories_saying("PSG championne") == []
    where = ["--config", str(bot.settings.config_path), "--db", bot.store.path]
    result = CliRunner().invoke(cli, [*where, "search", "PSG", "Inter"])
    assert result.exit_code == 0, result.output
    row = next(
        line for line in result.stdout.splitlines() if line.strip().startswith(f"{football.id} ")
    )
    assert "2025-07-15" in row  # when it was last seen, for a replay's months
    result = CliRunner().invoke(cli, [*where, "search", "xyzzy"])
    assert result.exit_code == 0 and result.stdout.strip() == (
        "Aucune actu n'a de titre qui dise 'xyzzy'."
    )


def test_trendbot_pitch_previews_unless_saved(bot: Trendbot) -> None:
    from click.testing import CliRunner

    from trendbot.cli import cli

    football = main_story(bot, FOOTBALL)
    where = ["--config", str(bot.settings.config_path), "--db", bot.store.path]
    before = table_counts(bot)
    result = CliRunner().invoke(cli, [*where, "pitch", str(football.id)])
    assert result.exit_code == 0, result.output
    # the fixture's news is of 2025: previewed as of its end, and said so on stderr
    assert result.stderr.startswith("replayed data: drafting as of")
    # a story the replay last scored before the data's end is previewed as of then, when its
    # card's figures were made: a doorbell maker's November story was dated December 31
    end = bot.data_end()
    assert end is not None
    scored = end - timedelta(days=20)
    bot.store.db.execute(
        "UPDATE stories SET scored_at = ? WHERE id = ?", [scored.isoformat(), football.id]
    )
    earlier = CliRunner().invoke(cli, [*where, "pitch", str(football.id)])
    assert earlier.stderr.startswith(
        f"replayed data: drafting as of {scored:%Y-%m-%d %H:%M} UTC, when the replay last scored"
    ), earlier.stderr
    assert f"{scored:%Y-%m-%d %H:%M}" in earlier.stdout  # the card's date
    lines = result.stdout.strip().splitlines()
    assert "📈 Proposition" in lines[0] and "n°" not in lines[0]  # the card, with no pitch id
    assert "Pourquoi maintenant" in result.output
    assert lines[-1] == (
        "Aperçu seulement : rien n'est enregistré ni mis en file. "
        f"`trendbot pitch {football.id} --save` le met en file."
    )
    assert table_counts(bot) == before

    clock, bot.pipeline.clock = bot.pipeline.clock, lambda: scored
    preview = bot.draft_pitch(football.id, save=False)  # as the CLI drafts it
    bot.pipeline.clock = clock
    result = CliRunner().invoke(cli, [*where, "pitch", str(football.id), "--save"])
    assert result.exit_code == 0, result.output
    saved = max(bot.store.pitches(story_id=football.id), key=lambda p: p.id or 0)
    assert saved.state == "proposed" and f"Proposition #{saved.id}" in result.output
    # saved as previewed (drafted as of when the replay last scored it), for today's pitches
    assert result.stderr.startswith(f"replayed data: drafting as of {scored:%Y-%m-%d %H:%M}")
    assert (saved.theme, saved.draft, saved.hashtags) == (
        preview.theme,
        preview.draft,
        preview.hashtags,
    )
    assert saved.created is not None and saved.created > end  # saved now, never dated back
    last = result.output.strip().splitlines()[-1]
    assert last.startswith(f"Enregistrée comme proposition n°{saved.id} : elle compte dans les")
    assert table_counts(bot)["pitches"] == before["pitches"] + 1


def test_every_rising_story_not_pitched_says_why(bot: Trendbot) -> None:
    from click.testing import CliRunner

    from trendbot.cli import cli

    shooting = main_story(bot, SHOOTING)
    rising = [v for v in bot.top_stories(20) if v.state in ("rising", "peaking")]
    assert shooting.id in {v.id for v in rising}
    for view in rising:
        assert (view.pitch_id is None) != (view.held is None), view
    assert shooting.pitch_id is None and shooting.held is not None
    assert shooting.held.reason == "blocked" and shooting.held.detail == shooting.safety_reason

    where = ["--config", str(bot.settings.config_path), "--db", bot.store.path]
    result = CliRunner().invoke(cli, [*where, "trends", "--json"])
    assert result.exit_code == 0, result.output
    found = {v["id"]: v for v in json.loads(result.stdout)}
    assert found[shooting.id]["why_not"] == f"bloqué : {shooting.safety_reason.rstrip('.')}"
    assert found[shooting.id]["held"]["reason"] == "blocked"
    for view in rising:
        expected = f"proposé n°{view.pitch_id}" if view.pitch_id else found[view.id]["why_not"]
        assert found[view.id]["why_not"] == expected and expected

    result = CliRunner(env={"COLUMNS": "200"}).invoke(cli, [*where, "trends"])
    assert result.exit_code == 0, result.output
    assert "Pourquoi pas proposé" in result.output
    [line] = [x for x in result.output.splitlines() if shooting.label[:30] in x]
    assert "bloqué : " in line

    # `held` says which theme a story that fits or nearly fits does: "Fit a theme" named none
    brand = bot.settings.brand
    fitting = [v for v in bot.top_stories(20) if v.themes and v.pitch_id is None]
    for v in fitting:  # held for the day's limit, as on a busy day
        bot.store.hold(v.id, "daily_limit", "All made.", now=bot.now(), brand=brand.name)
    groups = bot.held(since=bot.now() - timedelta(days=7), brand=brand)
    names = {t.name for t in brand.themes}
    assert any(groups[:2]), groups
    assert all(h.theme in names and h.fit > 0 for group in groups[:2] for h in group)
    assert all(not h.theme for h in groups[2])


def test_slack_pitch_is_a_preview_unless_saved_and_why_says_why_not(bot: Trendbot) -> None:
    from slackkit import command_body, dispatch

    from trendbot.slack.app import make_app
    from trendbot.slack.poster import make_client

    football, shooting = main_story(bot, FOOTBALL), main_story(bot, SHOOTING)
    secrets = Secrets(slack_bot_token=SecretStr(TOKEN), slack_signing_secret=SecretStr(SECRET))
    with FakeSlack() as fake:
        client = make_client(secrets, base_url=fake.url)
        app = make_app(bot, secrets, client=client, process_before_response=True)

        def ask(text: str) -> str:
            count = len(fake.calls("response"))
            url = fake.response_url(f"r{count}")
            assert dispatch(app, command_body(text, response_url=url)).status == 200
            return str(fake.wait_for("response", count + 1)[count].args["text"])

        before = table_counts(bot)
        preview = ask(f"pitch {football.id}")
        assert preview.startswith("👀 *Aperçu :* une proposition sur *")
        assert preview.endswith(f"tapez `/trend pitch {football.id} save`._")
        assert table_counts(bot) == before and not fake.calls("chat.postMessage")

        queued = ask(f"pitch {football.id} save")
        [saved] = bot.store.pitches(story_id=football.id, limit=1)
        assert queued.startswith(f"En file : la proposition n°{saved.id} sur *")
        assert len(fake.calls("chat.postMessage")) >= 1

        answer = json.loads(dispatch(app, command_body(f"why {shooting.id}")).body)
        reason = shooting.safety_reason.rstrip(".")
        assert f"*Pas proposé :* bloqué (sécurité de la marque) : {reason}" in answer["text"]
        answer = json.loads(dispatch(app, command_body(f"why {football.id}")).body)
        assert f"*Proposé :* proposition n°{saved.id}" in answer["text"]


def test_a_decision_is_learnt_once_even_by_a_matcher_built_just_now(bot: Trendbot) -> None:
    """After a restart or a `/trend theme add` the matcher is built on first use, from the
    stored examples: the decision's own example must not be counted a second time."""
    heatwave = main_story(bot, HEATWAVE)
    pitch = bot.draft_pitch(heatwave.id)
    bot.pipeline.brain.reconfigure(bot.settings)  # as a feeds.yaml reload does
    bot.decide(pitch.id or 0, "approve", user="U0EDITOR")
    state = bot.pipeline.brain.matcher._state
    labels = [label for prototypes in state.positive for label in prototypes.labels]
    learnt = [label for label in labels if label.startswith(f"approved '{pitch.story_label[:30]}")]
    assert len(learnt) == 1, learnt
    assert len(bot.store.theme_examples()) == 1


def test_a_brand_held_from_before_a_reload_gets_the_new_themes(bot: Trendbot) -> None:
    """A Slack handler may hold the brand as it was when a `/trend theme add` reloads
    feeds.yaml: the matcher it builds, and caches, must be the new themes'."""
    brain = bot.pipeline.brain
    old = bot.settings.brand
    added = ThemeSettings(name="jardin", description="jardinage, potager, fleurs")
    new_brand = old.model_copy(update={"themes": (*old.themes, added)})
    brain.reconfigure(bot.settings.model_copy(update={"brands": (new_brand,)}))
    names = [t.name for t in brain.matcher_of(old).themes]
    assert names[-1] == "jardin" and names == [t.name for t in brain.matcher.themes]
