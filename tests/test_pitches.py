from __future__ import annotations

import logging
import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from llmserver import LLMServer, llm_server
from pydantic import SecretStr

from trendbot.brandfit import StoryContext, pitch_input
from trendbot.drafts import PitchInput, check_draft, copied_run, terms_check
from trendbot.entities import (
    NO_USAGE,
    Usage,
    is_common_word,
    is_occasion,
    is_weather_alert,
    named_entities,
)
from trendbot.errors import PitchError
from trendbot.fit import Fit
from trendbot.lang import detect_language
from trendbot.leads import _clauses, _lead_of, hedged, story_lead
from trendbot.logs import KeyValueFormatter
from trendbot.pitches import (
    LLMWriter,
    TemplateWriter,
    _an_event,
    _articled,
    _letter_words,
    _named_here,
    _offered_angles,
    _other_fall,
    _outing,
    _selling,
    _sentence,
    _telling_first,
    _weather,
    angle_occasions,
    build_messages,
    choose_angle,
    draft_pitch,
    hashtag,
    line_of,
    lines_of,
    make_writer,
    parse_answer,
    pick_sources,
    rested_angles,
)
from trendbot.safety import Verdict
from trendbot.settings import (
    BrandSettings,
    LLMSettings,
    PitchSettings,
    SafetySettings,
    Secrets,
    ThemeSettings,
)
from trendbot.store import Store, StoredItem, StoryRow
from trendbot.themes import ThemeMatch, says_finance
from trendbot.types import Pitch, SourceLink

KEY = "sk-test-0123456789abcdef-DO-NOT-LEAK"

SPORT_FR = ThemeSettings(
    name="sport",
    description="Les grands moments de sport qui rassemblent.",
    keywords=("Roland-Garros", "Tour de France", "finale"),
    angles=(
        "Une viennoiserie pour fêter la victoire : on partage le goûter des champions",
        "Le « petit-déj des champions », version Maison Brioche",
    ),
)
SPORT_EN = ThemeSettings(
    name="sport",
    description="Big sporting moments that bring people together.",
    keywords=("Wimbledon", "Super Bowl", "final"),
    angles=("A champions' breakfast, on us", "Game day calls for a second coffee"),
)
# a theme whose texts say company finance: its stories' money headlines lead as any other
MARKETS_EN = ThemeSettings(
    name="markets", description="Stocks, earnings and the deals of the companies people know."
)
SAFETY = SafetySettings(competitors=("Starbucks",), blocked_terms=("grève", "strike"))
BRAND_FR = BrandSettings(
    name="Maison Brioche",
    language="fr",
    voice="Chaleureuse, gourmande et un brin espiègle.",
    hashtags=("#MaisonBrioche",),
    themes=(SPORT_FR,),
    safety=SAFETY,
)
BRAND_EN = BrandSettings(
    name="Bean There",
    language="en",
    voice="Warm, witty, never snarky.",
    hashtags=("#BeanThere",),
    themes=(SPORT_EN,),
    safety=SAFETY,
)
SETTINGS = PitchSettings()
LINKS = (
    SourceLink("Sinner bat Alcaraz en finale - Le Monde", "https://lemonde.fr/1", "Le Monde", "fr"),
    SourceLink("Sinner sacré à Paris", "https://lemonde.fr/2", "Le Monde", "fr"),
    SourceLink("Sinner wins the final", "https://bbc.co.uk/3", "BBC News", "en"),
    SourceLink("Roland-Garros : Sinner sacré", "https://lequipe.fr/4", "L'Équipe", "fr"),
    SourceLink("Sinner beats Alcaraz", "https://nytimes.com/5", "The New York Times", "en"),
)


def story(story_id: int = 7, theme: ThemeSettings = SPORT_FR, **kw: object) -> PitchInput:
    base = PitchInput(
        story_id=story_id,
        label="Sinner wins the Roland-Garros final against Alcaraz",
        titles=tuple(link.title for link in LINKS),
        keywords=("Sinner", "Alcaraz", "Roland-Garros", "finale"),
        links=LINKS,
        languages=("fr", "en"),
        why_now="9 sources en 90 min, ×5 le rythme habituel",
        score=7.5,
        sparkline="▁▁▂▅█",
        theme=theme,
        relevance=0.82,
        theme_evidence="mentions 'Roland-Garros'",
        safety="safe",
        safety_reason="",
        trending_terms=("roland garros",),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def llm_settings(server: LLMServer, model: str = "good", timeout: float = 5.0) -> PitchSettings:
    return PitchSettings(llm=LLMSettings(base_url=server.base_url, model=model, timeout=timeout))


def llm_writer(settings: PitchSettings) -> LLMWriter:
    writer = make_writer(settings, Secrets(llm_api_key=SecretStr(KEY)))
    assert isinstance(writer, LLMWriter)
    return writer


WORD_RUN = 8
ENGLISH_ONLY = (
    "Taylor Swift announces her new album The Life of a Showgirl",
    "Taylor Swift and Travis Kelce are engaged, the singer says on Instagram - BBC News",
    "Why Taylor Swift fans are decoding every detail of the Showgirl album",
    "Travis Kelce opens up about Taylor Swift on his podcast",
)
GOLD = (
    "Gold Prices Hit Record High as Dollar Weakens",
    "Gold breaks $3,500 for the first time - Reuters",
    "Gold hits a record high as Fed rate cut bets grow",
)


def english_story(story_id: int = 5, theme: ThemeSettings = SPORT_FR, **kw: object) -> PitchInput:
    links = tuple(
        SourceLink(t, f"https://news.example/{i}", "BBC", "en") for i, t in enumerate(ENGLISH_ONLY)
    )
    return story(
        story_id,
        theme=theme,
        label=ENGLISH_ONLY[0],
        titles=ENGLISH_ONLY,
        links=links,
        languages=("en",),
        keywords=("Swift", "album", "Showgirl"),
        trending_terms=(),
        **kw,
    )


def word_runs(text: str, n: int = WORD_RUN) -> set[str]:
    words = re.findall(r"[^\W_]+", text.casefold())
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


def body(pitch: Pitch) -> str:
    return pitch.draft.split("\n\n")[0]


@pytest.fixture
def logs() -> Iterator[list[str]]:
    """Every log line trendbot and httpx write during the test, formatted as in production."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect(logging.DEBUG)
    handler.setFormatter(KeyValueFormatter())
    loggers = [logging.getLogger(name) for name in ("trendbot", "httpx", "httpcore")]
    saved = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    yield lines
    for lg, level in zip(loggers, saved, strict=True):
        lg.removeHandler(handler)
        lg.setLevel(level)


def assert_no_key(pitch: Pitch, logs: list[str]) -> None:
    for f in fields(pitch):
        assert KEY not in repr(getattr(pitch, f.name)), f.name
    assert logs, "expected some log lines to search"
    assert not [line for line in logs if KEY in line]


# template writer ---------------------------------------------------------------------------------


@pytest.mark.parametrize("brand", [BRAND_FR, BRAND_EN], ids=["fr", "en"])
@pytest.mark.parametrize("max_chars", [280, 120, 50])
def test_template_drafts_fit_the_limit_with_2_to_4_hashtags(
    brand: BrandSettings, max_chars: int
) -> None:
    settings = PitchSettings(max_chars=max_chars)
    for story_id in range(10):
        for s in (story(story_id, theme=brand.themes[0]), english_story(story_id, brand.themes[0])):
            pitch = draft_pitch(s, brand, settings)
            assert len(pitch.draft) <= max_chars
            assert 2 <= len(pitch.hashtags) <= 4
            assert all(tag.startswith("#") and " " not in tag for tag in pitch.hashtags)
            assert pitch.angle in (*brand.themes[0].angles, "")
            assert check_draft(pitch.draft, max_chars=max_chars, allowed_mentions=()) == []
            assert pitch.writer == "template"
            assert pitch.writer_note == ""


@pytest.mark.parametrize("brand", [BRAND_FR, BRAND_EN], ids=["fr", "en"])
def test_template_drafts_never_copy_8_words_of_a_headline(brand: BrandSettings) -> None:
    for story_id in range(8):
        for s in (story(story_id, theme=brand.themes[0]), english_story(story_id, brand.themes[0])):
            pitch = draft_pitch(s, brand, SETTINGS)
            runs = word_runs(pitch.draft)
            assert not [t for t in s.titles if runs & word_runs(t)], pitch.draft
            assert copied_run(pitch.draft, s.titles) == ""


def test_a_french_brand_tells_an_english_only_story_in_french_by_its_names() -> None:
    for story_id in range(8):
        pitch = draft_pitch(english_story(story_id), BRAND_FR, SETTINGS)
        text = body(pitch)
        assert "Taylor Swift" in text
        assert detect_language(text) == "fr", text
        for title in ENGLISH_ONLY:  # not even a quoted piece of an English headline
            assert not word_runs(text, 4) & word_runs(title, 4), text
        # the theme's name is no scene ("ambiance sport" told a designer nothing)
        assert "Taylor Swift" in pitch.visual and "sport" not in pitch.visual
    first = draft_pitch(english_story(0), BRAND_FR, SETTINGS)
    assert first.draft.startswith("Tout le monde parle de Taylor Swift et Travis Kelce")
    assert first.hashtags[:2] == ("#TaylorSwift", "#TravisKelce")


def test_an_english_brand_tells_a_french_story_by_its_names() -> None:
    titles = ("Sinner bat Alcaraz en finale à Roland-Garros", "Sinner sacré à Paris face à Alcaraz")
    s = story(3, theme=SPORT_EN, titles=titles, languages=("fr",), trending_terms=())
    pitch = draft_pitch(s, BRAND_EN, SETTINGS)
    assert body(pitch).startswith("Today's feeds are all about Sinner and Alcaraz.")
    assert detect_language(body(pitch)) == "en"
    assert pitch.hashtags == ("#Sinner", "#Alcaraz", "#BeanThere")


def test_hashtags_are_names_never_a_capitalised_common_word() -> None:
    s = story(2, titles=GOLD, label=GOLD[0], keywords=("Gold", "High", "Breaks"), trending_terms=())
    pitch = draft_pitch(s, BRAND_EN, SETTINGS)
    assert not {"#High", "#First", "#Breaks", "#Gold", "#Record"} & set(pitch.hashtags)
    assert "#BeanThere" in pitch.hashtags  # the brand's own tags stay
    assert all(not is_common_word(t) for t in pitch.hashtags if t != "#BeanThere")
    for word in ("#High", "#First", "#Breaks", "#Sport", "high"):
        assert is_common_word(word)
    for word in ("#TaylorSwift", "#NBA", "#Alcaraz", "#iPhone", "Roland-Garros"):
        assert not is_common_word(word)


def test_the_brands_own_hashtag_is_kept_written_with_or_without_its_hash() -> None:
    """feeds.yaml may list `hashtags: [Dewdrop]`: one word the headlines never name is still
    the brand's own tag, not a common word to drop."""
    for written in ("#Dewdrop", "Dewdrop", "dewdrop"):
        brand = BRAND_EN.model_copy(update={"hashtags": (written,)})
        assert "#Dewdrop" in draft_pitch(story(5, theme=SPORT_EN), brand, SETTINGS).hashtags


def test_the_streams_usage_decides_a_one_word_tag_when_it_has_seen_the_word() -> None:
    """ "Crypto" opens two of a story's headlines, which alone would make it a name; the stream
    writes "crypto" in lower case, so it is a word. "Nvidia" in Title Case headlines proves
    nothing there; the stream always capitalises it, so it is a name."""
    stream = Usage.of([
        "Senators push a crypto bill before the recess", "Why the crypto market slid again",
        "Banks warm to crypto custody as rules ease", "Chipmaker Nvidia to invest in startups",
        "Investors pile into Nvidia ahead of earnings", "Apple and Nvidia lead a tech rally",
    ])  # fmt: skip
    crypto = ("Crypto liquidations near $2 billion as bitcoin rout deepens",
              "Crypto markets slide as bitcoin falls below $85,000")  # fmt: skip
    nvidia = ("Nvidia Shares May Plunge After Results", "Nvidia Earnings Week Is Here",
              "Experts Predict A Big Jump For Nvidia")  # fmt: skip
    for titles, tag in ((crypto, "#Crypto"), (nvidia, "#Nvidia")):
        s = story(9, theme=SPORT_EN, titles=titles, label=titles[0], keywords=(),
                  trending_terms=(), links=(), languages=("en",))  # fmt: skip
        alone = draft_pitch(s, BRAND_EN, SETTINGS).hashtags
        told = draft_pitch(replace(s, usage=stream), BRAND_EN, SETTINGS).hashtags
        assert (tag in alone, tag in told) == ((True, False) if tag == "#Crypto" else (False, True))


def test_a_nationality_tells_what_happened_but_is_no_subject_nor_tag() -> None:
    """ "Hard to scroll past Brazilian right now" and #Venezuelans say nothing: a nationality
    is no subject of a hook nor a tag, though a lead may still tell what happened with it."""
    hook = ("Venezuelan fans flock to the stadium", "Stadium packed as Venezuelan fans arrive")
    s = story(5, theme=SPORT_EN, titles=hook, label=hook[0], trending_terms=(), links=(),
              languages=("en",))  # fmt: skip
    pitch = draft_pitch(s, BRAND_EN, SETTINGS)
    assert "#Venezuelan" not in pitch.hashtags and "past Venezuelan" not in body(pitch)
    lead = ("Judge blocks deportation of Guatemalan migrant children",
            "Guatemalan children win reprieve from deportation")  # fmt: skip
    s = story(6, theme=SPORT_EN, titles=lead, label=lead[0], trending_terms=(), links=(),
              languages=("en",))  # fmt: skip
    pitch = draft_pitch(s, BRAND_EN, SETTINGS)
    assert body(pitch).startswith("Judge blocks deportation of Guatemalan migrant children.")
    assert "#Guatemalan" not in pitch.hashtags


def test_named_entities_recur_across_headlines() -> None:
    assert named_entities(ENGLISH_ONLY)[:2] == ["Taylor Swift", "Travis Kelce"]
    assert named_entities(GOLD) == []  # Title Case and sentence starts are not names
    assert named_entities(tuple(link.title for link in LINKS))[:2] == ["Sinner", "Alcaraz"]
    assert named_entities(("La Chandeleur arrive", "Chandeleur : les crêpes sont de sortie")) == [
        "Chandeleur"
    ]


def test_the_angle_is_the_one_that_fits_or_none() -> None:
    win = ("Les Bleus champions du monde de rugby", "Rugby : les champions fêtent la victoire")
    fits = story(4, titles=win, trending_terms=())
    assert choose_angle(fits, BRAND_FR) == SPORT_FR.angles[0]  # shares "champions", "victoire"
    pitch = draft_pitch(fits, BRAND_FR, SETTINGS)
    assert pitch.angle == SPORT_FR.angles[0]
    assert "goûter des champions" in pitch.draft and "goûter des champions" in pitch.visual
    # Gold prices matched to "sport" by mistake: no angle is forced on them.
    gold = story(4, titles=GOLD, label=GOLD[0], trending_terms=())
    pitch = draft_pitch(gold, BRAND_FR, SETTINGS, encode=bag_of_words)
    assert pitch.angle == ""
    assert "Maison Brioche" in pitch.draft and "champion" not in pitch.draft
    assert "vous" in pitch.draft  # the brand's voice does not say "tutoie"
    tutoie = BRAND_FR.model_copy(update={"voice": "On tutoie, on fait sourire."})
    assert "toi" in draft_pitch(gold, tutoie, SETTINGS).draft


def test_with_no_angle_the_draft_closes_on_one_of_the_brand_s_sign_offs() -> None:
    lines = ("Le café est servi, la suite aussi.", "On en parle au comptoir ?")
    brand = BRAND_FR.model_copy(update={"sign_offs": lines})
    gold = story(4, titles=GOLD, label=GOLD[0], trending_terms=())
    pitch = draft_pitch(gold, brand, SETTINGS, encode=bag_of_words)
    assert pitch.angle == "" and body(pitch).endswith(lines[4 % 2])
    win = ("Les Bleus champions du monde de rugby", "Rugby : les champions fêtent la victoire")
    pitch = draft_pitch(story(4, titles=win, trending_terms=()), brand, SETTINGS)
    assert pitch.angle == SPORT_FR.angles[0] and not any(line in pitch.draft for line in lines)
    _, user = build_messages(gold, brand, SETTINGS)
    assert all(f"- {line}" in user["content"] for line in lines)


def test_a_line_that_ends_on_an_emoji_gets_no_full_stop_after_it() -> None:
    lines = ("See you at the counter ☕", "Mugs up ❤️")  # the heart with its variation selector
    brand = BRAND_EN.model_copy(update={"sign_offs": lines})
    gold = story(4, titles=GOLD, label=GOLD[0], trending_terms=())
    for story_id in (4, 5):
        text = body(draft_pitch(replace(gold, story_id=story_id), brand, SETTINGS))
        assert text.endswith(lines[story_id % 2]), text
    # a skin tone or a keycap is part of its emoji; a degree or a trademark sign is no emoji
    assert [_sentence(t) for t in ("Cheers 👍🏽", "Top 1️⃣", "Brewed at 96°", "Ultra™")] == [
        "Cheers 👍🏽", "Top 1️⃣", "Brewed at 96°.", "Ultra™."
    ]  # fmt: skip


def test_weather_news_with_no_angle_closes_on_a_word_of_care_not_a_debate() -> None:
    """ "Where do you stand?" on a snowstorm asks for sides where there are none: with no angle
    and no sign-off of its own, a brand tells people to take care, in its language and voice."""
    seasons = ThemeSettings(name="seasons", description="The weather and the seasons.")
    snow = ("Winter storm brings heavy snow and dangerous cold to the Midwest",
            "Snowstorm closes schools across the Midwest")  # fmt: skip
    cold = story(4, theme=seasons, titles=snow, label=snow[0], trending_terms=(), links=(),
                 languages=("en",))  # fmt: skip
    assert body(draft_pitch(cold, BRAND_EN, SETTINGS)).endswith(
        "Stay warm and safe out there, everyone."
    )
    heat = ("Heat wave breaks records as humidity soars", "Heatwave: cities open cooling centres")
    hot = replace(cold, story_id=5, titles=heat, label=heat[0])
    assert body(draft_pitch(hot, BRAND_EN, SETTINGS, specific=True)) == (
        "Heat wave breaks records as humidity soars. Keep cool, and check on your neighbors."
    )
    # a word said twice is not weather news: the team, the studio, the idiom
    for other in (
        ("Heat beat Knicks as Heat fans celebrate", "Butler leads Miami Heat past NY"),
        ("Blizzard lays off 200 staff", "Blizzard cancels its survival game"),
        ("Mbappé garde son sang-froid", "Le sang-froid de Mbappé fait la différence"),
        ("Winter menu brings back cold foam drinks", "Cold brew joins the winter menu"),
        ("Gritty drama gets cold reviews - Storm Lake Times", "Critics cold on gritty drama"),
    ):
        line = draft_pitch(replace(cold, titles=other, label=other[0]), BRAND_EN, SETTINGS).draft
        assert "out there" not in line and "neighbors" not in line, line
    fr = ("Neige et verglas : la Bretagne en alerte", "Froid et neige attendus en Bretagne")
    brittany = replace(cold, titles=fr, label=fr[0], languages=("fr",))
    line = body(draft_pitch(brittany, BRAND_FR, SETTINGS)).rsplit(". ", 1)[-1]
    assert line == "Restez bien au chaud et prenez soin de vous."
    # "summer" and "iced" sell coffee: a menu is no weather news
    menu = ("Summer menu brings iced lattes back", "Iced drinks return for summer")
    drinks = replace(cold, titles=menu, label=menu[0])
    assert "out there" not in draft_pitch(drinks, BRAND_EN, SETTINGS).draft
    # the brand's own sign-offs still come first, but for a storm people are warned of
    own = BRAND_EN.model_copy(update={"sign_offs": ("Pour a cup and tell us.",)})
    first = ("First snow of the season falls on the Midwest", "Snowfall blankets the Midwest")
    flakes = replace(cold, titles=first, label=first[0])
    assert body(draft_pitch(flakes, own, SETTINGS)).endswith("Pour a cup and tell us.")
    assert body(draft_pitch(cold, own, SETTINGS)).endswith(
        "Stay warm and safe out there, everyone."
    )


def test_after_a_setback_the_draft_closes_on_a_stock_line_not_a_cheery_one() -> None:
    """ "Tesla profit falls short. Your wallet says thanks." mocks: after a lead that tells of a
    setback, a brand's sign-off gives way to a stock line that joins the conversation, and only
    an angle that shares the story's words stays."""
    lines = ("Your wallet says thanks.", "Game on, cup in hand.")
    brand = BRAND_EN.model_copy(update={"sign_offs": lines})
    loss = ("Tesla profit falls short despite record sales", "Tesla profit falls as prices drop")
    pitch = draft_pitch(story(4, theme=MARKETS_EN, titles=loss, label=loss[0], trending_terms=(),
                              links=(), languages=("en",)), brand, SETTINGS)  # fmt: skip
    assert body(pitch).startswith("Tesla profit falls short")
    assert not any(line in pitch.draft for line in lines) and "Bean There" in pitch.draft
    hit = ("GM to take $1.6Bn hit as tax incentives end", "GM takes a $1.6 billion hit")
    pitch = draft_pitch(story(4, theme=MARKETS_EN, titles=hit, label=hit[0], trending_terms=(),
                              links=(), languages=("en",)), brand, SETTINGS)  # fmt: skip
    assert body(pitch).startswith("GM to take $1.6Bn hit") and lines[0] not in pitch.draft
    # a win keeps the brand's own line; a delayed parade keeps the angle that names its champions
    win = ("Tesla profit beats forecasts on record sales", "Tesla profit beats estimates")
    pitch = draft_pitch(story(4, theme=MARKETS_EN, titles=win, label=win[0], trending_terms=(),
                              links=(), languages=("en",)), brand, SETTINGS)  # fmt: skip
    assert body(pitch).endswith(lines[0])
    # the lead tells the good half, the story's headline the setback after it
    mixed = ("Lowe's beats on quarterly sales, but lowers full-year profit forecast",
             "Lowe's beats on sales")  # fmt: skip
    pitch = draft_pitch(story(4, theme=MARKETS_EN, titles=mixed, label=mixed[0],
                              trending_terms=(), links=(), languages=("en",)), brand,
                        SETTINGS)  # fmt: skip
    assert body(pitch).startswith("Lowe's beats on quarterly sales.")
    assert lines[0] not in pitch.draft
    # a setback word elsewhere in the story's headline is no setback of the lead's good news
    delay = ("Dodgers win World Series after Game 7 rain delay", "Dodgers win the World Series")
    pitch = draft_pitch(story(4, theme=MARKETS_EN, titles=delay, label=delay[0], trending_terms=(),
                              links=(), languages=("en",)), brand, SETTINGS)  # fmt: skip
    assert any(line in pitch.draft for line in lines), pitch.draft
    # ...and with no lead at all (Title Case headlines), the hook names a company that closes
    shut = ("Kroger Closing Automated Fulfillment Facilities", "Kroger To Close Three Sites")
    pitch = draft_pitch(story(4, theme=MARKETS_EN, titles=shut, label=shut[0], trending_terms=(),
                              links=(), languages=("en",)), brand, SETTINGS)  # fmt: skip
    assert "Kroger" in body(pitch) and not any(line in pitch.draft for line in lines)
    rain = ("Rain delays the champions' parade in Paris", "Champions' parade delayed by rain")
    pitch = draft_pitch(story(6, theme=SPORT_EN, titles=rain, label=rain[0], trending_terms=(),
                              links=(), languages=("en",)), brand, SETTINGS)  # fmt: skip
    assert body(pitch).startswith("Rain delays the champions' parade")
    assert pitch.angle == SPORT_EN.angles[0]
    # the subject's name alone is no word of the news: a delay is no "shiny new iPhone"
    shiny = "Shiny new iPhone, same tiny bill."
    phones = ThemeSettings(name="phones", description="New phones.", keywords=("iPhone",),
                           angles=(shiny,))  # fmt: skip
    later = ("Apple delays next version of iPhone Air, report says",
             "Weak sales delay next iPhone Air model, report claims")  # fmt: skip
    for n in range(3):
        pitch = draft_pitch(story(n, theme=phones, titles=later, label=later[0],
                                  trending_terms=(), links=(), languages=("en",)), brand,
                            SETTINGS)  # fmt: skip
        assert body(pitch).startswith("Apple delays next version of iPhone Air"), body(pitch)
        assert shiny not in pitch.draft, pitch.draft


def test_a_missed_forecast_or_losses_are_setbacks_a_title_is_not() -> None:
    lines = ("Your next project starts here.",)
    brand = BRAND_EN.model_copy(update={"sign_offs": lines})

    def closing(*titles: str) -> str:
        s = story(4, theme=MARKETS_EN, titles=titles, label=titles[0], trending_terms=(),
                  links=(), languages=("en",))  # fmt: skip
        return body(draft_pitch(s, brand, SETTINGS))

    assert lines[0] not in closing("Oracle stock reacts to Q2 revenue miss")
    assert lines[0] not in closing("South Korea stocks lead losses across Asia")
    assert lines[0] in closing("Miss Universe crowned in Bangkok tonight")
    assert lines[0] not in closing("Home Depot cuts earnings outlook as demand falls short")
    assert lines[0] not in closing("Lowe's lowers full-year profit forecast")
    assert lines[0] in closing("Walmart cuts prices on toys for the holidays")
    # ...each read within its clause, and neither an analyst's price target nor a lower
    # forecast of a bad thing
    assert lines[0] in closing("Walmart cuts prices, lifts outlook")
    assert lines[0] in closing("BoE lowers inflation outlook as prices cool")
    assert lines[0] in closing("Dow rises, oil prices drop")
    assert lines[0] in closing("Wedbush raises Tesla price target to $600")
    # a price that goes up is bad news for whoever pays it
    assert lines[0] not in closing("Microsoft hikes price of Xbox Game Pass")
    assert lines[0] not in closing("Apple TV+ price jumps 30% to $12.99 monthly")
    assert lines[0] not in closing("Tesla hikes lease prices across the US")
    # a game shop's "Sony hikes PlayStation 5 prices. Come talk games with us…": a name between
    assert lines[0] not in closing("Sony hikes PlayStation 5 prices in the US")
    assert lines[0] in closing("Sales jump on lower prices")  # not a name between
    assert lines[0] in closing("Retail sales rise on holiday price cuts")
    assert lines[0] in closing("Disney raises dividend and buybacks")
    # ...not what an asset is worth, nor prices that cool
    assert lines[0] in closing("Apple stock price jumps after the iPhone event")
    assert lines[0] in closing("Walmart cuts prices as holiday sales jump")
    # closing sites: people lose their store or their work; not a market that closes higher
    assert lines[0] not in closing("Kroger closing automated fulfillment facilities")
    assert lines[0] not in closing("Target to close nine stores in four states")
    assert lines[0] in closing("Dow closes higher as tech rallies")
    assert lines[0] in closing("Olympics closing ceremony dazzles Paris")
    # ...nor a holiday's hours, a count of stores, a reopening
    assert lines[0] in closing("Walmart is closing stores early for Thanksgiving")
    assert lines[0] in closing("Is Costco closed on Thanksgiving? Store hours and schedule")
    assert lines[0] in closing("Close to 100 new stores to open across the country")
    assert lines[0] in closing("Closed stores reopen after the storm")
    # a word that only tells a slump counts in the story's headline too, when the lead is not
    # told (Title Case) or tells the good half; not in the clause of its cause
    assert lines[0] not in closing("International Travel Downturn May Last Beyond Summer")
    assert lines[0] not in closing("Retail Sales Growth Slumps In Blow To Economy")
    assert lines[0] not in closing("Casino Files For Bankruptcy Again.")
    assert lines[0] in closing("Stocks Rebound After Early Plunge")
    assert lines[0] in closing("Despite Downturn, Costco Posts Record Sales")
    # ...nor the end of a slump, a price or a bad thing that falls, a dip
    assert lines[0] in closing("Yankees Snap Slump With Walk-Off Win")
    assert lines[0] in closing("Spirit Airlines Emerges From Bankruptcy")
    assert lines[0] in closing("Gas Prices Plummet Ahead Of Thanksgiving Travel")
    assert lines[0] in closing("Inflation Slowdown Brings Relief To Shoppers")
    assert lines[0] in closing("Polar Plunge Raises $100,000 For Special Olympics")
    assert lines[0] in closing("Plunge In Gas Prices Boosts Holiday Travel")
    assert lines[0] in closing("Crime Plummets In Big Cities This Year")
    assert lines[0] in closing("Layoffs Slow As Hiring Picks Up")
    assert lines[0] not in closing("Town Reeling From Layoffs At Its Biggest Plant")
    # falling test scores: "Study break? Make it a vocab break." read as cashing in on them
    assert lines[0] not in closing(
        "US high school students lose ground in math and reading, continuing yearslong decline"
    )
    assert lines[0] not in closing("Mall Traffic Continues Its Long Decline")
    assert lines[0] in closing("Mortgage Rates Decline For A Third Week")  # good for buyers
    assert lines[0] not in closing("Mall traffic declined for a third year")
    # "declines to": refuses
    assert lines[0] in closing("Senator Declines To Comment On The Deal")
    assert lines[0] in closing("Senator declining to comment on the deal, aides say")


def test_a_lead_cut_before_a_second_verb_gives_way_to_another_headlines_whole_clause() -> None:
    """ "…revamps Xbox Game Pass plans | and hikes Ultimate…" leaves out the price hike, the
    news: another headline that tells it whole opens the draft."""
    titles = ("Microsoft revamps Xbox Game Pass plans and hikes Ultimate to $29.99 a month",
              "Microsoft hikes price of Xbox Game Pass to $29.99")  # fmt: skip
    s = story(4, theme=SPORT_EN, titles=titles, label=titles[0], trending_terms=(), links=(),
              languages=("en",))  # fmt: skip
    assert body(draft_pitch(s, BRAND_EN, SETTINGS)).startswith(
        "Microsoft hikes price of Xbox Game Pass."
    )


def test_a_sign_off_rests_after_use_then_the_oldest_comes_back() -> None:
    """Two sign-offs, nine posts: not the same line on most of them. A sign-off the brand used
    in the last two weeks gives way to the other; when both ran, the older one comes back."""
    lines = ("Home is what you make it.", "Your next project starts here.")
    brand = BRAND_EN.model_copy(update={"sign_offs": lines})
    titles = ("Gold hits a record high as the dollar weakens", "Gold breaks $3,500 an ounce")
    gold = story(4, theme=SPORT_EN, titles=titles, label=titles[0], trending_terms=(), links=(),
                 languages=("en",))  # fmt: skip
    first = body(draft_pitch(gold, brand, SETTINGS))
    used = next(line for line in lines if line in first)
    other = lines[1 - lines.index(used)]
    assert other in body(draft_pitch(replace(gold, recent_angles=(used,)), brand, SETTINGS))
    both = replace(gold, recent_angles=(other, used))  # newest first: `used` ran longest ago
    assert used in body(draft_pitch(both, brand, SETTINGS))
    # the prompt still offers every sign-off and bans none of them
    _, user = build_messages(both, brand, SETTINGS)
    assert "never again" not in user["content"]
    # a stored pitch closed by a sign-off rests it as an angle would
    now = datetime(2025, 9, 2, 12, 0, tzinfo=UTC)
    pitch = replace(draft_pitch(gold, brand, SETTINGS), created=now - timedelta(days=3))
    assert rested_angles([pitch], now=now, sign_offs=lines) == (used,)
    assert rested_angles([pitch], now=now + timedelta(days=14), sign_offs=lines) == ()
    # the line it ends with, the longest when one sign-off ends another, never one in the lead
    both_ways = ("Stay tuned.", "Coffee first. Stay tuned.")
    ended = replace(pitch, draft="Stay tuned for the iPhone. Coffee first. Stay tuned.\n\n#iPhone")
    assert line_of(ended, both_ways) == both_ways[1]
    assert line_of(replace(ended, draft="Stay tuned: the iPhone is here. Go."), both_ways) == ""


def test_a_stock_care_line_rests_like_a_sign_off() -> None:
    """Two snowstorms three days apart both closed on "Stay warm and safe out there, everyone."
    (a diner chain's December): a stock line the brand used in the last two weeks gives way to
    another, known in a stored pitch by its ending, the brand's name put in or not."""
    plain = BRAND_EN.model_copy(update={"themes": (SEASONS.model_copy(update={"angles": ()}),)})
    titles = ("Snowstorm and frigid cold hit Vermont", "Vermont digs out after a foot of snow")
    now = datetime(2025, 12, 8, 12, 0, tzinfo=UTC)
    storm = story(20, theme=plain.themes[0], titles=titles, label=titles[0], trending_terms=(),
                  links=(), languages=("en",))  # fmt: skip
    used: list[str] = []  # oldest first
    for n in range(4):  # same story id: without the rest, the same line every time
        pitch = draft_pitch(replace(storm, recent_angles=tuple(used[::-1])), plain, SETTINGS)
        line = line_of(replace(pitch, created=now), plain.sign_offs)
        assert line and body(pitch).endswith(line) and line not in used, (n, line, used)
        assert rested_angles([replace(pitch, created=now)], now=now, sign_offs=()) == (line,)
        used.append(line)
    # four storms, four lines; a fifth closes on the one used longest ago
    fifth = draft_pitch(replace(storm, recent_angles=tuple(used[::-1])), plain, SETTINGS)
    assert body(fifth).endswith(used[0])
    # a neutral line names the brand: known all the same
    talk = replace(fifth, draft="Big news. We're keeping an eye on it at Bean There. Where do you"
                   " stand?\n\n#BeanThere")  # fmt: skip
    assert line_of(talk, ()) == "We're keeping an eye on it at {brand}. Where do you stand?"


def test_what_happened_leads_before_what_might() -> None:
    """A story's first report may be a forecast or a rumour ("Northern lights could be visible
    in Utah" opened a post after the night's sightings): a lead that says what happened comes
    before one that says what may; a story of forecasts alone still takes one."""
    titles = ("Apple unveils its first foldable iPhone",
              "Apple reportedly plans a foldable iPhone for 2026")  # newest first  # fmt: skip
    s = story(4, theme=SPORT_EN, titles=titles, label=titles[1], trending_terms=(), links=(),
              languages=("en",))  # fmt: skip
    assert story_lead(s, BRAND_EN, ["iPhone"]) == "Apple unveils its first foldable iPhone"
    rumour = replace(s, titles=titles[1:], label=titles[1])
    assert story_lead(rumour, BRAND_EN, ["iPhone"]) == "Apple reportedly plans a foldable iPhone"
    # in weather news the forecast is the news: it keeps its place among the headlines
    storm = ("Next snow event Friday night through Saturday from MSP southward",
             "Michigan Weather Video: Focus turns to next imminent snowstorm",
             "Snowstorm on Saturday could drop 10+ inches on Chicago area")  # fmt: skip
    snow = replace(s, titles=storm, label=storm[2])
    assert story_lead(snow, BRAND_EN, [], weather=True) == (
        "Snowstorm on Saturday could drop 10+ inches"
    )
    assert story_lead(snow, BRAND_EN, []) == "Focus turns to next imminent snowstorm"
    # a date, a kind of voter and a forecast met are no guess
    assert not hedged("Taylor Swift tour starts May 5") and not hedged("Likely voters turn out")
    assert not hedged("Fed cuts rates as expected") and not hedged("Sales beat than expected")
    assert hedged("Gold could, analysts say, hit $5,000") and hedged("Le prix pourrait baisser")


def test_a_launch_angle_waits_for_the_launch_not_its_rumours() -> None:
    """A carrier's "Launch day tip: the phone is new, the plan doesn't have to cost more." went
    to "The OnePlus 15 looks set to embarrass the Galaxy S26 Ultra" and a week of Galaxy S27
    rumours: an angle that has the thing out now waits for a story that says it is."""
    launch = "Launch day tip: the new Galaxy is in hand, the plan stays cheap."
    phones = ThemeSettings(name="phones", description="New phones.", keywords=("Galaxy",),
                           angles=(launch, "Galaxy talk never gets old."))  # fmt: skip
    rumours = ("The OnePlus 15 looks set to embarrass the Galaxy S26 Ultra again",
               "Samsung Galaxy S27 Ultra might adopt a new face unlock",
               "Galaxy S26 could launch early, leak says")  # fmt: skip
    out = ("Samsung Galaxy S26 goes on sale today in stores",
           "Galaxy S26 launch draws crowds at Samsung stores",
           "Samsung's Galaxy S26 is finally here")  # fmt: skip
    titled = ("Samsung Galaxy S27 Ultra Might Adopt New Face Unlock",
              "Apple Could Launch iPhone 18 Early",
              "Galaxy S26 goes on sale today in stores")  # fmt: skip
    for n in range(4):
        said = story(n, theme=phones, titles=rumours, label=rumours[0], trending_terms=())
        assert launch not in _offered_angles(said), n
        # a Title Case headline's "Might Adopt" hedges too
        guessed = story(n, theme=phones, titles=titled, label=titled[0], trending_terms=())
        assert launch not in _offered_angles(guessed), n
        assert choose_angle(said, BRAND_EN) != launch
        sold = story(n, theme=phones, titles=out, label=out[0], trending_terms=())
        assert launch in _offered_angles(sold)


def test_a_money_headline_leads_only_a_theme_about_money() -> None:
    """Apple's M5 story under a carrier's phones theme opened "Apple approaches $4 trillion
    valuation.": the markets' side of the news gives no lead to a theme whose texts say no
    word of it; another headline does, or the story's name ("Hard to scroll past Apple"). A
    markets theme keeps every lead."""
    phones = ThemeSettings(name="phones", description="New phones and the apps on them.",
                           keywords=("iPhone",))  # fmt: skip
    titles = ("Apple’s M5 Product Lineup Offers Its Most Minor Upgrades in Years",
              "Apple approaches $4 trillion valuation as confidence reignites after iPhone 17",
              "CNBC Daily Open: More people want the new iPhone — and Apple shares",
              "Report: Apple to skip 'iPhone 19' name for 'iPhone 20'")  # fmt: skip

    def lead(theme: ThemeSettings, *heads: str) -> str:
        s = story(6, theme=theme, titles=heads[::-1], label=heads[0], trending_terms=(),
                  links=(), languages=("en",))  # fmt: skip
        return body(draft_pitch(s, BRAND_EN, SETTINGS))

    assert lead(phones, *titles).startswith("Apple to skip 'iPhone 19' name.")
    assert lead(MARKETS_EN, *titles).startswith("Apple approaches $4 trillion valuation.")
    # every headline that gives a lead says money: the story's name tells it
    told = lead(phones, *titles[:3])
    assert "valuation" not in told and "Apple" in told.split(".")[0], told
    # a sum alone is no money news: the sale day's spending is the shoppers'; "shares" and
    # "stock" are money as a market moves them, not a verb or a shelf
    assert not says_finance("Black Friday shoppers spend $11.8 billion online")
    assert says_finance("Disney shares slide") and says_finance("EA nears $50 billion buyout")
    assert says_finance("Stock futures edge higher") and says_finance("Tesla stock jumps 5%")
    for plain in ("Taylor Swift shares engagement photos", "Switch 2 is back in stock at Walmart",
                  "Netflix invests in a new Stranger Things experience"):  # fmt: skip
        assert not says_finance(plain), plain


def test_a_story_of_two_events_is_tagged_by_the_one_its_lead_tells() -> None:
    titles = (  # one market day's story: Boeing's jump, and American Eagle's of the day before
        "Boeing stock jumps 7% as CFO says company expects higher 737, 787 deliveries next year",
        "American Eagle lifts outlook as Sydney Sweeney campaign boosts sales",
        "American Eagle stock jumps 10% as it expects a big holiday after Sydney Sweeney ads",
        "Equities rise on Fed rate cut optimism, Boeing jumps",
        "Boeing stock jumps 8% as CFO says company expects higher 737, 787 deliveries next year",
    )
    s = story(4, theme=MARKETS_EN, titles=titles, label=titles[0], trending_terms=(), links=(),
              languages=("en",))  # fmt: skip
    pitch = draft_pitch(s, BRAND_EN, SETTINGS)
    assert body(pitch).startswith("Boeing stock jumps 7%")
    assert "#Boeing" in pitch.hashtags and "#SydneySweeney" not in pitch.hashtags
    assert "Sweeney" not in pitch.visual


def test_the_visual_names_the_place_the_lead_tells() -> None:
    """A storm over several states, its headlines newest first: the lead tells Minnesota's watch;
    Michigan, named twice as often, is the other half of the story, and the visual named it
    ("reacts to Lower Michigan") under a Minnesota post."""
    titles = (
        "Snowstorm on Saturday could drop 10+ inches on Chicago area",
        "Michigan Weather Video: Focus turns to next imminent snowstorm",
        "Next snow event Friday night through Saturday from MSP southward",
        "Winter Storm Warning as 24 Inches of Snow To Strike: ‘Blizzard Conditions’",
        "Blizzard conditions, heavy lake effect snow to slam Michigan through Thanksgiving",
        "Winter storm watch: Heavy snow potential for southern Minnesota Friday into Saturday",
        "Weekend snowstorm looking more likely, should affect all of Lower Michigan",
        "Michigan’s snowfall forecast: What’s changed overnight",
        "Snow to spread rapidly today, near white-out conditions with winds to 60 mph",
        "Storm update: Snowfall totals and high winds increasing into Wednesday morning.",
        "Winter Storm Watch expands into Lower Michigan, now 16 counties including Traverse City,"
        " Cadillac",
        "Higher snowfall and winds possible for Twin Cities area Tuesday night",
        "Winter Storm Watch now in effect for part of Michigan ahead of Thanksgiving storm",
        "Winter storm watch expands south in Minnesota; up to 10 inches of snow possible",
    )
    s = story(916, theme=SPORT_EN, titles=titles, label=titles[-1], trending_terms=(), links=(),
              languages=("en",))  # fmt: skip
    pitch = draft_pitch(s, BRAND_EN, SETTINGS)
    assert body(pitch).startswith("Winter storm watch expands south in Minnesota.")
    assert "reacts to the snow in Minnesota" in pitch.visual and "Michigan" not in pitch.visual
    # ...also when a headline names both, Michigan first: the lead's place comes first
    both = tuple(
        "Snow from Minnesota to Lower Michigan this weekend" if "MSP" in t else t for t in titles
    )
    pitch = draft_pitch(replace(s, titles=both), BRAND_EN, SETTINGS)
    assert body(pitch).startswith("Winter storm watch expands south in Minnesota.")
    assert "reacts to the snow in Minnesota" in pitch.visual


def test_weather_is_tagged_with_the_places_its_post_says() -> None:
    """A storm told as the Northeast's, two of its headlines New Jersey's: the post said
    "Snow is on everyone's mind in the Northeast today." under #Northeast #NJ (a hardware
    chain's December). A place the post does not say is no tag of it; its own place is."""
    titles = (
        "N.J. weather: Snow forecast for parts of state increase to 2 to 7 inches Tuesday.",
        "N.J. school closings, delayed openings due to snow, ice for Tuesday (Dec. 2, 2025)",
        "Bomb cyclone to bring first widespread snow to parts of Northeast after tracking through"
        " already hard-hit Midwest",
        "Winter storm barrels into the Northeast, dropping heavy snow",
        "Storm Threatens to Bring ‘Widespread and Impactful’ Snow and Ice to Northeast",
        "A major winter storm is pummeling the Northeast with ice and snow",
    )
    plain = SEASONS.model_copy(update={"angles": ()})
    s = story(31, theme=plain, titles=titles, label=titles[1], trending_terms=(), links=(),
              languages=("en",), keywords=())  # fmt: skip
    pitch = draft_pitch(s, BRAND_EN, SETTINGS)
    assert "the Northeast" in body(pitch).split(".")[0]
    assert "#Northeast" in pitch.hashtags and "#NJ" not in pitch.hashtags, pitch.hashtags
    # New Jersey's own storm keeps its tag: its lead's headline says it
    jersey = story(32, theme=plain, titles=titles[:2], label=titles[1], trending_terms=(),
                   links=(), languages=("en",), keywords=())  # fmt: skip
    said = draft_pitch(jersey, BRAND_EN, SETTINGS)
    assert body(said).startswith("Snow forecast for parts of state increase.")
    assert "#NJ" in said.hashtags


def test_the_card_s_sources_name_what_the_post_tells() -> None:
    """ "Snow is the talk of the Northeast today." went out with three Ohio headlines of the same
    storm as its sources (the newest): the headlines that name what the post names come first."""
    ohio = ("Snow emergencies issued in the Tri-State after overnight snowfall",
            "Snow emergencies in central Ohio for Dec. 2, 2025",
            "Snow emergency issued for area counties; What does it mean?")  # fmt: skip
    northeast = (
        "Winter storm barrels into the Northeast, dropping heavy snow",
        "A major winter storm is pummeling the Northeast with ice and snow",
        "Storm Threatens to Bring ‘Widespread and Impactful’ Snow and Ice to Northeast",
    )
    links = tuple(
        SourceLink(t, f"https://news.example/{i}", f"Paper {i}", "en")
        for i, t in enumerate((*ohio, *northeast))
    )
    plain = SEASONS.model_copy(update={"angles": ()})
    s = story(31, theme=plain, titles=(*ohio, *northeast), label=ohio[0], links=links,
              trending_terms=(), languages=("en",), keywords=())  # fmt: skip
    pitch = draft_pitch(s, BRAND_EN, SETTINGS)
    assert "the Northeast" in body(pitch).split(".")[0], body(pitch)
    assert [link.title for link in pitch.sources] == list(northeast[: len(pitch.sources)])
    # a post's "N.J." is a headline's "N.J." ("nj"), its "Tri-State" "tri state"
    heads = ("Storm slams the Northeast", "N.J. school closings due to snow", "Tri-State totals")
    jersey = [
        SourceLink(t, f"https://nj.example/{i}", f"NJ {i}", "en") for i, t in enumerate(heads)
    ]
    assert (
        _telling_first(jersey, "Snow is on everyone's mind in N.J. today.", BRAND_EN)[0]
        is (jersey[1])
    )
    assert _telling_first(jersey, "The Tri-State is digging out.", BRAND_EN)[0] is jersey[2]
    # a post that names nothing keeps the story's order
    plain_post = draft_pitch(replace(s, titles=ohio, links=links[:3]), BRAND_EN, SETTINGS)
    assert [link.title for link in plain_post.sources] == list(ohio[: len(plain_post.sources)])


def test_a_weather_alert_is_no_subject_of_a_visual() -> None:
    """A toy shop's visual read "the Brickbox team reacts to Winter Storm Warning.": an alert's
    name is shown by its weather, as it is never a tag."""
    titles = ("Winter Storm Warning continues for Chicago area as heavy snow falls",
              "Chicago snow: Winter Storm Warning issued, some CPS school closings Monday",
              "Arctic Blast Is Sweeping East, Bringing First Snow of the Season")  # fmt: skip
    plain = SEASONS.model_copy(update={"angles": ()})
    for n in range(3):
        alert = story(n, theme=plain, titles=titles, label=titles[0], trending_terms=(),
                      links=(), languages=("en",), keywords=())  # fmt: skip
        pitch = draft_pitch(alert, BRAND_EN, SETTINGS)
        assert "Warning" not in pitch.visual and "the snow" in pitch.visual, pitch.visual


def test_a_storm_that_ran_on_for_days_is_told_by_its_last_days_news() -> None:
    """The same storm story, pitched four days after its oldest headline: "Winter storm watch
    expands south in Minnesota." (Nov 24) opened five brands' posts on Nov 28, under the next
    storm's headlines. A forecast is news for a day: a weather headline older than the newest by
    more than a day gives no lead. Other news keeps its first report."""
    titles = (
        "Next snow event Friday night through Saturday from MSP southward",
        "Michigan Weather Video: Focus turns to next imminent snowstorm",
        "Snowstorm on Saturday could drop 10+ inches on Chicago area",
        "Winter Storm Warning as 24 Inches of Snow To Strike: ‘Blizzard Conditions’",
        "Blizzard conditions, heavy lake effect snow to slam Michigan through Thanksgiving",
        "Winter storm watch: Heavy snow potential for southern Minnesota Friday into Saturday",
        "Weekend snowstorm looking more likely, should affect all of Lower Michigan",
        "Michigan’s snowfall forecast: What’s changed overnight",
        "Higher snowfall and winds possible for Twin Cities area Tuesday night",
        "Winter storm watch expands south in Minnesota; up to 10 inches of snow possible",
    )
    hours = (0, 0, 0, 10, 15, 17, 19, 30, 58, 81)  # before the newest
    newest = datetime(2025, 11, 28, 1, 47, tzinfo=UTC)
    published = tuple(newest - timedelta(hours=h) for h in hours)
    s = story(916, theme=SPORT_EN, titles=titles, label=titles[5], trending_terms=(), links=(),
              languages=("en",), published=published)  # fmt: skip
    undated = body(draft_pitch(replace(s, published=()), BRAND_EN, SETTINGS))
    assert undated.startswith("Winter storm watch expands south in Minnesota.")  # as it was
    for label in (titles[5], titles[-1]):  # the label fresh or stale
        text = body(draft_pitch(replace(s, label=label), BRAND_EN, SETTINGS))
        stale = [t for t, h in zip(titles, hours, strict=True) if h > 24]
        assert not any(t.split(";")[0].split(":")[0] in text for t in stale), text
        assert "Michigan" in text, text  # the fresh headlines' place
    # an engagement a day old is still the news: its first report leads, not a reaction
    ring = ("Brands are loving Taylor Swift's engagement to Travis Kelce",
            "Taylor Swift and Travis Kelce are engaged, singer announces")  # fmt: skip
    s = story(3, theme=SPORT_EN, titles=ring, label=ring[1], trending_terms=(), links=(),
              languages=("en",), published=(newest, newest - timedelta(hours=30)))  # fmt: skip
    assert body(draft_pitch(s, BRAND_EN, SETTINGS)).startswith("Taylor Swift and Travis Kelce")


def test_a_pitch_dates_each_headline_by_its_newest_item() -> None:
    """What the lead's freshness reads: each news headline once, newest first, with the time of
    its newest item (a headline two publishers ran a day apart is news as of the later one)."""
    now = datetime(2025, 11, 28, tzinfo=UTC)

    def item(n: int, title: str, hours: float, kind: str = "news") -> StoredItem:
        at = now - timedelta(hours=hours)
        return StoredItem(str(n), "feed", kind, None, None, title, "", f"s{n}", None, "en", at, at,
                          "")  # fmt: skip

    items = [item(1, "Fresh", 0), item(2, "Again", 3), item(3, "snow", 0, "trending"),
             item(4, "Again", 50), item(5, "Old", 80)]  # fmt: skip
    row = StoryRow(1, "minilm", "Again", (), now, now, 4, 4, ("en",), False, None, None, "rising",
                   None, 1.0, {}, None, np.ones(3, dtype=np.float32))  # fmt: skip
    fit = Fit(ThemeMatch("sport", 0.5, ""), (), Verdict("safe"))
    s = pitch_input(StoryContext(row, items, np.ones(3)), fit, SPORT_EN)
    assert s.titles == ("Fresh", "Again", "Old")
    assert s.published == (now, now - timedelta(hours=3), now - timedelta(hours=80))


def test_a_visual_shows_something_any_brand_can_make() -> None:
    """ "In-store photo: a Harborline Insurance counter with a nod to today's story": an insurer
    has no counter, and "today's story" tells a designer nothing. A story of no name is shown
    by its weather, else by its lead."""
    titles = ("Dangerous snowstorm headed toward the coast tonight",
              "Snowstorm could bring a foot of snow by morning")  # fmt: skip
    plain = SEASONS.model_copy(update={"angles": ()})
    for n in range(3):
        s = story(n, theme=plain, titles=titles, label=titles[0], trending_terms=(), links=(),
                  languages=("en",), keywords=())  # fmt: skip
        visual = draft_pitch(s, BRAND_EN, SETTINGS).visual
        assert "counter" not in visual and "today's story" not in visual, visual
        assert "the snow" in visual or "“" in visual, visual
    astronaut = ("First wheelchair-using astronaut touches down after a week in orbit",
                 "Wheelchair-using astronaut back on Earth")  # fmt: skip
    s = story(0, theme=SPORT_EN, titles=astronaut, label=astronaut[0], trending_terms=(),
              links=(), languages=("en",))  # fmt: skip
    pitch = draft_pitch(s, BRAND_EN, SETTINGS)
    assert "“First wheelchair-using astronaut touches down”" in pitch.visual, pitch.visual


def test_a_visual_never_pastes_the_themes_name() -> None:
    """ "…reacts to the snow in the Midwest, couch weather set": the theme's name tells a
    designer nothing, and both new users of the wings and toy brands flagged it."""
    couch = SEASONS.model_copy(update={"name": "couch-weather", "angles": ()})
    titles = ("Winter storm brings heavy snow to the Midwest",
              "Heavy snow in the Midwest snarls travel")  # fmt: skip
    visuals = []
    for n in range(3):
        s = story(n, theme=couch, titles=titles, label=titles[0], trending_terms=(), links=(),
                  languages=("en",), keywords=())  # fmt: skip
        visual = draft_pitch(s, BRAND_EN, SETTINGS).visual
        assert "couch" not in visual and "the snow in the Midwest" in visual, visual
        assert visual.endswith("take.") or visual.endswith("Midwest.")
        visuals.append(visual)
    # a pharmacy's "Square visual: Northeast redone the Corner Pharmacy way." read oddly
    assert f"Square visual: the {BRAND_EN.name} take on the snow in the Midwest." in visuals
    # a named occasion still sets it: test_the_occasion_sets_the_visual_and_an_event_labels_the_lead


def test_a_keyword_told_as_the_subject_stays_in_lower_case_and_an_abbreviation_keeps_its_dot() -> (
    None
):
    """ "Today's feeds are all about International travel.": the theme's keyword, in lower
    case, capitalised as a label would be; and "All eyes on the U.S today." lost its dot."""
    travel = ThemeSettings(name="travel-abroad", description="Travel abroad.",
                           keywords=("international travel", "passport"))  # fmt: skip

    def drafted(theme: ThemeSettings, *titles: str) -> list[Pitch]:
        return [
            draft_pitch(story(n, theme=theme, titles=titles, label=titles[0], trending_terms=(),
                              links=(), languages=("en",), keywords=()), BRAND_EN, SETTINGS)
            for n in range(4)
        ]  # fmt: skip

    texts = [
        body(p)
        for p in drafted(
            travel,
            "A downturn in international travel to the U.S. may last beyond summer, experts warn",
            "A downturn in international travel to the US may last beyond summer",
        )
    ]
    assert all("international travel" in t and "International" not in t for t in texts), texts
    # ...as the headlines write it: a name the brand wrote in lower case keeps its capital
    wimbledon = ThemeSettings(name="tennis", description="Tennis.", keywords=("wimbledon",))
    pitches = drafted(
        wimbledon,
        "Wimbledon Costume Ideas For The Whole Family This Year",
        "The Best Wimbledon Ideas For A Summer Garden Party Today",
    )
    assert all("Wimbledon" in body(p) and "wimbledon" not in body(p) for p in pitches), pitches
    for pitch in drafted(
        travel,
        "Visitors to the U.S. are falling this summer, and more are staying home now",
        "Why fewer visitors came to the U.S. this summer, according to the figures",
    ):
        text = body(pitch)
        assert "U.S." in text and "U.S " not in text and ".." not in text, text
        assert "U.S." in pitch.visual and ".." not in pitch.visual, pitch.visual
    # an angle's own ellipsis is left alone
    frosty = travel.model_copy(update={"angles": ("Passport ready... the world is waiting.",)})
    trip = ("Passport renewals hit a record as travelers plan trips abroad",
            "Passport office extends hours as renewals hit a record")  # fmt: skip
    s = story(0, theme=frosty, titles=trip, label=trip[0], trending_terms=(), links=(),
              languages=("en",), keywords=())  # fmt: skip
    pitch = draft_pitch(s, BRAND_EN, SETTINGS)
    assert "Passport ready... the world" in pitch.visual, pitch.visual


def test_an_amount_is_never_the_subject_of_a_hook() -> None:
    titles = ("Is Trump's $500M Fine The Last Word? Here's What Experts Say",
              "What The $500M Ruling Means For New York")  # fmt: skip
    s = story(5, theme=SPORT_EN, titles=titles, label=titles[0], trending_terms=(), links=(),
              languages=("en",))  # fmt: skip
    pitch = draft_pitch(s, BRAND_EN, SETTINGS)
    assert "500M" not in body(pitch) and not any("500M" in t for t in pitch.hashtags)


def test_a_name_the_headlines_write_after_the_is_told_with_it() -> None:
    titles = ("Markets wait on the Fed as inflation cools", "What the Fed's pause means")
    s = story(5, theme=SPORT_EN, titles=titles, label=titles[0], trending_terms=(), links=(),
              languages=("en",))  # fmt: skip
    text = body(draft_pitch(s, BRAND_EN, SETTINGS))
    assert "the Fed" in text and " about Fed" not in text and " on Fed" not in text
    # headlines that only use it as an adjective: the month's headlines decide
    bets = ("What Fed rate cut bets mean for you?", "Fed rate cut odds?")
    month = Usage.of(["Markets wait on the Fed as inflation cools", "Why the Fed may pause",
                      "Stocks rise before the Fed decides"])  # fmt: skip
    for usage, told in ((month, "the Fed"), (NO_USAGE, "Fed")):
        s = replace(story(5, theme=SPORT_EN, titles=bets, label=bets[0], trending_terms=(),
                          links=(), languages=("en",)), usage=usage)  # fmt: skip
        text = body(draft_pitch(s, BRAND_EN, SETTINGS))
        assert f" {told} today." in text and ("the Fed" in text) == (told == "the Fed")
    # headlinese drops it ("Dow falls 300 points to kick off September"): the month decides
    dow = ("Dow falls 300 points to kick off September on tariff worries",
           "Dow falls 500 points on tariff worries, rising bond yields")  # fmt: skip
    month = Usage.of(["Stocks slide as the Dow sheds 400 points", "Dow jumps at the open",
                      "Why the Dow hit a record today", "Dow futures rise"])  # fmt: skip
    for usage, told in ((month, "the Dow"), (NO_USAGE, "Dow")):
        assert _articled("Dow", dow, usage) == told


def test_a_story_told_only_in_title_case_is_led_as_the_stream_writes_its_words() -> None:
    """Every headline Title Case: the month's sentence-case headlines tell which capitals are
    names, and the draft tells what happened instead of naming its subject; with no month to
    read (or words it has not seen) it names its subject, as before."""
    titles = ("Nvidia Shares Jump as Chip Sales Beat Forecasts", "Nvidia Sales Beat Forecasts")
    month = Usage.of([*(f"Why {w} shares jump as chip sales beat forecasts" for w in ("Nvidia",
                       "AMD", "Intel")), "Investors pile into Nvidia again", "Analysts see Nvidia"
                      " rise", "Funds buy Nvidia"])  # fmt: skip
    s = story(5, theme=MARKETS_EN, titles=titles, label=titles[0], trending_terms=(),
              links=(), languages=("en",))  # fmt: skip
    told = body(draft_pitch(replace(s, usage=month), BRAND_EN, SETTINGS))
    assert told.startswith("Nvidia shares jump."), told
    untold = body(draft_pitch(s, BRAND_EN, SETTINGS))
    assert "Nvidia" in untold and "shares jump" not in untold.casefold(), untold
    # a sentence-case headline, when there is one, comes first
    both = replace(s, titles=(*titles, "Nvidia shares soar as chip sales beat"), usage=month)
    assert body(draft_pitch(both, BRAND_EN, SETTINGS)).startswith("Nvidia shares soar"), both


def test_a_title_case_headline_is_told_as_the_storys_own_headlines_write_its_words() -> None:
    """ "Zorvex" and "arena" are words the month never wrote; the story's other headline (a
    question, no lead itself) writes them, twice each and one way: the Title Case one is told."""
    titles = ("Zorvex Arena Opens Early for Fans",
              "Is the arena in Zorvex open? Why the arena in Zorvex fills")  # fmt: skip
    month = Usage.of([f"Rink opens early for fans {w}" for w in ("now", "today", "again")])
    s = story(5, theme=SPORT_EN, titles=titles, label=titles[0], trending_terms=(), links=(),
              languages=("en",), keywords=(), usage=month)  # fmt: skip
    assert body(draft_pitch(s, BRAND_EN, SETTINGS)).startswith("Zorvex arena opens early for fans.")


def test_a_region_named_as_a_place_is_told_with_the() -> None:
    titles = (
        "Storm Threatens to Bring ‘Widespread and Impactful’ Snow and Ice to Northeast",
        "Where will the most snow fall? Maps show the storm's path to Northeast",
    )  # no clause that says what happened: the hook names the subject
    s = story(5, theme=SPORT_EN, titles=titles, label=titles[0], trending_terms=(), links=(),
              languages=("en",))  # fmt: skip
    text = body(draft_pitch(s, BRAND_EN, SETTINGS))
    assert "the Northeast" in text and "Northeast." not in text, text
    assert _articled("Midwest", ("Snow and cold to West and Midwest",), NO_USAGE) == "the Midwest"
    # not an airline, nor a region that opens a longer name
    for airline in (
        ("Southwest flights canceled in Denver", "Southwest to end open seating"),
        ("Travelers on Southwest: what to know about bag fees", "Shares of Southwest jump"),
        ("Changes to Southwest's boarding", "Flights to Southwest Florida resume"),
        ("Concert in Brazil: West to perform", "West to perform"),
    ):
        name = airline[-1].split()[0]
        assert _articled(name, airline, NO_USAGE) == name, airline
    assert _articled("South", ("Storms to hit the South this weekend",), NO_USAGE) == "the South"
    titles = (
        "Lake-effect snow warning for Northeast Ohio as bitter cold settles in through the weekend",
        "Northeast Ohio braces for more snow as arctic air moves in",
    )
    s = story(6, theme=SPORT_EN, titles=titles, label=titles[0], trending_terms=(), links=(),
              languages=("en",))  # fmt: skip
    text = body(draft_pitch(s, BRAND_EN, SETTINGS))
    assert "Northeast Ohio" in text and "the Northeast" not in text, text


def test_an_angle_used_lately_rests_and_the_prompt_says_so() -> None:
    win = ("Les Bleus champions du monde de rugby", "Rugby : les champions fêtent la victoire")
    used = SPORT_FR.angles[0]
    rested = replace(story(4, titles=win, trending_terms=()), recent_angles=(used.upper(),))
    assert choose_angle(rested, BRAND_FR) != used  # it fits best, but ran a few days ago
    pitch = draft_pitch(rested, BRAND_FR, SETTINGS)
    assert pitch.angle != used and "goûter des champions" not in pitch.draft
    _, user = build_messages(rested, BRAND_FR, SETTINGS)
    offered = user["content"].split("Lines the brand used")[0]
    assert used not in offered and f"- {used.upper()}" in user["content"]


def bag_of_words(texts: Sequence[str]) -> np.ndarray:
    """A small real encoder (hashed folded words) for tests that need one without a model."""
    out = np.zeros((len(texts), 64), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in re.findall(r"[^\W\d_]{4,}", text.casefold()):
            out[row, zlib.crc32(word.encode()) % 64] += 1
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-9)


@pytest.mark.slow
@pytest.mark.parametrize("model", ["use-multilingual", "minilm"])
def test_the_angle_by_meaning_with_a_real_encoder(model: str) -> None:
    from trendbot.embed import load_embedder

    encode = load_embedder(model).encode
    final = ("Rafael Nadal wins a thrilling final to claim the title", "Nadal triumphs in final")
    sport = story(6, theme=SPORT_EN, titles=final, trending_terms=())
    assert choose_angle(sport, BRAND_EN, encode) in SPORT_EN.angles
    gold = story(6, theme=SPORT_EN, titles=GOLD, trending_terms=())
    assert choose_angle(gold, BRAND_EN, encode) == ""


SEASONS = ThemeSettings(
    name="weather-and-seasons",
    description="The weather and seasons that change everyday life, and their holidays.",
    keywords=("fall", "first snow", "cold snap", "daylight saving time", "Halloween",
              "Thanksgiving", "holiday season", "weekend forecast"),
    angles=(
        "An extra hour of sleep deserves an extra-good cup",
        "Sweater weather, meet your warmest sidekick",
        "Treats without the tricks",
    ),
)  # fmt: skip


@pytest.mark.slow
def test_an_occasion_s_angle_fits_only_a_story_about_that_occasion() -> None:
    from trendbot.embed import load_embedder

    encode = load_embedder("minilm").encode

    def angle(*titles: str) -> str:
        s = story(8, theme=SEASONS, titles=titles, label=titles[0], trending_terms=())
        return choose_angle(s, BRAND_EN, encode)

    # each angle's occasion, as `config check --themes` shows it
    assert angle_occasions(SEASONS, encode) == [
        (SEASONS.angles[0], ["daylight saving time"]),
        (SEASONS.angles[1], ["cold snap"]),
        (SEASONS.angles[2], ["Halloween"]),
    ]
    assert angle_occasions(SEASONS.model_copy(update={"keywords": ()}), encode) == [
        (a, []) for a in SEASONS.angles
    ]
    # alike to every keyword: no occasion, the angle goes with any story it fits
    alike = angle_occasions(SEASONS, lambda texts: np.ones((len(texts), 4), dtype=np.float32))
    assert alike == [(a, []) for a in SEASONS.angles]

    # Halloween's angle, close in mood to any holiday or shopping story, stays with Halloween.
    assert (
        angle(
            "Halloween costumes: the most popular picks this year",
            "Halloween night forecast: dry and crisp for costumes",
        )
        == SEASONS.angles[2]
    )
    assert (
        angle(
            "Cyber Monday deals: the best discounts still live",
            "Cyber Monday shoppers break online spending record",
        )
        not in SEASONS.angles[::2]
    )
    assert (
        angle(
            "Thanksgiving travel: record crowds expected at airports",
            "Thanksgiving dinner costs drop this year",
        )
        != SEASONS.angles[2]
    )
    assert (
        angle(
            "Clocks go back on Sunday as daylight saving time ends",
            "Daylight saving time ends this weekend: what to know",
        )
        == SEASONS.angles[0]
    )


@pytest.mark.parametrize(
    ("text", "weather"),
    [
        ("Sleeping cool when the nights run hot", "hot"),
        ("Hot days ahead: stay cool", "hot"),
        ("Cool mornings, crisp walks", "cold"),
        ("Les nuits chaudes arrivent", "hot"),
        # said of no time, they are a drink or an idea: the other words decide
        ("Hot chocolate season", ""),
        ("Cold day, warm cup", "cold"),
        ("Hot cocoa on cold nights", "cold"),
        ("Un café chaud", ""),
        ("Chilly day? A warm cup is waiting.", "cold"),
        ("Cool day out with friends", ""),
        ("Journée frais de port offerts", ""),
        ("Jours chauds de juillet", "hot"),
        ("The weekend is cool", ""),
        # a cold drink is a hot day's (it was cold, and went to snowstorms)
        ("Cold brew weather", "hot"),
        ("Heat wave? Cold brew o'clock.", "hot"),
        ("Cold snap, cold nights", "cold"),
        # "a hot one" is a hot day, a spell a time (it went to four snowstorms)
        ("Hot one ahead: go at sunrise, bring twice the water you think.", "hot"),
        ("A warm spell is coming", "hot"),
        ("Cool spell ahead", "cold"),
        # "too hot" is the weather ("Too hot to cook…", a diner's heat wave angle)
        ("Too hot to cook? Let us do the cooking.", "hot"),
        ("Trop chaud pour cuisiner ?", "hot"),
        ("Hot chocolate season", ""),
    ],
)
def test_hot_warm_and_cool_are_weather_when_said_of_a_time(text: str, weather: str) -> None:
    assert _weather(text) == weather


@pytest.mark.slow
def test_an_angle_of_the_storms_weather_is_of_its_occasion() -> None:
    """A fashion brand's "Snow day dress code: the puffer…" was nearest its keyword "puffer
    jacket", which no headline said in five months: six snowstorms went without it. An angle
    that says the weather news' weather is of its occasion; the other angle still waits."""
    from trendbot.embed import load_embedder

    encode = load_embedder("minilm").encode
    wardrobe = ThemeSettings(
        name="wardrobe-weather",
        description="Weather that changes what people wear: first cold, snow days, heat waves.",
        keywords=("puffer jacket", "first frost", "heat wave", "sweater weather"),
        angles=("Snow day dress code: the puffer, the boots, the big scarf.",
                "Sandals out, sunglasses on: heat wave mode."),
    )  # fmt: skip
    titles = ("Winter storm brings heavy snow to the Northeast",
              "Snowstorm to dump up to a foot of snow on New York",
              "Snow and ice snarl travel across the region")  # fmt: skip
    s = story(8, theme=wardrobe, titles=titles, label=titles[0], trending_terms=())
    assert choose_angle(s, BRAND_EN, encode) == wardrobe.angles[0]
    # ...not an angle of a day's, which waits for its day
    holidays = wardrobe.model_copy(update={
        "keywords": ("Christmas", "Halloween", "Thanksgiving", "snowstorm"),
        "angles": ("Icy porch, full candy bowl: trick-or-treat is on.",),
    })  # fmt: skip
    blizzard = story(9, theme=holidays, titles=titles, label=titles[0], trending_terms=())
    assert choose_angle(blizzard, BRAND_EN, encode) == ""
    # ...nor one of a weather of its own, which waits for it: a first snow is not every storm
    peaks = wardrobe.model_copy(update={
        "keywords": ("fall foliage", "leaf peeping", "first snow", "snowfall", "cold snap",
                     "warm spell", "heat wave", "daylight saving time", "weekend forecast"),
        "angles": ("First snow on the peaks. Time to dig out the warm layers.",),
    })  # fmt: skip
    late = ("Winter storm brings ice and snow, snarling thousands of flights",
            "Dangerous snowstorm headed toward NYC",
            "Snow and ice snarl travel across the region")  # fmt: skip
    storm = story(10, theme=peaks, titles=late, label=late[0], trending_terms=())
    assert choose_angle(storm, BRAND_EN, encode) == ""


@pytest.mark.slow
def test_an_angle_s_occasion_is_never_a_keyword_of_the_other_weather() -> None:
    """A new user's diner: the encoder put "Too hot to cook? Let us do the cooking." nearest
    'chilly', so `config check` said it waited for chilly mornings, and a cold snap could take
    it. Its occasion is the hot keyword; with no keyword of its weather, it has none."""
    from trendbot.embed import load_embedder

    encode = load_embedder("minilm").encode
    mornings = ThemeSettings(
        name="weather-mornings",
        keywords=("first snow", "snow day", "cold snap", "frost", "chilly", "heat wave",
                  "rainy weekend", "daylight saving time"),
        angles=("Too hot to cook? Let us do the cooking.", "Snow day? Stack day."),
    )  # fmt: skip
    assert angle_occasions(mornings, encode) == [
        ("Too hot to cook? Let us do the cooking.", ["heat wave"]),
        ("Snow day? Stack day.", ["snow day"]),
    ]
    cold = mornings.model_copy(update={"keywords": ("chilly", "frost")})
    assert angle_occasions(cold, encode)[0] == ("Too hot to cook? Let us do the cooking.", [])
    titles = ("Chilly mornings ahead as a cold snap grips the Midwest",
              "Frost advisory issued as temperatures drop overnight")  # fmt: skip
    snap = story(11, theme=cold.model_copy(update={"angles": mornings.angles[:1]}),
                 titles=titles, label=titles[0], trending_terms=())  # fmt: skip
    assert choose_angle(snap, BRAND_EN, encode) == ""


def test_a_shared_word_or_the_wrong_weather_does_not_pick_the_angle() -> None:
    from trendbot.embed import load_embedder

    encode = load_embedder("minilm").encode
    skin = ThemeSettings(
        name="weather-and-skin",
        description="Weather that changes how skin feels: heat and sun, dry cold snaps.",
        keywords=("heat wave", "UV index", "sunscreen", "cold snap", "dry air", "first frost"),
        angles=("Sunny forecast? SPF first.", "Cold outside, calm skin inside"),
    )
    titles = ("Snow forecast: up to a foot expected across the region",
              "Heavy snow and a cold snap hit the Northeast")  # fmt: skip
    s = story(8, theme=skin, titles=titles, label=titles[0], trending_terms=())
    # "forecast" is shared, but a snowstorm is no sun story
    assert choose_angle(s, BRAND_EN, encode) == skin.angles[1]
    heat = ("Heat wave: record temperatures and a high UV index", "Sunny and hot all weekend")
    hot = story(9, theme=skin, titles=heat, label=heat[0], trending_terms=())
    assert choose_angle(hot, BRAND_EN, encode) == skin.angles[0]
    # the theme's own words ("weather") are in all its stories: they pick no angle
    seasons = SEASONS.model_copy(update={"angles": ("Iced coffee weather has entered the chat",)})
    wind = ("Weather service warns of strong winds on the coast", "Winds to gust at sea")
    windy = story(10, theme=seasons, titles=wind, label=wind[0], trending_terms=())
    assert choose_angle(windy, BRAND_EN) == ""
    # autumn's sights are no snowstorm's: with the snow angle resting, no angle rather than
    # leaf peeping; a story of the leaves still takes it
    cafe = SEASONS.model_copy(
        update={
            "angles": (
                "Snow day? The kettle's already on.",
                "Leaf peeping pairs best with a warm cider.",
            )
        }
    )
    snow = ("Winter storm brings heavy snow and dangerous cold to the Midwest",
            "Snowstorm closes schools as cold snap deepens")  # fmt: skip
    rested = story(11, theme=cafe, titles=snow, label=snow[0], trending_terms=(),
                   recent_angles=(cafe.angles[0],))  # fmt: skip
    assert choose_angle(rested, BRAND_EN, encode) == ""
    # ...nor leaves and rakes, though the snow is "falling" too
    rakes = cafe.model_copy(
        update={"angles": (cafe.angles[0], "Leaves are falling. Rakes in stock.")}
    )
    falling = ("Heavy snow falling across Chicago as winter storm hits",
               "Snow keeps falling in Chicago as cold deepens")  # fmt: skip
    fall = replace(rested, theme=rakes, titles=falling, label=falling[0])
    assert choose_angle(fall, BRAND_EN, encode) == ""
    # "hot" said of the nights is the weather: a summer night's angle is no snowstorm's
    nights = cafe.model_copy(
        update={"angles": (cafe.angles[0], "Sleeping cool when the nights run hot")}
    )
    assert choose_angle(replace(rested, theme=nights), BRAND_EN, encode) == ""
    # a day shared says when, not what: daylight saving time's angle is no Sunday snowstorm's
    clock = "An extra hour Sunday: test the smoke alarms while you're at it."
    dst = SEASONS.model_copy(update={"angles": (clock, "Frost tonight: drain the hose.")})
    sunday = ("Brace for snow and then a blast of cold in D.C. area Sunday",
              "First widespread snowfall across NYC, Tri-State into Sunday",
              "How much snow will the DC area get this weekend?")  # fmt: skip
    assert choose_angle(replace(rested, theme=dst, titles=sunday, label=sunday[0],
                                recent_angles=()), BRAND_EN, encode) != clock  # fmt: skip
    # nor a word as common as "change": "What's changed overnight" in a snowstorm's headline
    clocks = "Clocks change, smoke alarm batteries change too."
    dst = SEASONS.model_copy(update={"angles": (clocks,)})
    changed = ("Michigan's snowfall forecast: What's changed overnight",
               "Winter storm watch: heavy snow for southern Minnesota on Saturday")  # fmt: skip
    assert choose_angle(replace(rested, theme=dst, titles=changed, label=changed[1],
                                recent_angles=()), BRAND_EN, encode) == ""  # fmt: skip
    # ...in any of its forms ("changing" is "change")
    changing = SEASONS.model_copy(
        update={"angles": ("Changing clocks? Changing smoke alarm batteries too.",)}
    )
    assert choose_angle(replace(rested, theme=changing, titles=changed, label=changed[1],
                                recent_angles=()), BRAND_EN, encode) == ""  # fmt: skip
    leaves = ("Leaf peeping season peaks early as foliage turns in Vermont",
              "Fall foliage: where to see the best colours this weekend")  # fmt: skip
    autumn = replace(rested, titles=leaves, label=leaves[0])
    assert choose_angle(autumn, BRAND_EN, encode) == cafe.angles[1]
    # autumn's words veto nothing of the weather: snow on the foliage is still snow news
    early = ("Early snowstorm buries fall foliage in Vermont under a foot of snow",
             "Snowstorm and frigid cold hit Vermont at peak foliage")  # fmt: skip
    snowy = replace(rested, titles=early, label=early[0], recent_angles=())
    assert choose_angle(snowy, BRAND_EN, encode) == cafe.angles[0]
    plain = BRAND_EN.model_copy(update={"themes": (SEASONS.model_copy(update={"angles": ()}),)})
    care = replace(snowy, theme=plain.themes[0], links=(), languages=("en",))
    assert body(draft_pitch(care, plain, SETTINGS)).endswith(
        "Stay cozy, and look out for each other."  # story 11's care line, of four
    )


def test_a_time_word_shared_picks_no_angle() -> None:
    """ "Clocks fall back tonight: spend the extra hour on one more chapter." went to a December
    snowstorm for its "tonight": a time of day says when, not what, as a day or a month."""
    clocks = SEASONS.model_copy(
        update={"angles": ("Clocks fall back tonight: spend the extra hour on one more chapter.",)}
    )
    snow = ("Heavy snow tonight across the Northeast", "Northeast braces for snow tonight")
    storm = story(18, theme=clocks, titles=snow, label=snow[0], trending_terms=())
    assert choose_angle(storm, BRAND_EN) == ""
    # a word of what happens still picks it
    dst = ("Clocks fall back tonight as daylight saving time ends",
           "Daylight saving: clocks fall back")  # fmt: skip
    assert choose_angle(replace(storm, titles=dst, label=dst[0]), BRAND_EN) == clocks.angles[0]


@pytest.mark.slow
def test_rain_is_no_snow_and_a_record_high_no_snowstorm() -> None:
    """A bookshop's "Rainy weekend? That's just perfect reading weather." went to "Snow arrives
    in NYC", an ice-cream brand's "Record high today." to a Chicago winter storm."""
    from trendbot.embed import load_embedder

    encode = load_embedder("minilm").encode
    rainy = "Rainy weekend? That's just perfect reading weather."
    cozy = "Snow day? Stay in with a thick novel."
    books = SEASONS.model_copy(update={"angles": (rainy, cozy)})
    # "weekend", shared, picked the rainy angle
    snow = ("Snow arrives in NYC this weekend: what to expect",
            "First snowfall of the season blankets New York City this weekend")  # fmt: skip
    rain = ("Heavy rain soaks New York City as a storm moves up the coast",
            "Rainy weekend ahead: showers linger across the region")  # fmt: skip
    for n in (14, 15):  # whichever of the two a story's id would pick
        snowy = story(n, theme=books, titles=snow, label=snow[0], trending_terms=())
        assert choose_angle(snowy, BRAND_EN, encode) == cozy
        alone = replace(snowy, theme=books.model_copy(update={"angles": (rainy,)}))
        assert choose_angle(alone, BRAND_EN, encode) == ""
        wet = replace(snowy, titles=rain, label=rain[0])
        assert choose_angle(wet, BRAND_EN, encode) == rainy
    # a wintry mix says both: neither is refused
    mix = set(_letter_words("Snow and rain mix across NYC as rain turns to snow overnight"))
    assert not _other_fall(set(_letter_words(rainy)), mix)
    assert not _other_fall(set(_letter_words(cozy)), mix)
    # a record high in an angle is the thermometer's; in the news, a price's
    scoops = SEASONS.model_copy(
        update={"angles": ("Record high today. Record number of scoops, also today.",)}
    )
    storm = ("Winter storm brings record snowfall and bitter cold to Chicago",
             "Chicago snowstorm: record snow totals and frigid temperatures")  # fmt: skip
    chicago = story(16, theme=scoops, titles=storm, label=storm[0], trending_terms=())
    assert choose_angle(chicago, BRAND_EN, encode) == ""
    assert _weather(scoops.angles[0], angle=True) == "hot"
    assert _weather("AirPods Pro 3 drop to a new record low of $199") == ""
    # ...and in an angle, a price's or a saving's is no weather
    assert _weather("Record low prices all weekend.", angle=True) == ""
    assert _weather("Our savings hit a record high today.", angle=True) == ""
    # rain and snow are read in weather news only: "Snow White" is no snow
    white = ("Snow White remake is a perfect family film, critics say",
             "Snow White: a perfect reading of the fairy tale")  # fmt: skip
    film = story(14, theme=books.model_copy(update={"angles": (rainy,)}), titles=white,
                 label=white[0], trending_terms=())  # fmt: skip
    assert choose_angle(film, BRAND_EN) == rainy  # "perfect", shared, picks it


def test_a_stock_hook_rests_like_a_line() -> None:
    """Two storms six days apart both opened "Snow has … talking today." (a wings chain's
    December): a stored pitch is known by the stock hook it opened on, which rests two weeks
    as its closing line does; an iPhone story twelve days after another no longer opens "Hard
    to scroll past iPhone right now." either."""
    plain = SEASONS.model_copy(update={"angles": ()})
    northeast = ("Storm Threatens to Bring ‘Widespread and Impactful’ Snow and Ice to Northeast",
                 "Winter Storm Expected to Slam Northeast U.S. With Heavy Snow",
                 "Bomb cyclone to bring first widespread snow to parts of Northeast after "
                 "tracking through already hard-hit Midwest")  # fmt: skip
    now = datetime(2025, 12, 8, 12, 0, tzinfo=UTC)
    snow = story(21, theme=plain, titles=northeast, label=northeast[0], trending_terms=(),
                 links=(), languages=("en",), keywords=())  # fmt: skip
    first = replace(draft_pitch(snow, BRAND_EN, SETTINGS), created=now)
    assert body(first).startswith("Snow has the Northeast talking today.")
    rested = rested_angles([first], now=now, sign_offs=())
    assert rested[-1] == "{weather} has {subject} talking today."
    opened = [body(first).split(".")[0]]
    for _ in range(3):  # the same story id: without the rest, the same hook every time
        again = draft_pitch(replace(snow, recent_angles=rested), BRAND_EN, SETTINGS)
        assert body(again).split(".")[0] not in opened, (body(again), opened)
        opened.append(body(again).split(".")[0])
        rested = (*lines_of(again, ()), *rested)
    assert len(set(opened)) == 4
    # a day's weather and a plain subject are known too; a lead is no hook
    day = replace(first, draft="Everyone's talking about the Thanksgiving weather today. Hi.")
    assert lines_of(day, ()) == ("Everyone's talking about the {subject} weather today.",)
    phone = replace(first, draft="Hard to scroll past iPhone right now. New phone.\n\n#iPhone")
    assert lines_of(phone, ()) == ("Hard to scroll past {subject} right now.",)
    assert lines_of(replace(first, draft="Apple unveils the iPhone 17. Hi."), ()) == ()
    # after an occasion's label, in either language; not a lead that happens to say "talking"
    label = replace(first, draft="Halloween: today's feeds are all about Taylor Swift. Boo.")
    assert lines_of(label, ()) == ("Today's feeds are all about {subject}.",)
    french = replace(first, draft="Roland-Garros : tout le monde parle de Sinner aujourd'hui.")
    assert lines_of(french, ()) == ("Tout le monde parle {de}{subject} aujourd'hui.",)
    assert lines_of(replace(first, draft="The Fed has markets talking today. Hi."), ()) == ()
    # the LLM is never told a stock hook is a line it may not write
    _, user = build_messages(replace(snow, recent_angles=rested), BRAND_EN, SETTINGS)
    assert "{subject}" not in user["content"]


@pytest.mark.parametrize(
    ("title", "first"),
    [
        ("Store hours for Walmart, Costco, Target, Publix and more", ""),
        ("Apple, Google, and Meta face probe", ""),
        ("Musk sells X, Tesla and SpaceX shares", ""),
        # ", and" after no list joins two events, not a list
        ("Trump fires Powell, and Hassett takes over", "Trump fires Powell"),
        ("Fed cuts rates, Powell says", "Fed cuts rates"),
    ],
)
def test_a_list_of_names_is_one_clause(title: str, first: str) -> None:
    """The first clause: the whole title ("") when its commas only separate names."""
    assert _clauses(title)[0][0] == (first or title), _clauses(title)


def test_a_day_told_with_no_lead_names_no_shop() -> None:
    """A home brand's Labor Day post read "Today's feeds are all about Labor Day and Walmart."
    and tagged #Walmart: a store-hours story names the shops, the post names the day."""
    titles = ("Here's what's open and closed on Labor Day 2025",
              "Walmart, Sam's club, Target stores, USPS closed on Labor Day 2025? Check here",
              "Is Walmart open on Labor Day? Here's what to know",
              "What's open and closed on Labor Day 2025? See what stores, banks and other "
              "businesses are operating today.")  # fmt: skip
    for n in range(3):
        day = story(n, theme=SEASONS, titles=titles, label=titles[0], trending_terms=(),
                    links=(), languages=("en",), keywords=())  # fmt: skip
        pitch = draft_pitch(day, BRAND_EN, SETTINGS)
        assert "#Walmart" not in pitch.hashtags and "#LaborDay" in pitch.hashtags
        assert "Labor Day" in body(pitch) and "Walmart" not in body(pitch) + pitch.visual, (
            body(pitch),
            pitch.visual,
        )


def test_a_weather_alerts_name_is_no_hashtag() -> None:
    """A pharmacy's snow post was tagged #WinterStormWarning, as if it issued the alert."""
    plain = SEASONS.model_copy(update={"angles": ()})
    titles = ("Winter Storm Warning continues for Chicago area as heavy snow falls",
              "Chicago snow accumulation: Winter Storm Warning issued, dangerous driving "
              "conditions prompts some CPS school closings Monday",
              "Meteorologists warn of ‘intense’ snow in Great Lakes states and record lows in "
              "South")  # fmt: skip
    for n in range(3):
        snow = story(n, theme=plain, titles=titles, label=titles[0], trending_terms=(),
                     links=(), languages=("en",), keywords=())  # fmt: skip
        tags = draft_pitch(snow, BRAND_EN, SETTINGS).hashtags
        assert "#WinterStormWarning" not in tags and tags, tags
    assert is_weather_alert("Heat Advisory") and not is_weather_alert("Apple Watch")


def test_a_region_in_parts_of_it_is_a_place() -> None:
    """A pharmacy's snow pitch opened "Today's feeds are all about Northeast.": the story's only
    headline naming its region wrote "snow to parts of Northeast", not yet read as a place."""
    plain = SEASONS.model_copy(update={"angles": ()})
    titles = ("Winter Storm Expected to Slam Northeast U.S. With Heavy Snow",
              "Bomb cyclone to bring first widespread snow to parts of Northeast after "
              "tracking through already hard-hit Midwest",
              "Accumulating snow with travel impacts tonight & Tuesday; Winter Weather Advisory "
              "issued", "Snow emergency issued for area counties; What does it mean?",
              "Snow emergencies in central Ohio for Dec. 2, 2025",
              "Snow emergencies issued in the Tri-State after overnight snowfall")  # fmt: skip
    snow = story(3212, theme=plain, titles=titles, label=titles[0], trending_terms=(),
                 links=(), languages=("en",), keywords=())  # fmt: skip
    text = body(draft_pitch(snow, BRAND_EN, SETTINGS))
    assert text.startswith("Snow ") and "the Northeast" in text, text
    assert _articled("Northeast", titles[1:2], NO_USAGE) == "the Northeast"
    assert _articled("Midwest", ("Snow across much of Midwest",), NO_USAGE) == "the Midwest"


def test_weather_news_with_no_lead_is_told_as_weather_of_its_place() -> None:
    """ "Today's feeds are all about the Northeast." said nothing of the snow (no headline gave
    a lead): weather news told by a place names the weather, in no tense."""
    plain = SEASONS.model_copy(update={"angles": ()})
    northeast = ("Storm Threatens to Bring ‘Widespread and Impactful’ Snow and Ice to Northeast",
                 "Winter Storm Expected to Slam Northeast U.S. With Heavy Snow",
                 "Bomb cyclone to bring first widespread snow to parts of Northeast after "
                 "tracking through already hard-hit Midwest")  # fmt: skip
    hooks = ("Snow is the talk of the Northeast today.", "Snow has the Northeast talking today.")
    for n in (20, 21):
        snow = story(n, theme=plain, titles=northeast, label=northeast[0], trending_terms=(),
                     links=(), languages=("en",), keywords=())  # fmt: skip
        assert body(draft_pitch(snow, BRAND_EN, SETTINGS)).startswith(hooks[n % 2])
    # a day is no place: no "Snow is the talk of Thanksgiving", and not "Everyone's talking
    # about Thanksgiving today." either, which says nothing of the storm: the day's weather
    days = ("Worsening Travel Conditions, 60 MPH Winds Forecast Ahead of Thanksgiving Storm",
            "Thanksgiving Storm Could Bring Snow And Ice",
            "Snow And Wind Threaten Thanksgiving Travel")  # fmt: skip
    hooks = ("Everyone's talking about the Thanksgiving weather today.",
             "All eyes on the Thanksgiving weather today.")  # fmt: skip
    for n in (20, 21):
        holiday = story(n, theme=plain, titles=days, label=days[0], trending_terms=(), links=(),
                        languages=("en",), keywords=())  # fmt: skip
        pitch = draft_pitch(holiday, BRAND_EN, SETTINGS)
        assert body(pitch).startswith(hooks[n % 2])
        # the visual too is of the day's weather, never "the snow in Thanksgiving"
        assert "the Thanksgiving snow" in pitch.visual, pitch.visual
    # ...also when the day is one of the story's names (the theme has no such keyword): the
    # replays' storm said "the Thanksgiving weather" and showed "reacts to Thanksgiving"
    said = ("Worsening travel conditions, 60 mph winds forecast ahead of Thanksgiving storm",
            "Thanksgiving storm could bring snow and ice",
            "Snow and wind threaten Thanksgiving travel")  # fmt: skip
    named = story(20, theme=plain.model_copy(update={"keywords": ("first snow",)}), titles=said,
                  label=said[0], trending_terms=(), links=(), languages=("en",),
                  keywords=())  # fmt: skip
    assert "the Thanksgiving snow" in draft_pitch(named, BRAND_EN, SETTINGS).visual
    # a day's news that is no weather keeps the plain hook
    feast = ("Thanksgiving Dinner Costs Less This Year", "What To Cook For Thanksgiving Dinner")
    dinner = story(20, theme=plain, titles=feast, label=feast[0], trending_terms=(), links=(),
                   languages=("en",), keywords=())  # fmt: skip
    assert "Thanksgiving weather" not in body(draft_pitch(dinner, BRAND_EN, SETTINGS))


def test_a_sale_days_story_is_told_by_its_own_day() -> None:
    """A Cyber Monday story whose ten headlines tie two to the weekend before opened "Black
    Friday retail sales up." and was tagged #BlackFriday: another day than the story's is no
    lead."""
    sales = ThemeSettings(name="sale-days", description="The shopping calendar.",
                          keywords=("Black Friday", "Cyber Monday"))  # fmt: skip
    titles = ("Best Cyber Monday iPad deals LIVE — iPad, iPad Air, iPad Pro and more",
              "Amazon is selling a laptop for just $160 during its Cyber Monday sale",
              "Cyber Monday Nintendo Switch 2 deals are live: big savings on Switch games",
              "Best Cyber Monday Apple deals include big discounts on AirPods",
              "Anker's laptop power bank is $32 off for Cyber Monday, its biggest discount yet",
              "Black Friday retail sales up despite economic jitters",
              "These are the best TV deals this Black Friday weekend",
              "The best Cyber Monday deals on Apple MacBooks, AirTags and iPads")  # fmt: skip
    s = story(17, theme=sales, titles=titles, label=titles[-1], trending_terms=(), links=(),
              languages=("en",))  # fmt: skip
    pitch = draft_pitch(s, BRAND_EN, SETTINGS)
    assert "Black Friday" not in body(pitch) and "#BlackFriday" not in pitch.hashtags
    assert "Cyber Monday" in body(pitch), body(pitch)


def test_a_sale_day_is_told_by_the_day_not_by_a_shops_deals() -> None:
    """ "Best Apple Black Friday deals live now." opened a mattress brand's and a bookshop's
    posts: another company's sale, advertised. The day is told instead, with no shop's tag."""
    sales = ThemeSettings(
        name="big-sale-days",
        description="The shopping calendar: Black Friday, Cyber Monday, holiday sales.",
        keywords=("Black Friday", "Cyber Monday"),
    )
    deals = ("Best Apple Black Friday deals live now: AirPods, iPads and more",
             "Black Friday deals: Apple's AirPods Pro drop to a record low",
             "Black Friday 2025: the best deals on Apple gear")  # fmt: skip
    friday = story(17, theme=sales, titles=deals, label=deals[0], trending_terms=(), links=(),
                   languages=("en",), keywords=("Apple", "Black Friday"))  # fmt: skip
    draft = draft_pitch(friday, BRAND_EN, SETTINGS)
    assert "Apple" not in draft.draft and "#Apple" not in draft.hashtags, draft
    assert "Black Friday" in body(draft), draft
    # a theme that does not name the day tells it too (an insurer's money theme)
    money = ThemeSettings(name="money-smarts", description="Everyday money tips.",
                          keywords=("budget", "savings"))  # fmt: skip
    draft = draft_pitch(replace(friday, theme=money), BRAND_EN, SETTINGS)
    assert "Apple" not in draft.draft and "Black Friday" in body(draft), draft
    # a lead of what happened on the day, not of a shop's deals, is kept
    up = ("Black Friday retail sales up 4% as shoppers flock online",
          "Black Friday online sales hit a record, Adobe says")  # fmt: skip
    figures = replace(friday, titles=up, label=up[0], keywords=("Adobe", "Black Friday"))
    assert body(draft_pitch(figures, BRAND_EN, SETTINGS)).startswith("Black Friday")
    assert _selling("Early sales on tech from Apple")
    assert not _selling("Black Friday retail sales up")
    assert not _selling("Black Friday online sales on track for a record")
    # a launch on a theme keyword that is no day keeps its lead
    games = sales.model_copy(update={"keywords": ("Nintendo Switch 2", "Black Friday")})
    launch = ("Nintendo Switch 2 goes on sale today at midnight",
              "Nintendo Switch 2 on sale: lines form at stores")  # fmt: skip
    switch = replace(friday, theme=games, titles=launch, label=launch[0],
                     keywords=("Nintendo Switch 2",))  # fmt: skip
    assert body(draft_pitch(switch, BRAND_EN, SETTINGS)).startswith(
        "Nintendo Switch 2 goes on sale today."
    )


def test_a_warned_storm_is_not_cheered() -> None:
    """ "First snow, warm soup, nowhere to be. Perfect." went to "Dangerous snowstorm headed
    toward NYC": on weather news that warns people, no angle cheers the weather; a first snow
    with no warning keeps it."""
    soup = "First snow, warm soup, nowhere to be. Perfect."
    layers = "First snow on the peaks. Time to dig out the warm layers."
    cafe = SEASONS.model_copy(update={"angles": (soup, layers)})
    warned = ("Dangerous snowstorm headed toward NYC",
              "Winter storm brings ice and snow, snarling thousands of flights")  # fmt: skip
    first = ("Snow arrives in NYC and surrounding area",
             "First snowfall of the season blankets New York City")  # fmt: skip
    storm = story(12, theme=cafe, titles=warned, label=warned[0], trending_terms=(), links=(),
                  languages=("en",))  # fmt: skip
    assert _offered_angles(storm) == [layers]
    assert _offered_angles(replace(storm, titles=first, label=first[0])) == [soup, layers]


@pytest.mark.slow
def test_a_warned_storm_invites_no_one_out() -> None:
    """A brewery's "First snow, warm taproom, good company." went to "Winter Storm Warning
    continues for Chicago area": on weather news that warns people, no angle, sign-off or LLM
    prompt line asks them out to the brand; a first snow with no warning keeps it."""
    from trendbot.embed import load_embedder

    encode = load_embedder("minilm").encode
    taproom = "First snow, warm taproom, good company."
    sweater = "Sweater weather is stout weather."
    beer = SEASONS.model_copy(update={"angles": (taproom, sweater)})
    warned = ("Winter Storm Warning continues for Chicago area",
              "'Ferocious' winter storm could drop 8 inches of snow overnight Sunday, weather "
              "service says")  # fmt: skip
    first = ("Snow arrives in NYC and surrounding area",
             "First snowfall of the season blankets New York City")  # fmt: skip
    storm = story(12, theme=beer, titles=warned, label=warned[0], trending_terms=(), links=(),
                  languages=("en",))  # fmt: skip
    snow = replace(storm, titles=first, label=first[0])
    assert choose_angle(storm, BRAND_EN, encode) == sweater
    assert choose_angle(snow, BRAND_EN, encode) == taproom
    alone = beer.model_copy(update={"angles": (taproom,)})
    assert choose_angle(replace(storm, theme=alone), BRAND_EN, encode) == ""
    assert choose_angle(replace(snow, theme=alone), BRAND_EN, encode) == taproom
    # with no angle, no sign-off either (each is a call to action: "Charge up, helmet on, go."
    # went to "dangerous cold"): a word of care
    plain = SEASONS.model_copy(update={"angles": ()})
    stool, cheers = "Pull up a stool and tell us what you think.", "Cheers! Tell us where you land."
    brewery = BRAND_EN.model_copy(update={"sign_offs": (stool, cheers), "themes": (plain,)})
    care = ("Stay warm and safe out there, everyone.", "Bundle up, and check on your neighbors.")
    for n in (12, 13):  # either pick of the two
        unangled = replace(storm, story_id=n, theme=plain)
        assert body(draft_pitch(unangled, brewery, SETTINGS)).endswith(care)
        assert body(draft_pitch(replace(unangled, titles=first, label=first[0]), brewery,
                                SETTINGS)).endswith((stool, cheers))  # fmt: skip
    # the LLM is offered neither, and told why
    prompt = build_messages(storm, brewery, SETTINGS)[1]["content"]
    assert taproom not in prompt and stool not in prompt and cheers not in prompt
    assert (
        "Weather warning: people are told to stay safe; invite no one out, sell nothing, and "
        "end with a word of care." in prompt
    )
    prompt = build_messages(snow, brewery, SETTINGS)[1]["content"]
    assert taproom in prompt and stool in prompt and cheers in prompt
    assert "Weather warning" not in prompt
    # what asks people out, and what only sounds like it
    out = ("We'll be hashing this one out at the taproom.", "See you on the road.",
           "Our doors are open till late.", "Stop by for a warm cup.", "Come say hi.",
           "Meet us at the bar.", "Save us a seat by the window.",
           "Come find your next favorite book, in store or online.",
           "Passez nous voir en boutique !",
           "Cold snap? Our lobby fireplace has been waiting all year.",
           "Snow day? Hit the road to the mountains.")  # fmt: skip
    assert all(map(_outing, out))
    home = ("Learn the greeting: it opens every door.", sweater,
            "Crack one open and tell us your take.", "Cozy inside, whatever's outside.",
            "A drop in temperatures calls for a stout.", "Pull up a blanket and a good book.",
            "Our barista's pick for a snow day.", "Head over heels for hot cocoa.",
            "Come on, Chicago, stay warm!", "See you on the other side of the storm.",
            "Passez une bonne soirée au chaud.", "See what's in store for 2026.",
            "Cold night? Make your room a nest.", "Our kitchen's pick for a snow day.",
            "Our restaurant-quality cocoa, made at home.", "Hit the road? Hit the couch.",
            "Skip the road trip: movie night at home.")  # fmt: skip
    assert not any(map(_outing, home))


@pytest.mark.slow
def test_an_angle_that_names_a_keyword_goes_only_to_a_story_that_names_it() -> None:
    """ "Shiny new iPhone, same friendly bill." went to Samsung's foldables: an angle naming a
    theme keyword written as a name goes only to a story whose headlines name it, for the
    templates (with or without an encoder) and for the LLM's prompt."""
    from trendbot.embed import load_embedder

    encode = load_embedder("minilm").encode
    iphone = "Shiny new iPhone, same friendly bill. We love to see it."
    phones = ThemeSettings(
        name="phones",
        description="New phones and what's on them.",
        keywords=("iPhone", "Galaxy", "Pixel", "smartphone", "foldable phone", "Android"),
        angles=(iphone, "Update downloaded. Your data plan barely noticed."),
    )
    samsung = ("Samsung's Galaxy Z TriFold is a shiny new phone that folds twice",
               "Galaxy Z TriFold: Samsung's shiny new foldable goes on sale")  # fmt: skip
    apple = ("Apple's shiny new iPhone 17 goes on sale", "iPhones 17 Pro hands-on: the new camera")
    fold = story(64, theme=phones, titles=samsung, label=samsung[0], trending_terms=(), links=(),
                 languages=("en",))  # fmt: skip
    launch = replace(fold, titles=apple, label=apple[0])
    # one headline of three that names it in passing does not make it the story's
    passing = replace(fold, titles=(*samsung, "Samsung Debuts Its First Trifold Months Ahead of "
                                    "Folding iPhone"))  # fmt: skip
    for with_encoder in (encode, None):
        assert choose_angle(fold, BRAND_EN, with_encoder) == ""
        assert choose_angle(passing, BRAND_EN, with_encoder) == ""
        assert choose_angle(launch, BRAND_EN, with_encoder) == iphone
    assert iphone not in build_messages(fold, BRAND_EN, SETTINGS)[1]["content"]
    assert iphone in build_messages(launch, BRAND_EN, SETTINGS)[1]["content"]
    # a keyword in lower case is a word, not a name: meaning decides as before
    worded = phones.model_copy(update={"keywords": ("iphone", "galaxy", "smartphone")})
    assert choose_angle(replace(fold, theme=worded), BRAND_EN) == iphone
    # a headline names it by its rarest word in any form; a publisher's name is no headline's;
    # the angle names it with its capital; sentence case is no name
    cases = [
        ("Grammys", "Grammys night: our playlist is ready.", "Grammy nominations 2026", True),
        ("U.S. Open", "U.S. Open final? Snacks ready.", "US Open: Alcaraz beats Sinner", True),
        ("Valentine's Day", "Valentine's Day idea: share a pint.", "Valentines Day deals", True),
        ("Valentine's Day", "Valentine's Day idea: share a pint.", "Snowstorm hits Chicago", False),
        ("iPhone", iphone, "Galaxy Z TriFold review - iPhone in Canada", False),
        ("Apple", "An apple a day, a coffee an hour.", "Samsung unveils a Galaxy", True),
        ("Heat wave", "Heat wave? Iced coffee, on repeat.", "Record heat bakes the West", True),
        ("Fête des Mères", "Fête des Mères : une glace.", "Fete des meres : les idees", True),
    ]
    for keyword, angle, title, kept in cases:
        theme = ThemeSettings(name="x", description="x", keywords=(keyword,), angles=(angle,))
        one = replace(fold, theme=theme, titles=(title,), label=title)
        assert _named_here(one, [angle]) == ([angle] if kept else []), (keyword, title)


@pytest.mark.slow
def test_a_shared_word_does_not_pick_an_angle_of_another_occasion_that_meaning_denies() -> None:
    from trendbot.embed import load_embedder

    phones = ThemeSettings(
        name="phones-and-gadgets",
        description="New phones and gadgets: launches, foldables, smartwatches, updates.",
        keywords=("iPhone", "Samsung Galaxy", "Pixel", "smartphone", "foldable", "iOS",
                  "Android", "smartwatch", "AirPods", "5G"),
        angles=("Folded, unfolded, fully connected.", "Update installed. Bars: full."),
    )  # fmt: skip
    code_red = ("Sam Altman issues 'code red' at OpenAI as ChatGPT contends with rivals",
                "Leak reveals Apple Health app might soon connect to ChatGPT",
                "Sam Altman declares 'Code Red' for ChatGPT, delays advertising plans")  # fmt: skip
    s = story(91, theme=phones, titles=code_red, label=code_red[0], trending_terms=())
    encode = load_embedder("minilm").encode
    # "connect" is shared, but the angle is the foldables' and far from the story
    assert choose_angle(s, BRAND_EN, encode) != phones.angles[0]
    fold = ("Samsung's new foldable phone goes on sale", "Galaxy Z Fold 7 unfolded: first look")
    s = story(91, theme=phones, titles=fold, label=fold[0], trending_terms=())
    assert choose_angle(s, BRAND_EN, encode) == phones.angles[0]


def test_the_occasion_sets_the_visual_and_an_event_labels_the_lead() -> None:
    titles = (
        "Sinner beats Alcaraz in five sets to win the title at Wimbledon",
        "Sinner stuns Alcaraz at Wimbledon",
    )
    s = story(3, theme=SPORT_EN, titles=titles, label=titles[0], trending_terms=())
    pitch = draft_pitch(s, BRAND_EN, SETTINGS)
    # a keyword that is no day nor weather labels nothing: "Pixel: Google cracked…" read broken
    assert body(pitch).startswith("Sinner beats Alcaraz.")
    assert "Wimbledon" in pitch.visual and "Sinner and Alcaraz" in pitch.visual
    gadgets = ThemeSettings(name="gadgets", description="Phones.", keywords=("Pixel", "foldable"))
    pixel = ("Google cracked Apple's AirDrop and is adding it to Pixel phones",
             "Pixel phones get AirDrop support from Google")  # fmt: skip
    s = story(3, theme=gadgets, titles=pixel, label=pixel[0], trending_terms=())
    assert body(draft_pitch(s, BRAND_EN, SETTINGS)).startswith("Google cracked Apple's AirDrop.")
    # an event labels it: a day, weather news, a name of several words
    days = ThemeSettings(name="days", description="Events.", keywords=("Halloween", "heat wave"))
    for tell, label in (("Halloween", "Halloween: "), ("the heat wave", "Heat wave: ")):
        heads = (f"Costco sells out of Home Depot's portable fans, days before {tell}",
                 f"Home Depot's portable fans sell out at Costco ahead of {tell}")  # fmt: skip
        s = story(3, theme=days, titles=heads, label=heads[0], trending_terms=())
        assert body(draft_pitch(s, BRAND_EN, SETTINGS)).startswith(f"{label}Home Depot's")
    events = ("World Series", "Roland-Garros", "Canicule", "Pixel", "Release date", "Iced coffee")
    assert [_an_event(k) for k in events] == [True, True, True, False, False, False]


def test_a_story_that_took_in_two_events_is_told_by_the_one_its_theme_is_about() -> None:
    """A cold snap chained into the northern lights two days later: the sky theme's draft
    tells the lights, from a headline that names them, not the snow."""
    sky = ThemeSettings(
        name="sky-watching",
        description="Things to see in the sky: eclipses, meteor showers, northern lights.",
        keywords=("eclipse", "northern lights"),
        angles=("Best seat for this one is a dark sky away from the city",),
    )
    titles = (  # newest first, as the pipeline gives them
        "Northern lights may be visible in NYC tonight",
        "The U.S. saw vivid northern lights as far south as Florida — and more could be coming",
        "Northern lights could be visible in Utah, as NOAA issues a rare storm watch",
        "Arctic air hits much of the US, bringing very chilly temperatures to Florida",
        "Meteorologists warn of ‘intense’ snow in Great Lakes states and record lows in South",
    )
    brand = BRAND_EN.model_copy(update={"themes": (sky,)})
    s = story(351, theme=sky, titles=titles, label=titles[1], trending_terms=(), links=(),
              languages=("en",))  # fmt: skip
    # the label's own clause, whole: "U.S." ends no sentence, and "saw" tells what happened
    assert body(draft_pitch(s, brand, SETTINGS)).startswith("The U.S. saw vivid northern lights.")
    # without that headline, the oldest one about the lights, not the older one about the cold
    rest = replace(s, titles=titles[:1] + titles[2:], label=titles[4])
    assert body(draft_pitch(rest, brand, SETTINGS)).startswith(
        "Northern lights could be visible in Utah."
    )
    # and when two headlines of six name them (too few for "Northern lights:" as the occasion)
    cold = ("Arctic Blast Is Sweeping East, Bringing Snow", "Chicago schools close as snow falls")
    early = replace(rest, titles=(*rest.titles, *cold))
    assert body(draft_pitch(early, brand, SETTINGS)).startswith(
        "Northern lights could be visible in Utah."
    )


@pytest.mark.parametrize(
    ("titles", "lead"),
    [
        # a clause of at most seven words that names the subject
        (
            ("Hackers cause havoc inside Rainbow Six Siege, Ubisoft shuts the whole game down",
             "Players locked out of Rainbow Six Siege as Ubisoft acts"),
            "Ubisoft shuts the whole game down.",
        ),
        # never from a Title Case headline (which capitals are names?): from the next one
        (
            ("Attackers Caused So Much Havoc Inside Rainbow Six Siege, Ubisoft Shut Down the "
             "Whole Game", "Ubisoft pulls Rainbow Six Siege offline after attack"),
            "Ubisoft pulls Rainbow Six Siege offline.",
        ),
        # a label, not news: no verb
        (("Two US Army soldiers, one interpreter hurt in Syria",), ""),
        # longer: cut before the preposition that starts its detail
        (
            ("Heavy snowfall blankets western Pennsylvania for a second day",
             "Pittsburgh digs out after heavy snowfall hits Pennsylvania"),
            "Heavy snowfall blankets western Pennsylvania.",
        ),
        # never between a verb and what it needs: "Google Maps bakes." is no sentence
        (("Google Maps bakes in Gemini for turn-by-turn directions and local tips",),
         "Google Maps bakes in Gemini."),
        (("Walt Disney Studios partners with OpenAI on Sora characters",),
         "Walt Disney Studios partners with OpenAI."),
        (("Taylor Swift returns to London for three more Eras Tour shows",),
         "Taylor Swift returns to London."),
        # "to" before a date or a figure starts a detail, once the verb has its object; not
        # before a name (the point), nor where the figure is the point ("up to 250")
        (("Rockstar Games delays GTA 6 to November 2026",), "Rockstar Games delays GTA 6."),
        (("Fed cuts interest rates to 4% as inflation cools further",), "Fed cuts interest rates."),
        (("Venezuelans deported from the US to El Salvador were tortured, report says",), ""),
        (("Rwanda agrees to take up to 250 migrants deported by the US",), ""),
        (("Trump is 'committed' to $2,000 tariff dividend payments",), ""),
        (("Ubisoft's servers came back after a weekend of outages for players",
          "Players return to Ubisoft's Siege"), "Ubisoft's servers came back."),
        (("Apple halts Vision Pro overhaul to focus on smart glasses",
          "Apple shelves Vision Pro update"), "Apple shelves Vision Pro update."),
        (("Spotify is finally launching support for lossless audio on every plan",
          "Spotify lossless arrives"), ""),
        # a clause in lower case continues the one before it; no cut point: no lead
        (
            ("Warner Bros likely to reject Paramount's huge hostile bid, back Netflix in war",
             "Paramount and Warner Bros keep the Netflix deal talks going all week long"),
            "",
        ),
        # a Title Case clause, even in a headline that quotes a sentence
        (("With Goofy Skins Everywhere, Battlefield 6 Dev Commits to 'Gritty Realism': 'I don't "
          "think it needs them'", "Battlefield 6 campaign trailer drops today"),
         "Battlefield 6 campaign trailer drops today."),
        # seven words as a copied run counts them: "EA's" is two
        (("EA's Battlefield 6 trailer shows its whole campaign", "EA shows Battlefield 6 footage"),
         "EA shows Battlefield 6 footage."),
        # a longer clause with a word a headline can lose ("ever", "the") is told whole without
        # it: no run of eight words is copied
        # ("Musk" names "Elon Musk": a rare word of a name names it)
        (("Musk becomes first person ever to see wealth top $500bn",
          "Elon Musk is the first person ever worth $500 billion",
          "Inside the rise of the Elon Musk lieutenant leading Tesla's self-driving gamble"),
         "Musk becomes first person to see wealth top $500bn."),
        (("Melania Trump was once the one making White House design choices",), ""),
        (("Paraplegic engineer becomes the first wheelchair user to blast into space",),
         "Paraplegic engineer becomes first wheelchair user to blast into space."),
        # what is shown is no news, with its apostrophe too; an abbreviation ends no clause
        (("Here's why Nvidia shares fall",
          "Nvidia shares fall as AI bubble fears grow"),
         "Nvidia shares fall."),
        # dotted initials are one word wherever they stand; a digit or a capital before a
        # full stop ends a sentence all the same
        (("U.S. Army sends troops to Chicago", "U.S. Army deploys troops in Chicago"),
         "U.S. Army sends troops to Chicago."),
        (("Blue Jays force Game 7. Dodgers stunned",), "Blue Jays force Game 7."),
        # a comma in a list of names ends no clause: "Disney pulls ABC." says less than it did
        (("Disney pulls ABC, ESPN and more from YouTube TV as talks break down",),
         "Disney pulls ABC, ESPN and more."),
        # ...however long the list: "Store hours for Walmart." opened a payroll brand's Labor
        # Day post and named one shop; the whole list is a copied run, so no lead
        (("What’s open, what’s closed on Labor Day? Store hours for Walmart, Costco, Target, "
          "Publix and more",), ""),
        (("Sora soars to No. 1 on the App Store", "OpenAI's Sora app tops the App Store charts"),
         "Sora soars to No. 1."),
        # a name that is also a past verb, and a verb of a relative clause, tell nothing
        (("Rihanna's Met Gala look, explained", "Rihanna stuns at Met Gala"),
         "Rihanna stuns at Met Gala."),
        (("The Apple designer who made iPhone Air", "Apple loses its iPhone Air designer"),
         "Apple loses its iPhone Air designer."),
        # nothing is taken out of a quote
        (("‘We had to take down the existing East Wing’, Trump says",
          "Trump defends East Wing demolition"),
         "Trump defends East Wing demolition."),
        # never "the" of a title: "Game of Year" is broken
        (("Indie Game Awards disqualifies the Game of the Year winner Clair Obscur",
          "Indie Game Awards strips Clair Obscur award"),
         "Indie Game Awards strips Clair Obscur award."),
        (("Watch all the new trailers from Nintendo Direct September 2025",
          "Nintendo Direct brings new Mario games"),
         "Nintendo Direct brings new Mario games."),
        (("Nintendo Direct kicks off the Super Mario Bros. 40th Anniversary and brings a slate "
          "of new games", "Nintendo Direct brings new Mario games"),
         "Nintendo Direct brings new Mario games."),
        # a question is no news, nor is a clause past a full stop
        (("Is Samsung about to beat Apple?", "Will Samsung beat Apple this year?"), ""),
        (("Ubisoft shuts Siege down?! Players are furious",), ""),
        (("Ubisoft shuts Siege down. Players furious as the servers stay dark",),
         "Ubisoft shuts Siege down."),
        # a hyphen inside a word is no clause break ("not-so-elite")
        (("Qualcomm reveals its not-so-elite Snapdragon 8 Gen 5 chip for cheaper phones",
          "Qualcomm unveils Snapdragon 8 Gen 5"), "Qualcomm unveils Snapdragon 8 Gen 5."),
        # a plural's apostrophe is no quote
        (("Ubisoft refunds players' purchases after the Siege attack",
          "Siege maker Ubisoft promises refunds"),
         "Ubisoft refunds players' purchases."),
        # a headline in another language, too short to be told by its words: not the lead
        (("Ubisoft vend ses studios",), ""),
        # after the story's own headline, the first reports (they come newest first), not the
        # later reactions
        (("Taylor Swift and Travis Kelce Are Engaged, Singer Announces",
          "Brands are loving Taylor Swift's engagement. Do they need to calm down?",
          "Taylor Swift and Travis Kelce announce engagement on social media"),
         "Taylor Swift and Travis Kelce announce engagement."),
        # quotes kept whole, never cut open
        (("Kash Patel slams 'clickbait haters' after the backlash to his travel",),
         "Kash Patel slams 'clickbait haters'."),
        (("Battlefield 6 dev commits to 'gritty realism in combat' for its campaign",
          "EA shows Battlefield 6 campaign footage"), "EA shows Battlefield 6 campaign footage."),
        # the headlines nearest the label tell its event, before one about another event the
        # story took in, however old
        (("Perplexity Makes $34.5 Billion Bid for Google's Chrome Browser",
          "Perplexity makes surprise $34.5 billion bid for Chrome",
          "Chrome gets a new Google Finance chatbot"),
         "Perplexity makes surprise $34.5 billion bid."),
        # a comma between two subjects of what was said ends no lead: "Musk says Tesla."
        (("Musk says Tesla, Samsung Electronics sign $16.5 billion chip deal",
          "Tesla signs chip deal with Samsung"), "Tesla signs chip deal with Samsung."),
        # no cut between an -ing form and its "at" ("…killing."), unless "is" makes it a verb
        (("Passenger train derails in Germany killing at least 3 people",
          "Several killed in German train derailment"),
         "Several killed in German train derailment."),
        (("Black enrollment is waning at many elite colleges after affirmative action ban",),
         "Black enrollment is waning."),
        # nor between a set object and its preposition ("…will declare war."); a particle ends
        # a phrasal verb ("backs down")
        (("iPhone 17 Pro will declare war on Galaxy S Ultra with rumored camera feature",), ""),
        (("Donald Trump backs down on tariffs after markets tumble",),
         "Donald Trump backs down."),
        # a whole clause keeps its last word, even one a cut would leave hanging
        (("New photo shows just how thin the iPhone 17 Air battery is",),
         "New photo shows just how thin iPhone 17 Air battery is."),
        # a title's full stop after a lower-case word ends no clause ("…interview Sen."); one
        # that opens a name does
        (("FBI plans to interview Sen. Mark Kelly over video",),
         "FBI plans to interview Sen. Mark Kelly."),
        (("Former U.S. Sen. Ben Nighthorse Campbell dies at 92",),
         "Ben Nighthorse Campbell dies at 92."),
        # an -ing noun ends a lead before "at": "in mass shooting | at…"
        (("Three people injured in mass shooting at a Texas mall",),
         "Three people injured in mass shooting."),
        (("FEMA employees put on leave after criticizing the administration",),
         "FEMA employees put on leave."),
        # "escalates trade war" has its object; "declare war" needs "on…"
        (("Trump escalates trade war with China over chips",), "Trump escalates trade war."),
        # "reports" as a noun is news (a short clause that ends on it is who reported: below)
        (("Musk denies $800 billion SpaceX valuation reports",),
         "Musk denies $800 billion SpaceX valuation reports."),
        # two subjects after "says" joined by a comma: "Musk says Tesla." is no lead, and what
        # is left after the comma is no lead either
        (("Musk says Tesla, Samsung Electronics signs $16.5 billion chip deal",), ""),
        (("Trump trolls Biden, Obama in new White House plaques",),
         "Trump trolls Biden, Obama."),
        # the time goes with what it is counted from; a month's full stop ends no clause;
        # a title's heading is no lead; a verb before the time it counts from ends one
        (("Vinay Prasad returns to FDA days after leaving under pressure",),
         "Vinay Prasad returns to FDA."),
        (("Powerball draws on Nov. 14 after record jackpot",), "Powerball draws on Nov. 14."),
        (("Trump pardons Democratic Rep. Henry Cuellar over bribery case",),
         "Trump pardons Democratic Rep. Henry Cuellar."),
        (("Former two-term Illinois Gov. Jim Edgar dies at 79",), "Jim Edgar dies at 79."),
        (("Colombian senator Uribe dies two months after being shot",),
         "Colombian senator Uribe dies."),
        (("Princeton grad student kidnapped for over 900 days in Iraq has been released",), ""),
        (("Jair Bolsonaro sentenced to 27 years in prison for coup plot",),
         "Jair Bolsonaro sentenced to 27 years."),
        # what someone says keeps its verb: not "IAEA chief says Iran's cooperation."
        (("IAEA chief says Iran's cooperation with inspectors is not enough",), ""),
        (("Poland says 2 Ukrainians working for Russia behind rail blast",), ""),
        (("Bessent says Japan will invest $550 billion in US projects",),
         "Bessent says Japan will invest $550 billion."),
        (("Apple says goodbye to the Clips app after eight years",),
         "Apple says goodbye to the Clips app."),
        # a full stop between empty clauses breaks nothing
        (("The phone is dead. Long live . . . what exactly?",), "The phone is dead."),
        # a brand's own casing opens a clause; a lower-case word does not
        (("iOS 26 is finally here with a new look",), "iOS 26 is finally here."),
        (("iPhone 17 sales beat forecasts in the first week",),
         "iPhone 17 sales beat forecasts."),
        # a lead names the subject in the plural, or a longer name less its first word; a
        # name with one word of another language is a name all the same ("Kim Jong Un")
        (("Apple’s blood oxygen monitoring returns to its latest Apple Watch Series",
          "Apple returns blood oxygen monitoring to the latest Apple Watches",
          "Apple Watch Series 10 Gets Blood Oxygen Feature Back in US"),
         "Apple returns blood oxygen monitoring to latest Apple Watches."),
        (("Samsung Galaxy Z Fold 7 review: a quantum leap",
          "Galaxy Z Fold 7 is a hit in Europe, Blue Shadow shines worldwide",
          "Samsung Galaxy Z Fold 7 Sells Out In Korea"),
         "Galaxy Z Fold 7 is a hit."),
        (("North Korea: Kim Jong Un's sister rejects South's overtures",
          "Kim Jong Un’s sister rejects outreach by South Korea’s new president",
          "Kim Jong Un Sister Rejects Seoul"),
         "Kim Jong Un’s sister rejects outreach."),
        # what a headline says a name is, before it, is left out: the name is the subject
        (("ChatGPT owner OpenAI signs $38bn cloud computing deal with Amazon",),
         "OpenAI signs $38bn cloud computing deal."),
        (("Former Manchester United boss José Mourinho sacked by Fenerbahce",),
         "José Mourinho sacked by Fenerbahce."),
        (("The star of the show wins big",), "The star of the show wins big."),
        # ...but not after a question word, nor a verb's "host", nor before an acronym; and a
        # one-word common name keeps what says who it is
        (("What Georgia Tech coach Brent Key said about the loss",), ""),
        (("Turkey set to host COP31 as Australia steps aside",), ""),
        (("Meta chief AI scientist Yann LeCun clarifies his role",), ""),
        (("South Korean president Lee asks China's Xi for help engaging North Korea",), ""),
        # "to" and a verb after a name is what it will do (not after a label noun, nor before
        # a name); an acronym is no article a cut leaves hanging ("UN", not French "un")
        (("Yum Brands to review strategic options for Pizza Hut, opening the door to a sale",
          "Yum Brands Explores Sale of Pizza Hut"), "Yum Brands to review strategic options."),
        (("Israeli PM Netanyahu to address UN after Trump says he won't allow annexation",),
         "Israeli PM Netanyahu to address UN."),
        (("Effort to censure Ilhan Omar",), ""),
        (("Plan to rebuild the East Wing ballroom",), ""),
        (("Trump 401k changes: What to know",), ""),
        (("Words to watch out for in the Fed statement",), ""),
        (("Back to the future for Nintendo fans",), ""),
        # ...and no cut leaves what it goes on with hanging: "…man convicted.", "…start turning."
        (("Florida to execute man convicted in 1990 murder",), ""),
        (("DOJ to start turning over Epstein files to Capitol Hill",), ""),
        (("Kraft Heinz to split a decade after megafood merger",), "Kraft Heinz to split."),
        # a passive that says little without its agent keeps it ("…datacenter backed.", "…was
        # diagnosed."); one that is news as it stops may end there
        (("Denver was struck by a snowstorm as temperatures plunge across the state",),
         "Denver was struck by a snowstorm."),
        (("Michigan residents fight against huge datacenter backed by tech giants",), ""),
        (("Ben Sasse says he was diagnosed with stage 4 pancreatic cancer",), ""),
        (("Midshipman at US Naval Academy was shot by a fellow student",),
         "Midshipman at US Naval Academy was shot."),
        # a comma between adjectives is inside the clause: never "…shows a new."
        (("Democrats’ defiance on shutdown shows a new, tougher approach to Trump",), ""),
        # a quantity is what the verb counts, not a detail: never "…targets as many."
        (("Exclusive: Amazon targets as many as 30,000 corporate job cuts, sources say",), ""),
        (("Police raid of Rio favelas leaves at least 64 dead",), ""),
        (("Mexico floods kill at least 23 people after days of heavy rain",),
         "Mexico floods kill at least 23 people."),
        # "following" and "including" start a detail as "after" and "with" do
        (("Tesla launches cheaper Model Y following end of US EV subsidies",),
         "Tesla launches cheaper Model Y."),
        (("Peloton increases fees and introduces new hardware including a $6,695 treadmill",),
         "Peloton increases fees and introduces new hardware."),
        # ...unless the clause goes on after the aside; a following is a noun
        (("California bans most law enforcement including ICE from wearing masks",), ""),
        (("Influencer gains massive following after viral dance challenge video",),
         "Influencer gains massive following."),
        (("Retailer to close stores at least through the holiday season, memo says",),
         "Retailer to close stores."),
        (("Stocks fall as much as 3% as investors flee tech",), ""),
        (("Storm leaves thousands without power as snow piles up at least a foot deep",),
         "Storm leaves thousands without power."),
        # as "will <verb>" does ("…Kim will meet." says nothing)
        (("North Korea's Kim will meet with Xi and Putin at Chinese military parade",), ""),
        # a progressive goes on to what it is about: never "Apple is reportedly working."
        (("Apple is reportedly working on touch-sensitive cases for future iPhone Pros",
          "Apple’s second limited-edition iPhone accessory is all about accessibility"), ""),
        # two names opening a headline are its subject, not a heading: never "Mastercard reach…"
        (("Visa, Mastercard reach revised swipe-fee settlement with merchants",),
         "Visa, Mastercard reach revised swipe-fee settlement."),
        (("Meanwhile, Apple launches a cheaper iPhone for students",),
         "Apple launches a cheaper iPhone for students."),
        # with no other place to cut, before a second thing the subject did
        (("New York subway ends its MetroCard era and switches fully to tap-and-go fares",),
         "New York subway ends its MetroCard era."),
        # ...not an "and" between two things found, nor between two nouns before their verb
        (("Study finds coffee and teas reduce risk of heart disease in adults",), ""),
        (("Survey shows parents and teachers worry about screen time in schools",), ""),
    ],
)  # fmt: skip
def test_the_draft_says_what_happened_in_a_few_words_of_a_headline(
    titles: tuple[str, ...], lead: str
) -> None:
    # money news is led for a theme about money (`test_a_money_headline_…`)
    theme = MARKETS_EN if any(says_finance(t) for t in titles) else SPORT_EN
    s = story(8, theme=theme, titles=titles, label=titles[0], trending_terms=(),
              links=(), languages=("en",))  # fmt: skip
    pitch = draft_pitch(s, BRAND_EN, SETTINGS)
    if lead:
        assert body(pitch).startswith(lead), body(pitch)
    else:  # no sentence of a headline opens the draft (a stock hook does)
        first = body(pitch).split(". ")[0].casefold()
        assert not any(first in t.casefold() for t in titles), body(pitch)
    assert not copied_run(body(pitch), titles)


def test_a_lead_keeps_what_a_word_needs_and_no_list_leads() -> None:
    """A carrier's leads read "Pixel 10 phones are now compatible." (with what?), "Hollywood
    panics as Paramount-Netflix battle." (for what?) and, from "iOS 26.2: All the new features
    coming to your iPhone", "All new features coming to your iPhone.": a word that needs what
    follows keeps it (or gives no lead), and an explainer's list is no news."""
    for long in ("Pixel 10 phones are now compatible with Apple's AirDrop feature for quick file"
                 " sharing", "Google's Pixel 10 phones are now compatible with iPhone AirDrop in a"
                 " surprise move"):  # fmt: skip
        assert " compatible with " in _lead_of(long, "en"), _lead_of(long, "en")
    lead = _lead_of("Hollywood panics as Paramount-Netflix battle for Warner Bros", "en")
    assert not lead.endswith("battle"), lead
    for listed in ("iOS 26.2: All the new features coming to your iPhone",
                   "All of the best Cyber Monday deals on TVs",
                   "Everything Apple announced at its iPhone event",
                   "All the biggest announcements from the Nintendo Direct"):  # fmt: skip
        assert _lead_of(listed, "en") == "", listed
    for news in ("All eyes turn to the Fed as rates decision looms",
                 "Every school in Denver closes early as snow piles up"):  # fmt: skip
        assert _lead_of(news, "en"), news


def test_a_short_clause_that_ends_on_finds_or_reports_tells_who_said_it() -> None:
    assert _lead_of("AP analysis finds", "en") == ""
    assert _lead_of("Bloomberg News reports", "en") == ""
    assert _lead_of("A new Reuters analysis finds", "en") == ""
    assert _lead_of("Nasa finds water on the Moon", "en") == "Nasa finds water on the Moon"
    s = story(8, theme=SPORT_EN, titles=("Breakfast Habits Of 2025, AP analysis finds",),
              label="Breakfast Habits Of 2025, AP analysis finds", trending_terms=(),
              links=(), languages=("en",))  # fmt: skip
    assert "AP analysis" not in body(draft_pitch(s, BRAND_EN, SETTINGS))


def test_a_live_blogs_heading_gives_no_lead() -> None:
    """ "Meta Connect 2025 as it happened." opened a pitch: the heading names the coverage."""
    gadgets = ThemeSettings(name="gadgets", description="New phones, glasses and gadgets.")
    titles = (
        "Meta Connect 2025 as it happened: Ray-Ban Display, Oakley Vanguard smart glasses, more",
        "Meta Connect 2025 LIVE — Ray-Ban Meta Display smart glasses and all the news",
        "Meta Connect 2025 live updates: Ray-Ban Display and more new smartglasses unveiled",
        "Meta launches smart glasses with built-in display, reaching for 'superintelligence'",
    )
    s = story(10, theme=gadgets, titles=titles, label=titles[0], trending_terms=(), links=(),
              languages=("en",))  # fmt: skip
    lead = story_lead(s, BRAND_EN, ["Meta Connect", "Meta", "Oakley"])
    assert lead.startswith("Meta launches smart glasses"), lead


def test_a_french_lead_has_a_name_for_its_subject() -> None:
    bourse = ThemeSettings(name="bourse", description="La Bourse et les résultats des entreprises.")

    def lead(*titles: str) -> str:
        s = story(9, theme=bourse, titles=titles, label=titles[0], trending_terms=(), links=(),
                  languages=("fr",))  # fmt: skip
        return story_lead(s, BRAND_FR, ["Deezer", "Ukraine"])

    assert lead("Deezer prépare son entrée en Bourse, surfant sur un marché porteur") == (
        "Deezer prépare son entrée en Bourse"
    )
    # a heading, an aside: no subject doing anything
    assert lead("Guerre en Ukraine : Dnipro, nœud logistique de la résistance") == ""
    assert lead("Pour Deezer, la Bourse attendra encore un peu") == ""
    assert lead("Deezer et Sony : l'accord est signé") == ""  # names, then a heading


def test_a_theme_keyword_the_story_does_not_name_is_no_hashtag() -> None:
    gold = story(4, titles=GOLD, label=GOLD[0], trending_terms=())
    pitch = draft_pitch(gold, BRAND_FR, SETTINGS)
    assert pitch.hashtags == ("#MaisonBrioche",)  # not #RolandGarros, not #Gold


def test_the_brands_name_is_a_tag_only_for_a_brand_with_no_hashtag() -> None:
    # a story with no name to tag: not "#KettleAndCrumb #KettleCrumb", the brand twice
    snow = ("Heavy snow expected overnight across the region", "Snow totals climb overnight")
    s = story(4, theme=SPORT_EN, titles=snow, label=snow[0], trending_terms=(), keywords=())
    own = {"name": "Kettle & Crumb", "hashtags": ("#KettleAndCrumb",)}
    kettle = BRAND_EN.model_copy(update=own)
    assert draft_pitch(s, kettle, SETTINGS).hashtags == ("#KettleAndCrumb",)
    bare = kettle.model_copy(update={"hashtags": ()})
    assert draft_pitch(s, bare, SETTINGS).hashtags == ("#KettleCrumb",)


def test_a_common_word_is_a_tag_only_where_the_headlines_show_it_is_a_name() -> None:
    def tags(*titles: str) -> tuple[str, ...]:
        s = story(1, theme=SPORT_EN, titles=titles, label=titles[0], trending_terms=())
        return draft_pitch(s, BRAND_EN, SETTINGS).hashtags

    # "Apple" (Zipf 4.8) stands alone mid-sentence in two headlines: a name, and a tag.
    assert "#Apple" in tags("Why Apple bets on a thinner iPhone", "Analysts say Apple ships in May")
    # Only inside a longer name, it is no tag; "iPhone" is one wherever it stands.
    only_inside = tags("Why Apple Watch bets on the iPhone", "Apple Watch and iPhone ship in May")
    assert "#Apple" not in only_inside and "#iPhone" in only_inside
    advisory = tags(
        "CDC Advisory Committee meets on Thursday", "Advisory board: the CDC names new members"
    )
    assert not {"#Advisory", "#Committee"} & set(advisory)
    # a CamelCase name that another headline writes in lower case is a common phrase
    trifold = tags(
        "Samsung’s Galaxy tri-fold tipped to launch this week",
        "Samsung TriFold: Samsung gives us a first glimpse",
        "Galaxy Z ‘TriFold’ might still be thinner than most foldables",
    )
    assert "#TriFold" not in trifold
    # capitals in a Title Case clause of a headline that quotes a sentence prove nothing
    skins = tags(
        "Battlefield 6 Skins Will “Fit the Universe,” Says Producer (Exclusive)",
        "With Call of Duty's Obsession With Goofy Skins Firmly Entrenched, Battlefield 6 Dev "
        "Commits to 'Gritty Realism': 'I don't think it needs Nicki Minaj'",
        "Battlefield 6 Release Date Confirmed For October, Multiplayer Trailer Shows Off Chaos",
    )
    assert "#Skins" not in skins
    # a clause of names alone still proves them
    game7 = tags(
        "Game 7 tonight: Toronto Blue Jays vs Los Angeles Dodgers", "Dodgers and Jays meet"
    )
    assert "#Dodgers" in game7
    # a two-letter name in half the news ("AI", "UK") or a figure ("$5M") is no tag, though
    # the story names it; a company of two letters is ("GM")
    ai = tags(
        "Nvidia shares slide as AI bubble fears grow",
        "Investors dump AI chipmakers like Nvidia",
        "AI bubble fears hit Nvidia and AMD",
    )
    assert "#AI" not in ai and "#Nvidia" in ai
    uk = tags(
        "Movie studios raise $5M for new UK fund", "UK film fund gets $5M", "UK studios cheer"
    )
    assert not {"#UK", "#5M"} & set(uk)
    gm = tags("Ex-Tesla executive joins GM as tech leader", "GM hires former Tesla executive",
              "Tesla loses its tech leader to GM")  # fmt: skip
    assert "#GM" in gm
    # the brand's own tag stays, however the headlines write its words
    own = BRAND_EN.model_copy(update={"hashtags": ("#GameDay",)})
    s = story(1, theme=SPORT_EN, titles=("Fans get ready for game day in Kansas City",),
              label="Fans get ready for game day in Kansas City", trending_terms=())  # fmt: skip
    assert "#GameDay" in draft_pitch(s, own, SETTINGS).hashtags
    assert "#WorldSeries" in tags("Dodgers win the World Series", "World Series: Dodgers repeat")


def test_templates_vary_from_story_to_story_and_repeat_for_the_same_story() -> None:
    drafts = [draft_pitch(english_story(i), BRAND_FR, SETTINGS).draft for i in range(4)]
    assert len(set(drafts)) == 4
    assert draft_pitch(english_story(3), BRAND_FR, SETTINGS).draft == drafts[3]
    visuals = {draft_pitch(english_story(i), BRAND_FR, SETTINGS).visual for i in range(3)}
    assert len(visuals) == 3


def test_a_theme_without_angles_joins_the_conversation() -> None:
    theme = ThemeSettings(name="météo", keywords=("canicule",))
    pitch = draft_pitch(story(1, theme=theme, keywords=(), trending_terms=()), BRAND_FR, SETTINGS)
    assert pitch.angle == ""
    assert "Maison Brioche" in pitch.draft
    assert "#MaisonBrioche" in pitch.hashtags


def test_a_long_story_still_fits() -> None:
    s = english_story(2)
    pitch = draft_pitch(s, BRAND_FR, PitchSettings(max_chars=90))
    assert len(pitch.draft) <= 90


def test_competitors_and_blocked_terms_never_become_hashtags() -> None:
    titles = (
        "Starbucks et la grève chez Alcaraz Café",
        "Grève : Starbucks ferme, Alcaraz Café reste",
    )
    s = story(1, titles=titles, keywords=("Starbucks", "grève", "Alcaraz"), trending_terms=())
    pitch = draft_pitch(s, BRAND_FR, SETTINGS)
    assert "#Starbucks" not in pitch.hashtags
    assert "#Grève" not in pitch.hashtags
    assert "Starbucks" not in pitch.draft
    assert pitch.hashtags[0] == "#AlcarazCafé"
    # a search term in lower case becomes the competitor's tag: "#Starbucks" of "starbucks"
    searched = replace(s, trending_terms=("starbucks",), keywords=("starbucks", "Alcaraz"))
    assert "#Starbucks" not in draft_pitch(searched, BRAND_FR, SETTINGS).hashtags
    reserve = replace(searched, trending_terms=("starbucks reserve",))
    assert "#StarbucksReserve" not in draft_pitch(reserve, BRAND_FR, SETTINGS).hashtags


def test_a_story_about_a_competitor_is_told_without_naming_it() -> None:
    titles = ("Starbucks opens 40 cafés in France", "Starbucks expands in France with 40 cafés")
    s = story(1, label=titles[0], titles=titles, languages=("en",), trending_terms=())
    pitch = draft_pitch(s, BRAND_FR, SETTINGS)
    assert "Starbucks" not in pitch.draft + pitch.visual


def test_a_draft_never_names_a_competitor_by_its_short_name() -> None:
    titles = ("Keurig Dr Pepper to acquire JDE Peet’s in coffee deal",
              "Keurig Dr Pepper strikes deal to buy JDE Peet’s")  # fmt: skip
    s = story(1, theme=SPORT_EN, label=titles[0], titles=titles, languages=("en",),
              trending_terms=(), links=(), keywords=())  # fmt: skip
    brand = BRAND_EN.model_copy(update={"safety": SafetySettings(competitors=("Peet's Coffee",))})
    pitch = draft_pitch(s, brand, SETTINGS)
    assert "peet" not in (pitch.draft + " ".join(pitch.hashtags) + pitch.visual).casefold()
    assert "peet" in draft_pitch(s, BRAND_EN, SETTINGS).draft.casefold()  # not a competitor


def test_a_caution_verdict_on_the_draft_marks_the_pitch() -> None:
    @dataclass(frozen=True)
    class Verdict:
        level: str
        reason: str

    pitch = draft_pitch(story(1), BRAND_FR, SETTINGS, check=lambda _: Verdict("caution", "sport"))
    assert (pitch.safety, pitch.safety_reason) == ("caution", "draft: sport")
    with pytest.raises(PitchError, match="blocked: no"):
        draft_pitch(story(1), BRAND_FR, SETTINGS, check=lambda _: Verdict("blocked", "no"))


# checks, tags, sources ---------------------------------------------------------------------------


def test_check_draft_lists_each_problem() -> None:
    assert check_draft("Fine.", max_chars=10, allowed_mentions=()) == []
    assert check_draft("x" * 11, max_chars=10, allowed_mentions=()) == [
        "too long: 11 characters (max 10)"
    ]
    problems = check_draft(
        "Read https://bit.ly/3xYz and t.co/abc, ask @rival and @Friend, mail me@shop.fr",
        max_chars=280,
        allowed_mentions=("@friend",),
    )
    assert problems == [
        "URL shortener: bit.ly, t.co (link the article itself)",
        "@mention not allowed: @rival",
    ]
    assert check_draft("a bit.ly joke, not.a.t.co/link", max_chars=280, allowed_mentions=()) == []
    blocked = terms_check(["grève"])
    problems = check_draft("La GREVE continue", max_chars=280, allowed_mentions=(), blocked=blocked)
    assert problems == ["blocked: contains 'grève'"]
    assert check_draft("Un régal", max_chars=280, allowed_mentions=(), blocked=blocked) == []
    # an acronym counts only in capitals, as safety reads it: the agency, not the rapper nor the
    # weather (a text all in capitals says no case)
    ice = terms_check(["ICE"])
    found = {t: ice(t).level for t in ("ICE raids spread", "ICE RAIDS SPREAD", "Ice Spice tours",
                                       "Snow and ice tonight")}  # fmt: skip
    assert found == {"ICE raids spread": "blocked", "ICE RAIDS SPREAD": "blocked",
                     "Ice Spice tours": "safe", "Snow and ice tonight": "safe"}  # fmt: skip


@pytest.mark.parametrize(
    ("term", "tag"),
    [
        ("Roland-Garros", "#RolandGarros"),
        ("Tour de France", "#TourDeFrance"),
        ("canicule", "#Canicule"),
        ("iPhone", "#iPhone"),
        ("iPhone Air", "#iPhoneAir"),  # a camel-case name keeps its case, not "#IPhoneAir"
        ("Apple iPhone 17", "#AppleiPhone17"),
        ("#Météo", "#Météo"),
        ("PSG", "#PSG"),
        ("L’Oréal", "#LOréal"),  # an apostrophe joins, it splits nothing off
        ("Macy's", "#Macys"),
        ("Jim O'Neill", "#JimONeill"),
        # a capital alone is part of the name: not "#PG", "#Model", "#Open"
        ("PG&E", "#PGE"),
        ("Model Y", "#ModelY"),
        ("U.S. Open", "#USOpen"),
        ("A Minecraft Movie", "#MinecraftMovie"),  # an article is not
        ("2025", None),
        ("a sentence far too long to be a tag", None),
        ("", None),
    ],
)
def test_hashtag(term: str, tag: str | None) -> None:
    assert hashtag(term) == tag


def test_sources_prefer_both_languages_and_distinct_publishers() -> None:
    picked = pick_sources(LINKS, prefer=("fr",))
    assert [link.url for link in picked] == [
        "https://lemonde.fr/1",
        "https://bbc.co.uk/3",
        "https://lequipe.fr/4",
    ]
    english_first = pick_sources(LINKS, prefer=("en",))
    assert english_first[0].language == "en"
    assert {link.language for link in english_first} == {"fr", "en"}
    regional = (LINKS[0], replace(LINKS[4], language="en-US"))
    assert pick_sources(regional, prefer=("en",))[0].language == "en-US"
    same = (LINKS[0], LINKS[1])
    assert pick_sources(same) == same  # one publisher only: both links rather than one
    assert pick_sources(()) == ()
    # A replayed archive has headlines without URLs: each is still a source of its own.
    bare = tuple(replace(link, url="") for link in LINKS)
    assert [link.source for link in pick_sources(bare, prefer=("fr",))] == [
        "Le Monde",
        "BBC News",
        "L'Équipe",
    ]


# LLM writer --------------------------------------------------------------------------------------


def test_llm_draft_is_used_and_the_key_travels_only_in_the_header(logs: list[str]) -> None:
    with llm_server() as server:
        settings = llm_settings(server)
        pitch = draft_pitch(story(1), BRAND_FR, settings, writer=llm_writer(settings))
    assert pitch.writer == "llm"
    assert pitch.writer_note == ""
    assert pitch.angle == "A champions' breakfast for a historic final"
    # "#Finale" is a common word: the brand's own tag takes its place.
    assert pitch.draft == (
        "What a final! Tomorrow morning, the croissants are on us for the fans.\n\n"
        "#RolandGarros #MaisonBrioche"
    )
    assert pitch.hashtags == ("#RolandGarros", "#MaisonBrioche")
    [request] = server.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.body["model"] == "good"
    system, user = request.body["messages"]
    assert KEY not in system["content"] + user["content"]
    assert "Chaleureuse, gourmande" in system["content"]
    assert "Write in French." in system["content"]
    assert "Never mock or denigrate anyone" in system["content"]
    assert "- Sinner sacré à Paris" in user["content"]
    assert (
        "Names in the story (for the post and its hashtags): Roland Garros, Sinner"
        in (user["content"])
    )
    assert "Le « petit-déj des champions »" in user["content"]
    assert_no_key(pitch, logs)


def test_the_llm_prompt_carries_the_brands_approved_and_edited_drafts(tmp_path: Path) -> None:
    now = datetime(2025, 10, 1, 9, tzinfo=UTC)
    with Store(tmp_path / "t.db") as store:
        for i in range(4):
            row = {"id": i, "model": "m", "label": "x", "first_seen": "a", "last_seen": "b"}
            store.db["stories"].insert(row)
        ids = []
        for i, text in enumerate(["Approuvé tel quel 🥐", "Rejeté", "Proposé", "Brouillon"]):
            pitch = replace(draft_pitch(story(i), BRAND_FR, SETTINGS), draft=text)
            ids.append(store.insert_pitch(pitch, now=now + timedelta(minutes=i)).id)
        later = now + timedelta(hours=1)
        store.set_pitch_state(
            ids[0], "approved", now=later, user="U1", final_text="Approuvé tel quel 🥐"
        )
        store.set_pitch_state(ids[1], "rejected", now=later, user="U1", reason="bof")
        store.edit_pitch_draft(ids[3], "Réécrit par Anne, avec le sourire.", now=later, user="U1")
        examples = store.approved_drafts(limit=5)
    assert examples == ["Réécrit par Anne, avec le sourire.", "Approuvé tel quel 🥐"]
    with llm_server() as server:
        settings = llm_settings(server)
        writer = llm_writer(settings)
        pitch = draft_pitch(story(1), BRAND_FR, settings, writer=writer, examples=examples)
    assert pitch.writer == "llm"
    [request] = server.requests
    system = request.body["messages"][0]["content"]
    assert "Posts the team approved or edited" in system
    assert "- Réécrit par Anne, avec le sourire.\n- Approuvé tel quel 🥐" in system
    assert "Never write these words: Starbucks, grève, strike." in system
    assert "never copy a headline" in system and "Write in French." in system


def test_the_prompt_keeps_at_most_5_examples() -> None:
    examples = [f"Exemple numéro {i}" for i in range(8)]
    system, _ = build_messages(story(1), BRAND_FR, SETTINGS, examples=examples)
    assert "Exemple numéro 4" in system["content"]
    assert "Exemple numéro 5" not in system["content"]
    system, _ = build_messages(story(1), BRAND_FR, SETTINGS)
    assert "approved or edited" not in system["content"]


def test_an_llm_draft_that_pastes_a_headline_falls_back_to_the_template() -> None:
    with llm_server() as server:
        settings = llm_settings(server, "copycat")
        s = english_story(1)
        pitch = draft_pitch(s, BRAND_FR, settings, writer=llm_writer(settings))
    assert pitch.writer == "template"
    assert pitch.writer_note.startswith("llm draft failed the checks (copies a headline: ")
    assert copied_run(pitch.draft, s.titles) == ""


def test_an_llm_draft_that_asks_people_out_on_a_warned_storm_falls_back() -> None:
    """The prompt says "invite no one out" on a warned storm; an answer that does anyway is
    checked, and the template (a word of care) goes out instead. On a first snow it stands."""
    warned = ("Winter Storm Warning continues for Chicago area",
              "Dangerous cold and heavy snow hit Chicago")  # fmt: skip
    first = ("First snowfall of the season blankets Chicago", "Snow arrives in Chicago")
    storm = story(12, theme=SEASONS, titles=warned, label=warned[0], trending_terms=(),
                  links=(), languages=("en",))  # fmt: skip
    with llm_server() as server:
        server.answer = {**server.answer, "draft": "Snowed in? Stop by for a warm cup at our cafe."}
        settings = llm_settings(server)
        pitch = draft_pitch(storm, BRAND_EN, settings, writer=llm_writer(settings))
        assert pitch.writer == "template"
        assert pitch.writer_note == (
            "llm draft failed the checks (asks people out while a weather warning keeps them"
            " home); template used"
        )
        assert "Stop by" not in pitch.draft
        snow = replace(storm, titles=first, label=first[0])
        assert draft_pitch(snow, BRAND_EN, settings, writer=llm_writer(settings)).writer == "llm"


def test_llm_answer_inside_a_code_fence_is_accepted() -> None:
    with llm_server() as server:
        settings = llm_settings(server, "fenced")
        pitch = draft_pitch(story(1), BRAND_FR, settings, writer=llm_writer(settings))
    assert pitch.writer == "llm"


@pytest.mark.parametrize(
    ("model", "note"),
    [
        ("invalid", "llm writer: the answer is not the JSON object asked for; template used"),
        ("partial", "llm writer: the answer lacks 'draft'; template used"),
        ("error500", "llm writer: HTTP 500 (the service failed): The server had an error; "),
        ("long", "llm draft failed the checks (too long: "),
        ("blocked", "llm draft failed the checks (blocked: contains 'grève'); template used"),
    ],
)
def test_llm_failures_fall_back_to_the_template_and_say_why(
    model: str, note: str, logs: list[str]
) -> None:
    with llm_server() as server:
        settings = llm_settings(server, model)
        pitch = draft_pitch(story(1), BRAND_FR, settings, writer=llm_writer(settings))
    assert pitch.writer == "template"
    assert pitch.writer_note.startswith(note)
    assert pitch.writer_note.endswith("; template used")
    assert pitch.draft == draft_pitch(story(1), BRAND_FR, SETTINGS).draft
    assert len(server.requests) == 1
    assert_no_key(pitch, logs)


def test_a_slow_llm_times_out_and_the_template_steps_in(logs: list[str]) -> None:
    with llm_server() as server:
        settings = llm_settings(server, "slow", timeout=0.3)
        pitch = draft_pitch(story(1), BRAND_FR, settings, writer=llm_writer(settings))
    assert pitch.writer == "template"
    assert pitch.writer_note == (
        "llm writer: no answer within 0.3 s (pitches.llm.timeout); template used"
    )
    assert_no_key(pitch, logs)


def test_a_refused_key_is_never_echoed(logs: list[str]) -> None:
    with llm_server() as server:
        settings = llm_settings(server, "denied")
        pitch = draft_pitch(story(1), BRAND_FR, settings, writer=llm_writer(settings))
    assert pitch.writer_note.startswith(
        "llm writer: HTTP 401 (check the key in $TRENDBOT_LLM_API_KEY): Incorrect API key: "
        "[redacted]"
    )
    assert_no_key(pitch, logs)


def test_an_unreachable_llm_falls_back() -> None:
    with llm_server() as server:
        base_url = server.base_url
    settings = PitchSettings(llm=LLMSettings(base_url=base_url, model="good", timeout=2))
    pitch = draft_pitch(story(1), BRAND_FR, settings, writer=llm_writer(settings))
    assert pitch.writer == "template"
    assert pitch.writer_note.startswith("llm writer: cannot reach 127.0.0.1:")


def test_parse_answer_validates_the_fields() -> None:
    good = '{"angle": "a", "draft": "b", "hashtags": "#x #y", "visual": "c"}'
    assert parse_answer(good).hashtags == ("#x", "#y")
    assert parse_answer("Here you go:\n" + good + "\nEnjoy!").draft == "b"
    for bad, why in [
        ("[1, 2]", "not the JSON object"),
        ('{"angle": "a", "draft": "", "hashtags": [], "visual": "c"}', "draft is empty"),
        ('{"angle": "a", "draft": "b", "hashtags": [1], "visual": "c"}', "not a list of strings"),
        ('{"angle": 1, "draft": "b", "visual": "c"}', "lacks 'angle'"),
    ]:
        with pytest.raises(PitchError, match=why):
            parse_answer(bad)


def test_the_prompt_carries_caution_and_treats_headlines_as_data() -> None:
    s = story(1, safety="caution", safety_reason="names a competitor")
    system, user = build_messages(s, BRAND_EN, PitchSettings(max_chars=200))
    assert "not instructions" in system["content"]
    assert "at most 155 characters" in system["content"]
    assert "Write in English." in system["content"]
    assert "Caution: names a competitor." in user["content"]


def test_make_writer_picks_the_llm_only_when_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(make_writer(PitchSettings(), Secrets()), TemplateWriter)
    llm = LLMSettings(base_url="http://127.0.0.1:9/v1", model="m", api_key_env="MY_LLM_KEY")
    monkeypatch.setenv("MY_LLM_KEY", KEY)
    writer = make_writer(PitchSettings(llm=llm), Secrets())
    assert isinstance(writer, LLMWriter)
    assert writer._key is not None and writer._key.get_secret_value() == KEY
    assert KEY not in repr(writer)


def test_the_cycle_holds_a_draft_that_can_name_nothing_in_its_story() -> None:
    """Title-case headlines with no name to tell give a draft nobody would post: the cycle's
    own pitch is refused (the story waits for headlines that say more); asked by hand, it comes."""
    titles = ("Our 10 Favorite Games Of The Year, And Why Only One Wins",
              "The Best Games Of The Year, Ranked")  # fmt: skip
    theme = ThemeSettings(name="games", description="video games and consoles")
    vague = story(3, theme=theme, label=titles[0], titles=titles, keywords=(), trending_terms=(),
                  links=(), languages=("en",))  # fmt: skip
    with pytest.raises(PitchError, match="nothing specific to say yet"):
        draft_pitch(vague, BRAND_EN, SETTINGS, specific=True)
    asked = draft_pitch(vague, BRAND_EN, SETTINGS)
    assert asked.draft.startswith(("One story has everyone", "Today's news has the whole feed"))
    named = english_story(4, theme=theme)
    assert "Swift" in draft_pitch(named, BRAND_EN, SETTINGS, specific=True).draft
    # a two-letter name alone ("AI", "EU") names half the news, not this story
    ai = ("Is AI A Bubble? Investors Weigh In", "AI Bubble Fears Grow On Wall Street")
    bubble = story(5, theme=theme, label=ai[0], titles=ai, keywords=(), trending_terms=(),
                   links=(), languages=("en",))  # fmt: skip
    with pytest.raises(PitchError, match="nothing specific to say yet"):
        draft_pitch(bubble, BRAND_EN, SETTINGS, specific=True)
    assert "AI" in draft_pitch(bubble, BRAND_EN, SETTINGS).draft
    # ...but a headline that says what happened is specific, with a vague name or none
    told = ("AI startups raise record sums as AI bubble fears grow", "Is AI a bubble?")
    raised = replace(bubble, titles=told, label=told[0])
    assert body(draft_pitch(raised, BRAND_EN, SETTINGS, specific=True)).startswith(
        "AI startups raise record sums."
    )
    space = (
        "Paraplegic engineer becomes first wheelchair user to float in space",
        "First wheelchair-using astronaut touches down after ride to edge of space",
        "Paraplegic engineer becomes the first wheelchair user to blast into space",
    )
    nameless = replace(bubble, titles=space, label=space[0])
    assert body(draft_pitch(nameless, BRAND_EN, SETTINGS, specific=True)).startswith(
        "Paraplegic engineer becomes first wheelchair user to blast into space."
    )
    # nor a headline of another subject the story took in: its clause shares a word with
    # another headline, in some form (below), and not one of half the news ("year")
    lists = ("Top 10 Video Games of the Year", "Tech's biggest losers of the year",
             "Critics name the best games of 2025")  # fmt: skip
    best = replace(bubble, titles=lists, label=lists[1])
    assert body(draft_pitch(best, BRAND_EN, SETTINGS, specific=True)).startswith(
        "Critics name the best games of 2025."
    )
    only = replace(best, titles=lists[:2])
    with pytest.raises(PitchError, match="nothing specific to say yet"):
        draft_pitch(only, BRAND_EN, SETTINGS, specific=True)
    # a name of the story in a headline of another event it took in does not make that event
    # the news: Disney's channels going dark on YouTube TV, not "Disney+ gets HDR10+"
    dark = ("ESPN, ABC, and other Disney channels go dark on YouTube TV",
            "YouTube TV Users Lose Access to Disney and ESPN",
            "ABC, ESPN & Other Disney Networks Go Dark On YouTube TV Before Contract Expires",
            "Disney+ begins rolling out HDR10+ support",
            "Disney+ gets HDR10+ via “over 1,000” Hulu titles")  # fmt: skip
    blackout = replace(bubble, titles=dark, label=dark[2])
    assert body(draft_pitch(blackout, BRAND_EN, SETTINGS, specific=True)).startswith(
        "All eyes on Disney and YouTube TV today."
    )
    # one event in other words: "storms" and "storm", "quake" and "earthquake"
    for told in (
        ("Storms knock out power across Texas", "Severe storm hits Texas overnight"),
        ("Powerful earthquake rattles the coast", "Quake shakes buildings downtown"),
    ):
        same = replace(bubble, titles=told, label=told[0])
        lead = body(draft_pitch(same, BRAND_EN, SETTINGS, specific=True)).split(". ")[0]
        assert any(t.startswith(lead) for t in told), lead
    # next to a real name, a two-letter one is left out of the subject (still a hashtag)
    glasses = ("Google unveils AI glasses for 2026", "Google’s AI glasses expected next year")
    google = story(6, theme=theme, label=glasses[0], titles=glasses, keywords=(),
                   trending_terms=(), links=(), languages=("en",))  # fmt: skip
    pitch = draft_pitch(google, BRAND_EN, SETTINGS, specific=True)
    assert pitch.draft.startswith("Google unveils AI glasses"), pitch.draft
    assert "Google and AI" not in pitch.draft + pitch.visual
    assert " and AI" not in pitch.draft


def test_an_occasion_that_would_complete_a_copied_run_is_left_out() -> None:
    theme = ThemeSettings(name="weather", description="the weather", keywords=("heat wave",))
    titles = ("Heat wave: Ubisoft servers melt down across Europe for three days",
              "Ubisoft servers melt down in the heat wave")  # fmt: skip
    s = story(1, theme=theme, titles=titles, label=titles[0], trending_terms=(), links=(),
              languages=("en",))  # fmt: skip
    pitch = draft_pitch(s, BRAND_EN, SETTINGS)
    assert body(pitch).startswith("Ubisoft servers melt down across Europe.")
    assert not copied_run(body(pitch), titles)


def test_a_theme_keyword_is_a_tag_only_when_the_brand_writes_it_as_a_name() -> None:
    # "release date" is how the brand finds gaming news, a phrase, even where Title Case
    # headlines capitalise it; "Battlefield" is a name.
    gaming = ThemeSettings(
        name="gaming", description="Video games.", keywords=("release date", "Battlefield")
    )
    brand = BRAND_EN.model_copy(update={"themes": (gaming,), "hashtags": ()})
    titles = ("Battlefield 6 Release Date Confirmed", "Battlefield 6 Release Date Trailer Drops")
    s = story(9, theme=gaming, titles=titles, label=titles[0], trending_terms=(),
              links=(), languages=("en",))  # fmt: skip
    tags = draft_pitch(s, brand, SETTINGS).hashtags
    assert "#Battlefield" in tags and "#ReleaseDate" not in tags


def test_a_name_few_headlines_share_is_another_event_not_the_subject() -> None:
    titles = (
        "Pokémon Scalpers Set Their Sights On World Championships Merch",
        "Celebrate the 2025 Pokémon World Championships with Pokémon GO",
        "Guide: 2025 Pokémon World Championships - Full Schedule, Live Streams And More",
        "Round Up: Everything Announced At The 2025 Pokémon World Championships Ceremony",
        "Pokemon Scarlet and Violet players get a gift code for the 2025 World Championships",
        "Gamescom Opening Night Live 2025 livestream: watch all the announcements here",
        "How to watch Gamescom Opening Night Live 2025",
    )
    s = story(12, theme=SPORT_EN, titles=titles, label=titles[2], trending_terms=(),
              links=(), languages=("en",))  # fmt: skip
    pitch = draft_pitch(s, BRAND_EN, SETTINGS)
    assert "Pokémon World Championships" in pitch.visual and "Gamescom" not in pitch.visual


def test_a_shopping_day_with_its_month_names_no_product() -> None:
    """A game shop's and a doorbell maker's Prime Day post read "All eyes on October Prime Day
    and AirPods today." tagged #AirPods #Apple: the month hid the day, so the post advertised
    another maker's earbuds."""
    titles = ("The best October Prime Day deals on Apple devices: Save on AirPods, iPads, "
              "AirTags and more",
              "October Prime Day 2025: the best early deals on AirPods and Apple Watch",
              "AirPods Pro 3 drop to a new low for October Prime Day")  # fmt: skip
    for n in range(3):
        day = story(n, theme=SEASONS, titles=titles, label=titles[0], trending_terms=(),
                    links=(), languages=("en",), keywords=())  # fmt: skip
        pitch = draft_pitch(day, BRAND_EN, SETTINGS)
        assert "Prime Day" in body(pitch) and "AirPods" not in body(pitch) + pitch.visual, (
            body(pitch),
            pitch.visual,
        )
        assert not {"#AirPods", "#Apple"} & set(pitch.hashtags), pitch.hashtags
    assert is_occasion("October Prime Day") and is_occasion("Black Friday 2025")
    assert is_occasion("July 4th")  # a month of its own name
    assert not is_occasion("October") and not is_occasion("2025")


def test_a_quote_alone_is_no_lead() -> None:
    """A game shop's Halo post opened '"This is Halo for everyone".', the quote after "…is
    coming to PS5 for the very first time:": what someone said, not what happened."""
    titles = ("Long-time Microsoft-exclusive Halo is coming to PS5 for the very first time: "
              '"This is Halo for everyone"',
              "Microsoft's Halo series heading to rival PlayStation",
              "The original ‘Halo’ is getting a full remake, now on PlayStation")  # fmt: skip
    for n in range(3):
        halo = story(n, theme=SEASONS, titles=titles, label=titles[0], trending_terms=(),
                     links=(), languages=("en",), keywords=())  # fmt: skip
        text = body(draft_pitch(halo, BRAND_EN, SETTINGS))
        assert "for everyone" not in text and "Halo" in text, text
    # two quoted titles are news, not a quote
    assert _lead_of('"Wicked: For Good" beats "Zootopia 2" at the box office', "en")


@pytest.mark.slow
def test_a_word_of_an_occasions_name_is_no_shared_word() -> None:
    """A game shop's "Nintendo Direct day is a holiday around here." went to Silksong's launch
    for "Nintendo's eShop": away from its occasion, an angle shares no word of its name."""
    from trendbot.embed import load_embedder

    encode = load_embedder("minilm").encode
    games = ThemeSettings(
        name="new-games",
        description="New video games, trailers, release dates and Nintendo Directs.",
        keywords=("video game", "release date", "trailer", "Nintendo Direct", "Hollow Knight"),
        angles=("New trailer, new theories. Rewatch count?",
                "Nintendo Direct day is a holiday around here."),
    )  # fmt: skip
    launch = (
        "Hollow Knight: Silksong causes server chaos on Xbox, Steam, and Nintendo as "
        "platforms grind to a halt",
        "Hollow Knight: Silksong is breaking Steam, Nintendo’s eShop",
        "Hollow Knight: Silksong fans have brought down the eShop, Steam and Xbox Store",
    )
    direct = ("New Nintendo Direct kicks off the Super Mario Bros. 40th Anniversary celebration",
              "Everything announced at today's Nintendo Direct")  # fmt: skip
    for n in range(3):
        silksong = story(n, theme=games, titles=launch, label=launch[0], trending_terms=())
        assert choose_angle(silksong, BRAND_EN, encode) != games.angles[1]
        showcase = story(n, theme=games, titles=direct, label=direct[0], trending_terms=())
        assert choose_angle(showcase, BRAND_EN, encode) == games.angles[1]


def test_an_angle_that_names_the_subject_tells_it_alone() -> None:
    """A game shop's post read "All eyes on Black Friday today. Black Friday doors open early
    at the Den.": the angle names the day, the hook said it again."""
    deals = SEASONS.model_copy(
        update={"keywords": ("Black Friday",), "angles": ("Black Friday doors open early here.",)}
    )
    titles = ("The Amazon Black Friday Sale Is Live With the Best Deal Prices of 2025 So Far",
              "Black Friday 2025: the best deals you can still get",
              "Best Black Friday deals on games and consoles")  # fmt: skip
    for n in range(4):
        day = story(n, theme=deals, titles=titles, label=titles[0], trending_terms=(),
                    links=(), languages=("en",), keywords=())  # fmt: skip
        text = body(draft_pitch(day, BRAND_EN, SETTINGS))
        assert text == "Black Friday doors open early here.", text


def test_a_day_ahead_is_not_told_as_today() -> None:
    """A toy shop's post on the Monday before read "All eyes on Black Friday today.": a day's
    name is told by the hooks that say people talk of it, never as if it were today."""
    deals = SEASONS.model_copy(update={"keywords": ("Black Friday",), "angles": ()})
    titles = (
        "Super Mario Odyssey Gets a Big Black Friday Discount With a Free Switch 2 Upgrade",
        "Best Apple Black Friday deals live now",
        "Some of the best Nintendo Switch games are up to $30 off for Black Friday",
    )
    opened = set()
    for n in range(8):
        day = story(n, theme=deals, titles=titles, label=titles[0], trending_terms=(),
                    links=(), languages=("en",), keywords=())  # fmt: skip
        text = body(draft_pitch(day, BRAND_EN, SETTINGS))
        assert "Black Friday" in text and "All eyes on" not in text, text
        opened.add(text.split(".")[0])
    assert len(opened) == 3, opened  # the other three hooks, in turn


def test_an_angle_that_opens_on_the_lead_s_subject_tells_it_alone() -> None:
    """A credit union's post read "Mortgage rates drop. Mortgage rates dipped. If you've been
    waiting, it might be time to get pre-approved.": the angle tells what the lead told."""
    rates = SEASONS.model_copy(
        update={
            "keywords": ("mortgage rates",),
            "angles": ("Mortgage rates dipped. If you've been waiting, get pre-approved.",),
        }
    )
    titles = ("Mortgage rates drop to their lowest level in a year",
              "Mortgage rates drop after the Fed signals a cut",
              "Mortgage rates drop again, good news for buyers")  # fmt: skip
    angled = 0
    for n in range(4):
        news = story(n, theme=rates, titles=titles, label=titles[0], trending_terms=(),
                     links=(), languages=("en",), keywords=())  # fmt: skip
        pitch = draft_pitch(news, BRAND_EN, SETTINGS)
        text = body(pitch)
        assert text.count("Mortgage rates") == 1, text
        if pitch.angle:  # the lead says what happened, the rest of the angle follows
            assert text.endswith(". If you've been waiting, get pre-approved."), text
            angled += 1
    assert angled
    one = rates.model_copy(update={"angles": ("Mortgage rates dipped: time to get pre-approved.",)})
    news = story(0, theme=one, titles=titles, label=titles[0], trending_terms=(), links=(),
                 languages=("en",), keywords=())  # fmt: skip
    pitch = draft_pitch(news, BRAND_EN, SETTINGS)
    assert pitch.angle and body(pitch) == "Mortgage rates dipped: time to get pre-approved."
    # words that open any sentence share no subject; "the U.S." ends no sentence
    from trendbot.pitches import _SENTENCE_END, _opening

    assert _opening("The new iPhone 17 is here") == [] and _opening("Mortgage rates drop")
    assert _SENTENCE_END.split("Rates in the U.S. dipped. Get pre-approved.", maxsplit=1) == [
        "Rates in the U.S. dipped.",
        "Get pre-approved.",
    ]


def test_a_work_s_title_is_told_whole_not_as_two_names() -> None:
    """A streaming service's draft read "Everyone's talking about Spinal Tap and the End
    Continues today." with #EndContinues: the sequel's title, cut at its colon."""
    titles = (
        "'Spinal Tap II: The End Continues' Review: A Fun-Enough Sequel",
        "‘Spinal Tap’ sequel ‘The End Continues’ is lukewarm Tap water",
        "‘Spinal Tap II: The End Continues’ Review: They Can’t Leave This Behind",
        "How Paul McCartney and Elton John begged to be in ‘Spinal Tap’ sequel",
    )
    for n in range(4):
        film = story(n, theme=SEASONS, titles=titles, label=titles[2], trending_terms=(),
                     links=(), languages=("en",), keywords=())  # fmt: skip
        pitch = draft_pitch(film, BRAND_EN, SETTINGS)
        text = body(pitch)
        assert "Spinal Tap and" not in text and "#EndContinues" not in pitch.hashtags, text
        assert "Spinal Tap II: The End Continues" in f"{text} {pitch.visual}", text


def test_a_theme_with_places_is_told_by_the_headlines_that_name_one() -> None:
    """A Midwest credit union's snow story of New York, Washington and Chicago headlines read
    "Snow is all anyone in NYC can talk about today."."""
    weather = SEASONS.model_copy(update={"places": ("Chicago", "Ohio", "Midwest")})
    titles = ("Snow arrives in NYC and surrounding area. Here's what to expect and when.",
              "How much snow will the DC area get this weekend?",
              "NYC Forecast Warns of First Big Snow This Weekend as Advisories Are Issued",
              "Chicago weather: Cold Weather Advisory issued as forecast calls for snow",
              "Current snow emergency levels for central Ohio")  # fmt: skip
    for n in range(4):
        snow = story(n, theme=weather, titles=titles, label=titles[0], trending_terms=(),
                     links=(), languages=("en",), keywords=())  # fmt: skip
        pitch = draft_pitch(snow, BRAND_EN, SETTINGS)
        told = f"{body(pitch)} {pitch.visual} {pitch.story_label}"
        assert not any(w in told for w in ("NYC", "DC", "New York")), told
    anywhere = story(0, theme=SEASONS, titles=titles, label=titles[0], trending_terms=(),
                     links=(), languages=("en",), keywords=())  # fmt: skip
    assert draft_pitch(anywhere, BRAND_EN, SETTINGS).story_label == titles[0]


def test_a_lead_keeps_what_is_done_again() -> None:
    """A fitness ring's pitch opened "Google unveils plans to try again.": the smart glasses
    were cut. What follows "again" or "back" is what is done again; too long to keep, no
    lead."""
    assert _lead_of("Snow returns again in Denver after a dry week", "en") == (
        "Snow returns again in Denver"
    )
    glasses = _lead_of("Google unveils plans to try again with smart glasses in 2026", "en")
    assert not glasses.endswith("again"), glasses


def test_a_lead_may_lose_major_and_be_cut_before_its_detail_too() -> None:
    """A game shop's end-of-support story had no lead ("Today's feeds are all about Halo
    Studios."): "Halo Infinite will get its last major content update on November 18" copies 9
    words in a row however it is cut. "major" is a word a headline can lose; and a clause too
    long to lose words whole is cut before its detail, then loses one."""
    titles = ("Halo Infinite will get its last major content update on November 18",
              "Turns out Halo Infinite isn't infinite at all as Halo Studios ends active "
              "development after just four years")  # fmt: skip
    for n in range(3):
        halo = story(n, theme=SEASONS, titles=titles, label=titles[0], trending_terms=(),
                     links=(), languages=("en",), keywords=())  # fmt: skip
        text = body(draft_pitch(halo, BRAND_EN, SETTINGS))
        assert text.startswith("Halo Infinite will get its last content update on Nov"), text
        assert not copied_run(text, titles)
    longer = "Halo Infinite will get its last major content update on November 18 after four years"
    assert _lead_of(longer, "en") == "Halo Infinite will get its last content update"
    # the whole clause, a word lost, before a cut that loses its point
    whole = "A $1,000 Xbox Ally handheld tests the appetite for pricey next-gen consoles"
    assert _lead_of(whole, "en") == whole.replace("the ", "")
