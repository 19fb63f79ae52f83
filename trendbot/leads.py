"""What happened: a draft's first clause, cut from one of the story's headlines in the
brand's language ("Ubisoft shut down the whole game."), never a copied run of COPY_RUN words.
Pure logic over the headlines; `story_lead` is what the template writer calls."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from datetime import timedelta

from trendbot import entities, stories, themes
from trendbot.drafts import COPY_RUN, PitchInput, copied_run, copy_words, never_said, spaced_words
from trendbot.entities import fold
from trendbot.lang import base_language, detect_language
from trendbot.settings import BrandSettings

# What happened, said in a few words of the story's own headline: "Ubisoft shut down the whole
# game." tells a reader more than "Everyone's talking about Ubisoft today." At most
# LEAD_WORDS words, one fewer than a copied run (COPY_RUN): a clause of a headline, cut before
# a preposition that starts its detail when it is longer, never a question or a quote alone.
LEAD_WORDS = COPY_RUN - 1
LEAD_MIN_WORDS = 3
# (not the period of an initial or an abbreviation: "The U.S. saw…", "Super Mario Bros. 40th
# Anniversary" are one clause)
_ABBREVIATIONS = f"{entities.ABBREVIATIONS} " + (
    entities.MONTH_SHORT.title()  # "jackpot on Nov. 14"
)
_NOT_AN_END = "".join(rf"(?<!\b{a})" for a in _ABBREVIATIONS.split())
# "No." ends a clause unless a number follows: "No. 1"
_PERIOD = rf"(?<![A-Z]\.[A-Z]){_NOT_AN_END}(?<!\bNo)\.\s|(?<=\bNo)\.\s(?!\d)"
_LEAD_CLAUSES = re.compile(rf"(\s*(?:[:;|?!]+(?:\s|$)|,\s|{_PERIOD}|\s-\s|[–—])\s*)")
_CUT_EN = "in with for after amid as at on over from by despite before ahead during into via " + (
    "following including"  # "…launches cheaper Model Y | following end of subsidies"
)
_CUT_FR = "en avec pour apres malgre avant pendant depuis face dans sur par"
_LEAD_CUT = {"en": frozenset(_CUT_EN.split()), "fr": frozenset(_CUT_FR.split())}
# Right after an English verb these start what the verb needs, not a detail: "Google Maps bakes
# in Gemini", "Apple partners with…", "Tesla files for…" are not cut there ("bakes." is broken).
# The rest still cut after a verb: "Hollywood panics as…", "Singer dies after…".
_COMPLEMENT_WORDS = "in with for at on over from by into to"
_COMPLEMENT_EN = frozenset(_COMPLEMENT_WORDS.split())
# a clause that ends on these has lost its object: "Google unveils plans to"
_DANGLING = "a an the of to and or but its their his her this that is are was be even just set " + (
    "le la les un une des du de d et ou au aux son sa ses leur"
)
_LEAD_DANGLING = frozenset(_DANGLING.split())
# who said it ("…, Justice Department says"), what is asked ("What is…", "Qui est…"), shown
# ("Here is…") or asked of the reader ("Watch all the trailers…") is not what happened
_SAID_WORDS = "says say said told selon"
_SAID = frozenset(_SAID_WORDS.split())
_ASKED_WORDS = "what whatever why how who when where which does do should could would here " + (
    "meet watch see read look check shop you your this these everyone i we my our "
    "qui quoi pourquoi comment quand ou quel quelle quels quelles faut voici voila"
)
_ASKED = frozenset(_ASKED_WORDS.split())


def story_lead(
    story: PitchInput,
    brand: BrandSettings,
    names: Sequence[str],
    occasion: str = "",
    *,
    weather: bool = False,
) -> str:
    """What happened in at most LEAD_WORDS words of a sentence-case headline in the brand's
    language that names the story's subject; "" when no headline has such a clause.

    A headline that names the `occasion`, else one of the theme's keywords that two headlines
    name ("northern lights"), comes first, and its clause may name that keyword alone: a story
    that took in two events (a cold snap, then the northern lights) is pitched for the one its
    theme is about. In `weather` news, a headline a day old gives no lead (`_stale`), and a
    forecast is the news (elsewhere what happened comes before what might)."""
    lang = "fr" if brand.language.startswith("fr") else "en"
    folded_names = [spaced_words(n) for n in names if n.strip()]
    # a headline names "Elon Musk" as "Musk": a rare word of a name names it ("White" does not)
    folded_names += [
        spaced_words(w) for n in names if len(n.split()) > 1 for w in n.split()
        if entities.zipf(w) < entities.COMMON_ZIPF
    ]  # fmt: skip
    titles = [spaced_words(t) for t in story.titles or (story.label,)]
    # ...and "Samsung Galaxy Z Fold" as "Galaxy Z Fold": a longer name less its first or last
    # word, when a headline writes it so (not "Dr Pepper", always of "Keurig Dr Pepper")
    folded_names += [
        part
        for n in names
        if len(words := n.split()) > 2
        for part in (spaced_words(" ".join(words[1:])), spaced_words(" ".join(words[:-1])))
        if any(spaced_words(n) not in t and any(f in t for f in _plurals(part)) for t in titles)
    ]
    # "Apple Watches" names "Apple Watch"
    folded_names = [form for n in folded_names for form in _plurals(n)]
    # a keyword that is a name or a phrase ("northern lights"), not a common word ("final") nor
    # a vague name ("AI"): those are in half the news, the story's other event too
    telling = [
        k
        for k in story.theme.keywords
        if (any(c.isupper() for c in k) or len(k.split()) > 1 or not entities.is_common_word(k))
        and not entities.is_vague(k)
    ]
    # ...but not another day than the story's (its occasion, or the day it names most): "Black
    # Friday retail sales up." opened a Cyber Monday story that two of its ten headlines tied
    # to the weekend before
    days = sorted(  # stable: a tie goes to the story's names' order, not to a set's
        dict.fromkeys(n for n in (*names, *telling) if entities.is_occasion(n)),
        key=lambda d: -sum(spaced_words(d) in t for t in titles),
    )
    day = spaced_words(occasion) if occasion else spaced_words(days[0]) if days else ""
    other_days = {spaced_words(d) for d in days} - {day}
    telling = [k for k in telling if spaced_words(k) not in other_days]
    folded_names = [n for n in folded_names if n not in other_days]
    keys = [spaced_words(k) for k in (occasion, *telling) if k.strip()]
    # French news carries no telltale verb ending: there, a name must be the subject, followed
    # by its verb ("Deezer prépare…", not "Guerre en Ukraine", "Vol de…")
    leads = [
        (other, said, lead)
        for other, said, lead in _leads(story, brand, lang, names, weather=weather)
        if lang == "en" or any(_leads_with(lead, n) for n in names)
    ]

    def first(named: Sequence[str], within: str = "", others: bool = True) -> str:
        """The first lead naming one of `named` (any, when empty), from a headline naming
        `within`, and of the story's own event unless `others`."""
        return next(
            (
                lead
                for other, said, lead in leads
                if (others or not other)
                and within in said
                and (not named or any(n in spaced_words(lead) for n in named))
            ),
            "",
        )

    least = min(2, len(titles))
    for within in dict.fromkeys(k for k in keys if sum(k in t for t in titles) >= least):
        if lead := first([*folded_names, within], within):
            return lead
    if not folded_names:
        # a story of no names ("Paraplegic engineer becomes…", "First wheelchair-using astronaut
        # touches down"): an English clause that tells what happened with a word another of its
        # headlines says too, not a headline of another subject the story took in ("Tech's
        # biggest losers of 2025" among the year's best games); French needs its name
        shared = _shared_words(story.titles or (story.label,))
        return first(shared) if lang == "en" and shared else ""
    # a name is in the other events too: "Disney+ gets HDR10+" named Disney, and opened a pitch
    # on Disney's channels going dark on YouTube TV
    return first(folded_names, others=False)


SHARED_MAX_ZIPF = 5.8  # "new" 6.3, "year" 6.0, "best" 5.84 are in half the news; "game" 5.7


def _shared_words(titles: Sequence[str]) -> list[str]:
    """The words, space-padded, of the story's headlines that another of them says too, in
    some form ("storm" and "storms", "quake" and "earthquake"), but not a word of half the
    news; every word of a story of one headline."""
    heads = dict.fromkeys(fold(entities.strip_publisher(t)) for t in titles)
    words = [{w for w in stories.tokenize(h) if not w.isdigit()} for h in heads]
    if len(words) < 2:
        return [f" {w} " for ws in words for w in ws]
    return [
        f" {w} "
        for i, ws in enumerate(words)
        for w in ws
        if entities.zipf(w) < SHARED_MAX_ZIPF
        and any(_kin(w, v) for j, vs in enumerate(words) if j != i for v in vs)
    ]


def _kin(a: str, b: str) -> bool:
    """One word the other, or the start or end of it: "snow" of "snowfall", "quake" of
    "earthquake" (four letters at least: "art" is not of "start")."""
    short, long = sorted((a, b), key=len)
    return a == b or (len(short) >= 4 and (long.startswith(short) or long.endswith(short)))


def _plurals(folded: str) -> set[str]:
    """A space-padded name and its English plurals."""
    return {folded, f"{folded[:-1]}s ", f"{folded[:-1]}es "}


def _leads(
    story: PitchInput,
    brand: BrandSettings,
    lang: str,
    names: Sequence[str] = (),
    *,
    weather: bool = False,
) -> list[tuple[bool, str, str]]:
    """Every clause of the story's headlines that could open a draft, with whether its headline
    tells another event and its headline's words: the story's own headline first, then the
    others that say much the same, oldest first (they come newest first): the first reports say
    what happened, later ones react ("Brands are loving…"); then the headlines of the other
    events the story took in. A Title Case headline comes after the sentence-case ones, as the
    recent stream writes its words (`entities.sentence_case`, which keeps the capitals of
    `names`), or not at all. For a theme whose texts say no word of company finance, a
    headline that does (`themes.says_finance`) gives no lead; nor, in `weather` news, one a day
    older than the story's newest (`_stale`)."""
    avoid = never_said(brand)
    stale = _stale(story) if weather else set()
    titles = tuple(t for t in story.titles[::-1] if t not in stale) or (story.label,)
    # The label is the headline nearest the story's centre; when it is stale, the centre of
    # today's weather is the fresh headline that says most alike with the others.
    centre = (
        story.label
        if story.label not in stale
        else max(titles, key=lambda t: sum(_shared(t, o) for o in titles if o != t))
    )
    if centre in titles:
        titles = (centre, *(t for t in titles if t != centre))
    # One that shares less than half of what the closest one shares with the centre tells
    # another event the story took in (a Google Finance redesign in the week of Perplexity's
    # bid for Chrome): it comes after.
    shared = {t: _shared(centre, t) for t in titles}
    enough = max((n for t, n in shared.items() if t != centre), default=0.0) / 2
    titles = tuple(sorted(titles, key=lambda t: shared[t] < enough))
    found = []  # (of another event, recased, cut before a second verb, headline words, lead)
    told = entities.Usage.of(story.titles)  # how its own sentence-case headlines write words
    theme = story.theme
    money = themes.says_finance(" ; ".join((theme.description, *theme.keywords, *theme.examples)))
    for title in titles:
        other = shared[title] < enough
        title = entities.strip_publisher(title)
        # the markets' side of a company's news is not what a theme of what people buy is
        # about: "Apple approaches $4 trillion valuation" opened a phones pitch on Apple's M5,
        # whose other headlines gave no lead; its name tells it better ("Hard to scroll past…")
        if not money and themes.says_finance(title):
            continue
        said_in = base_language(detect_language(title))
        if said_in not in (None, lang):
            continue
        recased = entities.title_case(entities.headline_tokens(title))
        if recased:  # which capitals are names: the stream tells, or it is guesswork
            title = entities.sentence_case(title, story.usage, names, told)
            if not title:
                continue
        for clause, end in _clauses(title):
            # a question is no news, nor a title's heading ("Former Illinois Gov. | Jim Edgar…")
            titled = end.strip() == "." and (fold(clause).split() or [""])[-1] in entities.TITLES
            coverage = _COVERAGE.search(clause)  # names the coverage, not the news
            lead = "" if "?" in end or titled or coverage else _lead_of(clause, lang)
            if not lead or entities.title_case(entities.headline_tokens(lead)):
                continue  # a Title Case clause in a sentence-case headline: a quote, a title
            # a title too short to tell its language: told by its words
            foreign = said_in is None and entities.is_foreign_phrase(lead, brand.language)
            # a word taken out may leave another headline's very words ("…first person to see…")
            copied = bool(copied_run(lead, story.titles))
            if not foreign and not copied and avoid(lead).level != "blocked":
                cut = spaced_words(clause).startswith(spaced_words(lead) + "and ")
                found.append((other, recased, cut, spaced_words(title), lead))
    # A lead cut before its second verb ("Microsoft revamps Xbox Game Pass plans | and hikes…")
    # may leave out the news: a whole clause of the same subject comes first ("Microsoft hikes
    # price of Xbox Game Pass."); never one of another event the story took in.
    whole = {(other, lead.split()[0]) for other, _, cut, _, lead in found if not cut}
    # What happened comes before what might ("Apple reportedly plans a foldable iPhone" before
    # "Apple unveils its first foldable iPhone"), but in weather news the forecast is the news:
    # "Snowstorm on Saturday could drop 10+ inches." gave way to "Focus turns to next imminent
    # snowstorm." A story of forecasts or rumours alone still takes one.
    found.sort(
        key=lambda f: (
            f[0],
            f[1],
            not weather and hedged(f[4]),
            f[2] and (f[0], f[4].split()[0]) in whole,
        )
    )
    return [(other, said, lead) for other, *_, said, lead in found]


# A live blog's heading: "Meta Connect 2025 as it happened: Ray-Ban Display…" opened a pitch
# "Meta Connect 2025 as it happened.", where "Meta launches smart glasses with built-in
# display" said the news. "LIVE" in capitals only: "Live Nation", "live music" are news.
_COVERAGE = re.compile(
    r"\b(?:[Ll]ive (?:updates?|blog|coverage)|LIVE|[Aa]s it happen(?:s|ed)|en direct)\b"
)


# a lead that says what may happen, not what did
_HEDGES_WORDS = "could may might reportedly expected likely possible possibly rumored rumoured"
_HEDGES = frozenset((*_HEDGES_WORDS.split(), "pourrait", "pourraient", "devrait", "devraient"))


def hedged(lead: str) -> bool:
    """Whether a lead says what may happen ("could be visible", "expected to", "reportedly"):
    its words in lower case ("May 5" is a date, "Likely voters" a kind of voter), "as expected"
    and "than expected" aside (what happened, measured)."""
    lead = re.sub(r"\b(?:as|than) expected\b", "", lead)
    return not _HEDGES.isdisjoint(re.findall(r"\b[a-z]+\b", lead))


# A forecast is news for a day: a storm story that ran on for days (a Minnesota storm watch on
# Monday, the next storm's snow on Friday) opened five brands' posts on Friday with Monday's
# watch. Its headlines older than its newest by more than this give no lead; the weather's own
# words ("Snow has Michigan talking today.") tell it when no fresh headline does. Not other
# news: a day after an engagement, the first report is still the news, and the fresh headlines
# only react to it ("Brands are loving Taylor Swift's engagement").
LEAD_FRESH = timedelta(hours=24)


def _stale(story: PitchInput) -> set[str]:
    """A weather story's headlines published more than LEAD_FRESH before its newest."""
    if not story.published or len(story.published) != len(story.titles):
        return set()
    newest = max(story.published)
    return {
        t for t, at in zip(story.titles, story.published, strict=True) if newest - at > LEAD_FRESH
    }


def _shared(a: str, b: str) -> float:
    """How much headlines `a` and `b` say alike: their common words, a rare word weighing more
    ("Perplexity" 4.9, "Google" 2.1, "new" 0.8, "the" 0)."""
    common = set(spaced_words(a).split()) & set(spaced_words(b).split())
    return sum(max(0.0, 7.0 - entities.zipf(w)) for w in common)


def _clauses(title: str) -> list[tuple[str, str]]:
    """A headline's clauses, each with the separator after it. A comma inside a list of names
    joins ("Disney pulls ABC, ESPN and more from YouTube TV" is one clause, not "Disney pulls
    ABC"), and so does one after a verb's name before another name ("Musk says Tesla, Samsung
    sign…", "Trump trolls Biden, Obama") or between adjectives ("shows a new, tougher
    approach"), and a title's full stop in a sentence ("to interview
    Sen. Mark Kelly", "pardoning Democratic Rep. Henry Cuellar"; not "Former two-term Illinois
    Gov. | Jim Edgar dies"). Two names opening a headline are its subject ("Visa, Mastercard
    reach…")."""
    parts = [*_LEAD_CLAUSES.split(title), ""]
    out: list[tuple[str, str]] = []
    for i, (clause, end) in enumerate(zip(parts[::2], parts[1::2], strict=True)):
        rest = "".join(parts[2 * i :])  # the list may go on past this clause's own comma
        if out and (_joins(*out[-1], clause, rest) or (len(out) == 1 and _paired(*out[0], clause))):
            out[-1] = (out[-1][0] + out[-1][1] + clause, end)
        else:
            out.append((clause, end))
    return out


def _joins(before: str, end: str, after: str, rest: str) -> bool:
    words = before.split()
    if end.strip() == ",":
        return (
            _listed(before, rest)
            or _object_goes_on(before, after)
            or _adjectives(words, after.split())
        )
    return (
        end.strip() == "."
        and len(words) >= 2
        and fold(words[-1]) in entities.TITLES
        and any(
            w[:1].islower() and (entities.verb_like(w) or w.endswith("ing") or fold(w) in _LINKS)
            for w in words[:-1]
        )
    )


_DETERMINERS = frozenset(("another", "other", "some", "which", "who"))  # past _LEAD_DANGLING


def _adjectives(before: list[str], after: list[str]) -> bool:
    """Whether a comma separates adjectives: "shows a new, tougher approach" (an article, one
    word, then two lower-case words); not "shatter the filibuster, another Senate norm", "the
    eShop, Steam and…"."""
    return (
        len(before) >= 2
        and fold(before[-2]) in ("a", "an", "the")
        and before[-1][:1].islower()
        and len(after) >= 2
        and all(w[:1].islower() for w in after[:2])
        and fold(after[0]) not in _LEAD_DANGLING | _DETERMINERS
    )


# words of a sentence, not of a heading, before a title: "…plans to interview Sen. Mark Kelly"
_LINKS = frozenset(("to", "of", "for", "with", "by", "on", "at", "against", "and"))


def _object_goes_on(before: str, after: str) -> bool:
    """Whether a clause ending in a verb and a name goes on past its comma with another name:
    "Musk says Tesla, Samsung Electronics sign…", "US official confirms Pentagon, President
    Donald Trump planning…" (a comma for "and", in a headline's style); not "Fed cuts rates,
    Powell says", "Trump fires Powell, names Hassett"."""
    words = before.split()
    return (
        len(words) >= 2
        and words[-2][:1].islower()
        and entities.verb_like(words[-2])
        and words[-1][:1].isupper()
        and after.strip()[:1].isupper()
    )


_NAME = r"[\w.'’&+-]+(?: [A-Z][\w.'’&+-]*)*"
_LIST_GOES_ON = re.compile(rf"^(?=[A-Z]){_NAME}(?:, (?=[A-Z]){_NAME})*,? (?:and|&) ")
_LIST_ENDS = re.compile(r"^(?:and|&) [A-Z]")  # "…Google, and Meta", after a list only
_LISTED = re.compile(r"[A-Z][\w.'’&+-]*, [A-Z]")


def _listed(before: str, after: str) -> bool:
    """Whether a comma between `before` and `after` (the rest of the headline) separates names
    of one list: a name on each side, and the list closed by "and" or "&" ("ABC, ESPN and
    more", "Store hours for Walmart, Costco, Target, Publix and more"), or by ", and" after
    a list ("Apple, Google, and Meta"; not "Trump fires Powell, and Hassett takes over")."""
    last, after = before.split()[-1:], after.strip() + " "
    if not (last and last[0][:1].isupper()):
        return False
    return bool(_LIST_GOES_ON.match(after) or (_LISTED.search(before) and _LIST_ENDS.match(after)))


# words that open a headline before a comma without being a name: "Meanwhile, Apple…"
_ASIDE_WORDS = "meanwhile yes no now today tonight yesterday tomorrow still again finally " + (
    "exclusive breaking update watch also plus however instead then so well first next why how"
)
_ASIDES = frozenset(_ASIDE_WORDS.split())


def _paired(before: str, end: str, after: str) -> bool:
    """Whether a headline opens on two names that do one thing: "Visa, Mastercard reach…",
    "Trump, Xi to meet…" (a verb in the plural, or "to", after the second name); not an aside
    ("Meanwhile, Apple launched…", "Finally, a phone…")."""
    first, rest = before.split(), after.split()
    names = 0
    while names < min(3, len(rest)) and rest[names][:1].isupper():
        names += 1
    verb = fold(rest[names]) if names < len(rest) else ""
    return (
        end.strip() == ","
        and 1 <= len(first) <= 3
        and all(w[:1].isupper() for w in first)
        and not (fold(first[0]) in _ASIDES or fold(first[0]).endswith("ly"))
        and names >= 1
        and verb.isalpha()
        and (verb == "to" or not (verb.endswith("s") or verb in _LEAD_DANGLING | _LINKS))
    )


def _leads_with(lead: str, name: str) -> bool:
    """Whether `lead` opens with `name` and a lower-case word after it, not a connector
    ("Deezer et Sony" is a heading)."""
    words, name_words = lead.split(), name.split()
    n = len(name_words)
    opens = spaced_words(" ".join(words[:n])) == spaced_words(name)
    follows = words[n] if len(words) > n else ""
    return opens and follows[:1].islower() and fold(follows) not in _LEAD_DANGLING


# a straight quote that opens a word, and one that closes one ("'Gritty Realism" is cut short)
_OPENS = re.compile(r"(?:^|\s)'(?=\w)")
_CLOSES = re.compile(r"(?<=\w)'(?=\s|$)")
_PLURAL_APOSTROPHE = re.compile(r"(?<=s)'(?=\s|$)")


def _run_length(words: Sequence[str]) -> int:
    return len(copy_words(" ".join(words)))


def _lead_of(clause: str, lang: str) -> str:
    words = clause.strip(" .,").split()
    if lang == "en" and _a_list(words):
        return ""
    if lang == "en" and (short := _without_apposition(words)) != words:
        # told from its name if that gives a lead ("OpenAI signs…"), else as written
        return _lead_from(short, lang) or _lead_from(words, lang)
    return _lead_from(words, lang)


def _a_list(words: Sequence[str]) -> bool:
    """An explainer's list, no news of what happened: "iOS 26.2: All the new features coming to
    your iPhone" led "All new features coming to your iPhone." (with its article dropped)."""
    starts = [0, *(k + 1 for k, w in enumerate(words[:-1]) if w.endswith(":"))]
    for k in starts:
        opening = " ".join(fold(w) for w in words[k : k + 3])
        # not "All the lights went out…", nor "Every school in Denver closes…"
        if re.match(
            r"(?:all (?:the )?(?:new|best|biggest|latest) |all of the |everything )", opening + " "
        ):
            return True
    return False


def _lead_from(words: list[str], lang: str) -> str:
    timed = False
    if _run_length(words) > LEAD_WORDS:
        cut = _LEAD_CUT[lang]
        # the main verb: the first lower-case verb-like word ("Maps" in "Google Maps" is a name)
        verb = next(
            (
                j
                for j, w in enumerate(words)
                if j and w[:1].islower() and (entities.verb_like(w) or _future(words, j))
            ),
            -1,
        )

        def details(fits: Callable[[list[str]], object]) -> list[int]:
            return [
                i
                for i in range(LEAD_MIN_WORDS, len(words))
                if (fold(words[i]) in cut or (lang == "en" and _to_a_detail(words, i)))
                and fits(words[:i])
                and not (lang == "en" and _needed(words, i, verb))
            ]

        def short(part: list[str]) -> bool:
            return _run_length(part) <= LEAD_WORDS

        # else before a second thing the subject did: "…ends its MetroCard era | and…"
        cuts = details(short) or [
            i
            for i in range(LEAD_MIN_WORDS, len(words))
            if lang == "en" and _second_verb(words, i, verb) and short(words[:i])
        ]
        # the main clause: "Hollywood panics", not "…as X battles"; else the whole clause with
        # a word a headline can lose taken out, so it copies no run of COPY_RUN words; else cut
        # before its detail and a word taken out too: "Halo Infinite will get its last content
        # update", from "…its last major content update | on November 18"
        clause_words = words
        whole = [] if cuts else _dropped(words, lang)
        if not cuts and not whole:
            cuts = details(lambda part: _dropped(part, lang))
        words = words[: cuts[0]] if cuts else whole
        if cuts and not short(words):
            words = _dropped(words, lang)
        # "returns to FDA | days after…": the time goes with what it is counted from
        if (
            cuts
            and fold(clause_words[cuts[0]]) in ("after", "before")
            and lang == "en"
            and (fold(words[-1]) in _TIME_UNITS)
        ):
            timed = True  # its verb may end the lead: "…Uribe dies."
            words.pop()
            while words and (words[-1][:1].isdigit() or fold(words[-1]) in _QUANTIFIERS):
                words.pop()
        # what a cut leaves hanging ("…plans to"); a whole clause keeps its last word: "New
        # photo shows how thin iPhone 17 Air battery is"
        while (
            cuts
            and words
            and fold(words[-1]).strip("'’") in _LEAD_DANGLING
            and not entities.is_acronym(words[-1])  # "…to address UN": no French "un"
        ):
            words.pop()
    # who said it ("…, Justice Department says"), what is asked ("What is…"), an aside ("For
    # the mayor of…"): not what happened
    first = _first_word(words)
    # ...and a clause that ends on "finds" ("AP analysis finds"), or a short one on "reports"
    # ("Bloomberg News reports"; not "…SpaceX valuation reports")
    last = fold(words[-1]) if words else ""
    said = last in _SAID or last == "finds" or (len(words) <= 4 and last == "reports")
    if said or first in _ASKED or first in _LEAD_CUT[lang]:
        return ""
    if lang == "en" and not _said_whole(words):
        return ""  # "IAEA chief says Iran's cooperation": what was said lost its verb
    text = " ".join(words)
    # ’ is also an apostrophe ("Samsung’s"): only ‘ without its ’ is a broken quote
    balanced = all(text.count(a) == text.count(b) for a, b in ("“”", "«»", "()"))
    opened, closed = len(_OPENS.findall(text)), len(_CLOSES.findall(text))
    if not opened:  # "players' purchases": a plural's apostrophe, no quote
        closed -= len(_PLURAL_APOSTROPHE.findall(text))
    broken = text.count('"') % 2 or text.count("‘") > text.count("’") or opened != closed
    # a clause in lower case continues the one before it ("back Netflix in bidding war"); a
    # brand's own casing opens one ("iOS 26 is finally here")
    opening = text.lstrip("'\"‘“« ")
    starts = opening[:1].isupper() or entities.is_camel(opening.split(" ", 1)[0])
    # a quote alone says what someone said, not what happened: a game shop's Halo post opened
    # '"This is Halo for everyone".', the words after "…is coming to PS5 for the first time:"
    alone = re.fullmatch(r"[\"“«‘'][^\"“”«»‘]*[\"”»’']", text) is not None
    if len(words) < LEAD_MIN_WORDS or not balanced or broken or not starts or alone:
        return ""
    # a plural ends many a label ("Two US Army soldiers"): a final -s word proves nothing; a
    # verb after "who", "that" or "which" tells of the subject, not what happened ("The man
    # who threw a sandwich")
    if lang == "en" and not any(
        entities.verb_like(w, last=i == len(words) - 1 and not timed) or _future(words, i)
        for i, w in enumerate(words)
        if i and fold(words[i - 1]) not in _RELATIVE
    ):
        return ""  # a name or a label, not news: "Expedition 33 for using AI"
    return text


# Words a headline follows with "to" and a verb: a label ("Effort to censure…", "Words to
# watch", "Free to play", "What to know"), not a name about to act
_TO_LABELS = (
    "effort efforts plan plans bid bids move moves push call calls reaction reactions vote deal "
    "fight race attempt attempts decision order threat threats pledge promise proposal way ways "
    "guide chance need plea rush vow words intent free ready able back end return time tips "
    "things reasons how what why where when who"
)
_TO_LABEL_SET = frozenset(_TO_LABELS.split())


def _future(words: Sequence[str], i: int) -> bool:
    """Headlines tell what a name will do with "to": "Yum Brands to review…", "Nvidia to
    invest…": a name from the clause's start, "to", then a lower-case word that is no small
    word ("Back to the future", "Research tying Tylenol to autism": no)."""
    return (
        i >= 2
        and fold(words[i - 1]) == "to"
        and all(w[:1].isupper() or w[:1].isdigit() for w in words[: i - 1])
        and not any(fold(w) in _TO_LABEL_SET for w in words[: i - 1])
        and words[i].isalpha()
        and words[i].islower()
        and fold(words[i]) not in _LEAD_DANGLING
    )


# What a headline says a name is before naming it: "ChatGPT owner OpenAI signs…", "Pop star
# Taylor Swift announces…", "Former Manchester United boss José Mourinho…"
_ROLE_WORDS = (
    "owner maker parent boss chief founder co-founder star singer rapper actor actress giant "
    "startup rival creator developer champion coach leader president mogul billionaire legend host"
)
_ROLES = frozenset(_ROLE_WORDS.split())


def _without_apposition(words: list[str]) -> list[str]:
    """The clause from its name on when a few words before it only say what the name is: not
    after a question word ("What Georgia Tech coach Brent Key said"), a comma or a verb
    ("Turkey set to host COP31"), nor before an acronym ("Meta chief AI scientist…") or a name
    that is one common word ("Lee", "Kim": the description says who)."""
    if (first := _first_word(words)) in _ASKED or first in _LEAD_CUT["en"]:
        return words
    for i in range(1, min(4, len(words) - 2)):
        if words[i] not in _ROLES:
            continue
        before, rest = words[:i], words[i + 1 :]
        name = list(itertools.takewhile(lambda w: w[:1].isupper(), rest))
        if (
            not name
            or entities.is_acronym(name[0])
            or (len(name) == 1 and entities.zipf(name[0]) >= entities.COMMON_ZIPF)
            or any(w.endswith(",") or fold(w) in _NOT_BEFORE_ROLE for w in before)
            or any(w[:1].islower() and entities.verb_like(w) for w in before[1:])
        ):
            return words
        return rest
    return words


_NOT_BEFORE_ROLE = frozenset(
    ("to", "will", "set", "can", "could", "may", "would", "should", "must")
)


# Words a headline can lose with its meaning intact: "the", and adverbs of time and hedging
# (not "a": "is getting full remake" reads broken).
# Taking one out of a long clause breaks it into two shorter runs of the headline, so the whole
# clause can be told: "Musk becomes first person to see wealth top $500bn" (without "ever").
LEAD_MAX_WORDS = 12
_DROP_WORDS = "the just finally now ever also already major"
_DROP_EN = frozenset(_DROP_WORDS.split())


def _first_word(words: Sequence[str]) -> str:
    """A clause's first word, folded, without what an apostrophe adds ("Here's why…": "here")."""
    return re.split(r"['’]", fold(words[0]))[0] if words else ""


def _said_whole(words: Sequence[str]) -> bool:
    """Whether what an English clause says someone said still has its verb: "Trump says Japan
    will invest…", "…says he's 'disappointed'", "Apple says goodbye…"; not "Bowser says
    federal surge", "Ray Dalio says gold"."""
    at = next((j for j, w in enumerate(words) if fold(w) in _SAY), -1)
    if at < 0 or at == len(words) - 1:
        return True
    rest = [w.strip("'\"‘’“”") for w in words[at + 1 :]]
    if fold(rest[0]) in _SAY_IDIOMS:
        return True
    return any(
        (w[:1].islower() or w == "I")
        and (
            entities.verb_like(w, last=i == len(rest) - 1)
            or (w.endswith("ing") and i < len(rest) - 1)  # not "…says 2 Ukrainians working"
            or fold(w) in _MODALS
            or re.search(r"['’](?:s|ll|re|ve|d|m)$|n['’]t$", w) is not None
        )
        for i, w in enumerate(rest)
    )


_SAY = _SAID - {"told", "selon"}  # what follows these is what was said
_SAY_IDIOMS = frozenset(("goodbye", "hello", "no", "yes", "sorry", "thanks", "farewell"))
_MODALS = frozenset(("must", "should", "would", "might", "shall", "cannot"))


def _second_verb(words: Sequence[str], i: int, verb: int) -> bool:
    """Whether `words[i]` is an "and" that opens a second thing the subject did, after the main
    verb: "New York subway ends its MetroCard era | and switches fully to tap-and-go fares"."""
    after = words[i + 2] if i + 2 < len(words) else ""
    return (
        0 < verb < i - 1
        and fold(words[i]) == "and"
        and fold(words[verb]) not in _SAID | _SHOWS  # "Study finds coffee | and teas reduce…"
        and i + 1 < len(words)
        and words[i + 1][:1].islower()
        and entities.verb_like(words[i + 1])
        and not (after[:1].islower() and entities.verb_like(after))  # "…and teas reduce risk"
    )


# verbs that open what was found, not what the subject did
_SHOWS = frozenset(("finds", "shows", "suggests", "reveals", "warns", "claims", "argues"))


def _dropped(words: Sequence[str], lang: str) -> list[str]:
    """`words` with the fewest droppable words taken out so that no run of more than
    LEAD_WORDS words is left; [] when that cannot be done (French has no such words here)."""
    text = " ".join(words)
    if lang != "en" or len(words) > LEAD_MAX_WORDS or _QUOTED.search(text) or _OPENS.search(text):
        return []  # never a word taken out of a quote
    # lower case only (not "The Life of a Showgirl"), and not "the" of a name or a title:
    # "Game of the Year", "the Super Mario Bros"; "the" first, an adverb says something
    spots = sorted(
        (
            i
            for i in range(1, len(words) - 1)
            if words[i] in _DROP_EN
            and not (
                words[i] == "the"
                and (words[i + 1][:1].isupper() or words[i - 1] == "of" or words[i + 1] in _THE_ONE)
            )
        ),
        key=lambda i: words[i] != "the",
    )
    for k in range(1, len(spots) + 1):
        for drop in itertools.combinations(spots, k):
            edges = [-1, *sorted(drop), len(words)]
            runs = [words[a + 1 : b] for a, b in itertools.pairwise(edges)]
            if all(_run_length(run) <= LEAD_WORDS for run in runs):
                return [w for i, w in enumerate(words) if i not in drop]
    return []


# "the" a headline cannot lose: "was once the one making…", "the same", "the only"
_THE_ONE = frozenset(("one", "same", "only", "other"))
_QUOTED = re.compile('["“”«»‘]')
_RELATIVE = frozenset(("who", "that", "which"))


_TO_BOUND_WORDS = "up down close closer near nearly due"  # "up to 250": the figure is the point
_TO_BOUND = frozenset(_TO_BOUND_WORDS.split())


def _to_a_detail(words: Sequence[str], i: int) -> bool:
    """Whether `words[i]` is a "to" before a date or a figure, where a lead can end: "Rockstar
    Games delays GTA 6 | to November 2026", "Fed cuts rates | to 4%". Not before a name or a
    quote ("deported to El Salvador", "tells Schumer to 'go…'": the point is there), nor
    right after the verb ("rises to 4%": `_needed`), nor where the figure is the point: "up
    to 250", "close to 100", "committed to $2,000", "linked to 3 deaths"."""
    after = words[i + 1].strip("'\"‘“(") if i + 1 < len(words) else ""
    figure = after[:1].isdigit() or after[:1] in "$€£¥" or fold(after) in entities.MONTHS
    before = fold(words[i - 1]).strip("'\"’”")
    bound = before in _TO_BOUND or before.endswith(("ed", "ing"))
    return fold(words[i]) == "to" and figure and not bound


_TIME_WORDS = "minutes hours days weeks months years decade decades moments"
_TIME_UNITS = frozenset(_TIME_WORDS.split())
_QUANTIFIER_WORDS = "a few just only two three four five six several many"
_QUANTIFIERS = frozenset(_QUANTIFIER_WORDS.split())
_PREPOSITIONS_EN = _COMPLEMENT_EN | _LEAD_CUT["en"]
_AUXILIARY_WORDS = "is are was were be been being am"
_AUXILIARY = frozenset(_AUXILIARY_WORDS.split())
_NOT_A_NOUN = _AUXILIARY | _LEAD_DANGLING | {"than", "as", "has", "have", "had"}
# participles that say little without their agent or what it came with: "DC region expected to
# be hit | with snowfall", "conflict is plagued | by", "datacenter backed | by" (but "victims
# named | by police", "Midshipman was shot | by" are news as they stop)
_BARE_PASSIVE_WORDS = "hit struck plagued backed affected diagnosed hampered marred rocked " + (
    "battered slammed blanketed dogged overshadowed fueled fuelled driven linked tied"
)
_BARE_PASSIVE = frozenset(_BARE_PASSIVE_WORDS.split())
# a verb's set object before its preposition: "will declare war | on Galaxy S Ultra", "takes
# aim | at", "sets its sights | on", "goes all | in" (not "escalates trade war | with…", nor a
# particle: "backs down | on…" is whole); the object, then the verb's stems
_SET_OBJECTS = {
    "war": ("declar", "wag"),
    "aim": ("take", "took"),
    "sights": ("set",),
    "light": ("shed",),
    "all": ("go", "went"),
    "ways": ("part",),
}
_NOUN_BEFORE_WORDS = "a an the in at on of from with by while after before during amid"
_NOUN_BEFORE = frozenset(_NOUN_BEFORE_WORDS.split())


def _after_article(words: Sequence[str], j: int) -> bool:
    """Whether `words[j]` follows an article or a preposition, or a lower-case word after one:
    a noun ("a shooting", "in mass shooting", "while landing"), not a verb."""
    before = [fold(w) if w[:1].islower() else "" for w in words[max(0, j - 2) : j]]
    return bool(before) and (
        before[-1] in _NOUN_BEFORE
        or (len(before) == 2 and before[0] in _NOUN_BEFORE and before[1] != "")
    )


def _set_object(words: Sequence[str], i: int) -> bool:
    stems = _SET_OBJECTS.get(fold(words[i - 1]), ())
    return any(fold(w).startswith(stems) for w in words[max(0, i - 3) : i - 1]) if stems else False


def _needed(words: Sequence[str], i: int, verb: int) -> bool:
    """Whether English `words[i]` starts what the words before it need, so no cut there:
    right after the main verb (`verb`: "Google Maps bakes in…"), after "to <verb>" ("…to focus
    on", not "…returns to London for"), or after a verb's one-word object before "for"
    ("launching support for…", "unveils plans for…")."""
    word, before = fold(words[i]), words[i - 1]
    # "at" after an -ing form with no "is" too: "derails in Germany killing | at least 3",
    # "administration looking | at…" (not "enrollment is waning | at…", "faces hearing | on…",
    # nor a noun: "injured in mass shooting | at…", "crashes while landing | at…")
    ing = (
        word == "at"
        and before[:1].islower()
        and len(before) > 4
        and before.endswith("ing")
        and fold(words[i - 2]) not in _AUXILIARY
        and not _after_article(words, i - 1)
    )
    # what a participle after the object of "to <verb>", or an -ing right after it, goes on
    # with: "to execute man convicted | in…", "to force vote aimed | at…", "to start turning |
    # over…" (plural nouns read as verbs elsewhere: "Two US soldiers and interpreter killed")
    participle = (
        before[:1].islower()
        and len(before) > 4
        and 0 <= verb < i - 1
        and fold(words[verb]) not in _SAID
        and (
            (before.endswith("ed") and verb < i - 2 and _future(words, verb)
             and words[i - 2][:1].islower() and fold(words[i - 2]) not in _NOT_A_NOUN)
            or (before.endswith("ing") and i - 2 == verb and fold(words[i - 3]) == "to")
        )
    )  # fmt: skip
    passive = word in ("by", "with") and fold(before) in _BARE_PASSIVE
    # a progressive of a verb that goes on to what it is about: "Apple is reportedly working |
    # on…" (not "enrollment is waning | at…")
    progressive = fold(before) in _PROGRESSIVE_NEEDS and any(
        fold(w) in _AUXILIARY for w in words[max(0, i - 3) : i - 1]
    )
    if _quantity(words, i):
        return True
    # an aside the clause goes on after: "bans most law enforcement | including ICE from
    # wearing masks" ("…bans most law enforcement." says what it did not); and what a ban bars
    # its object from ("bans police | from wearing masks")
    if word == "including" and any(fold(w) in ("from", "to") for w in words[i + 2 :]):
        return True
    if word == "from" and verb >= 0 and fold(words[verb]).rstrip("s") in _BANS:
        return True
    # a noun, not "after": "gains massive following | after…", "a following on TikTok"
    if word == "following" and (i + 1 == len(words) or fold(words[i + 1]) in _PREPOSITIONS_EN):
        return True
    if word in _COMPLEMENT_EN and (
        i - 1 == verb
        or participle
        or passive
        or progressive
        or (fold(words[i - 2]) in _TO_OR_MODAL and before[:1].islower())
        or ing
        or _set_object(words, i)
        or fold(before) == "put"  # "FEMA employees put | on leave": it says where
        or fold(before) in _PREPOSITIONS_EN  # "kidnapped for | over 900 days"
        # "plans to try again | with smart glasses", "phones are now compatible | with…"
        or fold(before) in _GOES_ON
    ):
        return True
    if word != "for" or not before[:1].islower():
        return False
    object_of = words[i - 2]  # lower case: "Beijing", "Spring" are no verbs
    return object_of[:1].islower() and (entities.verb_like(object_of) or object_of.endswith("ing"))


# "to <verb>" and "will <verb>" go on to what the verb is about: "Kim will meet | with Xi"
_TO_OR_MODAL_WORDS = "to will would can could may might must should"
_TO_OR_MODAL = frozenset(_TO_OR_MODAL_WORDS.split())
_PROGRESSIVE_WORDS = "working looking planning preparing heading betting counting focusing " + (
    "banking relying calling pushing gearing teaming closing moving"
)
_PROGRESSIVE_NEEDS = frozenset(_PROGRESSIVE_WORDS.split())
# words that say nothing without what follows: "Pixel 10 phones are now compatible.",
# "Hollywood panics as Paramount-Netflix battle." and "Google unveils plans to try again." were
# leads; "is back | with" says what it is again
_GOES_ON_WORDS = "again back compatible eligible responsible similar prone akin comparable " + (
    "battle battling vie vying compete competing jostle jostling scramble scrambling"
)
_GOES_ON = frozenset(_GOES_ON_WORDS.split())
_AS_QUANTITY = frozenset(("many", "much", "few", "little"))
_BANS = frozenset(("ban", "banned", "prohibit", "prohibited", "forbid"))


def _quantity(words: Sequence[str], i: int) -> bool:
    """Whether `words[i]` opens a quantity, which is what it counts, not a detail: "targets |
    as many as 30,000 job cuts", "raid leaves | at least 64 dead" ("…targets as many." and
    "…leaves." are broken)."""
    word = fold(words[i])
    before = [fold(w) for w in words[max(0, i - 2) : i]]
    after = [fold(w) for w in words[i + 1 : i + 3]]
    if word == "as":  # either "as" of "as many as"
        opens = len(after) == 2 and after[0] in _AS_QUANTITY and after[1] == "as"
        return opens or (len(before) == 2 and before[0] == "as" and before[1] in _AS_QUANTITY)
    figure = len(after) == 2 and (
        after[1][:1].isdigit()
        or after[1][:1] in "$€£¥"
        or after[1] in _QUANTIFIERS
        or after[1] in ("one", "half")
    )
    return word == "at" and after[:1] in (["least"], ["most"]) and figure
