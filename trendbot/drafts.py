"""What a writer gets and gives, and what keeps a draft from going out. Pure logic.

    PitchInput -> Writer.write -> Draft -> check_draft / never_said / copied_run

The writers are in `trendbot.pitches`; the draft's first clause is in `trendbot.leads`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import numpy as np

from trendbot import entities
from trendbot.entities import fold
from trendbot.settings import BrandSettings, PitchSettings, ThemeSettings
from trendbot.types import SourceLink

SHORTENERS = (
    "bit.ly", "t.co", "tinyurl.com", "ow.ly", "goo.gl", "buff.ly", "is.gd", "tiny.cc", "t.ly",
    "rebrand.ly", "cutt.ly", "shorturl.at", "lnkd.in", "dlvr.it", "trib.al", "rb.gy", "v.gd",
    "s.id", "bl.ink", "shorte.st", "adf.ly", "fb.me", "youtu.be", "amzn.to",
)  # fmt: skip
_SHORTENER = re.compile(
    r"(?<![\w.@-])(?:https?://)?(?:www\.)?(" + "|".join(re.escape(d) for d in SHORTENERS) + r")/",
    re.IGNORECASE,
)
_MENTION = re.compile(r"(?<![\w@.])@(\w{1,30})")


class VerdictLike(Protocol):
    """What safety's `check_draft` returns (`safety.Verdict`)."""

    @property
    def level(self) -> str: ...  # safe | caution | blocked

    @property
    def reason(self) -> str: ...


DraftCheck = Callable[[str], VerdictLike]
Encode = Callable[[Sequence[str]], np.ndarray]  # texts -> unit vectors (the pipeline's encoder)


@dataclass(frozen=True)
class PitchInput:
    """Everything a writer needs about one story."""

    story_id: int
    label: str
    titles: tuple[str, ...]
    keywords: tuple[str, ...]
    links: tuple[SourceLink, ...]
    languages: tuple[str, ...]
    why_now: str  # Momentum.explain() in the brand's language
    score: float
    sparkline: str
    theme: ThemeSettings
    relevance: float
    theme_evidence: str
    safety: str  # safe | caution
    safety_reason: str
    trending_terms: tuple[str, ...] = ()
    # the brand's lines of the last RECENT_ANGLES, newest first: angles not again, sign-offs rested
    recent_angles: tuple[str, ...] = ()
    usage: entities.Usage = entities.NO_USAGE  # how the recent stream writes its words
    published: tuple[datetime, ...] = ()  # when each of `titles` was news (its newest item)


@dataclass(frozen=True)
class Draft:
    angle: str
    draft: str  # the post's text; hashtags may be left out, they are appended
    hashtags: tuple[str, ...]
    visual: str
    specific: bool = True  # False: a template that found no name or occasion to tell


class Writer(Protocol):
    name: str

    def write(
        self,
        story: PitchInput,
        brand: BrandSettings,
        settings: PitchSettings,
        *,
        encode: Encode | None = None,
        examples: Sequence[str] = (),
    ) -> Draft:
        """`encode`: the pipeline's encoder (to judge which angle fits); `examples`: drafts
        the brand's editors approved or edited, most recent first."""
        ...


# the checks --------------------------------------------------------------------------------------


def check_draft(
    draft: str,
    *,
    max_chars: int,
    allowed_mentions: Sequence[str],
    blocked: DraftCheck | None = None,
) -> list[str]:
    """The problems that keep a draft from going out, each a short phrase; [] when none."""
    problems = []
    if len(draft) > max_chars:
        problems.append(f"too long: {len(draft)} characters (max {max_chars})")
    if blocked is not None:
        verdict = blocked(draft)
        if verdict.level == "blocked":
            problems.append(f"blocked: {verdict.reason}")
    shorteners = sorted({m.group(1).lower() for m in _SHORTENER.finditer(draft)})
    if shorteners:
        problems.append(f"URL shortener: {', '.join(shorteners)} (link the article itself)")
    allowed = {m.lstrip("@").casefold() for m in allowed_mentions}
    mentions = [
        m.group(1) for m in _MENTION.finditer(draft) if m.group(1).casefold() not in allowed
    ]
    if mentions:
        problems.append(f"@mention not allowed: {', '.join('@' + m for m in mentions)}")
    return problems


COPY_RUN = 8  # this many words in a row from a headline is copying it (the bar)


def copy_words(text: str) -> list[str]:
    """Words as a copied run counts them: folded, punctuation out ("EA's" is two)."""
    return re.findall(r"[^\W_]+", fold(text))


def copied_run(text: str, titles: Sequence[str], n: int = COPY_RUN) -> str:
    """The first run of `n` words of `text` found in one of `titles` (case, accents and
    punctuation ignored), or ""."""
    words = copy_words(text)
    runs = {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}
    for title in titles:
        folded = " " + " ".join(copy_words(title)) + " "
        for run in runs:
            if f" {run} " in folded:
                return run
    return ""


@dataclass(frozen=True)
class _TermVerdict:
    level: str
    reason: str


def never_said(brand: BrandSettings, *, blocked_terms: bool = True) -> DraftCheck:
    """What a draft never says: the brand's competitors, found as safety finds them
    (`entities.rival_names`), and its blocked terms."""
    whole, short = entities.rival_names(brand.safety.competitors, brand.name)
    check = terms_check((*whole, *(brand.safety.blocked_terms if blocked_terms else ())))

    def avoid(text: str) -> VerdictLike:
        verdict = check(text)
        name = "" if verdict.level == "blocked" else entities.find_short_name(text, short)
        return (
            _TermVerdict("blocked", f"contains {entities.said_rival(name, short[name])}")
            if name
            else verdict
        )

    return avoid


def terms_check(terms: Sequence[str]) -> DraftCheck:
    """A lexical check on `terms` (whole words, case and accents ignored), for when no
    SafetyFilter is at hand. A term in capitals, an acronym, counts only in capitals, as safety
    reads it: `ICE` is not the ice of "Ice Spice" nor of "snow and ice"."""
    patterns = [
        (t, re.compile(rf"(?<!\w){re.escape(fold(t))}(?!\w)"), entities.is_acronym(t.strip()))
        for t in terms
        if t
    ]

    def check(text: str) -> VerdictLike:
        folded = fold(text)
        for term, pattern, acronym in patterns:
            if entities.says_acronym(text, term.strip()) if acronym else pattern.search(folded):
                return _TermVerdict("blocked", f"contains {term!r}")
        return _TermVerdict("safe", "")

    return check


def spaced_words(text: str) -> str:
    """`text` folded to its words, space-padded, to look a phrase up word for word ("U.S." is
    "us", as "US" is)."""
    text = INITIALS.sub(lambda m: m.group(0).replace(".", ""), text)
    return " " + " ".join(re.findall(r"[^\W_]+", fold(text))) + " "


# dotted initials, with or without their last dot: "U.S.", "U.S" (as a name is found), "J.K"
INITIALS = re.compile(r"\b(?:[^\W\d_]\.)+[^\W\d_]\b\.?")
