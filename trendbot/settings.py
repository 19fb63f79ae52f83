"""feeds.yaml and the environment, validated into one `Settings` before anything runs.

Every mistake becomes one line naming the file, the field path, what is allowed and, when the
YAML tells us, the line: `feeds.yaml: feeds[3].url: not an http(s) URL: 'htp://x' (line 12)`.
Secrets (Slack tokens, the LLM key) come only from the environment and are never echoed.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterator, Sequence
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    SecretStr,
    Tag,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from trendbot.errors import ConfigError

DEFAULT_CONFIG = "feeds.yaml"
DEFAULT_DB = "trendbot.db"
EMBEDDING_MODELS = ("auto", "minilm", "use-multilingual")  # the ones that need no download


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) URL: {value!r}")
    return value


def _language(value: str) -> str:
    if not re.fullmatch(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})?", value):
        raise ValueError(f"not a language code like 'fr' or 'en-US': {value!r}")
    return value.lower()


HttpUrl = Annotated[str, AfterValidator(_http_url)]
Language = Annotated[str, AfterValidator(_language)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class FeedSettings(Model):
    name: str = Field(min_length=1)
    url: HttpUrl
    kind: Literal["news", "trending"] = "news"
    language: Language | None = None
    poll_minutes: int = Field(default=10, ge=1, le=24 * 60)
    tags: tuple[str, ...] = ()
    # its order is a ranking (each item's position counts toward predicted reach); default:
    # Google News' top stories yes, others no (most feeds list the newest first)
    ranked: bool | None = None


class OpmlSettings(Model):
    """An OPML export (Feedly, Inoreader) whose feeds are all added, with these defaults."""

    opml: str
    kind: Literal["news", "trending"] = "news"
    language: Language | None = None
    poll_minutes: int = Field(default=10, ge=1, le=24 * 60)
    tags: tuple[str, ...] = ()
    ranked: bool | None = None


def _feed_or_opml(value: Any) -> str:
    return "Opml" if isinstance(value, dict) and "opml" in value else "Feed"


FeedEntry = Annotated[
    Annotated[FeedSettings, Tag("Feed")] | Annotated[OpmlSettings, Tag("Opml")],
    Discriminator(_feed_or_opml),
]


class ThemeSettings(Model):
    name: str = Field(min_length=1)
    description: str = ""
    keywords: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    negative_examples: tuple[str, ...] = ()
    angles: tuple[str, ...] = ()
    channel: str = ""  # this theme's pitches go here instead of the brand's channel
    editors: tuple[str, ...] = ()  # who decides this theme's pitches (default: the brand's)
    narrow: bool = False  # a corner of its kind of news: match on what sets it apart
    # only stories that name one of these places (a regional brand's weather: Midwest, Chicago)
    places: tuple[str, ...] = ()

    @field_validator("editors")
    @classmethod
    def _theme_editors(cls, editors: tuple[str, ...]) -> tuple[str, ...]:
        return _user_ids(editors)

    @field_validator("places")
    @classmethod
    def _places(cls, places: tuple[str, ...]) -> tuple[str, ...]:
        if any(not p.strip() for p in places):
            raise ValueError("a place is a name, like Midwest or Chicago; remove the empty one")
        return tuple(p.strip() for p in places)

    @model_validator(mode="after")
    def _has_something(self) -> ThemeSettings:
        if not (self.description or self.keywords or self.examples):
            raise ValueError("a theme needs a description, keywords or examples")
        return self


class BlockedTopicSettings(Model):
    name: str = Field(min_length=1)
    keywords: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()


# the built-in categories a brand may call its own news (safety.ALLOWABLE; a test keeps them equal)
AllowedCategory = Literal[
    "disasters", "war and terrorism", "politics and elections", "religion", "health scares",
    "crime and trials", "labour disputes", "scandals", "sexual content", "job cuts",
]  # fmt: skip


class SafetySettings(Model):
    builtin: bool = True  # the built-in blocked categories (tragedies, politics, religion...)
    allow: tuple[AllowedCategory, ...] = ()  # of them, the brand's own news: a person decides
    blocked_topics: tuple[BlockedTopicSettings, ...] = ()
    competitors: tuple[str, ...] = ()
    blocked_terms: tuple[str, ...] = ()


def _clock(value: str) -> time:
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not a time like '08:30': {value!r}") from None


class CadenceSettings(Model):
    max_per_day: int = Field(default=3, ge=0)
    max_per_month: int = Field(default=20, ge=0)
    quiet_hours: str | None = "21:00-08:00"
    timezone: str = "Europe/Paris"
    min_score: float = Field(default=3.0, ge=0)
    # Themes "match" from a low relevance so a story can be shown with its themes; a pitch asks
    # more. On open news streams, narrow themes matched 7-25% of stories at the matching bar and
    # 0.2-5% above 0.3 (bench/eval_themes.py and the archive).
    min_relevance: float = Field(default=0.35, ge=0, le=1)
    queue_minutes: int = Field(default=30, ge=0, le=24 * 60)
    # realtime: each pitch as it comes; digest: one scheduled message; both: the two.
    mode: Literal["realtime", "digest", "both"] = "realtime"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. 'Europe/Paris', 'UTC')") from None
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _window(cls, value: str | None) -> str | None:
        if value:
            start, sep, end = value.partition("-")
            if not sep:
                raise ValueError(f"not a window like '21:00-08:00': {value!r}")
            _clock(start.strip()), _clock(end.strip())
        return value

    @property
    def quiet_window(self) -> tuple[time, time] | None:
        if not self.quiet_hours:
            return None
        start, _, end = self.quiet_hours.partition("-")
        return _clock(start.strip()), _clock(end.strip())


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class DigestSettings(Model):
    at: str  # e.g. "08:30" in the brand's time zone
    days: tuple[Weekday, ...] = WEEKDAYS

    @field_validator("at")
    @classmethod
    def _at(cls, value: str) -> str:
        _clock(value)
        return value

    @field_validator("days")
    @classmethod
    def _some_day(cls, days: tuple[Weekday, ...]) -> tuple[Weekday, ...]:
        if not days:
            raise ValueError("list at least one day, e.g. [mon, wed, fri]")
        return tuple(dict.fromkeys(days))

    @property
    def clock(self) -> time:
        return _clock(self.at)


MAX_SIGN_OFF = 120  # a closing line, not a post: the hook and the tags need the rest


class BrandSettings(Model):
    name: str = Field(min_length=1)
    voice: str = ""
    language: Language = "en"
    hashtags: tuple[str, ...] = ()  # the brand's own tags, added when they fit
    # lines in the brand's voice that close a draft when none of the theme's angles fits
    sign_offs: tuple[str, ...] = ()
    themes: tuple[ThemeSettings, ...]
    safety: SafetySettings = SafetySettings()
    cadence: CadenceSettings = CadenceSettings()
    digest: DigestSettings | None = None
    # Where this brand's pitches go and who decides them; empty: the `slack:` section's.
    channel: str = ""
    editors: tuple[str, ...] = ()
    editor_group: str | None = None

    @field_validator("editors")
    @classmethod
    def _brand_editors(cls, editors: tuple[str, ...]) -> tuple[str, ...]:
        return _user_ids(editors)

    @field_validator("sign_offs")
    @classmethod
    def _sign_offs(cls, lines: tuple[str, ...]) -> tuple[str, ...]:
        lines = tuple(" ".join(line.split()) for line in lines)
        if any(not line for line in lines):
            raise ValueError("an empty line: write each sign-off as a short sentence")
        if long := [line for line in lines if len(line) > MAX_SIGN_OFF]:
            raise ValueError(f"longer than {MAX_SIGN_OFF} characters: {long[0][:40]!r}…")
        return lines

    @model_validator(mode="before")
    @classmethod
    def _digest_means_both(cls, data: Any) -> Any:
        # a digest written down is a digest wanted; the pitches keep coming as they were
        cadence = (data.get("cadence") if isinstance(data, dict) else None) or {}
        if isinstance(data, dict) and data.get("digest") and isinstance(cadence, dict):
            data = {**data, "cadence": {"mode": "both", **cadence}}
        return data

    @model_validator(mode="after")
    def _digest_when_asked(self) -> BrandSettings:
        if self.cadence.mode != "realtime" and self.digest is None:
            raise ValueError(
                f"cadence.mode {self.cadence.mode!r} needs a digest: add digest: {{at: '08:30'}}"
            )
        return self

    def theme(self, name: str) -> ThemeSettings | None:
        return next((t for t in self.themes if t.name == name), None)

    @field_validator("themes")
    @classmethod
    def _unique_themes(cls, themes: tuple[ThemeSettings, ...]) -> tuple[ThemeSettings, ...]:
        if not themes:
            raise ValueError("add at least one theme: what the brand wants to talk about")
        return themes


_SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,}")


def _name_key(name: str) -> str:
    return re.sub(r"[\W_]+", "", name.casefold())


def _user_ids(editors: tuple[str, ...]) -> tuple[str, ...]:
    for user in editors:
        if not _SLACK_USER.fullmatch(user):
            raise ValueError(f"not a Slack user ID like 'U012AB3CD': {user!r}")
    return editors


class SlackSettings(Model):
    channel: str = ""  # a channel ID (C…) or #name; empty: pitches go to the terminal
    editors: tuple[str, ...] = ()
    editor_group: str | None = None  # a user group ID (S…)
    publish_channel: str | None = None
    digest_time: str | None = None  # the old spelling of the brand's `digest: {at: ...}`

    @field_validator("editors")
    @classmethod
    def _editors(cls, editors: tuple[str, ...]) -> tuple[str, ...]:
        return _user_ids(editors)

    @field_validator("digest_time")
    @classmethod
    def _digest(cls, value: str | None) -> str | None:
        if value:
            _clock(value)
        return value


class EmbeddingSettings(Model):
    model: str = "auto"  # auto | minilm | use-multilingual | a local model folder

    @field_validator("model")
    @classmethod
    def _offline_model(cls, value: str, info: ValidationInfo) -> str:
        # Checked here, offline: a typo once sent `run` to retry a model hub for a minute.
        folder = (info.context or {}).get("folder")
        local = local_model(value, folder)
        if local is None:
            raise ValueError(unknown_model_message(value))
        return local


def local_model(value: str, folder: Path | None = None) -> str | None:
    """`value` as a model trendbot can load without a network: a bundled name, a model folder
    (relative to feeds.yaml's folder or to the current one; returned absolute), or a
    sentence-transformers name already in this machine's Hugging Face cache. None otherwise."""
    if value in EMBEDDING_MODELS:
        return value
    path = Path(value).expanduser()
    for candidate in (path, *([folder / path] if folder is not None else [])):
        if (candidate / "modules.json").is_file() or (candidate / "config.json").is_file():
            return str(candidate.resolve())
    repo = value if "/" in value else f"sentence-transformers/{value}"
    cached = _hub_cache() / ("models--" + repo.replace("/", "--"))
    if re.fullmatch(r"[\w.-]+/[\w.-]+", repo) and cached.is_dir():
        return value
    return None


def _hub_cache() -> Path:
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"])
    home = os.environ.get("HF_HOME") or Path.home() / ".cache" / "huggingface"
    return Path(home) / "hub"


def unknown_model_message(value: str) -> str:
    close = difflib.get_close_matches(value.lower(), EMBEDDING_MODELS, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    allowed = ", ".join(repr(m) for m in EMBEDDING_MODELS)
    return (
        f"unknown model {value!r}: {hint}use {allowed}, or the folder of a sentence-transformers"
        " model on this machine (trendbot never downloads one)"
    )


class LLMSettings(Model):
    base_url: HttpUrl
    model: str
    api_key_env: str = "TRENDBOT_LLM_API_KEY"
    timeout: float = Field(default=30.0, gt=0)


class PitchSettings(Model):
    max_chars: int = Field(default=280, ge=50, le=3000)
    allowed_mentions: tuple[str, ...] = ()  # @handles a draft may contain
    llm: LLMSettings | None = None


class FetchSettings(Model):
    timeout: float = Field(default=20.0, gt=0)
    max_mb: float = Field(default=10.0, gt=0)
    concurrency: int = Field(default=8, ge=1, le=64)
    allow_private: bool = False  # let feeds on loopback or private addresses through (tests)


class StorageSettings(Model):
    path: str = DEFAULT_DB
    url: str | None = None  # postgresql://user@host/db: PostgreSQL instead of the SQLite file
    retention_days: int = Field(default=14, ge=1)

    @field_validator("url")
    @classmethod
    def _postgres_url(cls, url: str | None) -> str | None:
        if url is None:
            return None
        parts = urlsplit(url)
        if parts.scheme not in ("postgresql", "postgres"):
            raise ValueError("write a postgresql://user@host:5432/database URL")
        if parts.password is not None:  # secrets come from the environment only
            raise ValueError(
                "no password in feeds.yaml: set PGPASSWORD, or the whole URL in"
                " TRENDBOT_DATABASE_URL"
            )
        return url


class Settings(Model):
    feeds: tuple[FeedEntry, ...] = ()
    # `brand:` (one brand) is read as a list of one: every brand is handled the same way.
    brands: tuple[BrandSettings, ...]
    slack: SlackSettings = SlackSettings()
    embedding: EmbeddingSettings = EmbeddingSettings()
    pitches: PitchSettings = PitchSettings()
    fetch: FetchSettings = FetchSettings()
    storage: StorageSettings = StorageSettings()
    # Filled by load_settings, never from the YAML.
    config_path: str = Field(default="", exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _one_brand_or_a_list(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        if "brand" in data and "brands" in data:
            raise ValueError("write either 'brand:' (one brand) or 'brands:' (a list), not both")
        if "brand" not in data and "brands" not in data:
            raise ValueError("add a 'brand:' section: the brand's name, language and themes")
        if "brand" in data:
            data = {k: v for k, v in data.items() if k != "brand"} | {"brands": [data["brand"]]}
        if data["brands"] in ([], ()):
            raise ValueError("'brands:' is empty: list at least one brand")
        slack, brands = data.get("slack"), data.get("brands")
        if isinstance(slack, dict) and slack.get("digest_time") and isinstance(brands, list):
            first = brands[0] if brands else None  # the old `slack.digest_time`: the first brand's
            if isinstance(first, dict) and "digest" not in first:
                brands = [{**first, "digest": {"at": slack["digest_time"]}}, *brands[1:]]
                data = {**data, "brands": brands}
        return data

    @model_validator(mode="after")
    def _brands_apart(self) -> Settings:
        seen: set[str] = set()  # `--brand` finds a brand whatever the case and the spaces
        for brand in self.brands:
            if _name_key(brand.name) in seen:
                raise ValueError(f"two brands are named {brand.name!r}: give each its own name")
            seen.add(_name_key(brand.name))
        return self

    @property
    def brand(self) -> BrandSettings:
        """The first (often the only) brand."""
        return self.brands[0]

    def brand_named(self, name: str) -> BrandSettings | None:
        """The brand of that name, whatever the case and the spaces (`/trend top --brand
        maison-test` for "Maison Test")."""
        wanted = _name_key(name)
        return next((b for b in self.brands if _name_key(b.name) == wanted), None)

    def channel_of(self, brand: BrandSettings, theme: str | None = None) -> str:
        """Where a pitch of `brand` (on `theme`) goes: the theme's channel, the brand's, or
        the `slack:` section's."""
        found = brand.theme(theme) if theme else None
        return (found.channel if found else "") or brand.channel or self.slack.channel

    def editors_of(
        self, brand: BrandSettings, theme: str | None = None
    ) -> tuple[tuple[str, ...], str | None]:
        """Who decides the brand's pitches (on `theme`): users and a user group, from the first
        of the theme, the brand and the `slack:` section that names either. A brand with only
        `editor_group` is decided by that group, not also by `slack.editors`."""
        found = brand.theme(theme) if theme else None
        if found and found.editors:
            return found.editors, None
        if brand.editors or brand.editor_group:
            return brand.editors, brand.editor_group
        return self.slack.editors, self.slack.editor_group

    def brand_of_channel(self, *channel: str) -> BrandSettings | None:
        """The brand whose pitches go to this channel, if exactly one does. Slack sends a
        channel's ID and its name; feeds.yaml may name it either way (`C0123…` or `#news`)."""
        wanted = {c.lstrip("#") for c in channel if c}
        owners = [
            b
            for b in self.brands
            if wanted
            & {c.lstrip("#") for c in (self.channel_of(b), *(t.channel for t in b.themes)) if c}
        ]
        return owners[0] if len(owners) == 1 else None

    @property
    def news_feeds(self) -> list[FeedSettings]:
        return [f for f in self.feeds if isinstance(f, FeedSettings)]

    def feed(self, name: str) -> FeedSettings | None:
        return next((f for f in self.news_feeds if f.name == name), None)

    @property
    def languages(self) -> list[str | None]:
        return [*(b.language for b in self.brands), *(f.language for f in self.news_feeds)]


class Secrets(BaseModel):
    """Tokens from the environment. SecretStr keeps them out of reprs and logs."""

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    llm_api_key: SecretStr | None = None

    @property
    def slack_enabled(self) -> bool:
        return self.slack_bot_token is not None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, *, llm_key_env: str = "") -> Secrets:
        env = dict(os.environ) if env is None else env

        def get(name: str) -> SecretStr | None:
            value = env.get(name, "").strip()
            return SecretStr(value) if value else None

        return cls(
            slack_bot_token=get("SLACK_BOT_TOKEN"),
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            slack_app_token=get("SLACK_APP_TOKEN"),
            llm_api_key=get(llm_key_env or "TRENDBOT_LLM_API_KEY"),
        )


def config_path(path: str | os.PathLike[str] | None = None) -> Path:
    return Path(path or os.environ.get("TRENDBOT_CONFIG") or DEFAULT_CONFIG)


def db_path(settings: Settings) -> str:
    """The database: a PostgreSQL URL (TRENDBOT_DATABASE_URL, storage.url), else the SQLite
    file (TRENDBOT_DB, storage.path)."""
    return (
        os.environ.get("TRENDBOT_DATABASE_URL")
        or settings.storage.url
        or os.environ.get("TRENDBOT_DB")
        or settings.storage.path
    )


def load_settings(path: str | os.PathLike[str] | None = None) -> Settings:
    """Read and validate feeds.yaml (or $TRENDBOT_CONFIG): ConfigError, one line a mistake."""
    file = config_path(path)
    data = _read_yaml(file)
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping with 'feeds' and 'brand' at the top", file=file.name)
    settings = _validate({**data, "config_path": str(file)}, data, file.name, folder=file.parent)
    return _expand_opml(settings, file, data)


def parse_settings(data: dict[str, Any], *, name: str = DEFAULT_CONFIG) -> Settings:
    """Validate an already-loaded mapping (tests, the bench scripts)."""
    return _validate(data, data, name, folder=None)


def _validate(values: dict[str, Any], data: Any, file: str, *, folder: Path | None) -> Settings:
    """Settings, or one ConfigError listing every mistake, one line each."""
    mistakes = [f"{file}: {m}" for m in _duplicate_names(data)]
    try:
        settings = Settings.model_validate(values, context={"folder": folder})
    except ValidationError as e:
        mistakes += [_describe(err, data, file) for err in e.errors()]
    if mistakes:
        raise ConfigError("\n".join(mistakes)) from None
    return settings


def _read_yaml(file: Path) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    if not file.exists():
        raise ConfigError(
            "not found (create it from the README's example, or set TRENDBOT_CONFIG)",
            file=str(file),
        )
    try:
        return YAML(typ="rt").load(file.read_text(encoding="utf-8"))
    except MarkedYAMLError as e:
        mark = e.problem_mark
        line = f"line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"not valid YAML: {e.problem}", file=file.name, field=line) from None
    except (YAMLError, UnicodeDecodeError) as e:
        raise ConfigError(f"not valid YAML: {e}", file=file.name) from None


def _describe(err: Any, data: Any, file: str) -> str:
    loc = [p for p in err["loc"] if not (isinstance(p, str) and p[0].isupper())]
    if isinstance(data, dict) and "brand" in data and loc[:2] == ["brands", 0]:
        loc = [
            "brand",
            *loc[2:],
        ]  # a single `brand:` is read as `brands: [...]`: say what was written
    # pydantic puts the union member's tag in the path ('FeedSettings'): not the user's concern.
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    message = err["msg"].removeprefix("Value error, ").replace("Input should be", "should be")
    if err["type"] == "extra_forbidden":
        message = _unknown_setting(str(loc[-1]), _known_settings(loc[:-1]))
    elif err["type"] == "missing":
        message = "required, but missing"
    elif (
        "input" in err
        and err["type"] not in ("value_error",)
        and not isinstance(err["input"], dict | list)
    ):
        message = f"{message}: {err['input']!r}"
    line = _line_of(data, loc)
    suffix = f" (line {line})" if line else ""
    return f"{file}: {path or '(top)'}: {message}{suffix}"


def _unknown_setting(key: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return f"unknown setting {key!r}: did you mean {close[0]!r}?"
    if known:
        return f"unknown setting {key!r} (allowed here: {', '.join(known)})"
    return f"unknown setting {key!r} (check the spelling against the README)"


def _known_settings(loc: Sequence[Any]) -> list[str]:
    """The setting names allowed at `loc` (a path of keys and list indexes)."""
    models: list[type[BaseModel]] = [Settings]
    for key in loc:
        if isinstance(key, int):
            continue
        key = "brands" if key == "brand" and models == [Settings] else key
        fields = [m.model_fields[key] for m in models if key in m.model_fields]
        models = [m for f in fields for m in _models_in(f.annotation)]
    names = [name for m in models for name, f in m.model_fields.items() if not f.exclude]
    if models == [Settings]:
        names.insert(names.index("brands"), "brand")
    return list(dict.fromkeys(names))


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in get_args(annotation):
        yield from _models_in(arg)


def _duplicate_names(data: Any) -> list[str]:
    """Feeds or themes sharing a name (ignoring case), each named with both lines."""
    data = data if isinstance(data, dict) else {}
    lists: list[tuple[list[Any], str, Any]] = [(["feeds"], "feed name", data.get("feeds"))]
    brands = data.get("brands")
    places = [(["brand"], data.get("brand"))] + [
        (["brands", n], b) for n, b in enumerate(brands if isinstance(brands, list) else [])
    ]
    for loc, brand in places:
        if isinstance(brand, dict):
            lists.append(([*loc, "themes"], "theme name", brand.get("themes")))
    found: list[str] = []
    for loc, what, entries in lists:
        first: dict[str, int] = {}
        for n, entry in enumerate(entries if isinstance(entries, list) else []):
            name = entry.get("name") if isinstance(entry, dict) else None
            if not isinstance(name, str) or not name.strip():
                continue
            m = first.setdefault(name.strip().casefold(), n)
            if m != n:
                path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)[1:]
                found.append(
                    f"{path}[{n}].name: duplicate {what} {name!r}, "
                    + _first_at(data, [*loc, m, "name"], f"{path}[{m}]")
                    + _line_suffix(data, [*loc, n, "name"])
                )
    return found


def _first_at(data: Any, loc: Sequence[Any], path: str) -> str:
    line = _line_of(data, loc)
    return f"already used at line {line}" if line else f"already used by {path}"


def _line_suffix(data: Any, loc: Sequence[Any]) -> str:
    line = _line_of(data, loc)
    return f" (line {line})" if line else ""


def _line_of(data: Any, loc: Sequence[Any]) -> int | None:
    """The 1-based line of the deepest node of `loc` that ruamel kept a position for."""
    line = None
    node = data
    for key in loc:
        lc = getattr(node, "lc", None)
        try:
            if lc is not None:
                line = (lc.item(key) if isinstance(key, int) else lc.key(key))[0] + 1
            node = node[key]
        except (KeyError, IndexError, TypeError, AttributeError):
            break
    return line


def _expand_opml(settings: Settings, file: Path, data: Any) -> Settings:
    """Replace `opml:` entries with the feeds they list, then check names are unique."""
    feeds: list[FeedSettings] = []
    entry_of: list[int] = []  # the feeds.yaml entry each feed comes from, for the error's line
    for n, entry in enumerate(settings.feeds):
        if isinstance(entry, FeedSettings):
            feeds.append(entry)
            entry_of.append(n)
            continue
        from trendbot.sources.opml import read_opml

        opml_file = (file.parent / entry.opml).resolve()
        for found in read_opml(opml_file):
            feeds.append(
                FeedSettings(
                    name=found.name,
                    url=found.url,
                    kind=entry.kind,
                    language=found.language or entry.language,
                    poll_minutes=entry.poll_minutes,
                    tags=tuple(entry.tags) + tuple(found.tags),
                    ranked=entry.ranked,
                )
            )
            entry_of.append(n)
    first: dict[str, int] = {}
    for feed, n in zip(feeds, entry_of, strict=True):
        if feed.name.casefold() not in first:
            first[feed.name.casefold()] = n
            continue
        # only an OPML file can get here: duplicates written in feeds.yaml are caught earlier
        m = first[feed.name.casefold()]
        raise ConfigError(
            f"duplicate feed name {feed.name!r} (from an OPML file), "
            + _first_at(data, ["feeds", m], f"feeds[{m}]")
            + _line_suffix(data, ["feeds", n]),
            file=file.name,
            field=f"feeds[{n}]",
        )
    return settings.model_copy(update={"feeds": tuple(feeds)})


def add_feeds_to_config(path: Path, feeds: Sequence[FeedSettings]) -> int:
    """Append feeds to feeds.yaml, keeping its comments and order; skip names or URLs it has."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    data = yaml.load(path.read_text(encoding="utf-8"))
    existing = data.setdefault("feeds", [])
    names = {str(f.get("name", "")).casefold() for f in existing if hasattr(f, "get")}
    urls = {str(f.get("url", "")) for f in existing if hasattr(f, "get")}
    added = 0
    for feed in feeds:
        if feed.name.casefold() in names or feed.url in urls:
            continue
        entry = feed.model_dump(exclude_defaults=True, mode="json")
        entry["name"], entry["url"] = feed.name, feed.url  # always written, first
        existing.append(entry)
        names.add(feed.name.casefold())
        urls.add(feed.url)
        added += 1
    if added:
        _write_yaml_atomically(path, yaml, data)
    return added


def add_theme_to_config(path: Path, theme: ThemeSettings, *, brand: str | None = None) -> None:
    """Append a theme to the brand named `brand` (default: the first brand)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    data = yaml.load(path.read_text(encoding="utf-8"))
    sections = [data["brand"]] if "brand" in data else list(data["brands"])
    section = next(
        (b for b in sections if brand and str(b.get("name", "")).casefold() == brand.casefold()),
        None if brand else sections[0],
    )
    if section is None:
        raise ConfigError(f"no brand named {brand!r}", file=path.name)
    themes = section.setdefault("themes", [])
    if any(str(t.get("name", "")).casefold() == theme.name.casefold() for t in themes):
        raise ConfigError(f"a theme named {theme.name!r} exists already", file=path.name)
    themes.append(theme.model_dump(exclude_defaults=True, mode="json"))
    _write_yaml_atomically(path, yaml, data)


def _write_yaml_atomically(path: Path, yaml: Any, data: Any) -> None:
    import io

    buffer = io.StringIO()
    yaml.dump(data, buffer)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(buffer.getvalue(), encoding="utf-8")
    os.replace(tmp, path)
