"""Brand fit: which theme a story serves, and whether the brand may touch it. Pure wiring.

The one place where a brand's settings become a theme matcher and a safety filter, shared by
the pipeline, `/trend`, and the benches, so that what is measured is what runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from trendbot import entities, safety, themes
from trendbot.settings import BrandSettings, ThemeSettings
from trendbot.topics import TopicModel

Encode = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class Fit:
    """A story's brand fit: its best theme (if any) and its safety verdict; `elsewhere`, a
    theme it fits better but whose `places` it names none of."""

    theme: themes.ThemeMatch | None
    matches: tuple[themes.ThemeMatch, ...]
    verdict: safety.Verdict
    elsewhere: themes.ThemeMatch | None = None


def theme_of(theme: ThemeSettings) -> themes.Theme:
    return themes.Theme(
        theme.name,
        theme.description,
        theme.keywords,
        theme.examples,
        theme.negative_examples,
        theme.angles,
        theme.narrow,
    )


def make_matcher(
    brand: BrandSettings,
    encode: Encode,
    *,
    model: str,
    topics: TopicModel | None,
    learned: Iterable[themes.LearnedExample] = (),
) -> themes.ThemeMatcher:
    return themes.ThemeMatcher(
        [theme_of(t) for t in brand.themes], encode, model=model, learned=learned, topics=topics
    )


def make_safety(
    brand: BrandSettings, encode: Encode, *, model: str, topics: TopicModel | None
) -> safety.SafetyFilter:
    s = brand.safety
    rules = safety.SafetyRules(
        blocked_topics=tuple(
            safety.BlockedTopic(t.name, t.keywords, t.examples) for t in s.blocked_topics
        ),
        competitors=s.competitors,
        brand=brand.name,
        blocked_terms=s.blocked_terms,
        use_builtin=s.builtin,
        allowed=s.allow,
    )
    return safety.SafetyFilter(rules, encode, model=model, topics=topics)


def held_keywords(brand: BrandSettings) -> list[str]:
    """Theme keywords that the brand's own safety rules hold back, found as those rules find
    them: a theme that asks for "McDonald's" while `competitors` lists it matches stories that
    are never pitched. Warned, not refused: a team may want its competitors' news shown,
    flagged, in `/trend`."""
    s = brand.safety
    held = [(t, "blocked_terms", "blocked", True) for t in s.blocked_terms]
    held += [
        (k, f"blocked_topics ({topic.name})", "blocked", True)
        for topic in s.blocked_topics
        for k in topic.keywords
    ]
    whole, words = entities.rival_names(s.competitors, brand.name)
    held += [(c, "competitors", "held for an editor", False) for c in [*whole, *words]]
    return [
        f"brand {brand.name!r}: theme {theme.name!r} keyword {keyword!r} is also in"
        f" safety.{where}: the stories naming it are {fate}, never pitched on their own; remove"
        " it from one of them"
        for theme in brand.themes
        for keyword in theme.keywords
        for term, where, fate, inflected in held
        # a competitor's word is found as the rules find it, with its capital; a keyword that
        # is that word matches its stories in any case
        if (
            entities.find_short_name(keyword, {term: term}) or keyword.casefold() == term.casefold()
            if term in words
            else safety.finds(term, keyword, inflected=inflected)
        )
    ]


def held_examples(
    brand: BrandSettings, safety_filter: safety.SafetyFilter, encode: Encode
) -> list[tuple[str, str]]:
    """The theme examples the brand's own safety would hold, as (theme, warning), the warning
    with the rule's reason and what to change: a candy brand's blocked topic of candy recalls,
    by its example "Candy maker recalls products over undeclared allergens", blocked "The best
    stocking stuffers for candy lovers"; in the news, its candy-scares topic held "Why
    trick-or-treaters may bag more gummy candy than chocolate". Stories like a held example
    are held the same way."""
    rows = [(t.name, e) for t in brand.themes for e in t.examples if e.strip()]
    if not rows:
        return []
    texts = [e for _, e in rows]
    verdicts = safety_filter.check(texts, encode(texts))
    topics = {t.name: t for t in brand.safety.blocked_topics}
    out = []
    for (theme, example), verdict in zip(rows, verdicts, strict=True):
        if verdict.level == "safe":
            continue
        fate = (
            "blocked: stories like it are never pitched"
            if verdict.blocked
            else "held for an editor: stories like it are not pitched on their own"
        )
        if topic := topics.get(verdict.category):
            # one of the topic's keywords is in the example (its words come before its
            # examples' meaning), else one of its examples is too close. A new user told to
            # make them "more specific" wrote the harm into their own subject ("Runner suffers
            # cardiac arrest during the half marathon") and held three more marathon examples.
            keyword = next(
                (k for k in topic.keywords if safety.finds(k, example, inflected=True)), None
            )
            fate += (
                f"; if they are yours, narrow or drop that blocked topic's keyword {keyword!r}"
                if keyword
                else "; if they are yours, write that blocked topic's examples about the harm"
                " and keep your own subject's words out of them"
            )
        if "; most by '" in verdict.reason:  # its meaning alone, and the words that read so
            fate += "; reword the words it reads so by"
        out.append((theme, f"example {example!r} is {fate} ({verdict.reason})"))
    return out


def assess(
    matcher: themes.ThemeMatcher,
    safety_filter: safety.SafetyFilter,
    texts: Sequence[str],
    vectors: np.ndarray,
    places: Mapping[str, Sequence[str]] | None = None,
) -> list[Fit]:
    """One Fit per story (its text: label and headlines; its vector: the story's centroid). A
    theme with places (`places`, by theme name) fits only the stories that name one of them."""
    if not len(texts):
        return []
    verdicts = safety_filter.check(texts, vectors)
    out = []
    for text, found, verdict in zip(texts, matcher.match(texts, vectors), verdicts, strict=True):
        here = in_places(found, text, places or {})
        away = found[0] if found and (not here or found[0] is not here[0]) else None
        out.append(Fit(here[0] if here else None, here, verdict, away))
    return out


def places_of(brand: BrandSettings) -> dict[str, tuple[str, ...]]:
    return {t.name: t.places for t in brand.themes if t.places}


def in_places(
    matches: Sequence[themes.ThemeMatch], text: str, places: Mapping[str, Sequence[str]]
) -> tuple[themes.ThemeMatch, ...]:
    """Of a story's theme matches, those whose theme names no places or one the story names."""
    return tuple(m for m in matches if entities.names_a_place(text, places.get(m.theme)))
