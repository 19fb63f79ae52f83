"""Language detection for items whose feed does not say its language (py3langid, loaded once)."""

from __future__ import annotations

import re
import threading
from typing import Any

# The languages the multilingual encoder embeds (see embed.py): restricting the model to them
# makes short headlines far less often mistaken for a close neighbour (ca for es, af for nl).
LANGUAGES = (
    "ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "th", "tr", "zh",
)  # fmt: skip
MIN_LETTERS = 12  # below this (a search term, a name) detection is a guess
# On 3,000 Google News (en) and 3,000 Le Monde (fr) headlines, 0.5 keeps 99% of them with
# 0.0% (en) and 0.3% (fr) wrong; 0.9 would drop 12% of the English ones for no gain.
MIN_CONFIDENCE = 0.5

_lock = threading.Lock()
_identifier: Any = None


def _get_identifier() -> Any:
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            identifier.set_languages(list(LANGUAGES))
            _identifier = identifier
        return _identifier


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of `text`'s language, or None when the text is too short or unclear."""
    if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
        return None
    lang, confidence = _get_identifier().classify(text)
    return str(lang) if confidence >= MIN_CONFIDENCE else None


def base_language(code: str | None) -> str | None:
    """`fr-FR`, `en_us`, `FR` -> `fr`, `en`, `fr`; None when it is not a language code."""
    match = re.match(r"\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*\s*$", code or "")
    return match.group(1).lower() if match else None
