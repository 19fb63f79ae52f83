"""The exceptions trendbot raises.

    TrendbotError                 root: adapters turn any of these into one line
     ├── ConfigError              feeds.yaml or environment is wrong (file, field path)
     ├── FeedError                one feed could not be fetched or parsed (url)
     │    ├── FetchError          network, HTTP status, size limit, refused address
     │    └── ParseError          not a feed we can read
     ├── StoreError               the SQLite database cannot be used
     │    └── LockedError         another `trendbot run` holds the database
     ├── EmbedError               the embedding model cannot be loaded or used
     ├── PitchError               a pitch cannot be drafted or fails its checks
     └── SlackError               Slack refused or is unreachable

`str(error)` is one line a person can act on: `message: 'where': CauseType: cause`.
"""

from __future__ import annotations


class TrendbotError(Exception):
    """Root of every error trendbot raises on purpose."""

    def __init__(self, message: str = "", *, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        parts = [self.message]
        if self.where:
            parts.append(repr(self.where))
        cause = self.__cause__
        if cause is not None:
            text = str(cause).splitlines()[0] if str(cause) else ""
            parts.append(f"{type(cause).__name__}: {text}" if text else type(cause).__name__)
        return ": ".join(p for p in parts if p)


class ConfigError(TrendbotError):
    """A setting is wrong. `str()` reads `feeds.yaml: feeds[3].url: what is allowed`."""

    def __init__(self, message: str, *, file: str = "", field: str = "") -> None:
        super().__init__(message)
        self.file = file
        self.field = field

    def __str__(self) -> str:
        return ": ".join(p for p in (self.file, self.field, self.message) if p)


class FeedError(TrendbotError):
    """A feed could not be fetched or read; `where` is its URL."""

    def __init__(self, message: str, *, url: str = "") -> None:
        super().__init__(message, where=url or None)
        self.url = url


class FetchError(FeedError):
    """Network error, bad HTTP status, body over the size limit, refused address."""

    def __init__(
        self,
        message: str,
        *,
        url: str = "",
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, url=url)
        self.status = status
        self.retry_after = retry_after


class ParseError(FeedError):
    """The document is not a feed trendbot can read."""


class StoreError(TrendbotError):
    """The database cannot be opened, migrated or written."""


class LockedError(StoreError):
    """Another process holds the database's run lease."""


class LeadLost(StoreError):
    """This worker no longer leads: another one writes the stories and pitches now."""


class EmbedError(TrendbotError):
    """The embedding model cannot be loaded or used."""


class PitchError(TrendbotError):
    """A pitch cannot be drafted, or its draft fails the checks."""


class SlackError(TrendbotError):
    """Slack refused a call or could not be reached."""
