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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
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
# A word that opens two sentence-case headlines, once as an owner, is their subject though it is
# a common word too: "Google’s first AI glasses" and "Google unveils…" (4.86), "Samsung's wide
# foldable" (4.12). Not so frequent words: "Today's" (6.0), "World's" (5.9) own nothing.
OWNER_MAX_ZIPF = 5.0
# A headline whose words of 4+ letters (its first aside) are 75%+ capitalised, and none in lower
# case but a preposition, is Title Case.
TITLE_CASE_SHARE = 0.75
# Long words some Title Case styles leave in lower case (Chicago: prepositions, conjunctions).
_TITLE_CASE_LOWER = "with from into onto over upon amid than that after about like near past until"
TITLE_CASE_LOWER = frozenset(_TITLE_CASE_LOWER.split())
MAX_WORDS = 4
CONNECTORS = frozenset(("de", "du", "des", "la", "le", "d'", "of", "the", "and", "et"))
# Capitalised by convention in English, or shouted ("Update your iPhone NOW"): common all the same.
_MONTH_NAMES = (
    "january february march april may june july august september october november december"
)
_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday"
_FRENCH_DATES = "lundi mardi mercredi jeudi vendredi samedi dimanche janvier février mars " + (
    "avril mai juin juillet août septembre octobre novembre décembre"
)
# ...and the words that open a headline before a product's name: "First iPhone 17 pre-orders now
# arriving" names the iPhone (`_glue`), not a "First iPhone" (#FirstiPhone)
_CALENDAR = f"{_WEEKDAYS} {_FRENCH_DATES} " + (
    "today live breaking update updates watch opinion analysis exclusive video photos now new free"
    " first latest newest best"
)
CALENDAR = frozenset(f"{_CALENDAR} {_MONTH_NAMES}".split())
_SUFFIX = re.compile(r"\s+[-–|]\s+[^-–|]{2,60}$")  # " - Publisher" in Google News titles
# Abbreviated titles before a name ("Illinois Gov. Jim Edgar", "GOP Rep. Nancy Mace"): their
# full stop ends no name, and they are no part of one (a name's last word may be one: "Amartya
# Sen"). Not "Gen": "Gen Z".
_TITLE_WORDS = "gov rep reps sen sens lt col sgt capt prof rev"
TITLES = frozenset(_TITLE_WORDS.split())
# A clause ends at a comma (a list is no name: "AirPods, MacBooks, iPads") or a full stop, not at
# an initial or a short title ("Robert F. Kennedy Jr. says", "Illinois Gov. Jim Edgar").
_NOT_AFTER_TITLE = "".join(rf"(?<!\b{t.capitalize()})" for t in sorted(TITLES))
_CLAUSES = re.compile(
    r"\s*(?:[:;?!|—–]|,\s|(?<!\b[A-Z])(?<!\b[A-Z][a-z])"
    + _NOT_AFTER_TITLE
    + r"\.\s|\s-\s|[«»“”\"‘’](?:\s|$)|^[‘“\"«])\s*"
)
_TOKEN = re.compile(r"[^\W_](?:[\w&+.'’-]*[^\W_])?")
_POSSESSIVE = re.compile(r"['’]s$")


def fold(text: str) -> str:
    return _strip_accents(text.casefold())


def _strip_accents(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


# the days and months, English and French, folded: when, not what
DATES = frozenset(fold(w) for w in f"{_WEEKDAYS} {_FRENCH_DATES} {_MONTH_NAMES}".split())


@cache
def zipf(word: str) -> float:
    """The word's frequency, the higher of English and French (Zipf scale)."""
    from wordfreq import zipf_frequency

    word = word.casefold()
    return max(zipf_frequency(word, "en"), zipf_frequency(word, "fr"))


# Acronyms that are common nouns, no names: "a CEO", "a gaming PC", "voter ID" (`#CEO` files a
# post under every company). Names stay: NASA, FBI, NFL, ICE. ("AI", "TV": vague, see `is_vague`.)
_GENERIC = (
    "ceo cfo cto coo ceos id ids pc pcs gpu gpus cpu cpus ev evs suv suvs atv ipo ipos dna rna "
    "pm mp mps sim usb ram ssd led oled lcd etf etfs llm llms api app apps vpn wifi diy mvp qb "
    "vip ufo ufos atm gdp cpi faq"
)
GENERIC_ACRONYMS = frozenset(_GENERIC.split())


def is_acronym(word: str) -> bool:
    letters = word.replace(".", "").replace("&", "")
    return 2 <= len(letters) <= 6 and letters.isupper() and any(c.isalpha() for c in letters)


def shouts(text: str) -> bool:
    """A text with no lower-case letter ("SNOW EMERGENCY DECLARED") says nothing of case; "ICE
    raids LA" does, though most of its words are capitals."""
    return not any(c.islower() for c in text)


def says_acronym(text: str, acronym: str) -> bool:
    """Whether `text` writes `acronym` (or its plural) as one, in capitals: "ICE raids", not
    "snow and ice" nor "Ice storm"; in any case in a text that `shouts`."""
    if shouts(text):
        return re.search(rf"(?<!\w){re.escape(fold(acronym))}s?(?!\w)", fold(text)) is not None
    return re.search(rf"(?<!\w){re.escape(acronym)}s?(?!\w)", text) is not None


# A competitor's short name: the first word of a longer name, when it is this rare (Zipf): "Peet"
# 2.5, "Krispy" 2.6, "Xfinity" 2.8; not "Smoothie" 3.25 (Smoothie King), "Domino" 3.3, "Celsius"
# 3.3, "Chime" 3.1, "Mint" 3.9, "Google" 4.9.
SHORT_NAME_ZIPF = 3.0
_OWNER_END = re.compile(r"(?i)['’]s?$")  # "Peet's", "Dunkin'"


def short_names(competitors: Sequence[str], own: str = "") -> dict[str, str]:
    """The brand's competitors as the news shortens them, each to its full name: the first word
    of a longer name when it is rare enough to name it alone ("Peet" of "Peet's Coffee", in
    "JDE Peet's"), never the first word of the brand's own name (`own`)."""
    mine = fold(_OWNER_END.sub("", own.split()[0])) if own.split() else ""
    out: dict[str, str] = {}
    for name in competitors:
        first, *rest = name.split() or [""]
        bare = _OWNER_END.sub("", first)
        rare = len(bare) >= 4 and zipf(bare) < SHORT_NAME_ZIPF
        if rest and bare[:1].isupper() and rare and fold(bare) != mine:
            out.setdefault(bare, name)
    return out


def rival_names(competitors: Sequence[str], own: str = "") -> tuple[list[str], dict[str, str]]:
    """How a brand's competitors are found: the names matched in any case, and the words matched
    only as written with their capital (`find_short_name`), each to its full name: the short
    names (`short_names`) and a name that is one common word ("Target", "Ring", "Via", "Curb":
    "price target", "engagement ring", "via satellite", "to curb inflation" name nobody)."""
    # a word as English writes it, capitalised or not: "eBay", "PayPal", "REI", "McDonald's"
    # are matched in any case, as before
    common = [
        n
        for n in competitors
        if n.isalpha()
        and (n[1:].islower() or n.islower() or n.isupper())  # "GAP", "HP": not "the pay gap"
        and zipf(n) >= SHORT_NAME_ZIPF
    ]
    words = short_names(competitors, own) | {n[:1].upper() + n[1:]: n for n in common}
    return [n for n in competitors if n not in common], words


HALF_THE_NEWS_ZIPF = 5.0  # "American", "United", "General": in too many headlines to name one
# the last word of a company's name that headlines drop: "Progressive Insurance" is
# "Progressive" in the news
_COMPANY_WORDS = "insurance inc co corp corporation company group bank airlines airways " + (
    "motors mobile wireless holdings brands foods stores technologies labs"
)
COMPANY_WORDS = frozenset(_COMPANY_WORDS.split())


def shortened_rivals(
    competitors: Sequence[str], words: Mapping[str, str], own: str = ""
) -> dict[str, str]:
    """The competitors whose name ends in a company word (`COMPANY_WORDS`) and whose first word
    is caught by nothing (not rare enough to be a short name, not listed), each to its name;
    not a word of half the news ("American", "United", "General"), an acronym ("US"), a
    place or a people, nor the first word of the brand's own name."""
    out: dict[str, str] = {}
    caught = {fold(w) for w in [*words, *competitors, *own.split()[:1]]}
    for name in competitors:
        first, *rest = name.split() or [""]
        first = _OWNER_END.sub("", first)
        if (
            rest
            and fold(rest[-1]).strip(".") in COMPANY_WORDS
            and fold(first) not in caught
            and first[1:].islower()
            and zipf(first) < HALF_THE_NEWS_ZIPF
            and fold(first) not in _PLACES | REGIONS
            and not is_demonym(first)
        ):
            out.setdefault(first, name)
    return out


def find_short_name(text: str, short: Mapping[str, str]) -> str:
    """The first of `short`'s names that `text` writes with its capital, as a whole word, its
    other letters in any case and any accents ("JDE Peet’s" finds "Peet", "NESTLE" and
    "Nestle" find "Nestlé"); a word in lower case is no name ("a smoothie")."""
    plain = _strip_accents(text)

    def pattern(word: str) -> str:
        word = _strip_accents(word)
        return rf"(?<!\w){re.escape(word[:1])}(?i:{re.escape(word[1:])})(?!\w)"

    return next((n for n in short if re.search(pattern(n), plain)), "")


def said_rival(word: str, name: str) -> str:
    """A competitor as a reason quotes it: "'Via'" for a name matched as a word, "'Peet'
    (Peet's Coffee)" for a short name."""
    return repr(word) if fold(word) == fold(name) else f"{word!r} ({name})"


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
    words = [
        w.casefold()
        for w in re.findall(r"[^\W\d_]+", name)
        if not is_acronym(w) and w.casefold() not in CONNECTORS
    ]
    if not others or not words:
        return False
    foreign = 0
    for word in words:
        other = max(zipf_frequency(word, o) for o in others)
        foreign += other >= COMMON_ZIPF and other - zipf_frequency(word, lang) >= FOREIGN_GAP
    # half the words or more: one foreign-looking word in a longer name is a name's ("Kim Jong Un")
    return foreign > 0 and 2 * foreign >= len(words)


def strip_publisher(title: str) -> str:
    return _SUFFIX.sub("", title.strip())


_ELISION = re.compile(r"^(?:[dljmnst]|qu|jusqu|lorsqu|puisqu)['’](?=\w)", re.IGNORECASE)


def headline_tokens(clause: str) -> list[str]:
    """Words, without an English possessive ("Apple's") or a French elision ("d’Elizabeth").
    Inside a clause, an elision with a capital is part of a name: "Kering and L’Oréal"."""
    return [t for t in _owned_tokens(clause) if t != OWNS]


# Where an owner ends and what it owns begins: "China's ByteDance" is two names when the story
# also names ByteDance alone; "Assassin's Creed", "Sam's Club", "New Year's Eve" are one.
OWNS = "’s"


def _owned_tokens(clause: str) -> list[str]:
    """`headline_tokens`, with OWNS between a possessive and a capitalised word after it."""
    raw = _TOKEN.findall(clause)
    tokens = []
    for i, t in enumerate(raw):
        tokens.append(_POSSESSIVE.sub("", t))
        if tokens[-1] != t and i + 1 < len(raw) and _capitalised(raw[i + 1]):
            tokens.append(OWNS)
    tokens = [t if i and t[:1].isupper() else _ELISION.sub("", t) for i, t in enumerate(tokens)]
    return [t for t in tokens if t]


# Places that own what headlines name after them ("China's ByteDance", "Japan's Nikkei", "North
# Korea's Kim"): never part of that name. Not "America": "America's Got Talent", "America's Cup".
_PLACE_WORDS = "us u.s uk u.k eu china japan india russia ukraine israel iran iraq syria " + (
    "gaza korea taiwan germany france britain italy spain canada mexico brazil venezuela "
    "argentina australia turkey pakistan egypt europe asia africa beijing moscow washington "
    "london paris tokyo kyiv texas california florida"
)
_PLACES = frozenset(_PLACE_WORDS.split())


def _owned(clauses: list[list[list[str]]]) -> list[list[list[str]]]:
    """Keep OWNS only after a place, or before a word that opens a name elsewhere in the story,
    not after a possessive: what is owned is a name of its own ("ByteDance confirms…"); else the
    owner and what it owns are one name, as headlines write it ("Assassin's Creed Shadows")."""
    opens = {
        fold(run[0])
        for cs in clauses
        for tokens in cs
        for start, run in _runs(tokens)
        if not start or tokens[start - 1] != OWNS
    }

    def kept(tokens: list[str]) -> list[str]:
        return [
            t
            for j, t in enumerate(tokens)
            if t != OWNS
            or fold(tokens[j - 1]).rstrip(".") in _PLACES
            or (j + 1 < len(tokens) and fold(tokens[j + 1]) in opens)
        ]

    return [[kept(tokens) for tokens in cs] for cs in clauses]


def is_camel(word: str) -> bool:
    """A brand's own casing: iPhone, iOS, eBay, YouTube's second capital."""
    return word[:1].islower() and any(c.isupper() for c in word[1:])


# an amount stands alone: "$1B Powerball jackpot" is no #1BPowerball, "Trump's $500M" no
# "Trump 500M"; so does a reporting period before what is reported ("Walmart Q3 earnings" is no
# #WalmartQ3; "Audi Q3 review" names the car). Alone, neither is a name (`is_amount`).
_AMOUNT = re.compile(r"^\d[\d.,]*(?:[KMBT]|BN|MN)$")
_PERIOD = re.compile(r"^(?:Q[1-4]|H[12]|FY\d\d(?:\d\d)?|[1-4]Q\d\d)$")
_REPORTED_WORDS = "earnings results revenue revenues sales profit profits loss losses report " + (
    "deliveries guidance outlook forecast gdp growth numbers update"
)
_REPORTED = frozenset(_REPORTED_WORDS.split())


def is_amount(name: str) -> bool:
    """Whether `name` is only an amount ("500M", "2.5B") or a period ("Q3", "FY2025"): how
    much or when, never who or what."""
    return bool(_AMOUNT.match(name.strip()) or _PERIOD.match(name.strip()))


def _alone(tokens: Sequence[str], i: int) -> bool:
    """Whether token `i` stands alone in a run of capitals: an amount, or a period before what
    is reported or a year."""
    if _AMOUNT.match(tokens[i]):
        return True
    after = tokens[i + 1].casefold() if i + 1 < len(tokens) else ""
    return bool(_PERIOD.match(tokens[i])) and bool(
        after in _REPORTED or re.fullmatch(r"20\d\d", after)
    )


def _capitalised(token: str) -> bool:
    return token[:1].isupper() or is_acronym(token) or is_camel(token)


def title_case(tokens: Sequence[str]) -> bool:
    """Whether a headline capitalises its words rather than its names. A lower-case long word
    (not a preposition) proves sentence case, however many names it holds ("Dodgers beat Blue
    Jays in Game 7 to win World Series"); a short headline of capitals is Title Case ("GTA 6
    Release Date Nears")."""
    long = [t for t in tokens[1:] if len(t) >= 4 and any(c.isalpha() for c in t)]  # not "18.7"
    if any(t.islower() and t.casefold() not in TITLE_CASE_LOWER for t in long):
        return False
    capitals = sum(_capitalised(t) for t in long)
    return capitals >= 2 and capitals / len(long) >= TITLE_CASE_SHARE


def _runs(tokens: Sequence[str]) -> Iterable[tuple[int, list[str]]]:
    """(start, words) of each run of capitalised tokens, connectors allowed inside."""
    i = 0
    while i < len(tokens):
        if not _capitalised(tokens[i]):
            i += 1
            continue
        if _alone(tokens, i):
            yield i, [tokens[i]]
            i += 1
            continue
        run, j = [tokens[i]], i + 1
        while j < len(tokens) and not _alone(tokens, j):
            if _capitalised(tokens[j]):
                run.append(tokens[j])
            elif tokens[j].casefold() in CONNECTORS and j + 1 < len(tokens):
                if not _capitalised(tokens[j + 1]) or _alone(tokens, j + 1):
                    break
                run.append(tokens[j])
            else:
                break
            j += 1
        yield i, run
        i = j


# Nationalities and peoples, as adjectives ("Brazilian tax dispute", "Chinese-owned chipmaker",
# "pro-Palestinian march") or plural nouns ("Ukrainians"): capitalised, and a lead may tell
# what happened with them ("Judge blocks deportation of Guatemalan children"), but they are no
# subject of a story: a hook on "Venezuelan" or a #Brazilian tag says nothing. `is_demonym`.
_DEMONYMS = (
    "american", "british", "english", "scottish", "welsh", "irish", "french", "german",
    "italian", "spanish", "portuguese", "dutch", "belgian", "swiss", "austrian", "swedish",
    "norwegian", "danish", "finnish", "icelandic", "polish", "czech", "slovak", "hungarian",
    "romanian", "bulgarian", "greek", "serbian", "croatian", "bosnian", "albanian", "ukrainian",
    "russian", "belarusian", "lithuanian", "latvian", "estonian", "moldovan", "armenian",
    "azerbaijani", "turkish", "kurdish", "israeli", "palestinian", "lebanese", "syrian",
    "iraqi", "iranian", "saudi", "emirati", "qatari", "yemeni", "jordanian", "egyptian",
    "libyan", "tunisian", "algerian", "moroccan", "sudanese", "ethiopian", "somali", "kenyan",
    "nigerian", "ghanaian", "congolese", "south african", "afghan", "pakistani", "indian",
    "bangladeshi", "nepali", "sri lankan", "chinese", "taiwanese", "japanese", "korean",
    "north korean", "south korean", "vietnamese", "thai", "filipino", "indonesian",
    "malaysian", "australian", "canadian", "mexican", "cuban", "haitian", "dominican",
    "jamaican", "puerto rican", "guatemalan", "honduran", "salvadoran", "nicaraguan",
    "colombian", "venezuelan", "ecuadorian", "peruvian", "bolivian", "brazilian", "chilean",
    "argentinian", "uruguayan", "paraguayan", "european", "african", "asian",
    "latino", "latina", "hispanic", "arab", "americain", "britannique", "francais", "allemand",
    "italien", "espagnol", "belge", "ukrainien", "russe", "israelien", "palestinien",
    "libanais", "syrien", "iranien", "chinois", "japonais", "coreen", "americaine",
    "francaise", "allemande", "italienne", "espagnole", "ukrainienne", "israelienne",
    "palestinienne", "chinoise", "europeen", "europeenne", "africain", "africaine",
)  # fmt: skip
DEMONYMS = frozenset(_DEMONYMS)
# "pro-Palestinian", "anti-American", "Chinese-owned", "Iranian-born", "Saudi-backed" (hyphened
# only: "American Made" is a name)
_DEMONYM_AFFIXES = re.compile(r"^(?:pro|anti)-|-(?:owned|born|backed|led|made|based)$")
_DETERMINER_WORDS = "the a an this that these those some many most more several top"
_DETERMINERS = frozenset(_DETERMINER_WORDS.split())


def is_demonym(name: str, titles: Sequence[str] = ()) -> bool:
    """Whether `name` is only a nationality or a people, as an adjective or in the plural
    ("Venezuelan", "Ukrainians", "pro-Palestinian", "Chinese-owned", "North Korean"); not when
    a sentence-case headline of `titles` writes it right after another capitalised word that
    is no determiner ("The Venezuelan government"): a surname ("Mark Cuban"), a team
    ("Cleveland Indians")."""
    key = " ".join(re.findall(r"[^\W_]+", fold(_DEMONYM_AFFIXES.sub("", name.strip()))))
    if not key or not any(k in DEMONYMS for k in (key, key.removesuffix("s"))):
        return False
    before = re.compile(rf"(?<![\w'’-])([A-Z][\w.'’-]*)\s{re.escape(name.strip())}\b")
    return not any(
        fold(m.group(1)) not in _DETERMINERS
        for t in titles
        if not title_case(headline_tokens(t))
        for m in before.finditer(t)
    )


_ALERT_KINDS = frozenset(("warning", "warnings", "watch", "watches", "advisory", "advisories"))
_ALERT_HAZARDS = frozenset((
    "winter", "storm", "weather", "heat", "flood", "flash", "tornado", "hurricane", "wind",
    "freeze", "frost", "fire", "flag", "blizzard", "ice", "snow", "squall", "chill", "tropical",
    "surf", "cold",
))  # fmt: skip


def is_weather_alert(name: str) -> bool:
    """An official weather alert's name ("Winter Storm Warning", "Heat Advisory", "Tornado
    Watch"): the weather service's, not a brand's hashtag; not "Apple Watch"."""
    words = fold(name).replace("-", " ").split()
    return len(words) >= 2 and words[-1] in _ALERT_KINDS and bool(_ALERT_HAZARDS & set(words))


def is_vague(name: str) -> bool:
    """A two-letter name ("US", "U.S.", "AI", "TV", "EU") names half the news, not a story."""
    return sum(c.isalpha() for c in name) <= 2


# Days on the calendar that every story of their week names, the harmless and the political
# alike ("Trump pardons Thanksgiving turkeys"): a name, and a hashtag, but not one whose company
# says anything about a story (`safety.bad_company`). English and French.
_OCCASIONS = (
    "thanksgiving", "thanksgiving day", "christmas", "christmas eve", "christmas day", "xmas",
    "new year", "new years", "new years eve", "new years day", "lunar new year", "halloween",
    "easter", "hanukkah", "chanukah", "kwanzaa", "diwali", "valentines day", "mothers day",
    "fathers day", "st patricks day", "saint patricks day", "independence day",
    "fourth of july", "july 4th", "labor day", "memorial day", "veterans day", "presidents day",
    "mlk day", "martin luther king day", "martin luther king jr day", "columbus day",
    "indigenous peoples day", "juneteenth", "black friday", "cyber monday",
    "small business saturday", "giving tuesday", "prime day", "groundhog day", "earth day",
    "cinco de mayo", "mardi gras", "boxing day", "noel", "nouvel an", "saint valentin", "paques",
    "reveillon", "fete des meres", "fete des peres", "chandeleur", "epiphanie",
    "fete de la musique",
)  # fmt: skip
OCCASIONS = frozenset(_OCCASIONS)
# A region named by its compass point or its landform takes "the" in prose, however headlines
# write it ("Winter storm brings snow to West and Midwest"): "the Midwest", "the Gulf Coast".
# Folded; the name must be the region alone ("Northeast Ohio" is another name).
_REGIONS = (
    "north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest",
    "midwest", "upper midwest", "deep south", "mid-atlantic", "mid atlantic", "plains",
    "great plains", "northern plains", "southern plains", "high plains", "rockies",
    "great lakes", "gulf coast", "east coast", "west coast", "pacific northwest",
    "bay area", "tri-state", "tri-state area", "sun belt", "rust belt",
)  # fmt: skip
REGIONS = frozenset(_REGIONS)
# The states: where a story happens, not who is in it. Their week's stories are a snowstorm and a
# shooting alike: "Minnesota: 2 of the 3 stories naming it this week were blocked" held a
# Thanksgiving snowstorm (`safety.bad_company` reads people and organisations).
_US_STATES = (
    "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut",
    "delaware", "florida", "georgia", "hawaii", "idaho", "illinois", "indiana", "iowa", "kansas",
    "kentucky", "louisiana", "maine", "maryland", "massachusetts", "michigan", "minnesota",
    "mississippi", "missouri", "montana", "nebraska", "nevada", "new hampshire", "new jersey",
    "new mexico", "new york", "north carolina", "north dakota", "ohio", "oklahoma", "oregon",
    "pennsylvania", "rhode island", "south carolina", "south dakota", "tennessee", "texas",
    "utah", "vermont", "virginia", "washington state", "west virginia", "wisconsin", "wyoming",
)  # fmt: skip
# and the abbreviations headlines write ("N.J. school closings", "Calif."), folded without their
# dots; not those that are words or other names too once their dots are gone: a mass, a pa, the
# VA, LA, a doctor's MD, GA tickets, "ill", "miss", "wash", "ore", "del", "kan", "ind", "mo", "ky"
_STATE_ABBREVIATIONS = (
    "nj", "ny", "nc", "sc", "nd", "sd", "nh", "nm", "ri", "wva", "ala", "ariz", "calif", "colo",
    "conn", "fla", "mich", "minn", "neb", "nev", "okla", "tenn", "wis", "wyo",
)  # fmt: skip
US_STATES = frozenset((*_US_STATES, *_STATE_ABBREVIATIONS))
_SIDES_WORDS = "north south east west northern southern eastern western upper lower central"
_SIDES = frozenset(_SIDES_WORDS.split())


def is_region(name: str) -> bool:
    """A US state or a region of the country ("Minnesota", "Lower Michigan", "the Midwest")."""
    words = _plain(name).removeprefix("the ").split()
    # "South Florida", "Lower Michigan" ("South Dakota" is found whole before)
    while " ".join(words) not in US_STATES and len(words) > 1 and words[0] in _SIDES:
        words = words[1:]
    return " ".join(words) in US_STATES or " ".join(words) in REGIONS


def names_a_place(text: str, places: Sequence[str] | None) -> bool:
    """Whether `text` names one of `places` as a word or words, accents and punctuation aside
    ("Chicago-area" names Chicago, "St Louis" St. Louis; "Midwestern" does not name Midwest: a
    theme lists the forms it wants), in its case when written with a capital ("IN" is not
    "in"); True with no places to name (a theme that has none fits anywhere)."""
    if not places:
        return True
    plain = _place_form(text)
    for place in places:
        want = _place_form(place)
        cased = any(c.isupper() for c in place)
        text_, want = (plain, want) if cased else (plain.casefold(), want.casefold())
        if want and re.search(rf"(?<!\w){re.escape(want)}(?!\w)", text_):
            return True
    return False


def _place_form(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", _strip_accents(text)).split())


def one_title(first: str, second: str, titles: Sequence[str]) -> str:
    """The title the headlines write as `first`, a colon, then `second` ("Halo: Campaign
    Evolved", "Spinal Tap II: The End Continues", a sequel's number between), as written; ""
    unless one headline quotes the join, or two join them so with a second half of two words
    or more: "Trump: Fed must cut rates" is a man and what he said."""
    for a, b in ((first, second), (second, first)):
        joined = re.compile(
            rf"(?<!\w){re.escape(a)}(?:\s+(?:[IVX]+|\d+))?:\s+(?:The\s+)?{re.escape(b)}(?!\w)"
        )
        found = [m for t in titles if (m := joined.search(t))]
        quoted = any(
            m.string[m.start() - 1 : m.start()] in _QUOTES
            and m.string[m.end() : m.end() + 1] in _QUOTES
            for m in found
            if m.start() and m.end() < len(m.string)
        )
        # a one-word half after the colon is what a speaker said of it: "Trump: Fed must…"
        if quoted or (len(found) >= 2 and len(b.split()) >= 2):
            return found[0].group(0)
    return ""


_QUOTES = frozenset("'\"‘’“”«»")


def is_occasion(name: str) -> bool:
    """A holiday or a shopping day ("Thanksgiving", "Black Friday", "Valentine's Day", "Noël"),
    however its apostrophes, accents and hyphens are written, with its month or year: "October
    Prime Day" was told as another name ("All eyes on October Prime Day and AirPods today.")."""
    words = _plain(name).split()
    if " ".join(words) in OCCASIONS:  # "July 4th" is one with its month
        return True
    while len(words) > 1 and words[0] in MONTHS:
        words = words[1:]
    if len(words) > 1 and re.fullmatch(r"(19|20)\d\d", words[-1]):
        words = words[:-1]
    return " ".join(words) in OCCASIONS


_NO_DOTS = str.maketrans("", "", "'’.")


def _plain(text: str, *, cased: bool = False) -> str:
    """`text` with no accents, apostrophes or dots, hyphens as spaces; folded unless `cased`."""
    plain = (_strip_accents(text) if cased else fold(text)).translate(_NO_DOTS)
    return " ".join(plain.replace("-", " ").split())


_NAMES_OCCASION = re.compile(
    rf"(?<!\w)(?:{'|'.join(sorted(map(re.escape, OCCASIONS), key=len, reverse=True))})(?!\w)",
    re.I,
)


def names_occasion(text: str) -> str:
    """The holiday or shopping day `text` names with its capital ("labor day" of "what's open
    on Labor Day 2025", "martin luther king jr day"; not "a memorial day for the victims"), as
    `OCCASIONS` writes it; "" for none."""
    matches = _NAMES_OCCASION.finditer(_plain(text, cased=True))
    found = next((m for m in matches if m[0][:1].isupper()), None)
    return found[0].casefold() if found else ""


def _name_like(
    words: Sequence[str], *, initial: bool, lower: set[str], most: float = NAME_MAX_ZIPF
) -> bool:
    if words[0].casefold() in CONNECTORS or words[-1].casefold() in CONNECTORS:
        return False
    if any(w.casefold() in lower for w in words if not is_acronym(w)):
        return False  # a headline writes it in lower case: a common word
    if any(w.casefold().startswith("ex-") for w in words):
        return False  # "Ex-Trump aide": a title
    if len(words) > 1:
        return not all(w.casefold() in CALENDAR for w in words) and not _shouted(words)
    word = words[0]
    if word.casefold() in CALENDAR or word.casefold() in MONTHS:
        return False  # "LIVE", "WATCH": shouted, not an acronym; "Jan. 6" is a date
    if _shouted(words):
        return False
    if is_acronym(word) or is_camel(word):
        return word.casefold() not in GENERIC_ACRONYMS
    if len(word) < 3:
        return False  # "Jr", "St", "Dr": a piece of a name, never one
    return zipf(word) < (RARE_ZIPF if initial else most)


# ...nor is "Former" ("Former Trump lawyer")
_NAME_TITLES = TITLES | {"former"}
SHOUTED_ZIPF = 4.5
EVERYDAY_ZIPF = 6.5  # "you" 7.5, "war" 5.4, "ice" 5.0
_PRONOUN_ACRONYMS = frozenset(("who",))  # "the doctor who…" beside "EU, WHO counter…"


def _shouted(words: Sequence[str]) -> bool:
    """Capitals for common words: "WINNER", "PUNISHABLE BY DEATH" (an acronym has 2-6 letters
    and is rarely a common word: "NASA" 4.2, "NATO" 4.0)."""
    return all(w.isupper() for w in words) and any(
        max(map(len, re.split(r"[-&]", w))) > 6  # per part: "SAG-AFTRA" is two acronyms
        or (w.isalpha() and len(w) >= 4 and zipf(w) >= SHOUTED_ZIPF)  # not "F-16", "AT&T"
        or w.casefold() in _SMALL_WORDS
        for w in words
    )


def _bare(key: str) -> str:
    """A name without its middle initials ("James D Watson"); a model's letter at either end
    stays ("Z Fold", "Ally X")."""
    words = key.split()
    middle = [w for w in words[1:-1] if len(w.strip(".")) > 1]
    return " ".join([*words[:1], *middle, *words[1:][-1:]])


def _shouted_once(name: Sequence[str], headlines: Sequence[set[str]]) -> bool:
    """A word in capitals in one headline (its set of words) that the others write as a word:
    "TARIFF" beside "Tariffs", "YOU" beside "You". An acronym is written in capitals wherever
    it stands ("WHO declares…", "WHO warns…"), even when a headline also has the word "Who"."""
    if len(name) != 1 or not name[0].isalpha() or not name[0].isupper() or len(name[0]) < 3:
        return False
    word = name[0].casefold()
    if word in _PRONOUN_ACRONYMS:
        return False
    forms = {word, word + "s", word.removesuffix("s")}
    capitals = sum(name[0] in h or name[0] + "S" in h for h in headlines)
    # in lower case, or capitalised when very common ("You"; not "Ice" of "Ice raid", "Nasa")
    written = any(
        t.casefold() in forms and (t.islower() or (t.istitle() and zipf(t) >= EVERYDAY_ZIPF))
        for h in headlines
        for t in h
    )
    return capitals == 1 and written


_SMALL_WORDS = frozenset(
    ["by", "of", "the", "to", "in", "on", "for", "and", "or", "at", "as", "is"]
)


def _glue(words: Sequence[str], whole: set[str]) -> int:
    """Where a day or month joins two names, 0 if it does not: "Cyber Monday Apple" when
    "Apple" is a whole name elsewhere in the story, "Cyber Monday iPad" (a brand's casing, an
    acronym), "Apple Black Friday" when "Black Friday" is. "Monday Night Football" stays one
    ("Night Football" is never a name of its own), and so does "Good Friday" (a day alone is
    no name)."""
    for i in range(1, len(words)):
        rest = words[i:]
        if words[i - 1].casefold() in CALENDAR and (
            fold(" ".join(rest)) in whole
            or (len(rest) == 1 and (is_camel(rest[0]) or is_acronym(rest[0])))
        ):
            return i
        if rest[-1].casefold() in CALENDAR and len(rest) > 1 and fold(" ".join(rest)) in whole:
            return i
    return 0


MONTH_SHORT = "jan feb mar apr jun jul aug sep sept oct nov dec"
MONTHS = frozenset(f"{_MONTH_NAMES} {MONTH_SHORT}".split())  # English, as dates in headlines


def _version_of(product: str, number: str, words: Sequence[str], clause: str) -> bool:
    """Whether `words` continue a product's name after its number ("Snapdragon 8 Gen", "iPhone
    17 Pro Max"): a name, not a common word ("Game 7", "Top 10"), a verb ("Debuts 21") or a
    date ("Sep 29"); and not a quoted word ("RDNA 5 “Radeon”")."""
    if not number.isdigit() or not _capitalised(product) or product.casefold() in MONTHS:
        return False
    named = is_camel(product) or is_acronym(product) or zipf(product) < COMMON_ZIPF
    quoted = re.search(rf"{number}\s+[\"“‘'«]\s*{re.escape(words[0])}", clause)
    return named and not verb_like(product) and not quoted


def _pieces(tokens: Sequence[str], whole: set[str]) -> Iterable[tuple[int, list[str]]]:
    """`_runs`, each cut where a day glues two names (`_glue`), piece by piece."""
    todo = list(_runs(tokens))
    while todo:
        start, run = todo.pop(0)
        cut = _glue(run, whole)
        if not cut:
            yield start, run
            continue
        todo[:0] = [(start, run[:cut]), (start + cut, run[cut:])]


# an acronym and a lower-case word, hyphened: an adjective ("AI-spending plans", "EV-only",
# "U.S.-made"), not a name ("X-Men", "Wi-Fi" have capitals on both sides)
_COMPOUND = re.compile(r"^[A-Z][A-Z0-9.]*-[a-z]")


def named_entities(titles: Sequence[str], *, limit: int = 5) -> list[str]:
    """The story's names, the most recurring first (longer names win over their parts)."""
    # a headline two publishers ran word for word is one headline: "Stunted" of a Title Case
    # headline seen twice is no name named twice
    titles = list(dict.fromkeys(strip_publisher(t) for t in titles))
    raw = [[c for c in _CLAUSES.split(t) if c.strip()] for t in titles]
    clauses = _owned([[_owned_tokens(c) for c in cs] for cs in raw])
    lower = {t.casefold() for cs in clauses for c in cs for t in c if t.islower()}
    owners = {  # a clause's first word, with an English possessive ("Google’s first…")
        _POSSESSIVE.sub("", first[0])
        for cs in raw
        for c in cs
        if (first := _TOKEN.findall(c)) and _POSSESSIVE.search(first[0])
    }
    found: dict[str, tuple[str, ...]] = {}  # folded -> words, in order of appearance
    openers: Counter[str] = Counter()
    after: dict[str, list[str]] = {}  # the word after each opening, as written
    inner: set[str] = set()  # names found inside a clause, not only opening it
    # the part of a product name after its number ("Gen" of "Snapdragon 8 Gen 5", "Pro" of
    # "iPhone 17 Pro") is no name of its own, unless the story also names it elsewhere
    versions: set[str] = set()
    alone: set[str] = set()
    whole = {fold(" ".join(run)) for cs in clauses for tokens in cs for _, run in _runs(tokens)}
    # a Title Case clause quoted in a sentence-case headline ("With Call of Duty's Obsession
    # With Goofy Skins…, Battlefield 6 dev says 'I don't think…'") is one too
    styles = [
        [title_case([t for c in cs for t in c]) or _styled(tokens) for tokens in cs]
        for cs in clauses
    ]
    plain = [
        tokens
        for cs, ts in zip(clauses, styles, strict=True)
        for tokens, t in zip(cs, ts, strict=True)
        if not t
    ]
    recurring = _recurring(clauses, lower, plain)
    # what sentence-case clauses write as one run of capitals: "World Championships"
    said = {fold(" ".join(run)) for tokens in plain for _, run in _runs(tokens)}
    for rs, cs, ts in zip(raw, clauses, styles, strict=True):
        for text, tokens, titled in zip(rs, cs, ts, strict=True):
            for start, run in _pieces(tokens, whole):
                for n in range(min(len(run), MAX_WORDS), 0, -1):
                    for k in range(len(run) - n + 1):
                        words = run[k : k + n]
                        initial = start + k == 0
                        word = words[0]
                        if initial and n == 1 and not titled:
                            after.setdefault(word, []).append(tokens[1] if len(tokens) > 1 else "")
                        rare = n == 1 and (
                            is_acronym(word) or is_camel(word) or zipf(word) < RARE_ZIPF
                        )
                        # Title Case: acronyms, rare words, the word the story keeps naming,
                        # and that word before a name sentence case writes ("Pokémon" +
                        # "World Championships"), not before any capitals ("Squid Game Season")
                        own = fold(word) in recurring and (
                            n == 1 or fold(" ".join(words[1:])) in said
                        )
                        if titled and not (rare or own):
                            continue
                        # "Advisory" of "CDC Advisory Committee" is a common word, not a
                        # name ("Why Apple is…": a clause's first word is no neighbour)
                        inside = len(run) - (start == 0) > 1
                        if n == 1 and inside and not rare and zipf(word) >= COMMON_ZIPF:
                            if initial and not titled:  # "Samsung ‘Wide Fold’ rumored…"
                                openers[word] += 1
                            continue
                        before_last = run[k : min(k + n, len(run) - 1)]
                        if any(w.casefold() in _NAME_TITLES for w in before_last):
                            continue  # a title before a name: "Illinois Gov" of "Gov. Jim…"
                        if _name_like(words, initial=initial, lower=lower):
                            key = fold(" ".join(words))
                            found.setdefault(key, tuple(words))
                            if not initial:
                                inner.add(key)
                            at = start + k
                            if at >= 2 and _version_of(tokens[at - 2], tokens[at - 1], words, text):
                                versions.add(key)
                            else:
                                alone.add(key)
                        elif initial and n == 1 and not titled:
                            openers[words[0]] += 1

    # A word that opens several sentence-case headlines and is not common is their subject:
    # "Sinner" (3.4) in "Sinner bat Alcaraz", "Sinner sacré à Paris" (see OWNER_MAX_ZIPF).
    # Not a word that opens 2+ headlines always before the same lower-case noun that a common
    # word opens another headline before: it describes the noun, as the common word does
    # ("Paraplegic engineer becomes…" twice, "German engineer becomes…"), where a name is
    # followed by what it did ("Sinner beats…") or a noun of its own ("Nvidia stock soars",
    # "Nvidia stock falls"). A word with a capital inside is a name wherever it stands.
    def described(word: str) -> bool:
        nexts = set(after.get(word, ()))
        follower = nexts.pop() if len(nexts) == 1 else ""
        return (
            len(after.get(word, ())) >= 2
            and follower.islower()
            # what it did, or a small word ("to build"), follows a name too
            and not (verb_like(follower) or follower in _STYLE_WORDS)
            and word not in owners
            and not any(c.isupper() for c in word[1:])
            and any(
                other != word and zipf(other) >= COMMON_ZIPF and follower in after[other]
                for other in after
            )
        )

    for word, count in openers.items():
        bar = OWNER_MAX_ZIPF if word in owners else COMMON_ZIPF
        if (
            count >= 2
            and not described(word)
            and _name_like([word], initial=False, lower=lower, most=bar)
        ):
            found.setdefault(fold(word), (word,))
    for key, name in list(found.items()):  # a rare word that only ever opens: the same test
        if (len(name) == 1 and key not in inner and described(name[0])) or (
            key in versions and key not in alone
        ):
            del found[key]
    headlines = [{t for c in cs for t in c} for cs in clauses]
    for key, name in list(found.items()):
        if _shouted_once(name, headlines):
            del found[key]
    texts = [" " + " ".join(fold(t) for c in cs for t in c) + " " for cs in clauses]
    support = {key: sum(f" {key} " in text for text in texts) for key in found}
    least = min(2, len(titles))
    joined = "".join(texts)
    # Most headlines first, a longer name first, then the first named; a two-letter acronym
    # ("US", "U.S.", "AI", "TV") names half the news: last.
    ranked = sorted(
        (key for key in found if support[key] >= least and not _COMPOUND.match(found[key][0])),
        key=lambda key: (
            is_vague(key),
            -(support[key] + 0.5 * (len(found[key]) - 1)),
            joined.find(f" {key} "),
        ),
    )
    kept: list[str] = []
    seen: list[str] = []
    for key in ranked:
        # a part of a name already ranked, kept or not ("James D" of "James D Watson"), or a
        # kept name with an initial ("James D Watson" of "James Watson")
        piece = any(f" {key} " in f" {s} " for s in seen)
        seen.append(key)
        if piece or any(_bare(key) == _bare(k) for k in kept):
            continue
        kept = [k for k in kept if f" {k} " not in f" {key} "]
        kept.append(key)
    # a ticker of another name ("NVDA" of Nvidia) is that name again; an amount or a period
    # alone ("500M", "Q3") tells how much or when, never who or what
    kept = [
        k for k in kept if not (_ticker_of(found[k], kept, titles) or is_amount(" ".join(found[k])))
    ]
    widened = (" ".join(_widened(found[key], clauses, styles)) for key in kept[:limit])
    return list(dict.fromkeys(_whole_occasion(name, titles) for name in widened))


def _whole_occasion(name: str, titles: Sequence[str]) -> str:
    """A name that is part of a holiday every headline naming it names, as the first writes the
    holiday: "Year Eve" (its "New" written in lower case elsewhere: "a dazzling new ball") is
    "New Year’s Eve", else `#YearEve` and "Times Square and Year Eve"; not the rapper Eve of
    "Rapper Eve returns" for one "Christmas Eve show". Else the name."""
    words = [w.removesuffix("s") for w in _plain(name).split()]

    def within(said: Sequence[str]) -> bool:
        plain = [w.removesuffix("s") for w in said]
        return any(plain[i : i + len(words)] == words for i in range(len(plain) - len(words) + 1))

    written = []
    for title in (t for t in titles if within(_plain(t).split())):
        occasion = names_occasion(title).split()
        if not within(occasion):
            return name
        # each word as the headline may write it: "Year’s", "Years", "year's"; "St. Patrick's"
        spelt = [re.escape(w[:-1]) + r"(?:['’]?s)" if w.endswith("s") else re.escape(w)
                 for w in occasion]  # fmt: skip
        found = re.search(r"(?<!\w)" + r"\.?[\s-]+".join(spelt) + r"(?!\w)", title, re.I)
        if not found:
            return name
        written.append(found[0])
    return written[0] if written else name


def _widened(
    name: tuple[str, ...],
    clauses: Sequence[Sequence[Sequence[str]]],
    styles: Sequence[Sequence[bool]],
) -> tuple[str, ...]:
    """A one-word name with the capitalised word before it in every clause that names it, 2+
    of them, one in sentence case: the common word that opens a name, which a clause's start
    or Title Case hides ("Depot" of "Home Depot cuts…" and "Home Depot Earnings: …"). Not from
    Title Case alone, where every word has a capital ("Why Nvidia Stock Jumped"), and not a
    small word, a verb or a title."""
    if len(name) != 1:
        return name
    before = [
        (c[i - 1] if i else "", titled)
        for cs, ts in zip(clauses, styles, strict=True)
        for c, titled in zip(cs, ts, strict=True)
        for i, t in enumerate(c)
        if t == name[0]
    ]
    words = {b for b, _ in before}
    word = words.pop() if len(words) == 1 else ""
    if (
        len(before) < 2
        or all(titled for _, titled in before)
        or not (word[:1].isupper() and word.isalpha())
        or word.casefold() in _NAME_TITLES | _STYLE_WORDS
        or verb_like(word.casefold())
    ):
        return name
    return (word, *name)


def _ticker_of(name: Sequence[str], keys: Sequence[str], titles: Sequence[str]) -> bool:
    """Whether `name` is a stock ticker a headline quotes beside another of the story's names:
    "NVDA" of "Nvidia (NVDA)" or "NVDA stock… Nvidia", its letters in order in that name.
    One company named twice ("Nvidia and NVDA") would be two subjects and two tags."""
    if len(name) != 1 or not re.fullmatch(r"[A-Z]{3,5}", name[0]):
        return False
    ticker = re.escape(name[0])
    quoted = re.compile(
        rf"\((?:\w+:\s?)?{ticker}\)|\b[A-Z]+:\s?{ticker}\b|\b{ticker}:[A-Z]+\b|\${ticker}\b"
        rf"|\b{ticker} (?:[Ss]tock|[Ss]hares)\b"
    )
    letters = re.sub(r"(.)\1", r"\1", name[0].casefold())  # "AAPL" spells "apple" as "apl"
    for key in keys:
        other = re.sub(r"(.)\1", r"\1", key.replace(" ", ""))
        if other == letters or other[:1] != letters[0]:
            continue
        rest = iter(other)
        if all(ch in rest for ch in letters) and any(  # in order, each after the one before
            quoted.search(t) and key in fold(t) for t in titles
        ):
            return True
    return False


# English headlines tell news with a verb in -s or -ed ("reveals", "shut down" aside): no such
# word, and a clause is a label, a title or an order ("Forget about Galaxy S26").
_VERBS = "is are was were be has have had will can may could beat beats won win wins hit cut "
_PAST = "saw got gave began came went took made found left led ran held kept told fell rose " + (
    "broke spoke wrote drew flew grew threw knew met paid built sent spent stood struck"
)
_PAST_SET = frozenset(_PAST.split())
_IRREGULAR = frozenset((_VERBS + _PAST + " put quit lost sold bought said says shut").split())


def verb_like(word: str, *, last: bool = False) -> bool:
    """Whether an English headline word reads as a verb; `last`: the clause's last word, where a
    final -s is more often a plural ("Two US Army soldiers")."""
    w = word.casefold().strip("'’\".,!?")
    if w in _PAST_SET and not word[:1].islower():
        return False  # "Met Gala", "Derrick Rose", "Nancy Drew", "Led Zeppelin"
    if w in _IRREGULAR:
        return True
    if len(w) <= 3 or not w.isalpha():
        return False
    return w.endswith("ed") or (not last and w.endswith("s") and w[-2] not in "su")


def _recurring(
    clauses: Sequence[Sequence[Sequence[str]]], lower: set[str], plain: Sequence[Sequence[str]]
) -> set[str]:
    """Folded words a story's headlines all but repeat, always capitalised, also in a
    sentence-case clause (`plain`), and not common: "Pokémon" (3.8) or "Battlefield" (3.9) in
    most headlines, many of them Title Case, where a capital alone proves nothing. "Release"
    (4.5), "Skins" written "goofy skins" elsewhere, "Shutdown" only ever in Title Case are not."""
    plainly = {fold(t) for tokens in plain for t in tokens if t[:1].isupper()}
    counts: Counter[str] = Counter()
    rarest: dict[str, float] = {}  # by its rarest spelling: "Pokémon" 3.8, "Pokemon" 4.1
    for cs in clauses:
        capitals = {t for c in cs for t in c if t[:1].isupper() and t.isalpha()}
        counts.update({fold(t) for t in capitals})
        for t in capitals:
            rarest[fold(t)] = min(rarest.get(fold(t), 9.0), zipf(t))
    return {
        w
        for w, count in counts.items()
        if count >= 2
        and 2 * count > len(clauses)
        and len(w) >= 3
        and w not in lower
        and w in plainly
        and w not in CALENDAR
        and rarest[w] < COMMON_ZIPF
    }


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


_STYLE = "a an the and or for to of in on at with from by as is are will"
_STYLE_WORDS = frozenset(_STYLE.split())


def _styled(tokens: Sequence[str]) -> bool:
    """A Title Case clause by its style: a small word capitalised inside it ("Obsession With
    Goofy Skins"). A clause of names alone ("Toronto Blue Jays vs Los Angeles Dodgers") is not."""
    return title_case(tokens) and any(
        t[:1].isupper() and t.casefold() in _STYLE_WORDS for t in tokens[1:]
    )


# How the recent stream writes a word tells a name from a word better than a dictionary does:
# "crypto" (Zipf 3.6) is a word of the news ("crypto market", "crypto bill"), "Nvidia" a name
# wherever it stands. A word seen USAGE_MIN_SEEN times or more after a clause's first word of a
# sentence-case headline is a common word when written in lower case USAGE_LOWER of those
# times or more (a name almost never is), and a name otherwise.
USAGE_MIN_SEEN = 3
USAGE_LOWER = 0.25


# Headlines drop articles ("Fed holds rates", "presses Fed for…"): the news archive's July-
# September writes "the Fed" in 26 of 61 uses that are not adjectives, "the U.N.", "the EPA"
# and "the Atlantic" as often, and a name prose never writes with "the" almost never (Trump
# once in 1,583, Nvidia, Apple, Powell, Israel, China never; 1.5 % of all capitalised words).
# At 0.15 (and 2 uses), chosen there, October-December gives the Fed, the Kremlin, the
# Louvre, the Taliban, the Philippines, the Gulf... and none of those names.
THE_SHARE = 0.15


@dataclass(frozen=True)
class Usage:
    """Per word (folded), how often the recent stream's sentence-case headlines write it inside
    a clause in lower case and with a capital; and per capitalised word, how often after "the"
    (`articled`: "the Fed"), of the times it is not an adjective (`named`)."""

    lower: Mapping[str, int] = field(default_factory=dict)
    capital: Mapping[str, int] = field(default_factory=dict)
    articled: Mapping[str, int] = field(default_factory=dict)
    named: Mapping[str, int] = field(default_factory=dict)
    # two capitalised words inside a clause, one after the other ("new jersey"): one name
    pairs: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, titles: Iterable[str]) -> Usage:
        lower: Counter[str] = Counter()
        capital: Counter[str] = Counter()
        articled: Counter[str] = Counter()
        named: Counter[str] = Counter()
        pairs: Counter[str] = Counter()
        for title in titles:
            raw = _CLAUSES.split(strip_publisher(title))
            clauses = [headline_tokens(c) for c in raw]
            words = [t for c in clauses for t in c]
            if title_case(words) or not any(t[:1].isupper() for t in words):
                continue  # every word capitalised, or none (a search term): says nothing
            for text, tokens in zip(raw, clauses, strict=True):
                if _styled(tokens):
                    continue
                # "the Fed's rate decision": an owner, no adjective
                ends = (w.rstrip('.,;:!?)"') for w in text.split())
                owners = {_POSSESSIVE.sub("", w) for w in ends if _POSSESSIVE.search(w)}
                for i, token in enumerate(tokens):
                    if i and token.isalpha() and not is_acronym(token):  # "US" is no "us"
                        (lower if token.islower() else capital)[fold(token)] += 1
                    after = tokens[i + 1] if i + 1 < len(tokens) else ""
                    then = tokens[i + 2] if i + 2 < len(tokens) else ""
                    # a name's last two words: "New Jersey", not the title in "Prime Minister
                    # Starmer"
                    if i and token[:1].isupper() and after[:1].isupper() and not _capitalised(then):
                        pairs[f"{fold(token)} {fold(after)}"] += 1
                    # "the Gaza Strip", "the OnePlus 15": part of a longer name, which says
                    # nothing of this one
                    if (
                        token[:1].isupper()
                        and not (after[:1].isupper() or after[:1].isdigit())
                        and (token in owners or not attributive(after))
                    ):
                        named[fold(token)] += 1
                        articled[fold(token)] += i > 0 and tokens[i - 1].casefold() == "the"
        return cls(dict(lower), dict(capital), dict(articled), dict(named), dict(pairs))

    def common(self, word: str) -> bool | None:
        """True for a word the stream writes in lower case, False for a name, None when it has
        seen too little of it to tell."""
        key = fold(word)
        lower = self.lower.get(key, 0)
        seen = lower + self.capital.get(key, 0)
        if seen < USAGE_MIN_SEEN:
            return None
        return lower >= USAGE_LOWER * seen

    def takes_the(self, word: str) -> bool | None:
        """True for a name prose writes after "the" ("the Fed", "the Kremlin"), by how often
        the stream's headlines do (`THE_SHARE`); None when it has seen too little of it."""
        key = fold(word)
        seen = self.named.get(key, 0)
        if seen < USAGE_MIN_SEEN:
            return None
        articled = self.articled.get(key, 0)
        return articled >= 2 and articled >= THE_SHARE * seen


NO_USAGE = Usage()

# A Title Case headline ("Storm Threatens to Bring Snow and Ice to Northeast", a fifth of the
# news archive's) hides which of its capitals are names; the stream's sentence-case headlines
# tell. A word they write in lower case SENTENCE_LOWER of the times or more loses its capital,
# one they nearly always capitalise (NAME_LOWER at most) keeps it, and so do two capitalised
# words they write together ("New Jersey", "White House"). A word seen too little, or both ways
# ("Court"), leaves the headline untold: no guess.
SENTENCE_LOWER = 0.6
NAME_LOWER = 0.2
PAIR_SEEN = 2
_EDGES = re.compile(r"^([\"'‘“(\[«]*)(.*?)([\"'’”)\]»,.:;?!]*)$")
_CONTRACTED = re.compile(r"(?i)n['’]t$")
_OPENING = re.compile(r"^[\"'‘“«]")
_CLOSING = re.compile(r"[\"'’”»][,.:;?!]*$")
_ENCLITIC = re.compile(r"(?i)['’](?:s|re|ll|ve|d|m)$")
# a full stop after these ends no sentence: "Justice Dept. Says", "Warner Bros. Rallies"; the
# first ones follow the name they abbreviate, the others come before one ("St. Louis")
_AFTER_A_NAME = "Dept Bros Inc Corp Co Ltd Jr Sr Govt Intl Assn Univ"
ABBREVIATIONS = f"{_AFTER_A_NAME} St Dr Mr Mrs Ms"
_SHORT = frozenset(fold(ABBREVIATIONS).split()) | {"vs", "no", "gen"} | TITLES
_AFTER_NAMES = frozenset(fold(_AFTER_A_NAME).split())
# "Plan A", "Class A shares", "Series A funding": a letter, no article
_LETTERED_WORDS = "class series vitamin type grade tier phase"  # not "plan": "Plan A Storm"
_LETTERED = frozenset(_LETTERED_WORDS.split())
# the months that are words too: a month after these or before a number ("in May", "May 5")
_DATES = frozenset(f"{_MONTH_NAMES} {_WEEKDAYS}".split())
_MODAL_MONTHS = frozenset(("may", "march"))
_DATE_WORDS = "in by since until of early late mid through from on"
_BEFORE_DATES = frozenset(_DATE_WORDS.split())


def sentence_case(
    title: str, usage: Usage, names: Sequence[str] = (), story: Usage = NO_USAGE
) -> str:
    """`title` in sentence case, as the stream writes its words; "" when a capitalised word is
    one the stream has not told (see `SENTENCE_LOWER`) or stands inside quotes (a title's:
    "‘60 Minutes’", or someone's words), or when the title is all capitals. The story's names
    of several words keep their capitals where the title writes them whole ("Apple Music"), and
    its own sentence-case headlines (`story`) decide a word the stream leaves undecided."""
    if not any(c.islower() for c in title):
        return ""
    # words at even places, what separates them (spaces, a dash inside "Million—Here's") at odd
    pieces = re.split(r"(\s+|[—–])", title)
    cores = [
        "" if i % 2 else _EDGES.match(p).group(2)  # type: ignore[union-attr]
        for i, p in enumerate(pieces)
    ]
    kept = _named_at(cores, names)
    out, opens, quoted = [], True, False  # a clause's first word keeps its capital
    for i, piece in enumerate(pieces):
        if i % 2 or not piece:
            out.append(piece)
            opens = opens or (bool(piece) and not piece.isspace())  # after a dash
            continue
        core = cores[i]
        quoted = quoted or bool(_OPENING.match(piece))
        abbreviated = piece.endswith(".") and fold(core) in _SHORT - {"vs"}  # "Dept.", "St."
        if opens or i in kept or abbreviated or _before_abbreviation(i, cores, pieces):
            told: str | None = core
        elif quoted and core[:1].isupper():
            return ""
        else:
            told = _told(core, i, cores, usage, story)
        if told is None:
            return ""
        out.append(piece.replace(core, told, 1) if core else piece)
        quoted = quoted and not _CLOSING.search(piece)
        opens = _ends_clause(piece, core)
    return "".join(out)


def _named_at(cores: Sequence[str], names: Sequence[str]) -> set[int]:
    """The places of `cores` where a name of several words stands whole."""
    words = [(i, fold(_POSSESSIVE.sub("", c))) for i, c in enumerate(cores) if c]
    places: set[int] = set()
    for name in names:
        parts = [fold(_POSSESSIVE.sub("", w)) for w in name.split()]
        for start in range(len(words) - len(parts) + 1) if len(parts) > 1 else ():
            if [w for _, w in words[start : start + len(parts)]] == parts:
                places.update(i for i, _ in words[start : start + len(parts)])
    return places


def _before_abbreviation(i: int, cores: Sequence[str], pieces: Sequence[str]) -> bool:
    """Whether word `i` names what an abbreviation after it abbreviates: "Justice Dept.",
    "Warner Bros."."""
    after = i + 2
    return (
        after < len(pieces) and pieces[after].endswith(".") and fold(cores[after]) in _AFTER_NAMES
    )


def _ends_clause(piece: str, core: str) -> bool:
    """Whether the next word opens a clause: after ":", ";", "|", "?", "!", a lone dash, or a
    full stop that is no abbreviation's ("Dept.", "p.m.", "U.S.", "J.")."""
    end = piece.rstrip("’”\"')»")
    if re.fullmatch(r"[-–—|:;]+", end) or end[-1:] in (":", ";", "|", "?", "!"):
        return True
    return end.endswith(".") and "." not in core and len(core) > 1 and fold(core) not in _SHORT


def _told(
    core: str, i: int, cores: Sequence[str], usage: Usage, story: Usage = NO_USAGE
) -> str | None:
    """A word inside a Title Case clause as sentence case writes it; None when untold."""
    initials = "." in core and not any(c.isdigit() for c in core)
    if (not core[:1].isupper() and not core[:1].isdigit()) or is_acronym(core) or initials:
        return core  # "iPhone", "FDA", "U.S.", "J.": as written
    if re.match(r"^[A-Z]-", core):  # "T-Mobile", "X-Men", "F-150": a name
        return core
    key = fold(_POSSESSIVE.sub("", core))
    if key in _DATES:  # "Thursday", "May 5", "in March"; but "Talks May Resume"
        before, after = (cores[j] if 0 <= j < len(cores) else "" for j in (i - 2, i + 2))
        dated = fold(before) in _BEFORE_DATES or after[:1].isdigit()
        if key not in _MODAL_MONTHS or dated:
            return core
    told = []
    lettered = i >= 2 and fold(cores[i - 2]) in _LETTERED
    for part in core.split("-"):
        base = _ENCLITIC.sub("", part)
        # "McDonald", "YouTube", "MAGA-Sphere", "3-Year" (its "Year" is told); "Plan A"
        if (
            any(c.isupper() for c in part[1:])
            or any(c.isdigit() for c in part)
            or (len(part) == 1 and (part != "A" or not cores[i + 2 : i + 3] or lettered))
        ):
            told.append(part)
            continue
        if _CONTRACTED.search(part) or not base:  # "Won’t", "Doesn't": a verb
            told.append(part[:1].lower() + part[1:])
            continue
        if not base.isalpha():
            return None
        lower, capital = _family(fold(base), usage)
        seen = lower + capital
        named = seen >= USAGE_MIN_SEEN and lower <= NAME_LOWER * seen
        if base.islower() or _paired(i, cores, usage) or named:
            told.append(part)
        elif seen >= USAGE_MIN_SEEN and lower >= SENTENCE_LOWER * seen:
            told.append(part[:1].lower() + part[1:])
        elif (mine := _one_way(fold(base), story)) is not None:
            told.append(part if mine else part[:1].lower() + part[1:])
        else:
            return None
    return "-".join(told)


def _one_way(key: str, story: Usage) -> bool | None:
    """How the story's own sentence-case headlines write a word when they write it one way
    only, twice or more: True with a capital, False in lower case; else None."""
    lower, capital = story.lower.get(key, 0), story.capital.get(key, 0)
    if lower + capital < 2 or (lower and capital):
        return None
    return capital > 0


_ENDINGS = ("", "s", "es", "ed", "d", "ing")


def _family(key: str, usage: Usage) -> tuple[int, int]:
    """How often the stream writes a word in lower case and with a capital: counting its
    regular forms when it has seen too little of this one and never with a capital ("lifts"
    as "lift", "lifted"; not "united" as "unit")."""
    lower, capital = usage.lower.get(key, 0), usage.capital.get(key, 0)
    if lower + capital >= USAGE_MIN_SEEN or capital:
        return lower, capital
    stems = {key} | {
        key[: -len(e)] for e in _ENDINGS[1:] if key.endswith(e) and len(key) > len(e) + 2
    }
    if key.endswith("ies"):
        stems.add(key[:-3] + "y")
    forms = {stem + e for stem in stems for e in _ENDINGS}
    forms |= {stem[:-1] + "ies" for stem in stems if stem.endswith("y")}
    return sum(usage.lower.get(f, 0) for f in forms), sum(usage.capital.get(f, 0) for f in forms)


def _paired(i: int, cores: Sequence[str], usage: Usage) -> bool:
    """Whether word `i` and a capitalised neighbour make a name the stream writes as one."""

    def key(j: int) -> str:
        word = cores[j] if 0 <= j < len(cores) else ""
        return fold(_POSSESSIVE.sub("", word)) if word[:1].isupper() else ""

    # words and spaces alternate in `cores`: the neighbours are two away
    here, before, after = key(i), key(i - 2), key(i + 2)
    return bool(here) and any(
        usage.pairs.get(f"{a} {b}", 0) >= PAIR_SEEN
        for a, b in ((before, here), (here, after))
        if a and b
    )


# Words that follow a name without making it an adjective ("the Fed in", "the Fed says")
_NOT_A_NOUN_WORDS = "in with for at on over from by into to as and or but of after amid " + (
    "is are was were be been will would could can may might has have had says said than who "
    "that which while ahead about against before during under up down out off back again now "
    "today yet"
)
_NOT_A_NOUN_AFTER = frozenset(_NOT_A_NOUN_WORDS.split())


def attributive(following: str) -> bool:
    """Whether a name followed by the word `following` is an adjective there: "the Trump
    administration", "Fed rate cut" (a lower-case noun, not a verb nor a small word)."""
    return (
        following.islower()
        and following.isalpha()
        and following not in _NOT_A_NOUN_AFTER
        and not verb_like(following)
    )


def proper_word(word: str, titles: Sequence[str], *, opening: bool = True) -> bool:
    """Whether the headlines prove `word` is a name: written with a capital in the middle of a
    sentence-case clause ("Chipmaker Nvidia to invest"), never in lower case; a common word must
    stand alone there ("costumes for Halloween", not "CDC Advisory Committee") in 2+ headlines.
    A clause's first word or a Title Case headline proves nothing ("Chipmaker Nvidia…"), unless
    a rare word opens 2+ headlines (and `opening`)."""
    key = word.casefold()
    common = is_common_word(word)
    seen = opens = 0
    for title in titles:
        clauses = [headline_tokens(c) for c in _CLAUSES.split(strip_publisher(title)) if c.strip()]
        if any(t.casefold() == key and t.islower() for c in clauses for t in c):
            return False
        if title_case([t for c in clauses for t in c]):
            continue
        first = clauses[0][0] if clauses and clauses[0] else ""
        opens += first.casefold() == key and first[:1].isupper()
        seen += any(
            t.casefold() == key
            and t[:1].isupper()
            and not (common and i > 1 and _capitalised(c[i - 1]))
            and not (common and i + 1 < len(c) and _capitalised(c[i + 1]))
            for c in clauses
            if not _styled(c)  # a Title Case clause in a sentence-case headline: a title
            for i, t in enumerate(c)
            if i > 0
        )
    # A rare word opening 2+ headlines is their subject ("Anthropic agrees…", "Anthropic to pay…")
    return seen >= (2 if common else 1) or (opening and not common and opens >= 2)
