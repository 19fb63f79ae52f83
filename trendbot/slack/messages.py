"""The Slack bot's wording, now part of the one catalogue in `trendbot.words`: re-exported so the
Slack modules (and whoever imports from here) keep working."""

from trendbot.words import LANGUAGES, TEXTS, Messages, fields_of

__all__ = ["LANGUAGES", "TEXTS", "Messages", "fields_of"]
