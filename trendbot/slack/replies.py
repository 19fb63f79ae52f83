"""What an editor means by a reply in a pitch's thread, in English or French.

    ok · yes · go · approve · oui · valider              -> approve
    no · non · reject: reason · refuser : raison          -> reject (with the reason)
    snooze · later · plus tard                            -> snooze
    not our topic · pas notre sujet · hors sujet          -> not_our_topic
    edit: new text · modifier : nouveau texte             -> edit (with the new draft)

Anything else is conversation and is left alone: approving takes the whole reply ("ok, but change
the hashtag" is not an approval), and a reason needs a separator ("no problem" is not a rejection).
Pure: no Slack client here.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Reply:
    action: str  # approve | reject | snooze | not_our_topic | edit
    reason: str | None = None
    text: str | None = None  # the new draft, for edit


APPROVE = frozenset({
    "approve", "approved", "ok", "okay", "go", "yes", "yep", "yup", "lgtm",
    "valider", "valide", "oui", "daccord", "dac", "banco",
    ":+1:", ":thumbsup:", ":white_check_mark:", ":heavy_check_mark:", "👍", "✅",
})  # fmt: skip
APPROVE_PHRASES = ("go ahead", "ship it", "vas y", "on y va", "c est bon", "cest bon", "d accord")
REJECT = frozenset({
    "reject", "rejected", "no", "nope", "non", "refuser", "refuse", "rejeter", "rejete",
    ":-1:", ":thumbsdown:", ":x:", "👎", "❌",
})  # fmt: skip
# Verbs that cannot start a casual sentence, so their reason may follow without a separator.
REJECT_VERBS = frozenset({"reject", "refuser", "rejeter"})
SNOOZE = frozenset({"snooze", "later", "plus tard", "reporter", "attendre", "a voir"})
NOT_OUR_TOPIC = frozenset(
    {"not our topic", "off topic", "not for us", "pas notre sujet", "hors sujet", "pas pour nous"}
)
EDIT = frozenset({"edit", "modifier", "modif", "corriger", "nouveau texte", "new text"})

_MENTION = re.compile(r"^\s*(<@[A-Z0-9]+(\|[^>]*)?>\s*)+")
_SEPARATOR = re.compile(r"\s*(?::|\s[-–—]\s|[-–—]\s|,)\s*")


def parse_reply(text: str) -> Reply | None:
    """The decision a thread reply asks for, or None when it is just talk."""
    text = _MENTION.sub("", unescape(text)).strip()
    if not text:
        return None
    head, tail = _split(text)
    key = normalise(head)
    if key in EDIT:
        return Reply("edit", text=tail) if tail else None
    rest = tail or None
    if key in REJECT:
        return Reply("reject", reason=rest)
    if key in SNOOZE:
        return Reply("snooze", reason=rest)
    if key in NOT_OUR_TOPIC:
        return Reply("not_our_topic", reason=rest)
    if _approves(normalise(text)):
        return Reply("approve")
    first, _, after = key.partition(" ")
    if tail is None and first in REJECT_VERBS and after:
        return Reply("reject", reason=text.split(None, 1)[1].strip())
    return None


def normalise(text: str) -> str:
    """Lower case, no accents, no punctuation but emoji codes: `Validé !` -> `valide`."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^\w\s:+\-👍👎✅❌]|(?<!:)-(?!1:)", " ", text)
    return " ".join(text.split())


def unescape(text: str) -> str:
    """Slack's message markup back to what the person typed: <url|label> -> label, &amp; -> &."""
    text = re.sub(r"<(https?://[^|>]+)\|([^>]+)>", r"\2", text)
    text = re.sub(r"<(https?://[^|>]+)>", r"\1", text)
    text = re.sub(r"<#[A-Z0-9]+\|([^>]+)>", r"#\1", text)
    return html.unescape(text)


def _split(text: str) -> tuple[str, str | None]:
    """`reject: too political` -> (`reject`, `too political`); no separator -> (text, None)."""
    match = _SEPARATOR.search(text)
    if match is None or match.start() == 0:
        return text, None
    head = text[: match.start()]
    if len(head.split()) > 3:  # a separator deep in a sentence does not make a command
        return text, None
    return head, text[match.end() :].strip() or None


def _approves(key: str) -> bool:
    """Every word approves: `ok`, `yes go ahead`, `oui, c'est bon !`."""
    for phrase in APPROVE_PHRASES:
        key = re.sub(rf"\b{phrase}\b", "ok", key)
    return bool(key) and all(word in APPROVE for word in key.split())
