"""Brand safety: should the brand stay away from a story? Pure logic over texts and vectors.

A verdict is `safe`, `caution` (a person decides) or `blocked`, with the category and the evidence
that decided it, in words: "deaths and violence: 'kills' in 'Tour bus rollover kills 5 on...'".

What decides, most severe first:
- the brand's `blocked_terms` and `blocked_topics` keywords (lexical): blocked;
- the built-in categories' strong terms (English and French, whole words, any case or accent):
  blocked. They are words a story about a tragedy, a war, an election or a trial can hardly avoid;
- semantic: the story's vector near a category's prototype sentences (or a brand topic's
  examples): blocked at `safety_block`, caution at `safety_caution` (per model, calibration.py);
- the built-in weak terms (words with harmless uses too: "vote", "police", "storm"): caution;
- a competitor named: caution. Newsjacking a competitor's news is allowed only with care; the
  charter forbids mocking or comparing, so a *draft* that names a competitor next to a mocking or
  comparative word is blocked (`check_draft`).

`use_builtin=False` keeps only the brand's own rules. `check_draft` is lexical only: it runs on a
pitch's text before it leaves, where weak terms do not count ("vote for your favourite!").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from trendbot import calibration
from trendbot.themes import fold

Level = Literal["safe", "caution", "blocked"]
Encode = Callable[[Sequence[str]], np.ndarray]
_SEVERITY = {"safe": 0, "caution": 1, "blocked": 2}


@dataclass(frozen=True)
class Verdict:
    level: Level
    reason: str = ""  # one line for a person: "war and terrorism: 'airstrike' in '...'"
    category: str = ""  # built-in category, brand topic, "blocked term" or "competitor"
    evidence: str = ""  # the term, or the prototype sentence and its cosine

    @property
    def blocked(self) -> bool:
        return self.level == "blocked"


SAFE = Verdict("safe")


@dataclass(frozen=True)
class BlockedTopic:
    name: str
    keywords: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class SafetyRules:
    blocked_topics: tuple[BlockedTopic, ...] = ()
    competitors: tuple[str, ...] = ()
    blocked_terms: tuple[str, ...] = ()
    use_builtin: bool = True


@dataclass(frozen=True)
class Category:
    name: str
    strong: tuple[str, ...]  # a whole-word hit blocks
    weak: tuple[str, ...]  # a whole-word hit asks for caution
    prototypes: tuple[str, ...]  # sentences, English and French, for the semantic check


# Terms are matched on folded text (lower case, no accents, punctuation as spaces); a final
# "s", "es" or "x" is allowed, other inflections are listed. Kept to words whose news use is
# nearly always the sensitive one; ambiguous ones go to `weak`.
BUILTIN: tuple[Category, ...] = (
    Category(
        "disasters",
        strong=(
            "earthquake", "quake", "tsunami", "hurricane", "typhoon", "cyclone", "tornado",
            "wildfire", "forest fire", "mudslide", "landslide", "avalanche", "eruption",
            "plane crash", "helicopter crash", "derailment", "derailed", "famine", "evacuate",
            "evacuated", "evacuation", "explosion", "seisme", "tremblement de terre", "ouragan",
            "typhon", "tornade", "inondation", "incendie", "feu de foret", "glissement de terrain",
            "effondrement", "deraillement", "evacues", "accident d avion",
        ),
        weak=(
            "flood", "flooding", "crash", "crashes", "crashed", "collapse", "collapses",
            "collapsed", "catastrophic", "catastrophe", "crue", "s effondre",
        ),
        prototypes=(
            "Earthquake destroys buildings and leaves many victims",
            "Hurricane makes landfall, thousands evacuated as floods rise",
            "Plane crash kills passengers and crew",
            "Wildfire burns homes as residents flee",
            "Building collapses, rescuers search the rubble for survivors",
            "Un séisme fait des dizaines de victimes",
            "Inondations meurtrières : des habitants évacués",
            "Un incendie ravage des milliers d'hectares",
        ),
    ),
    Category(
        "deaths and violence",
        strong=(
            "killed", "kills", "killing", "dead", "dies", "died", "death toll", "deaths", "fatal",
            "fatally", "murder", "murdered", "homicide", "massacre", "shooting", "shootings",
            "gunman", "gunfire", "gunned down", "shot dead", "stabbing", "stabbed", "drowns",
            "drowned", "suicide", "overdose", "body found", "bodies", "victims", "mort", "morts",
            "morte", "mortes", "tue", "tues", "tuee", "tuees", "meurtre", "assassinat", "assassine",
            "fusillade", "poignarde", "coups de couteau", "noyade", "victime", "deces", "decede",
            "feminicide",
        ),
        weak=(
            "death", "injured", "wounded", "violence", "attack", "attaque", "police", "blesse",
            "drame", "tragedie", "protest", "protesters", "manifestation",
        ),
        prototypes=(
            "Gunman opens fire, several people killed",
            "Man stabbed to death in the street",
            "Bus crash kills 12",
            "A child drowned in the river",
            "Body found, police open a murder investigation",
            "Fusillade : plusieurs morts et des blessés",
            "Un homme tué par balle en pleine rue",
            "Drame familial : une mère et ses enfants retrouvés morts",
        ),
    ),
    Category(
        "war and terrorism",
        strong=(
            "airstrike", "air strike", "missile", "missiles", "bombing", "shelling", "invasion",
            "troops", "ceasefire", "hostage", "hostages", "terrorist", "terrorism", "terror attack",
            "militants", "militia", "jihadist", "hamas", "hezbollah", "isis", "drone strike",
            "civil war", "war crimes", "military operation", "frappe aerienne", "frappes aeriennes",
            "frappes russes", "bombardement", "bombardements", "attentat", "terroriste",
            "terrorisme", "otage", "otages", "cessez le feu", "djihadiste", "milice",
            "guerre civile", "crimes de guerre", "bomb", "bombs", "nuclear weapon",
            "arme nucleaire", "taliban", "gaza", "west bank", "cisjordanie",
        ),
        # "war" and "guerre" also mean price, bidding and console wars: the semantic check decides
        weak=(
            "war", "guerre", "army", "military", "soldiers", "drone", "drones", "armee", "soldats",
            "militaire", "strikes", "clashes", "weapons", "navy", "pentagon", "nato", "otan",
        ),
        prototypes=(
            "Missile strikes hit the capital overnight",
            "Troops advance as fighting intensifies",
            "Terror attack leaves dozens dead",
            "Hostages released as ceasefire talks continue",
            "Army launches military offensive in the region",
            "Drones strike an oil depot and a factory behind the front line",
            "Border clashes between the two armies raise fears of a wider conflict",
            "Des frappes aériennes touchent la ville",
            "Attentat terroriste : le pays en deuil",
            "L'armée lance une offensive dans le nord du pays",
        ),
    ),
    Category(
        "politics and elections",
        strong=(
            "election", "elections", "elected", "reelection", "re election", "electoral", "voters",
            "ballot", "midterms", "mayoral", "democrats", "dems", "republicans", "gop", "senate",
            "senator", "senators", "congress", "congressional", "lawmakers", "parliament",
            "redistricting", "gerrymandering", "impeachment", "referendum", "government shutdown",
            "white house", "prime minister", "governor", "kremlin", "political", "politics",
            "politician", "politicians", "presidentielle", "legislatives", "scrutin", "electeurs",
            "senat", "assemblee nationale", "depute", "deputes", "motion de censure",
            "premier ministre", "elysee", "matignon", "gouvernement",
            # a few names that make any story political; brands add theirs in blocked_terms
            "trump", "biden", "macron", "le pen", "melenchon",
        ),
        weak=(
            "vote", "votes", "campaign", "primary", "shutdown", "president", "minister", "policy",
            "mayor", "cabinet", "resignation", "ministre", "parti", "maire", "elu", "politique",
        ),
        prototypes=(
            "Candidates clash in a heated election debate",
            "Senate Republicans and Democrats fight over the budget",
            "The president's party loses seats in the midterm elections",
            "Lawmakers vote on a controversial bill",
            "Governor announces run for the Senate",
            "The minister resigns under pressure from his own party",
            "Mayor wins the city election",
            "Présidentielle : les candidats s'affrontent lors du débat",
            "Le gouvernement face à une motion de censure",
            "Les députés adoptent la réforme après un vote serré",
        ),
    ),
    Category(
        "religion",
        strong=(
            "pope", "vatican", "church", "mosque", "synagogue", "religious", "religion", "imam",
            "rabbi", "islam", "muslim", "muslims", "christians", "jewish", "blasphemy", "pape",
            "eglise", "mosquee", "religieux", "religieuse", "eveque", "rabbin", "musulman",
            "musulmans", "chretien", "chretiens", "juif", "juifs", "laicite", "blaspheme",
        ),
        # first names and surnames too: Christian Dior, Bishop Sycamore
        weak=("christian", "bishop", "faith", "prayer", "priest", "pretre", "priere"),
        prototypes=(
            "The pope leads a mass at the Vatican",
            "Religious leaders condemn the attack on the mosque",
            "Church faces a scandal over abuse",
            "Le pape célèbre une messe devant des milliers de fidèles",
            "Polémique autour du port du voile et de la laïcité",
        ),
    ),
    Category(
        "health scares",
        strong=(
            "outbreak", "epidemic", "pandemic", "covid", "measles", "ebola", "botulism",
            "salmonella", "listeria", "e coli", "bird flu", "contaminated", "contamination",
            "recalled", "cancer", "epidemie", "pandemie", "rougeole", "salmonelle",
            "grippe aviaire", "contamine", "contamines", "rappel conso", "rappel de produits",
        ),
        weak=("recall", "virus", "vaccine", "infection", "hospitalized", "vaccin", "hopital"),
        prototypes=(
            "Outbreak spreads as health officials warn the public",
            "Product recalled after customers fall ill",
            "New variant drives a surge in hospital cases",
            "Épidémie : les autorités sanitaires appellent à la vigilance",
            "Rappel de produits contaminés à la listeria",
        ),
    ),
    Category(
        "crime and trials",
        strong=(
            "murder trial", "on trial", "stand trial", "verdict", "sentence", "sentenced",
            "convicted", "conviction", "acquitted", "acquits", "indicted", "indictment",
            "pleads guilty", "pleads not guilty", "prosecutor", "prosecutors", "criminal charges",
            "criminal case", "charged with", "arrested", "felony", "fraud", "in custody", "jailed",
            "suspect", "proces", "condamne", "condamnee", "mis en examen", "garde a vue",
            "interpelle", "procureur", "tribunal", "escroquerie", "perpetuite",
        ),
        # "free trial", a festival's jury, "X accuses Y": harmless uses exist
        weak=(
            "trial", "jury", "accuse", "judge", "lawsuit", "sues", "court", "investigation",
            "prison", "juge", "enquete", "plainte",
        ),
        prototypes=(
            "Jury finds the defendant guilty",
            "Man arrested and charged after the attack",
            "Former official indicted on criminal charges",
            "Judge sentences him to ten years in prison",
            "Le procès s'ouvre devant la cour d'assises",
            "L'accusé condamné à vingt ans de prison",
        ),
    ),
)  # fmt: skip

# Words that turn a draft naming a competitor into mockery or a comparison.
DENIGRATION = (
    "worse", "worst", "better than", "unlike", "fail", "fails", "lol", "loser", "lame", "sucks",
    "rip", "pire", "nul", "nulle", "mieux que", "contrairement a", "ringard",
)  # fmt: skip


class _Terms:
    """Whole-word, accent- and case-insensitive search for a list of terms (plural allowed)."""

    def __init__(self, terms: Sequence[str]) -> None:
        folded = sorted({" ".join(fold(t).split()) for t in terms} - {""}, key=len, reverse=True)
        self._regex = (
            re.compile("(?<= )(" + "|".join(re.escape(t) for t in folded) + ")(?:s|es|x)?(?= )")
            if folded
            else None
        )

    def find(self, folded_text: str) -> str | None:
        if self._regex is None:
            return None
        hit = self._regex.search(folded_text)
        return hit.group(1) if hit else None


@dataclass(frozen=True)
class _Rule:
    category: str
    terms: _Terms
    level: Level


def _quote(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


class SafetyFilter:
    def __init__(self, rules: SafetyRules, encode: Encode, *, model: str) -> None:
        self.rules = rules
        cal = calibration.for_model(model)
        self.block_at, self.caution_at = cal.safety_block, cal.safety_caution
        builtin = BUILTIN if rules.use_builtin else ()

        # lexical rules, most severe first; the first hit decides
        self._strong = [_Rule("blocked term", _Terms(rules.blocked_terms), "blocked")]
        self._strong += [_Rule(t.name, _Terms(t.keywords), "blocked") for t in rules.blocked_topics]
        self._strong += [_Rule(c.name, _Terms(c.strong), "blocked") for c in builtin]
        self._weak = [_Rule(c.name, _Terms(c.weak), "caution") for c in builtin]
        self._competitors = [(name, _Terms([name])) for name in rules.competitors]
        self._denigration = _Terms(DENIGRATION)

        # semantic prototypes: built-in sentences and the brand's example headlines
        self._proto_category: list[str] = []
        self._proto_text: list[str] = []
        for c in builtin:
            self._proto_category += [c.name] * len(c.prototypes)
            self._proto_text += c.prototypes
        for t in rules.blocked_topics:
            self._proto_category += [t.name] * len(t.examples)
            self._proto_text += t.examples
        self._prototypes = (
            np.asarray(encode(self._proto_text), dtype=np.float32)
            if self._proto_text
            else np.zeros((0, 1), dtype=np.float32)
        )

    def check(self, texts: Sequence[str], vectors: np.ndarray) -> list[Verdict]:
        """One verdict per text (a story's label or titles), given its vector."""
        vectors = np.asarray(vectors, dtype=np.float32)
        if len(vectors) != len(texts):
            raise ValueError("one vector per text")
        sims = (
            vectors @ self._prototypes.T
            if len(self._proto_text) and len(vectors)
            else np.zeros((len(texts), 0), dtype=np.float32)
        )
        return [self._check_one(text, row) for text, row in zip(texts, sims, strict=True)]

    def check_draft(self, draft: str) -> Verdict:
        """A pitch's own text, before it leaves: lexical only, weak terms ignored."""
        folded = fold(draft)
        verdict = self._lexical(draft, folded, self._strong)
        if verdict.blocked:
            return verdict
        for name, terms in self._competitors:
            if terms.find(folded):
                word = self._denigration.find(folded)
                if word:
                    return Verdict(
                        "blocked",
                        f"competitor: names {name!r} next to {word!r}: the charter forbids "
                        "mocking or comparing",
                        "competitor",
                        name,
                    )
                return Verdict(
                    "caution",
                    f"competitor: names {name!r}: check the charter (no mockery, no comparison)",
                    "competitor",
                    name,
                )
        return verdict

    def _check_one(self, text: str, sims: np.ndarray) -> Verdict:
        folded = fold(text)
        verdict = self._lexical(text, folded, self._strong)
        if verdict.blocked:
            return verdict
        if len(sims):
            best = int(sims.argmax())
            cosine = float(sims[best])
            if cosine >= self.caution_at:
                level: Level = "blocked" if cosine >= self.block_at else "caution"
                category, prototype = self._proto_category[best], self._proto_text[best]
                return Verdict(
                    level,
                    f"{category}: close to {_quote(prototype)} ({cosine:.2f})",
                    category,
                    f"{prototype} ({cosine:.2f})",
                )
        verdict = self._lexical(text, folded, self._weak)
        if verdict.level != "safe":
            return verdict
        for name, terms in self._competitors:
            if terms.find(folded):
                return Verdict(
                    "caution",
                    f"competitor: mentions {name!r}: no mockery, no comparison",
                    "competitor",
                    name,
                )
        return SAFE

    @staticmethod
    def _lexical(text: str, folded: str, rules: Sequence[_Rule]) -> Verdict:
        for rule in rules:
            term = rule.terms.find(folded)
            if term:
                return Verdict(
                    rule.level, f"{rule.category}: {term!r} in {_quote(text)}", rule.category, term
                )
        return SAFE
