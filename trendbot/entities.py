"""What a story is about, in names: the named entities of its headlines (EN + FR), no model.

A name is a run of capitalised words ("Taylor Swift", "Tour de France", "Roland-Garros") or an
acronym ("NBA", "OPEC") that recurs across the story's headlines. Capitals only mean a name in a
sentence-case headline, and not at its start ("Breaks", "First"); many English publishers write
Title Case ("Gold Prices Hit Record High"), where every word is capitalised. So names are found
in sentence-case headlines, after a clause's first word, and a Title Case headline only adds
acronyms and rare words. A word any headline writes in lower case is never a name.

Common words are told by their frequency (wordfreq, Zipf scale: 4.0 is once per 10,000 words).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache

# Zipf frequency (en or fr) at or above which a single word is a common word unless the headlines
# show it capitalised mid-sentence: "breaks" 4.5, "high" 5.8, "stock" 5.1 are caught; "Alcaraz"
# 1.9, "Nvidia" 3.3, "Kimmel" 3.2 are not.
COMMON_ZIPF = 4.0
# A capitalised word seen mid-sentence is a name unless it is this frequent: "Apple" 4.76,
# "Disney" 4.4 stay names; "Pro" 4.9 and "Air" 5.4 (iPhone Air), "Here" 6.0 do not.
NAME_MAX_ZIPF = 4.8
# Where a capital proves nothing (a clause's first word, a Title Case headline) only a rare word
# is taken for a name: "Kimmel" 3.2, "Nvidia" 3.25, "Mamdani" 1.4 are; "Arson" 3.4, "Boosted"
# 3.5, "Analysts" 3.8 are not.
RARE_ZIPF = 3.3
# A headline with 4+ words of 4+ letters (its first aside) of which 75% are capitalised is Title
# Case; a shorter one is judged sentence case ("Sinner bat Alcaraz en finale à Roland-Garros").
TITLE_CASE_SHARE = 0.75
TITLE_CASE_WORDS = 4
MAX_WORDS = 4
CONNECTORS = frozenset(("de", "du", "des", "la", "le", "d'", "of", "the", "and", "et"))
# Capitalised by convention in English, common all the same.
_CALENDAR = (
    "monday tuesday wednesday thursday friday saturday sunday january february march april may "
    "june july august september october november december lundi mardi mercredi jeudi vendredi "
    "samedi dimanche janvier février mars avril mai juin juillet août septembre octobre "
    "novembre décembre today live breaking update updates watch opinion analysis exclusive "
    "video photos"
)
CALENDAR = frozenset(_CALENDAR.split())
_SUFFIX = re.compile(r"\s+[-–|]\s+[^-–|]{2,60}$")  # " - Publisher" in Google News titles
_CLAUSES = re.compile(r"\s*(?:[:;?!|—–]|\.\s|\s-\s|[«»“”\"‘’](?:\s|$)|^[‘“\"«])\s*")
_TOKEN = re.compile(r"[^\W_](?:[\w&+.'’-]*[^\W_])?")


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


@cache
def zipf(word: str) -> float:
    """The word's frequency, the higher of English and French (Zipf scale)."""
    from wordfreq import zipf_frequency

    word = word.casefold()
    return max(zipf_frequency(word, "en"), zipf_frequency(word, "fr"))


def is_acronym(word: str) -> bool:
    letters = word.replace(".", "").replace("&", "")
    return 2 <= len(letters) <= 6 and letters.isupper() and any(c.isalpha() for c in letters)


def is_common_word(term: str) -> bool:
    """Whether `term` (a word or a hashtag) is one common word: `#High`, `breaks`, `stock`.
    Several words (`#TaylorSwift`), acronyms (`NBA`) and rare words (`Alcaraz`) are not."""
    word = term.lstrip("#")
    if is_acronym(word) or any(ch.isupper() for ch in word[1:]):
        return False
    parts = re.findall(r"[^\W\d_]+", word)
    if len(parts) != 1:
        return not parts  # a number is as poor a tag as a common word
    return parts[0].casefold() in CALENDAR or zipf(parts[0]) >= COMMON_ZIPF


# A word this much more frequent (Zipf) in the other language is that language's word: "North
# Korea" (north: en 5.3, fr 3.7), "White House" (house 5.7 / 4.1) read as English in French
# copy; "Taylor Swift" (0.6, 0.8), "New York" (1.2, 0.5) are names everywhere.
FOREIGN_GAP = 1.5


def is_foreign_phrase(name: str, language: str) -> bool:
    """Whether `name` is words of another language (en/fr) rather than a name, for copy in
    `language`: such a name goes in a hashtag, not in the sentence."""
    from wordfreq import zipf_frequency

    lang = language[:2].lower()
    others = [o for o in ("en", "fr") if o != lang]
    for word in re.findall(r"[^\W\d_]+", name):
        if is_acronym(word) or word.casefold() in CONNECTORS or not others:
            continue
        other = max(zipf_frequency(word.casefold(), o) for o in others)
        if other >= COMMON_ZIPF and other - zipf_frequency(word.casefold(), lang) >= FOREIGN_GAP:
            return True
    return False


def strip_publisher(title: str) -> str:
    return _SUFFIX.sub("", title.strip())


def _tokens(clause: str) -> list[str]:
    return [re.sub(r"['’]s$", "", t) for t in _TOKEN.findall(clause)]


def is_camel(word: str) -> bool:
    """A brand's own casing: iPhone, iOS, eBay, YouTube's second capital."""
    return word[:1].islower() and any(c.isupper() for c in word[1:])


def _capitalised(token: str) -> bool:
    return token[:1].isupper() or is_acronym(token) or is_camel(token)


def _title_case(tokens: Sequence[str]) -> bool:
    long = [t for t in tokens[1:] if len(t) >= 4]
    capitals = sum(t[:1].isupper() for t in long)
    return len(long) >= TITLE_CASE_WORDS and capitals / len(long) >= TITLE_CASE_SHARE


def _runs(tokens: Sequence[str]) -> Iterable[tuple[int, list[str]]]:
    """(start, words) of each run of capitalised tokens, connectors allowed inside."""
    i = 0
    while i < len(tokens):
        if not _capitalised(tokens[i]):
            i += 1
            continue
        run, j = [tokens[i]], i + 1
        while j < len(tokens):
            if _capitalised(tokens[j]):
                run.append(tokens[j])
            elif tokens[j].casefold() in CONNECTORS and j + 1 < len(tokens):
                if not _capitalised(tokens[j + 1]):
                    break
                run.append(tokens[j])
            else:
                break
            j += 1
        yield i, run
        i = j


def _name_like(words: Sequence[str], *, initial: bool, lower: set[str]) -> bool:
    if words[0].casefold() in CONNECTORS or words[-1].casefold() in CONNECTORS:
        return False
    if any(w.casefold() in lower for w in words if not is_acronym(w)):
        return False  # a headline writes it in lower case: a common word
    if len(words) > 1:
        return not all(w.casefold() in CALENDAR for w in words)
    word = words[0]
    if is_acronym(word) or is_camel(word):
        return True
    if word.casefold() in CALENDAR:
        return False
    return zipf(word) < (RARE_ZIPF if initial else NAME_MAX_ZIPF)


def named_entities(titles: Sequence[str], *, limit: int = 5) -> list[str]:
    """The story's names, the most recurring first (longer names win over their parts)."""
    clauses = [
        [_tokens(c) for c in _CLAUSES.split(strip_publisher(t)) if c.strip()] for t in titles
    ]
    lower = {t.casefold() for cs in clauses for c in cs for t in c if t.islower()}
    found: dict[str, tuple[str, ...]] = {}  # folded -> words, in order of appearance
    openers: Counter[str] = Counter()
    for cs in clauses:
        title_case = _title_case([t for c in cs for t in c])
        for tokens in cs:
            for start, run in _runs(tokens):
                for n in range(min(len(run), MAX_WORDS), 0, -1):
                    for k in range(len(run) - n + 1):
                        words = run[k : k + n]
                        initial = start + k == 0
                        word = words[0]
                        rare = n == 1 and (
                            is_acronym(word) or is_camel(word) or zipf(word) < RARE_ZIPF
                        )
                        if title_case and not rare:
                            continue  # Title Case: only acronyms and rare words
                        if _name_like(words, initial=initial, lower=lower):
                            found.setdefault(fold(" ".join(words)), tuple(words))
                        elif initial and n == 1 and not title_case:
                            openers[words[0]] += 1
    # A word that opens several sentence-case headlines and is not common is their subject:
    # "Sinner" (3.4) in "Sinner bat Alcaraz", "Sinner sacré à Paris".
    for word, count in openers.items():
        if (
            count >= 2
            and zipf(word) < COMMON_ZIPF
            and _name_like([word], initial=False, lower=lower)
        ):
            found.setdefault(fold(word), (word,))
    texts = [" " + " ".join(fold(t) for c in cs for t in c) + " " for cs in clauses]
    support = {key: sum(f" {key} " in text for text in texts) for key in found}
    least = min(2, len(titles))
    joined = "".join(texts)
    ranked = sorted(  # most headlines first, a longer name first, then the first named
        (key for key in found if support[key] >= least),
        key=lambda key: (-(support[key] + 0.5 * (len(found[key]) - 1)), joined.find(f" {key} ")),
    )
    kept: list[str] = []
    for key in ranked:
        if any(f" {key} " in f" {k} " for k in kept):
            continue  # a part of a name already kept
        kept = [k for k in kept if f" {k} " not in f" {key} "]
        kept.append(key)
    return [" ".join(found[key]) for key in kept[:limit]]


def search_terms(terms: Sequence[str]) -> list[str]:
    """Trending searches as names: `taylor swift` -> `Taylor Swift`; lone common words dropped."""
    out = []
    for term in terms:
        term = " ".join(term.split())
        if not term or is_common_word(term) or len(term.split()) > MAX_WORDS:
            continue
        out.append(" ".join(w[:1].upper() + w[1:] if w.islower() else w for w in term.split()))
    return out


def subject(titles: Sequence[str], trending: Sequence[str] = (), *, limit: int = 2) -> list[str]:
    """The names that say what the story is about: what people search first."""
    names = search_terms(trending) + named_entities(titles)
    out: list[str] = []
    for name in names:
        if not any(fold(name) in fold(o) or fold(o) in fold(name) for o in out):
            out.append(name)
    return out[:limit]
