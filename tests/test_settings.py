from pathlib import Path

import pytest

from trendbot.errors import ConfigError
from trendbot.settings import (
    FeedSettings,
    Secrets,
    ThemeSettings,
    add_feeds_to_config,
    add_theme_to_config,
    db_path,
    load_settings,
)

REPO = Path(__file__).resolve().parent.parent

GOOD = """\
feeds:
  - name: news
    url: https://example.com/rss
    language: fr
brand:
  name: Acme
  themes:
    - name: sport
      description: sport
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def error_lines(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, text))
    return str(info.value).splitlines()


def test_ranked_is_a_yes_or_no(tmp_path: Path) -> None:
    ranked = GOOD.replace("    language: fr\n", "    language: fr\n    ranked: true\n", 1)
    assert load_settings(write(tmp_path, ranked)).news_feeds[0].ranked is True
    (tmp_path / "more.opml").write_text(
        '<opml version="2.0"><body><outline type="rss" text="fronts"'
        ' xmlUrl="https://example.net/front.rss"/></body></opml>'
    )
    opml = GOOD.replace("brand:", "  - opml: more.opml\n    ranked: true\nbrand:")
    assert [f.ranked for f in load_settings(write(tmp_path, opml)).news_feeds] == [None, True]
    [line] = error_lines(tmp_path, ranked.replace("ranked: true", "ranked: sometimes"))
    assert "feeds[0].ranked" in line and "(line 5)" in line


def test_a_theme_s_places_are_names(tmp_path: Path) -> None:
    placed = GOOD.replace(
        "      description: sport\n", "      description: sport\n      places: [Midwest, Chicago]\n"
    )
    assert load_settings(write(tmp_path, placed)).brand.themes[0].places == ("Midwest", "Chicago")
    [line] = error_lines(tmp_path, placed.replace("[Midwest, Chicago]", "[Midwest, ' ']"))
    assert "themes[0].places" in line and "remove the empty one" in line, line


def test_names_a_place_as_words() -> None:
    from trendbot.entities import names_a_place

    assert names_a_place("Chicago-area schools close for snow", ["Midwest", "Chicago"])
    assert names_a_place("Snow hits the Great Lakes states", ["great lakes"])
    assert names_a_place("Neige à Besançon", ["Besancon"])  # accents aside
    assert not names_a_place("Snow in Chicagoland suburbs", ["Chicago"])
    assert not names_a_place("Midwestern storm", ["Midwest"])  # a theme lists the forms it wants
    assert names_a_place("Snow in New York", [])  # no places: anywhere
    assert not names_a_place("Snow in New York", ["IN", "OH"])  # in its case when capitalised
    assert names_a_place("Snow closes schools in St Louis", ["St. Louis"])  # punctuation aside


def test_shipped_feeds_yaml_is_valid() -> None:
    settings = load_settings(REPO / "feeds.yaml")
    assert settings.brand.language == "en"
    assert settings.brand.cadence.timezone == "America/New_York"
    assert 4 <= len(settings.brand.themes) <= 6
    assert all(t.negative_examples and t.angles for t in settings.brand.themes)
    kinds = {f.kind for f in settings.news_feeds}
    assert kinds == {"news", "trending"}
    assert {f.language for f in settings.news_feeds} == {"en"}
    assert settings.brand.safety.competitors


def test_two_brand_example_feeds_yaml_is_valid() -> None:
    settings = load_settings(REPO / "examples" / "feeds.brands.yaml")
    daybreak, glow = settings.brands
    assert (daybreak.name, glow.name) == ("Daybreak Coffee", "Glow Skincare")
    assert settings.channel_of(daybreak, "game-day") == "#daybreak-sports"
    assert settings.channel_of(daybreak, "weather-and-seasons") == "#daybreak"
    assert settings.channel_of(glow) == "#glow"
    assert daybreak.digest is not None and glow.digest is not None
    assert (daybreak.cadence.mode, glow.cadence.mode) == ("both", "both")
    assert settings.brand_of_channel("#daybreak-sports") is daybreak


def test_french_example_feeds_yaml_is_valid() -> None:
    settings = load_settings(REPO / "examples" / "feeds.fr.yaml")
    assert settings.brand.language == "fr"
    assert 4 <= len(settings.brand.themes) <= 6
    kinds = {f.kind for f in settings.news_feeds}
    assert kinds == {"news", "trending"}
    assert {f.language for f in settings.news_feeds} >= {"fr", "en"}
    assert settings.brand.safety.competitors


@pytest.mark.parametrize(
    "path", sorted((REPO / "bench" / "replays").glob("*.yaml")), ids=lambda p: p.stem
)
def test_the_replay_brands_are_valid(path: Path) -> None:
    """The brands the pitches are read with, on months not tuned on (bench/replays)."""
    settings = load_settings(path)
    (brand,) = settings.brands
    assert brand.language == "en" and len(brand.themes) >= 3
    assert all(theme.angles for theme in brand.themes)


def test_defaults(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, GOOD))
    feed = settings.news_feeds[0]
    assert (feed.kind, feed.poll_minutes, feed.language) == ("news", 10, "fr")
    assert feed.ranked is None  # decided by the feed: Google News is ranked
    assert settings.embedding.model == "auto"
    assert settings.brand.cadence.quiet_window is not None
    assert settings.pitches.max_chars == 280


def test_bad_url_names_file_field_value_and_line(tmp_path: Path) -> None:
    lines = error_lines(tmp_path, GOOD.replace("https://example.com/rss", "htp://x"))
    assert lines == ["feeds.yaml: feeds[0].url: not an http(s) URL: 'htp://x' (line 3)"]


def test_unknown_setting_lists_what_is_allowed_there(tmp_path: Path) -> None:
    lines = error_lines(tmp_path, GOOD.replace("  name: Acme", "  name: Acme\n  colour: red"))
    assert lines == [
        "feeds.yaml: brand.colour: unknown setting 'colour' (allowed here: name, voice, language,"
        " hashtags, sign_offs, themes, safety, cadence, digest, channel, editors, editor_group)"
        " (line 7)"
    ]


def test_unknown_setting_close_to_a_known_one_says_did_you_mean(tmp_path: Path) -> None:
    text = GOOD.replace("    language: fr", "    langage: fr") + "embeding:\n  model: auto\n"
    assert error_lines(tmp_path, text) == [
        "feeds.yaml: feeds[0].langage: unknown setting 'langage': did you mean 'language'?"
        " (line 4)",
        "feeds.yaml: embeding: unknown setting 'embeding': did you mean 'embedding'? (line 10)",
    ]
    text = GOOD.replace("brand:\n", "brand:\n  cadence:\n    max_per_days: 2\n")
    assert error_lines(tmp_path, text) == [
        "feeds.yaml: brand.cadence.max_per_days: unknown setting 'max_per_days': did you mean"
        " 'max_per_day'? (line 7)"
    ]


def test_wrong_choice_lists_allowed_values(tmp_path: Path) -> None:
    lines = error_lines(tmp_path, GOOD.replace("    language: fr", "    kind: trend"))
    assert lines == ["feeds.yaml: feeds[0].kind: should be 'news' or 'trending': 'trend' (line 4)"]


def test_missing_required_field(tmp_path: Path) -> None:
    lines = error_lines(tmp_path, GOOD.replace("    url: https://example.com/rss\n", ""))
    assert lines == ["feeds.yaml: feeds[0].url: required, but missing (line 2)"]


def test_every_mistake_is_reported_one_line_each(tmp_path: Path) -> None:
    text = GOOD.replace("language: fr", "language: french!").replace(
        "brand:\n", "brand:\n  cadence:\n    timezone: Mars/Olympus\n"
    )
    lines = error_lines(tmp_path, text)
    assert len(lines) == 2
    assert lines[0].startswith("feeds.yaml: feeds[0].language: not a language code")
    assert lines[1].startswith("feeds.yaml: brand.cadence.timezone: unknown time zone")


def test_theme_needs_content_and_unique_names(tmp_path: Path) -> None:
    lines = error_lines(tmp_path, GOOD + "    - name: empty\n")
    assert lines == [
        "feeds.yaml: brand.themes[1]: a theme needs a description, keywords or examples (line 10)"
    ]
    lines = error_lines(tmp_path, GOOD + "    - name: Sport\n      keywords: [x]\n")
    assert lines == [
        "feeds.yaml: brand.themes[1].name: duplicate theme name 'Sport', already used at line 8"
        " (line 10)"
    ]


def test_duplicate_feed_names_give_both_lines(tmp_path: Path) -> None:
    text = GOOD.replace("brand:", "  - name: News\n    url: https://example.org/rss\nbrand:")
    assert error_lines(tmp_path, text) == [
        "feeds.yaml: feeds[1].name: duplicate feed name 'News', already used at line 2 (line 5)"
    ]


def test_duplicates_come_with_the_other_mistakes(tmp_path: Path) -> None:
    text = GOOD.replace("brand:", "  - name: news\n    url: htp://x\nbrand:")
    assert error_lines(tmp_path, text) == [
        "feeds.yaml: feeds[1].name: duplicate feed name 'news', already used at line 2 (line 5)",
        "feeds.yaml: feeds[1].url: not an http(s) URL: 'htp://x' (line 6)",
    ]


def test_a_feed_of_an_opml_file_named_like_another_names_the_entry(tmp_path: Path) -> None:
    (tmp_path / "more.opml").write_text(
        '<opml version="2.0"><body><outline type="rss" text="news"'
        ' xmlUrl="https://example.net/rss"/></body></opml>'
    )
    text = GOOD.replace("brand:", "  - opml: more.opml\nbrand:")
    assert error_lines(tmp_path, text) == [
        "feeds.yaml: feeds[1]: duplicate feed name 'news' (from an OPML file), already used at"
        " line 2 (line 5)"
    ]


def test_unknown_embedding_model_is_refused_offline_with_the_choices(tmp_path: Path) -> None:
    lines = error_lines(tmp_path, GOOD + "embedding:\n  model: mini-lm\n")
    assert lines == [
        "feeds.yaml: embedding.model: unknown model 'mini-lm': did you mean 'minilm'? use 'auto',"
        " 'minilm', 'use-multilingual', or the folder of a sentence-transformers model on this"
        " machine (trendbot never downloads one) (line 11)"
    ]
    lines = error_lines(tmp_path, GOOD + "embedding:\n  model: ./models/nowhere\n")
    assert lines[0].startswith("feeds.yaml: embedding.model: unknown model './models/nowhere': use")


def test_embedding_model_folder_is_found_next_to_feeds_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "models" / "mine"
    model.mkdir(parents=True)
    (model / "modules.json").write_text("[]")
    monkeypatch.chdir(REPO)  # not the config's folder
    settings = load_settings(write(tmp_path, GOOD + "embedding:\n  model: models/mine\n"))
    assert settings.embedding.model == str(model.resolve())


def test_embedding_model_already_in_the_hugging_face_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    (tmp_path / "hub" / "models--sentence-transformers--all-mpnet-base-v2").mkdir(parents=True)
    text = GOOD + "embedding:\n  model: all-mpnet-base-v2\n"
    assert load_settings(write(tmp_path, text)).embedding.model == "all-mpnet-base-v2"


def test_slack_editor_ids_are_checked(tmp_path: Path) -> None:
    lines = error_lines(tmp_path, GOOD + "slack:\n  editors: [bob]\n")
    assert lines == [
        "feeds.yaml: slack.editors: not a Slack user ID like 'U012AB3CD': 'bob' (line 11)"
    ]


def test_quiet_hours_format(tmp_path: Path) -> None:
    lines = error_lines(
        tmp_path, GOOD.replace("brand:\n", "brand:\n  cadence:\n    quiet_hours: late\n")
    )
    assert lines[0].startswith("feeds.yaml: brand.cadence.quiet_hours: not a window like")


def test_not_yaml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"feeds.yaml: line 2: not valid YAML"):
        load_settings(write(tmp_path, "feeds: [\n brand"))
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_settings(write(tmp_path, "- a list\n"))


def test_environment_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, GOOD)
    monkeypatch.setenv("TRENDBOT_CONFIG", str(path))
    monkeypatch.setenv("TRENDBOT_DB", str(tmp_path / "x.db"))
    settings = load_settings()
    assert settings.config_path == str(path)
    assert db_path(settings) == str(tmp_path / "x.db")


def test_secrets_never_show_in_repr() -> None:
    secrets = Secrets.from_env({"SLACK_BOT_TOKEN": "xoxb-not-a-real-TOPSECRET", "X": "y"})
    assert secrets.slack_enabled
    assert "TOPSECRET" not in repr(secrets) and "TOPSECRET" not in str(secrets.model_dump())
    assert not Secrets.from_env({}).slack_enabled


def test_add_feeds_keeps_comments_and_skips_known(tmp_path: Path) -> None:
    path = write(tmp_path, "# my comment\n" + GOOD)
    added = add_feeds_to_config(
        path,
        [
            FeedSettings(name="news", url="https://example.com/other"),
            FeedSettings(name="new-one", url="https://example.net/rss", language="en"),
        ],
    )
    assert added == 1
    text = path.read_text()
    assert text.startswith("# my comment\n")
    assert [f.name for f in load_settings(path).news_feeds] == ["news", "new-one"]


def test_add_theme(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    add_theme_to_config(path, ThemeSettings(name="food", description="cooking and recipes"))
    assert [t.name for t in load_settings(path).brand.themes] == ["sport", "food"]
    with pytest.raises(ConfigError, match="exists already"):
        add_theme_to_config(path, ThemeSettings(name="FOOD", description="again"))


TWO_BRANDS = """\
slack:
  channel: "#general-pitches"
  editors: [U0EDITOR1]
brands:
  - name: Daybreak Coffee
    channel: "#daybreak"
    editors: [U0COFFEE1]
    cadence: {timezone: America/New_York}
    digest: {at: "08:30", days: [mon, wed, fri]}
    themes:
      - name: game-day
        description: the big games fans gather around
        channel: "#daybreak-sports"
        editors: [U0SPORTS1]
      - name: pop-culture
        description: movies, music and TV
  - name: Glow Skincare
    themes:
      - name: pop-culture
        description: celebrities and red carpets
  - name: Maison
    editor_group: S0MAISON
    themes:
      - name: food
        description: bakeries and markets
"""


def test_several_brands_each_with_channels_editors_and_a_digest(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, TWO_BRANDS))
    coffee, glow, maison = settings.brands
    assert settings.brand is coffee and settings.brand_named("glow skincare") is glow
    assert settings.channel_of(coffee, "game-day") == "#daybreak-sports"
    assert settings.channel_of(coffee, "pop-culture") == "#daybreak"
    assert settings.channel_of(glow, "pop-culture") == "#general-pitches"  # the slack section's
    assert settings.editors_of(coffee, "game-day") == (("U0SPORTS1",), None)
    assert settings.editors_of(coffee, "pop-culture") == (("U0COFFEE1",), None)
    assert settings.editors_of(glow) == (("U0EDITOR1",), None)
    assert settings.editors_of(maison) == ((), "S0MAISON")  # its group, not slack.editors
    assert coffee.cadence.mode == "both" and glow.cadence.mode == "realtime"
    assert coffee.digest is not None and coffee.digest.days == ("mon", "wed", "fri")
    assert settings.brand_of_channel("daybreak-sports") is coffee
    assert settings.brand_of_channel("C0UNKNOWN") is None
    assert settings.brand_of_channel("C0123", "general-pitches") is None  # Glow's and Maison's
    assert settings.brand_of_channel("C0123", "daybreak") is coffee  # Slack's ID and name


def test_brand_mistakes_name_the_brand_entry_and_line(tmp_path: Path) -> None:
    both = GOOD + "brands:\n  - name: Other\n    themes: [{name: x, description: x}]\n"
    assert error_lines(tmp_path, both) == [
        "feeds.yaml: (top): write either 'brand:' (one brand) or 'brands:' (a list), not both"
    ]
    twice = TWO_BRANDS.replace("Glow Skincare", "daybreak coffee")
    assert error_lines(tmp_path, twice) == [
        "feeds.yaml: (top): two brands are named 'daybreak coffee': give each its own name"
    ]
    theme_twice = TWO_BRANDS.replace(
        "      - name: pop-culture\n        description: movies",
        "      - name: Game-Day\n        description: movies",
    )
    assert error_lines(tmp_path, theme_twice)[0] == (
        "feeds.yaml: brands[0].themes[1].name: duplicate theme name 'Game-Day', already used at"
        " line 11 (line 15)"
    )
    bad_day = TWO_BRANDS.replace("[mon, wed, fri]", "[mon, someday]")
    assert error_lines(tmp_path, bad_day)[0].startswith(
        "feeds.yaml: brands[0].digest.days[1]: should be 'mon', 'tue'"
    )
    no_digest = GOOD.replace("  name: Acme\n", "  name: Acme\n  cadence: {mode: digest}\n")
    assert error_lines(tmp_path, no_digest) == [
        "feeds.yaml: brand: cadence.mode 'digest' needs a digest: add digest: {at: '08:30'}"
        " (line 5)"
    ]
    assert error_lines(tmp_path, "feeds: []\nbrands: []\n") == [
        "feeds.yaml: (top): 'brands:' is empty: list at least one brand"
    ]


def test_the_old_digest_time_is_the_first_brand_s_digest(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, GOOD + "slack:\n  digest_time: '07:45'\n"))
    assert settings.brand.digest is not None and settings.brand.digest.at == "07:45"
    assert settings.brand.cadence.mode == "both"


def test_add_theme_goes_to_the_named_brand(tmp_path: Path) -> None:
    path = write(tmp_path, TWO_BRANDS)
    add_theme_to_config(
        path, ThemeSettings(name="beauty", description="skin"), brand="glow skincare"
    )
    assert [t.name for t in load_settings(path).brands[1].themes] == ["pop-culture", "beauty"]
    with pytest.raises(ConfigError, match="no brand named 'Nope'"):
        add_theme_to_config(path, ThemeSettings(name="x", description="x"), brand="Nope")


def test_sign_offs_are_short_lines(tmp_path: Path) -> None:
    text = GOOD.replace("  name: Acme\n", "  name: Acme\n  sign_offs: ['Coffee is on.', '  ']\n")
    assert error_lines(tmp_path, text) == [
        "feeds.yaml: brand.sign_offs: an empty line: write each sign-off as a short sentence"
        " (line 7)"
    ]
    text = GOOD.replace("  name: Acme\n", f"  name: Acme\n  sign_offs: ['{'x' * 130}']\n")
    [line] = error_lines(tmp_path, text)
    assert line.startswith("feeds.yaml: brand.sign_offs: longer than 120 characters: 'xxx")
    text = GOOD.replace("  name: Acme\n", "  name: Acme\n  sign_offs: ['Coffee  is on.']\n")
    assert load_settings(write(tmp_path, text)).brand.sign_offs == ("Coffee is on.",)
