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


def test_shipped_feeds_yaml_is_valid() -> None:
    settings = load_settings(REPO / "feeds.yaml")
    assert settings.brand.language == "fr"
    assert 4 <= len(settings.brand.themes) <= 6
    kinds = {f.kind for f in settings.news_feeds}
    assert kinds == {"news", "trending"}
    assert {f.language for f in settings.news_feeds} >= {"fr", "en"}
    assert settings.brand.safety.competitors


def test_defaults(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, GOOD))
    feed = settings.news_feeds[0]
    assert (feed.kind, feed.poll_minutes, feed.language) == ("news", 10, "fr")
    assert settings.embedding.model == "auto"
    assert settings.brand.cadence.quiet_window is not None
    assert settings.pitches.max_chars == 280


def test_bad_url_names_file_field_value_and_line(tmp_path: Path) -> None:
    lines = error_lines(tmp_path, GOOD.replace("https://example.com/rss", "htp://x"))
    assert lines == ["feeds.yaml: feeds[0].url: not an http(s) URL: 'htp://x' (line 3)"]


def test_unknown_setting_is_a_typo(tmp_path: Path) -> None:
    lines = error_lines(tmp_path, GOOD.replace("  name: Acme", "  name: Acme\n  colour: red"))
    assert lines == [
        "feeds.yaml: brand.colour: unknown setting 'colour' (check the spelling against the"
        " README) (line 7)"
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
    assert "duplicate theme name 'Sport'" in lines[0]


def test_duplicate_feed_names(tmp_path: Path) -> None:
    text = GOOD.replace("brand:", "  - name: news\n    url: https://example.org/rss\nbrand:")
    with pytest.raises(ConfigError, match=r"feeds\.yaml: feeds: duplicate feed name 'news'"):
        load_settings(write(tmp_path, text))


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
