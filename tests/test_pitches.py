from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace

import pytest
from llmserver import LLMServer, llm_server
from pydantic import SecretStr

from trendbot.errors import PitchError
from trendbot.logs import KeyValueFormatter
from trendbot.pitches import (
    LLMWriter,
    PitchInput,
    TemplateWriter,
    build_messages,
    check_draft,
    draft_pitch,
    hashtag,
    make_writer,
    parse_answer,
    pick_sources,
    terms_check,
)
from trendbot.settings import (
    BrandSettings,
    LLMSettings,
    PitchSettings,
    SafetySettings,
    Secrets,
    ThemeSettings,
)
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
        s = story(story_id, theme=brand.themes[0])
        pitch = draft_pitch(s, brand, settings)
        assert len(pitch.draft) <= max_chars
        assert 2 <= len(pitch.hashtags) <= 4
        assert all(tag.startswith("#") and " " not in tag for tag in pitch.hashtags)
        assert pitch.angle in brand.themes[0].angles
        assert check_draft(pitch.draft, max_chars=max_chars, allowed_mentions=()) == []
        assert pitch.writer == "template"
        assert pitch.writer_note == ""


def test_template_draft_in_french_reads_as_a_post() -> None:
    pitch = draft_pitch(story(7), BRAND_FR, SETTINGS)
    # A French brand gets the French headline of a bilingual story, and the theme's angle.
    assert pitch.draft.startswith(
        "Tout le monde en parle : Sinner bat Alcaraz en finale. "
        "Le « petit-déj des champions », version Maison Brioche."
    )
    assert pitch.draft.endswith("\n\n#RolandGarros #Sinner #MaisonBrioche")
    assert pitch.hashtags == ("#RolandGarros", "#Sinner", "#MaisonBrioche")
    assert "« Sinner bat Alcaraz en finale »" in pitch.visual
    assert pitch.why_now == "9 sources en 90 min, ×5 le rythme habituel"
    assert pitch.theme == "sport"
    assert (pitch.story_id, pitch.score, pitch.sparkline) == (7, 7.5, "▁▁▂▅█")


def test_template_draft_in_english() -> None:
    pitch = draft_pitch(story(8, theme=SPORT_EN), BRAND_EN, SETTINGS)
    assert pitch.draft.startswith(
        "The news of the day: Sinner wins the final. A champions' breakfast, on us."
    )
    assert "#BeanThere" in pitch.hashtags
    assert pitch.visual.startswith("A ")


def test_templates_vary_from_story_to_story_and_repeat_for_the_same_story() -> None:
    drafts = [draft_pitch(story(i), BRAND_FR, SETTINGS).draft for i in range(6)]
    assert len(set(drafts)) == 6
    assert draft_pitch(story(3), BRAND_FR, SETTINGS).draft == drafts[3]


def test_a_theme_without_angles_gets_a_default_nod() -> None:
    theme = ThemeSettings(name="météo", keywords=("canicule",))
    pitch = draft_pitch(story(1, theme=theme, keywords=(), trending_terms=()), BRAND_FR, SETTINGS)
    assert pitch.angle == "Le clin d'œil de Maison Brioche à l'actu"
    assert pitch.hashtags == ("#MaisonBrioche", "#Canicule")


def test_a_long_label_is_shortened_not_the_angle() -> None:
    label = "Un très long titre " * 20
    s = story(2, label=label, languages=("fr",))
    pitch = draft_pitch(s, BRAND_FR, PitchSettings(max_chars=200))
    assert len(pitch.draft) <= 200
    assert "…" in pitch.draft
    assert pitch.angle.rstrip(".") in pitch.draft


def test_competitors_and_blocked_terms_never_become_hashtags() -> None:
    s = story(1, keywords=("Starbucks", "grève", "Alcaraz"), trending_terms=())
    pitch = draft_pitch(s, BRAND_FR, SETTINGS)
    assert "#Starbucks" not in pitch.hashtags
    assert "#Grève" not in pitch.hashtags
    assert pitch.hashtags[0] == "#Alcaraz"


def test_a_story_whose_label_names_a_competitor_is_held() -> None:
    s = story(1, label="Starbucks opens 40 cafés in France", languages=("en",))
    with pytest.raises(PitchError, match=r"names a competitor.*Starbucks.*held"):
        draft_pitch(s, BRAND_FR, SETTINGS)


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


@pytest.mark.parametrize(
    ("term", "tag"),
    [
        ("Roland-Garros", "#RolandGarros"),
        ("Tour de France", "#TourDeFrance"),
        ("canicule", "#Canicule"),
        ("iPhone", "#iPhone"),
        ("#Météo", "#Météo"),
        ("PSG", "#PSG"),
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


# LLM writer --------------------------------------------------------------------------------------


def test_llm_draft_is_used_and_the_key_travels_only_in_the_header(logs: list[str]) -> None:
    with llm_server() as server:
        settings = llm_settings(server)
        pitch = draft_pitch(story(1), BRAND_FR, settings, writer=llm_writer(settings))
    assert pitch.writer == "llm"
    assert pitch.writer_note == ""
    assert pitch.angle == "A champions' breakfast for a historic final"
    assert pitch.draft == (
        "What a final! Tomorrow morning, the croissants are on us for the fans.\n\n"
        "#RolandGarros #Finale"
    )
    assert pitch.hashtags == ("#RolandGarros", "#Finale")
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
    assert "Le « petit-déj des champions »" in user["content"]
    assert_no_key(pitch, logs)


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
