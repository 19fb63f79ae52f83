from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from trendbot.calibration import for_model
from trendbot.drafts import never_said
from trendbot.entities import find_short_name, rival_names, short_names
from trendbot.fit import held_keywords, make_safety
from trendbot.safety import (
    ALLOWABLE,
    BUILTIN,
    REPEATED,
    BlockedTopic,
    SafetyFilter,
    SafetyRules,
    Verdict,
)
from trendbot.settings import BrandSettings, SafetySettings, ThemeSettings
from trendbot.themes import HEADLINES, fold
from trendbot.topics import TOPICS, TopicModel

DATA = Path(__file__).parent / "data"
DIM = 1024


def encode(texts: Sequence[str]) -> np.ndarray:
    """A tiny stand-in for a sentence encoder: hashed bag of words (4+ letters), unit length."""
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in fold(text).split():
            if len(word) > 3:
                out[row, zlib.crc32(word.encode()) % DIM] += 1.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-9)


def check(text: str, rules: SafetyRules | None = None, vector_text: str = "") -> Verdict:
    f = SafetyFilter(rules or SafetyRules(), encode, model="minilm")
    [verdict] = f.check([text], encode([vector_text or "quarterly retail figures"]))
    return verdict


# words --------------------------------------------------------------------------------------


def test_a_strong_term_blocks_and_says_why() -> None:
    verdict = check("Bus crash kills 12 on mountain road")
    assert verdict.level == "blocked"
    assert verdict.category == "deaths and violence"
    assert verdict.evidence == "kills"
    assert verdict.reason == "deaths and violence: 'kills' in 'Bus crash kills 12 on mountain road'"


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("Séisme au Japon : des milliers d'évacués", "blocked"),  # accents do not matter
        ("SEISME AU JAPON", "blocked"),
        ("Skills shortage hits the building trade", "safe"),  # not 'kill'
        ("Warsaw hosts the European athletics championships", "safe"),  # not 'war'
        ("Deadline extended for the design contest", "safe"),  # not 'dead'
        ("La recette du fromage râpé maison", "safe"),
        ("Price war: supermarkets cut the cost of butter", "caution"),  # 'war' alone is weak
        ("Coach fired after a losing season", "safe"),
        ("Vote for your favourite flavour", "caution"),
        # the fights a charter keeps away from, named by what they are about
        ("State passes a six-week abortion ban", "blocked"),
        ("Border Patrol holds immigrant children in tents", "blocked"),
        ("L'accès à l'IVG menacé dans plusieurs États", "blocked"),
        ("Des jihadistes attaquent un convoi", "blocked"),  # a French plural in -es
        ("Migrants reach the island after a night at sea", "caution"),
        ("Racist chants mar the derby", "blocked"),
        ("Fentanyl seized in a record haul", "blocked"),
        # the French "parti" is not the English "parties"
        ("Studio weighs offers from multiple parties", "safe"),
        ("Le parti présente son programme", "caution"),
        # nor the French "procès" the English "process" (no plural "s" after an "s")
        ("Studio calls the sales process unfair", "safe"),
        ("Le procès du braqueur s'ouvre à Paris", "blocked"),
    ],
)
def test_terms_match_whole_words_any_case_or_accent(text: str, level: str) -> None:
    assert check(text).level == level


def test_every_builtin_category_has_both_languages() -> None:
    assert {c.name for c in BUILTIN} == {
        "disasters",
        "deaths and violence",
        "war and terrorism",
        "politics and elections",
        "religion",
        "health scares",
        "crime and trials",
        "labour disputes",
        "scandals",
        "sexual content",
        "sexual violence",
    }
    for category in BUILTIN:
        if category.name in ("labour disputes", "scandals"):  # caution when it runs through a story
            assert not category.strong and set(category.weak) <= set(REPEATED)
            assert any(w.startswith(("greve", "scandale")) for w in category.weak)  # French too
            continue
        if category.name == "sexual content":  # its words say it: no reading needed
            assert not category.weak and "pornographique" in category.strong
            continue
        if category.name == "sexual violence":  # crime's reading reads it
            assert not category.weak and "agression sexuelle" in category.strong
            continue
        assert category.strong and category.weak and len(category.prototypes) >= 5
        french = [p for p in category.prototypes if any(w in p for w in (" le ", " la ", " des "))]
        assert french, category.name


@pytest.mark.parametrize(
    "text",
    [
        "ChatGPT will allow erotica for verified adults",  # read as tech news, went to a theme
        "Pornhub blocks access in another state over age verification law",
        "OnlyFans creator sues platform",
        "Les sites pornographiques devront vérifier l'âge des visiteurs",
    ],
)
def test_sexual_content_is_never_safe(text: str) -> None:
    verdict = check(text)
    assert verdict.level != "safe" and verdict.category == "sexual content", verdict


def test_a_plot_to_attack_is_never_safe() -> None:
    """A teen's plot to attack a pop star's concert joined her engagement story, read as
    culture news, and the pitch said brand-safe."""
    text = "Teen avoids jail over plot to attack pop star's Vienna concert"
    f = SafetyFilter(SafetyRules(), encode, model="minilm", topics=_reading(culture=0.9))
    [verdict] = f.check([text], encode([text]))
    assert verdict.level != "safe" and verdict.category == "war and terrorism", verdict


@pytest.mark.parametrize(
    "text",
    [
        "Nude lipstick is the shade of the fall",
        "Adults-only resorts are booming",
        "The food porn trend is taking over Instagram",
        "Spotify adds a filter for explicit content for kids",
        "Netflix adds adult content controls for parents",
    ],
)
def test_words_of_style_and_travel_are_no_sexual_content(text: str) -> None:
    assert check(text).level == "safe"


def test_brand_rules_block() -> None:
    rules = SafetyRules(
        blocked_terms=("glyphosate",),
        blocked_topics=(BlockedTopic("animal testing", keywords=("animal testing",)),),
    )
    assert check("Glyphosate: the new study", rules).reason.startswith("blocked term: 'glyphosate'")
    verdict = check("Cosmetics brands and animal testing", rules)
    assert (verdict.level, verdict.category) == ("blocked", "animal testing")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Sony hikes PlayStation 5 prices in the US", "hikes playstation 5 prices"),
        ("Price hikes bite at the checkout", "price hikes"),
        ("Retailer lays off 200 staff", "lays off"),
        ("Prices hiked again at the pump", "prices hiked"),
        ("Fans boycotted the final", "boycotted"),
        ("Carmaker cuts 3,000 jobs", "cuts 3 000 jobs"),
        ("Les salariés sont licenciés", "licencies"),
        ("Wall Street rallies", "wall street"),
        ("Street art brightens a wall downtown", None),  # a name is matched as written
        ("Hiking trails reopen this weekend", None),  # "price hike" needs both words
        ("Job fair draws crowds", None),
        ("Paris Fashion Week closes ; Fast-food chains grow", None),  # one headline, not two
        ("Spill the tea over oil paintings", None),  # too far apart
        ("Un film culte revient en salles", None),  # "cult" is not the French "culte"
        ("Best beard trimmers of the year", None),  # "bear" is not "beard"
        # an acronym counts only in capitals: the agency, not the weather
        ("ICE operation now underway in Minneapolis", "ICE"),
        ("Winter storm brings ice and snow to New Jersey", None),
        ("Ice storm slams North Texas", None),
        ("ICE RAIDS SPREAD ACROSS THE CITY", "ICE"),  # a headline in capitals says no case
    ],
)
def test_a_brand_term_matches_its_other_forms(text: str, words: str | None) -> None:
    rules = SafetyRules(
        blocked_terms=("price hikes", "lay off", "boycott", "job cuts", "licencié", "Wall Street",
                       "fast fashion", "oil spill", "cult", "bear", "ICE"),
        use_builtin=False,
    )  # fmt: skip
    verdict = check(text, rules)
    assert verdict.evidence == (words or "")
    assert verdict.level == ("blocked" if words else "safe")


def test_without_builtin_only_the_brand_rules_count() -> None:
    rules = SafetyRules(blocked_terms=("glyphosate",), use_builtin=False)
    assert check("Bus crash kills 12", rules).level == "safe"
    assert check("glyphosate ban", rules).level == "blocked"


# meaning ------------------------------------------------------------------------------------


def test_near_a_prototype_blocks_and_a_bit_further_cautions() -> None:
    topic = BlockedTopic("layoffs", examples=("factory closes and workers lose their jobs",))
    rules = SafetyRules(blocked_topics=(topic,), use_builtin=False)
    f = SafetyFilter(rules, encode, model="minilm")
    cal = for_model("minilm")
    proto = encode(["factory closes and workers lose their jobs"])[0]
    other = encode(["sunny weekend ahead for the coast"])[0]

    def at(cosine: float) -> Verdict:
        # a unit vector at exactly `cosine` from the prototype (other is orthogonal to it)
        v = cosine * proto + np.sqrt(1 - cosine**2) * other
        [verdict] = f.check(["a headline"], v[None, :].astype(np.float32))
        return verdict

    assert at(cal.safety_block + 0.01).level == "blocked"
    assert at(cal.safety_block - 0.01).level == "caution"
    assert at(cal.safety_caution - 0.01).level == "safe"
    verdict = at(0.9)
    assert verdict.category == "layoffs"
    assert verdict.reason == "layoffs: close to 'factory closes and workers lose their jobs' (0.90)"


def _reader(topic_of: dict[str, str]) -> TopicModel:
    """A topic model that reads a text's topic from one word in it (hashed like `encode`), and
    anything else as business news."""
    weights = np.zeros((len(TOPICS), DIM), dtype=np.float32)
    for word, topic in topic_of.items():
        weights[TOPICS.index(topic), zlib.crc32(word.encode()) % DIM] = 40.0
    bias = np.zeros(len(TOPICS), dtype=np.float32)
    bias[TOPICS.index("business")] = 6.0
    return TopicModel("minilm", TOPICS, weights, bias)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("Tour bus rollover kills five travellers", "blocked"),  # a tragedy, not leisure news
        ("Boxing legend dies at 46 before his comeback", "blocked"),  # a death, in sports news
        ("Thriller about a murder tops the box office", "caution"),  # a film's plot
        ("Fashion designer dies at 41, leaving his runway label", "caution"),  # style news
        ("Explosion des ventes de baskets cet été", "safe"),  # a figure of speech, not a blast
        ("Le festival, victime de son succès, ajoute une date", "safe"),
        ("Le patrimoine moderne, angle mort du débat", "safe"),  # a blind spot, in a set phrase
        ("Un promeneur retrouvé mort au bord du canal", "blocked"),
    ],
)
def test_a_tragedy_word_in_culture_news_asks_a_person(text: str, level: str) -> None:
    model = _reader(
        {"travellers": "world", "boxing": "sports", "thriller": "culture", "runway": "style"}
    )
    f = SafetyFilter(SafetyRules(), encode, model="minilm", topics=model)
    [verdict] = f.check([text], encode([text]))
    assert verdict.level == level, verdict.reason


@pytest.mark.parametrize(
    ("text", "level"),
    [
        # a politician named once, in a story that reads as culture: a person decides
        ("Gala night: the film festival opens ; Trump attends the festival gala", "caution"),
        # politics words in several of its headlines: politics, whatever the mixed reading
        (
            "Gala night: the film festival opens ; Senate Republicans clash over the film tax ; "
            "Trump signs the film tax bill",
            "blocked",
        ),
        ("Mayor-elect picks a deputy ; The festival opens", "caution"),
        # two of nine headlines: a side thread of a culture story, a person decides
        (
            "Gala night: the film festival opens ; The festival's opening film ; Festival jury "
            "named ; Film festival red carpet ; Festival gala dinner ; The festival's best film ; "
            "Macron congratulates the festival's winning film ; Film festival awards night ; "
            "Macron celebrates the festival winner",
            "caution",
        ),
    ],
)
def test_a_charter_word_in_several_headlines_is_the_story(text: str, level: str) -> None:
    model = _reader({"festival": "culture", "gala": "culture", "film": "culture"})
    f = SafetyFilter(SafetyRules(), encode, model="minilm", topics=model)
    [verdict] = f.check([text], encode([text]))
    assert verdict.level == level, verdict.reason
    assert verdict.category == "politics and elections"


@pytest.mark.parametrize(
    ("text", "level"),
    [
        # a weak word through the headlines of a story read as sports or weather: a person decides
        (
            "Fans banned from the football match ; Police bar the visiting fans ; "
            "Police under pressure to lift the fan ban ; Football club reacts to the fan ban",
            "caution",
        ),
        (
            "Storm brings flooding to the coast ; Coastal flooding expected this weekend ; "
            "Storm heads up the coast",
            "caution",
        ),
        # once among several headlines: a passing mention
        (
            "Football club wins the derby ; Fans celebrate the derby ; Derby day traffic tips ; "
            "Police thank fans after the derby",
            "safe",
        ),
        # a weak word with everyday uses in sport, however often
        (
            "Fans vote for the football awards ; Football awards voting opens ; "
            "How to vote in the football awards",
            "safe",
        ),
        # a labour dispute, told in different words: a person decides which side not to take
        (
            "Coffee chain's union workers plan strike ; Baristas vote to authorize strike ; "
            "Unionized baristas say they will strike next week ; New holiday cups unveiled",
            "caution",
        ),
        # a scandal the headlines keep calling one, though it reads as news about the media
        (
            "Vanity Fair and journalist Olivia Nuzzi part ways ; Vanity Fair parts ways with"
            " Olivia Nuzzi amid Robert F. Kennedy Jr. controversy ; Olivia Nuzzi will part ways"
            " with Vanity Fair ; Olivia Nuzzi will leave Vanity Fair amid new allegations about"
            " RFK Jr. affair",
            "caution",
        ),
        # once, in passing: a passing word; "alleged" is a gadget leak's as often
        (
            "Restaurant chain unveils its new logo ; Restaurant chain's new logo after the"
            " controversy ; Fans love the new logo ; Chain shows the logo on its cups",
            "safe",
        ),
        (
            "Alleged iPhone 18 dummy units show a new camera ; Alleged iPhone 18 leak shows"
            " the camera bump",
            "safe",
        ),
        # "strike" alone is a goal or a deal as often
        (
            "Late strike wins the derby ; Derby strike of the season ; Fans hail the derby",
            "safe",
        ),
        # job cuts, the number between the verb and the jobs: thousands lose their work
        (
            "Retailer to slash 16,000 jobs in cost-cutting push ; Retailer is cutting 16,000 jobs"
            " ; Retailer shares jump on its plan",
            "caution",
        ),
        (
            "Tech giant lays off 14,000 corporate workers ; Tech giant to lay off up to 30,000"
            " office workers ; Layoffs hit engineers hardest",
            "caution",
        ),
        ("Renault annonce la suppression de 2 000 postes ; Renault : un plan social", "caution"),
        ("Meta cuts 600 AI jobs ; Meta to eliminate hundreds of AI roles", "caution"),
        # never across a clause's end, nor positions in a stock or workers' hours
        (
            "Markets bet on a Fed cut; jobs report due Friday ; Traders see a Fed cut, jobs data"
            " next ; Fund managers cut positions in chipmakers",
            "safe",
        ),
        ("Diner to cut workers' hours ; Diner cuts workers' hours in winter", "safe"),
        # once, in passing; a rate cut is not a job cut
        (
            "Jobless claims fall as job cuts stay low ; Jobless claims at a three-month low ; "
            "Hiring holds up",
            "safe",
        ),
        (
            "Central bank cuts rates as jobs data softens ; Stocks rise after the rate cut",
            "safe",
        ),
    ],
)
def test_a_weak_word_through_the_headlines_asks_a_person(text: str, level: str) -> None:
    model = _reader({"football": "sports", "derby": "sports", "storm": "science"})
    f = SafetyFilter(SafetyRules(), encode, model="minilm", topics=model)
    [verdict] = f.check([text], encode([text]))
    assert verdict.level == level, verdict.reason
    if level == "caution":
        assert " of its " in verdict.reason and "headlines" in verdict.reason


def _reading(**probs: float) -> TopicModel:
    """A topic model that reads every text the same way: `probs`, the rest as business news."""
    p = np.full(len(TOPICS), 1e-6)
    for topic, share in probs.items():
        p[TOPICS.index(topic)] = share
    p[TOPICS.index("business")] += max(0.0, 1 - p.sum())
    bias = np.log(p / p.sum()).astype(np.float32)
    return TopicModel("minilm", TOPICS, np.zeros((len(TOPICS), DIM), dtype=np.float32), bias)


def _story(f: SafetyFilter, heads: list[str]) -> Verdict:
    """The verdict on a story of these headlines."""
    text = HEADLINES.join(heads)
    [verdict] = f.check([text], encode([text]))
    return verdict


def test_a_word_of_one_category_does_not_hide_another_that_blocks() -> None:
    """A talk show read as culture: a typhoon in one news roundup's list asks for caution, but
    the president named in most of its headlines makes it political, blocked."""
    f = SafetyFilter(SafetyRules(), encode, model="minilm", topics=_reading(culture=0.9))
    heads = [
        "What the host's suspension says about the administration",
        "5 things to know: Trump's UN speech, Typhoon Ragasa",
        "Trump slams the host's return to the show",
        "Trump threatens to sue the network over the host",
    ]
    verdict = _story(f, heads)
    assert (verdict.level, verdict.category) == ("blocked", "politics and elections")
    assert verdict.reason.endswith("politics and elections words in 3 of its headlines")
    verdict = _story(f, heads[:2])  # the typhoon alone, in passing: a person decides
    assert (verdict.level, verdict.category) == ("caution", "disasters"), verdict.reason


def test_dead_serious_is_no_death_and_a_death_in_passing_still_blocks() -> None:
    """An iOS story's card turned ⛔ after it had gone out for "Apple Is Dead Serious About Its
    $230 iPhone Sock", one headline of four: a figure of speech. A heatwave's "deux morts" in
    one headline of six is a death all the same."""
    f = SafetyFilter(SafetyRules(), encode, model="minilm", topics=_reading(tech=0.9))
    heads = [
        "iOS 26.2: All the new features coming to your iPhone",
        "Apple Is Dead Serious About Its $230 iPhone Sock",
        "Weak sales delay next iPhone Air model, report claims",
        "Apple delays next version of iPhone Air",
    ]
    for told in (heads, heads[1:2], ["He is dead set on winning the title"]):
        assert _story(f, told).level == "safe", told
    # the idioms are whole: "dead last night", "dead, serious injuries" are deaths
    for death in ("Two dead last night after boat capsizes", "Pilot dead, serious injuries"):
        assert _story(f, [death]).level == "blocked", death
    verdict = _story(f, [*heads[:3], "Man found dead in Apple store"])
    assert (verdict.level, verdict.category) == ("blocked", "deaths and violence"), verdict.reason


def test_a_word_in_passing_does_not_say_why_a_story_is_blocked() -> None:
    """ "Israel attacks Hamas leadership in Qatar" was blocked as "disasters: 'hurricane'", a
    word of one roundup among its headlines: the words its headlines share say why."""
    f = SafetyFilter(SafetyRules(), encode, model="minilm", topics=_reading(world=0.9))
    heads = [
        "Israel attacks Hamas leadership in Qatar",
        "What to know today: Hurricane Erin, the Fed, Hamas",
        "Hamas says its leaders survived the strike in Doha",
        "Qatar condemns the attack on its capital",
    ]
    verdict = _story(f, heads)
    assert (verdict.level, verdict.category) == ("blocked", "war and terrorism"), verdict.reason
    # a war word in passing, blocking by the reading alone: the reading says why when it blocks
    # on its own, else the word does
    heads = [
        "Qatar hosts summit on trade",
        "Leaders meet in Doha as Hamas talks stall",
        "Qatar signs gas deal with Germany",
    ]
    verdict = _story(f, heads)
    assert (verdict.level, verdict.category) == ("blocked", "world affairs and conflicts")
    assert verdict.reason.startswith("world affairs and conflicts: reads as"), verdict.reason
    lightly = SafetyFilter(SafetyRules(), encode, model="minilm", topics=_reading(world=0.3))
    verdict = _story(lightly, heads)
    assert (verdict.level, verdict.category) == ("blocked", "war and terrorism"), verdict.reason


@pytest.mark.parametrize(
    ("text", "world", "level"),
    [
        ("Monaco beat Rennes to go fourth", 0.57, "caution"),  # likelier world news, no word
        ("Monaco beat Rennes to go fourth", 0.7, "blocked"),  # clearly world news
        ("The army moves in as Monaco beat Rennes", 0.57, "blocked"),  # a charter word agrees
        ("The army moves in as Monaco beat Rennes", 0.4, "caution"),
        ("Monaco beat Rennes to go fourth", 0.1, "safe"),
    ],
)
def test_meaning_alone_blocks_when_charter_news_is_clearly_the_likelier_reading(
    text: str, world: float, level: str
) -> None:
    reading = _reading(world=world, sports=0.2)
    f = SafetyFilter(SafetyRules(), encode, model="minilm", topics=reading)
    [verdict] = f.check([text], encode([text]))
    assert verdict.level == level, verdict.reason
    if level == "blocked" and world < 0.6:
        assert "'army' in" in verdict.reason


@pytest.mark.parametrize(
    "text",
    [
        "The most popular cocktail in every state during the pandemic",
        "Is a hotel or an Airbnb safer in the age of COVID-19?",
        "Handball : le tournoi perturbé par le Covid-19",
        "Ligue des champions : une avalanche de buts au Parc",
        "An avalanche of sequels at the box office",
        # a review's verdict, the Fed's, a CEO's report card: no trial
        "The Morning After: Our verdict on the Pixel 10 Pro Fold",
        "Gold prices retreat from record high ahead of Fed rate verdict",
        "The CEO's 1-year report card is in. Here's the verdict on how he did.",
    ],
)
def test_a_time_stamp_or_a_figure_of_speech_is_not_a_scare(text: str) -> None:
    f = SafetyFilter(SafetyRules(), encode, model="minilm", topics=_reading(food=0.9))
    [verdict] = f.check([text], encode([text]))
    assert verdict.level == "safe", verdict.reason


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("Sarah Lane: Starring On 'MasterChef Junior' Killed The Magic Of Reality TV", "safe"),
        ("Bad weather killed the mood at the seaside food festival", "safe"),
        ("Home cooks are killing it with these one-pan dinners", "safe"),
        ("Fashion victims, rejoice: wide trousers are back", "safe"),
        ("Ten bath bombs that turn a soak into a spa night", "safe"),
        ("Lance Armstrong's Tour De F-Bomb riles up critics", "safe"),
        ("Bomb cyclone to bring snow and a cold snap to the food festival", "safe"),
        ("The seven deadly sins of holiday baking", "safe"),
        ("This deadly combo of chocolate and peanut butter is the dessert of the season", "safe"),
        ("Nut-free holiday cookies for kids with life-threatening allergies", "safe"),
        # deadly or life-threatening weather is a tragedy, or near one: no cheery post on it
        ("Deadly heat wave shuts the food festival early", "blocked"),
        ("Life-threatening cold: soup kitchens open their doors all night", "blocked"),
        ("Arsenal's deadly attack tears Bournemouth apart at the food festival derby", "safe"),
        # what weather does to people asks a person, however the story reads
        ("Ice storm leaves thousands without heat as the food festival closes", "caution"),
        ("Snowy weather causes a 45-car pileup near the food festival", "caution"),
        # the same words, said of people, still block
        ("Chef killed in a kitchen fire at a seaside restaurant", "blocked"),
        ("Gunman killed the owner of a food truck", "blocked"),
        ("Three dead after a shooting at a food festival", "blocked"),
        # a jury's verdict is a trial's: read as food news, a person decides (a trial word
        # blocks with a charter reading; not a death word, which blocks alone)
        ("Chef wins a $10 million jury verdict against his former restaurant", "caution"),
        ("Guilty verdict for the food festival organiser", "caution"),
    ],
)
def test_figures_of_speech_about_killing_are_not_deaths(text: str, level: str) -> None:
    f = SafetyFilter(SafetyRules(), encode, model="minilm", topics=_reading(food=0.9))
    [verdict] = f.check([text], encode([text]))
    assert verdict.level == level, verdict.reason


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # a governor declaring an emergency manages a storm: not politics
        ("Governor Hochul Expands State of Emergency Statewide as lake effect snow hits", ""),
        ("Gov. Pritzker declares disaster emergency as storm hits", ""),
        ("Mayor declares a local emergency over snow", ""),
        # a governor doing anything else is still politics
        ("Governor signs new budget as snow hits", "politics and elections"),
        ("Governor race heats up as candidates declare", "politics and elections"),
        ("Governor Abbott declares border emergency as migrants arrive", "politics and elections"),
        ("Governor Newsom declares fiscal emergency", "politics and elections"),
    ],
)
def test_an_emergency_declared_is_no_politics(text: str, category: str) -> None:
    f = SafetyFilter(SafetyRules(), encode, model="minilm", topics=_reading(weather=0.9))
    [verdict] = f.check([text], encode([text]))
    assert (verdict.category == "politics and elections") == bool(category), verdict.reason


@pytest.mark.parametrize(
    ("text", "why"),
    [
        # a TV listing: a title in quotes, then ", sur" and the channel
        ("« Vigil », sur Arte : huis clos, espionnage et meurtre en haute mer", "sur Arte"),
        ("« Retour à Kaboul sous émirat taliban », sur Canal+ : une vision nuancée", "sur Canal+"),
        # a culture heading
        ("Exposition : les juifs, les musulmans et la France, destins croisés", "'Exposition :'"),
        # the word inside a work's title, in a story that says what kind of work it is
        (
            "« Chloé », « Only Murders in the Building » : nos séries de la semaine",
            "'murder' in the title of a serie",
        ),
        (
            "Lizzy Caplan To Star In 'Fatal Attraction' TV Remake",
            "'fatal' in the title of a remake",
        ),
    ],
)
def test_a_work_about_a_war_or_a_crime_asks_a_person(text: str, why: str) -> None:
    f = SafetyFilter(SafetyRules(), encode, model="minilm", topics=_reading(world=0.9))
    [verdict] = f.check([text], encode([text]))
    assert verdict.level == "caution", verdict.reason
    assert "but about a work" in verdict.reason and why in verdict.reason, verdict.reason
    assert verdict.evidence  # the word that would have blocked is still named


@pytest.mark.parametrize(
    "text",
    [
        # a death outside a work's title stays a death
        "Dominique Paturel, voix française de J.R. dans « Dallas », est mort",
        "Film crew member killed on set by a falling light",
        # no work: a quotation, not a title
        "Witness says the gunman 'killed them all' at the festival",
        # a listing in one headline does not make the others about a work
        "Attentat : plusieurs morts à Kaboul ; « Kaboul », sur Arte : le récit des morts",
        # the brand's own terms stay hard rules
    ],
)
def test_a_work_does_not_excuse_a_real_tragedy(text: str) -> None:
    f = SafetyFilter(SafetyRules(), encode, model="minilm", topics=_reading(world=0.9))
    [verdict] = f.check([text], encode([text]))
    assert verdict.level == "blocked", verdict.reason


def test_a_brand_term_in_a_work_still_blocks() -> None:
    rules = SafetyRules(blocked_terms=("tobacco",))
    f = SafetyFilter(rules, encode, model="minilm", topics=_reading(world=0.9))
    text = "« Tobacco Road », sur Arte : le tabac et la guerre"
    [verdict] = f.check([text], encode([text]))
    assert (verdict.level, verdict.category) == ("blocked", "blocked term")


@pytest.mark.parametrize(
    ("text", "reading", "level", "said"),
    [
        # read as world news (set abroad) with a sports or culture word: a person decides
        (
            "Mondiaux : le nageur français bat son record à Budapest",
            "world",
            "caution",
            "'mondiaux'",
        ),
        ("Le Bénin expose les œuvres restituées par la France", "world", "caution", "'œuvre'"),
        ("Museum in Lisbon reopens its tile collection", "world", "caution", "'museum'"),
        # ...unless a war word, even a weak one, says what it is about
        ("L'armée entre dans la ville, le nageur fuit", "world", "blocked", "'armee'"),
        # crime, politics: a subject, not a place; their reading still blocks
        ("Handball : un joueur agressé dans la rue", "crime", "blocked", ""),
        # set phrases: no match and no work there
        ("Un tueur en série inquiète le pays", "world", "blocked", ""),
        ("Le pays met en œuvre un plan de rationnement", "world", "blocked", ""),
        ("Leaders act in concert to close the border", "world", "blocked", ""),
        # a TV listing, whatever its reading
        ("« Cours criminelles », sur LCP : une audience", "crime", "caution", "sur LCP"),
    ],
)
def test_a_match_or_a_work_abroad_is_not_world_news(
    text: str, reading: str, level: str, said: str
) -> None:
    f = SafetyFilter(SafetyRules(), encode, model="minilm", topics=_reading(**{reading: 0.8}))
    [verdict] = f.check([text], encode([text]))
    assert verdict.level == level, verdict.reason
    assert said in verdict.reason


@pytest.mark.parametrize(
    ("text", "world", "level"),
    [
        # a match abroad the model reads as world news, but not clearly: no reason to hold it
        ("Rugby : Lyon remporte la finale européenne face à Toulon", 0.55, "safe"),
        ("Ski : la skieuse française deuxième du slalom géant", 0.3, "safe"),
        # clearly world news: a person decides
        ("Rugby : Lyon remporte la finale européenne face à Toulon", 0.8, "caution"),
        # not below either when a war word says what it is about
        ("Guerre : la finale européenne annulée", 0.4, "caution"),
        # no sports or culture word: world news from one chance in five
        ("Le pays ferme sa frontière nord", 0.3, "caution"),
        # a weak word of another kind still asks for care
        ("Tennis : la joueuse blessée lors d'une attaque au couteau à Melbourne", 0.6, "caution"),
    ],
)
def test_a_match_abroad_is_held_only_when_it_clearly_reads_as_world_news(
    text: str, world: float, level: str
) -> None:
    f = SafetyFilter(SafetyRules(), encode, model="minilm", topics=_reading(world=world))
    [verdict] = f.check([text], encode([text]))
    assert verdict.level == level, verdict.reason


def test_genocide_is_a_war_word() -> None:
    verdict = check("UN envoy accuses the regime of genocide")
    assert (verdict.level, verdict.category, verdict.evidence) == (
        "blocked",
        "war and terrorism",
        "genocide",
    )


def test_government_is_a_politics_word_however_spelt() -> None:
    for text in ("UK govt to meet over the fans ban", "The government slams the club's decision"):
        verdict = check(text)
        assert (verdict.level, verdict.category) == ("caution", "politics and elections"), text
    # a fan ban alone is crowd trouble (`CROWD_TROUBLE`), not politics
    ban = check("Fans banned from the away game")
    assert (ban.level, ban.category) == ("caution", "deaths and violence")


def test_a_culture_war_is_politics_even_over_a_logo() -> None:
    """An ice-cream brand was pitched a restaurant chain's logo change with #MAGA: its latest
    headlines were "woke" and "right-wingers", no party nor politician."""
    for text, level, word in (
        ("MAGA erupts over Cracker Barrel logo change, and stock plunges", "blocked", "maga"),
        ("Cracker Barrel's New Logo Has Right-Wingers Posting", "caution", "right wingers"),
        ("Germany's conservatives plot a last stand", "blocked", "conservatives"),
        ("The Far-Right in Germany wants to soften its image", "blocked", "far right"),
        ("The rightwing culture war comes for a restaurant chain", "blocked", "rightwing"),
        ("Cracker Barrel finally responds to 'woke' logo backlash", "caution", "woke"),
        ("Rangers right wing scores twice in the third", "caution", "right wing"),
        ("L'extrême droite progresse aux municipales", "blocked", "extreme droite"),
    ):
        verdict = check(text)
        assert (verdict.level, verdict.category, verdict.evidence) == (
            level,
            "politics and elections",
            word,
        ), text
    # a name that is also a word counts with its capital: "trump" the verb is no politics
    assert check("Cheaper brands trump European marques in China").level == "safe"
    for text in ("Trump signs the order", "TRUMP SIGNS THE ORDER",
                 "Cheaper Brands Trump European Marques In China",
                 "The Trumps host a state dinner at Windsor Castle"):  # fmt: skip
        assert check(text).evidence == "trump", text
    # another headline in capitals says nothing of this one's verb
    assert check("Cheaper brands trump European marques ; TRUMPET MAKER EXPANDS").level == "safe"
    # a weak word's cost: a person looks at "woke up" too
    assert check("Fans woke up to a new logo on the team's jerseys").level == "caution"
    assert check("Cracker Barrel admits it could've done a better job").level == "safe"


def test_the_disease_itself_still_asks_for_care() -> None:
    # without a topic model, the pandemic's names are weak words: caution, not blocked
    assert check("Covid cases climb again in the region").level == "caution"
    f = SafetyFilter(SafetyRules(), encode, model="minilm", topics=_reading(health=0.8))
    text = "Covid cases climb again in the region"
    [verdict] = f.check([text], encode([text]))
    assert verdict.level == "blocked"


@pytest.mark.parametrize(
    ("text", "probs", "level"),
    [
        # a band's diagnosis read as world news for its country: the pandemic only dates it
        ("Three members of a K-pop band diagnosed with COVID-19", {"world": 0.57}, "caution"),
        ("La pandémie a changé nos vacances à l'étranger", {"world": 0.55}, "caution"),
        # news of the disease itself, or a hint of the reading's own kind, still blocks
        ("Three members of a K-pop band diagnosed with COVID-19", {"health": 0.57}, "blocked"),
        ("The army moves in as COVID-19 cases climb", {"world": 0.57}, "blocked"),
    ],
)
def test_the_pandemic_dates_a_story_read_as_other_news(
    text: str, probs: dict[str, float], level: str
) -> None:
    f = SafetyFilter(SafetyRules(), encode, model="minilm", topics=_reading(**probs))
    [verdict] = f.check([text], encode([text]))
    assert verdict.level == level, verdict.reason


def test_one_vector_per_text() -> None:
    f = SafetyFilter(SafetyRules(), encode, model="minilm")
    with pytest.raises(ValueError, match="one vector per text"):
        f.check(["a", "b"], encode(["a"]))


# competitors and drafts ---------------------------------------------------------------------


def test_a_competitor_in_a_story_asks_for_caution() -> None:
    verdict = check("Rivalco launches a new sneaker", SafetyRules(competitors=("Rivalco",)))
    assert (verdict.level, verdict.category, verdict.evidence) == (
        "caution",
        "competitor",
        "Rivalco",
    )


def test_a_competitor_is_known_by_the_short_name_the_news_gives_it() -> None:
    """ "JDE Peet's" names "Peet's Coffee": a longer name's first word names the competitor when
    it is rare, and only written with its capital; a common one never does ("Mint Mobile" is
    not every story about mint, "Smoothie King" not every smoothie, "Gold's Gym" not gold's
    rally), nor the first word of the brand's own name. Wired as the pipeline builds it."""
    names = ["Peet's Coffee", "Krispy Kreme", "Mint Mobile", "Google Fi", "Gold's Gym", "Dunkin",
             "Smoothie King", "Celsius Holdings", "PEET'S COFFEE", "", "Kettle Co",
             "Dunkin' Donuts"]  # fmt: skip
    assert short_names(names, own="Kettle & Crumb") == {
        "Peet": "Peet's Coffee",
        "Krispy": "Krispy Kreme",
        "PEET": "PEET'S COFFEE",
        "Dunkin": "Dunkin' Donuts",
    }
    assert short_names(["Peet's Tea"], own="Peet's Coffee") == {}  # the brand's own word
    assert find_short_name("JDE Peet’s deal", {"Peet": "Peet's Coffee"}) == "Peet"
    assert find_short_name("peet moss and peets", {"Peet": "Peet's Coffee"}) == ""
    brand = BrandSettings(
        name="Kettle",
        themes=(ThemeSettings(name="coffee", keywords=("coffee",)),),
        safety=SafetySettings(competitors=("Peet's Coffee", "Mint Mobile")),
    )
    f = make_safety(brand, encode, model="minilm", topics=None)
    texts = ["Keurig Dr Pepper agrees €16bn deal to buy coffee group JDE Peet’s",
             "Mint and basil: the herbs of the summer"]  # fmt: skip
    deal, herbs = f.check(texts, encode(texts))
    assert (deal.level, deal.category, deal.evidence) == ("caution", "competitor", "Peet's Coffee")
    assert "'Peet' (Peet's Coffee)" in deal.reason
    assert herbs.level == "safe"
    assert f.check_draft("Peet’s is ours now? Lol, never.").level == "blocked"
    assert f.check_draft("A peet of coffee").level == "safe"
    # a theme keyword that is a competitor's short name: `config check` warns
    peet = brand.model_copy(update={"themes": (ThemeSettings(name="c", keywords=("Peet",)),)})
    assert [w for w in held_keywords(peet) if "'Peet' is also in safety.competitors" in w]


def test_a_competitor_named_by_a_common_word_is_named_only_with_its_capital() -> None:
    """A ride app listing "Via" and "Curb", a store listing "Target": every story "via
    satellite", "to curb inflation" or about a "price target" asked for caution. A name of one
    common word counts where it is written as a name; a rare one, or several words, as before."""
    names = ["Target", "via", "Curb", "Rivalco", "Home Depot", "Peet's Coffee", "eBay", "Nestlé"]
    whole, words = rival_names(names)
    assert whole == ["Rivalco", "Home Depot", "Peet's Coffee", "eBay"]  # "eBay" is written so
    assert words == {"Peet": "Peet's Coffee", "Target": "Target", "Via": "via", "Curb": "Curb",
                     "Nestlé": "Nestlé"}  # fmt: skip
    # its other letters in any case, accents or not
    found = [find_short_name(t, words) for t in ("TARGET TO CLOSE STORES", "Nestle shares slide")]
    assert found == ["Target", "Nestlé"]
    f = SafetyFilter(SafetyRules(competitors=("Target", "via", "Curb")), encode, model="minilm")
    texts = ["Analysts raise the stock's price target to $300",
             "Travelers reach Hawaii via Los Angeles for less",
             "Fed moves to curb inflation with another hike",
             "Target to close nine stores in four states",
             "Target's holiday sales beat forecasts",
             "Via launches a shared ride service in Chicago"]  # fmt: skip
    verdicts = f.check(texts, encode(texts))
    assert [v.category for v in verdicts] == ["", "", "", "competitor", "competitor", "competitor"]
    # a rare name stays matched in any case: a company's own styling is lower case in its press
    # releases ("lululemon athletica inc. Announces Second Quarter…", in the Google News archive),
    # though "chewy cookies" then name Chewy
    assert rival_names(["Lululemon", "Chewy"]) == (["Lululemon", "Chewy"], {})
    release = ["lululemon athletica inc. Announces Second Quarter Fiscal 2025 Results"]
    rivals = SafetyFilter(SafetyRules(competitors=("Lululemon",)), encode, model="minilm")
    assert rivals.check(release, encode(release))[0].category == "competitor"
    assert verdicts[3].reason == "competitor: mentions 'Target': no mockery, no comparison"
    assert "mentions 'Via'" in verdicts[5].reason
    assert f.check_draft("Price target raised. Stay charged.").level == "safe"
    assert f.check_draft("Better than Target, obviously.").level == "blocked"
    brand = BrandSettings(
        name="Zip",
        themes=(ThemeSettings(name="rides", keywords=("rides",)),),
        safety=SafetySettings(competitors=("Target",)),
    )
    avoid = never_said(brand)
    assert avoid("Apple raises its price target").level == "safe"
    assert avoid("Target cuts prices").level == "blocked"
    # ...a name in capitals too ("GAP", "HP"), never "the pay gap", "a 300 hp engine"
    assert rival_names(["GAP", "HP"]) == ([], {"GAP": "GAP", "HP": "HP"})
    caps = brand.model_copy(update={"safety": SafetySettings(competitors=("GAP", "HP"))})
    assert never_said(caps)("The gender pay gap widens; a 300 hp engine").level == "safe"
    assert never_said(caps)("Gap closes 50 stores").level == "blocked"
    # `config check` warns of a theme keyword the rules would hold, found as they find it
    keywords = brand.model_copy(
        update={"themes": (ThemeSettings(name="r", keywords=("price target", "Target run")),)}
    )
    assert [w for w in held_keywords(keywords) if "keyword" in w and "'Target run'" in w]
    assert not [w for w in held_keywords(keywords) if "'price target'" in w]
    same = brand.model_copy(update={"themes": (ThemeSettings(name="r", keywords=("target",)),)})
    assert [w for w in held_keywords(same) if "keyword 'target'" in w]  # "Target closes…" fits


def test_drafts_never_mock_or_compare_a_competitor() -> None:
    f = SafetyFilter(SafetyRules(competitors=("Rivalco",)), encode, model="minilm")
    assert f.check_draft("Our trainers, better than Rivalco's. Lol.").level == "blocked"
    assert f.check_draft("Les baskets de Rivalco ? Nulles.").level == "blocked"
    assert f.check_draft("Congrats to Rivalco on the launch!").level == "caution"
    assert f.check_draft("Run into the weekend with us").level == "safe"


def test_drafts_ignore_weak_terms_but_not_strong_ones() -> None:
    f = SafetyFilter(SafetyRules(blocked_terms=("cheap",)), encode, model="minilm")
    assert f.check_draft("Vote for your favourite flavour!").level == "safe"
    assert f.check_draft("A storm of flavours").level == "safe"
    assert f.check_draft("A killer deal").level == "safe"
    assert f.check_draft("Flavours to die for, not a war").level == "safe"
    assert f.check_draft("Our tribute to the victims").level == "blocked"
    assert f.check_draft("So cheap!").reason.startswith("blocked term: 'cheap'")


# real headlines, real models ----------------------------------------------------------------

# Hand-labelled headlines the filter gets wrong, and why. Each is "caution", never "safe": a
# person still sees it before anything is posted.
KNOWN_MISSES = {
    # no sensitive word; "struck" is also a sports and business verb
    "Ukraine says it struck major Russian explosives factory, oil terminal",
    # "collapses" is also said of markets and talks (weak); the meaning stays under the line
    "20-Story Public Housing Building in the Bronx Partly Collapses",
}


def _headlines() -> list[dict[str, str]]:
    lines = (DATA / "safety_headlines.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_the_fixture_is_labelled() -> None:
    rows = _headlines()
    assert sum(r["lang"] == "en" for r in rows) >= 60 and sum(r["lang"] == "fr" for r in rows) >= 12
    assert {r["expect"] for r in rows} == {"blocked", "safe"}
    assert {r["title"] for r in rows if r["expect"] == "blocked"} >= KNOWN_MISSES


@pytest.mark.slow
@pytest.mark.parametrize(
    ("model", "languages"), [("minilm", {"en"}), ("use-multilingual", {"en", "fr"})]
)
def test_real_headlines(model: str, languages: set[str]) -> None:
    from trendbot.embed import load_embedder

    rows = [r for r in _headlines() if r["lang"] in languages]
    embedder = load_embedder(model)
    titles = [r["title"] for r in rows]
    verdicts = SafetyFilter(SafetyRules(), embedder.encode, model=model).check(
        titles, embedder.encode(titles)
    )
    missed = {
        r["title"]: v
        for r, v in zip(rows, verdicts, strict=True)
        if r["expect"] == "blocked" and v.level != "blocked"
    }
    wrongly_blocked = [
        r["title"]
        for r, v in zip(rows, verdicts, strict=True)
        if r["expect"] == "safe" and v.level == "blocked"
    ]
    assert wrongly_blocked == []
    assert set(missed) <= KNOWN_MISSES
    assert all(v.level == "caution" for v in missed.values())
    blocked = sum(r["expect"] == "blocked" for r in rows)
    assert sum(v.level == "blocked" for v in verdicts) == blocked - len(missed)
    assert all(v.reason and v.category for v in verdicts if v.level != "safe")


# a brand's own news ---------------------------------------------------------------------------


def test_a_category_the_brand_allows_is_read_as_its_own_news() -> None:
    """A pharmacy's flu season read as a health scare (96 %) and was blocked: with
    `safety.allow: [health scares]` that reading no longer counts, the category's strong words
    ask a person instead of blocking, and every other category is as strict as before."""
    flu, measles = "CDC says flu cases are rising earlier than usual", "Measles outbreak grows"
    own = SafetyRules(allowed=("health scares",))

    def verdict(text: str, rules: SafetyRules, **reading: float) -> Verdict:
        f = SafetyFilter(rules, encode, model="minilm", topics=_reading(**reading))
        return f.check([text], encode([text]))[0]

    assert verdict(flu, SafetyRules(), health=0.9).blocked
    assert verdict(flu, own, health=0.9).level == "safe"
    held = verdict(measles, own, health=0.9)
    assert (held.level, held.category) == ("caution", "health scares")
    assert "'measles'" in held.reason and "safety.allow" in held.reason
    assert verdict(measles, SafetyRules(), health=0.9).blocked
    # the other charter topics still read, and deaths still block on their word
    assert verdict(flu, own, health=0.5, politics=0.45).level == "caution"
    assert verdict(flu, own, politics=0.9).blocked
    assert verdict("Measles outbreak: three people died", own, health=0.9).blocked
    # a draft may say the brand's own news
    f = SafetyFilter(own, encode, model="minilm", topics=_reading(health=0.9))
    assert f.check_draft("Measles outbreak? Check your vaccination records.").level == "safe"
    # without a topic model: the words alone, a caution
    assert check(measles, own).level == "caution"
    # crime and disasters share their reading with deaths: a clear one still asks a person
    crime = SafetyRules(allowed=("crime and trials",))
    assert verdict("Data breach exposes millions of records", crime, crime=0.45).level == "safe"
    assert (
        verdict("Data breach exposes millions of records", SafetyRules(), crime=0.45).level
        != "safe"
    )
    found = verdict("Police find body in river", crime, crime=0.9)
    assert found.level == "caution" and "safety.allow" in found.reason
    cliff = verdict("Bus plunges off cliff", SafetyRules(allowed=("disasters",)), disaster=0.95)
    assert cliff.level == "caution"
    # every charter kind allowed: a death still blocks, and its reason names no empty reading
    every = SafetyRules(allowed=tuple(a for a in ALLOWABLE if a != "job cuts"))
    gunman = verdict("Gunman opens fire at the mall", every, crime=0.9)
    assert gunman.blocked and "reads as  news" not in gunman.reason, gunman.reason
    # sexual violence, which no brand allows (a credit union allowed crime for its scam
    # warnings, and a star's rape charge came through as a caution), read as crime's words are
    for text in ("Actor charged with rape and sexual assault", "Un homme condamné pour viol"):
        charged = verdict(text, every, crime=0.5)
        assert charged.blocked and charged.category == "sexual violence", charged.reason
    several = "Singer accused of sexual assault ; Singer's sexual assault lawsuit ; New album"
    assert verdict(several, crime, culture=0.9).blocked  # in two of three headlines: the story
    assert verdict("Singer accused of sexual assault", crime, culture=0.9).level == "caution"
    assert verdict("Oilseed rape prices rise before the harvest", crime).level == "safe"
    # job cuts, which only ever asked for caution, say nothing for a payroll brand
    cuts = " ; ".join(["Retailer to cut 3,000 jobs", "Retailer cuts 3,000 jobs in reshuffle"])
    assert verdict(cuts, SafetyRules(), business=0.9).level == "caution"
    assert verdict(cuts, SafetyRules(allowed=("job cuts",)), business=0.9).level == "safe"


def test_allow_names_a_builtin_category_and_never_deaths() -> None:
    from typing import get_args

    from trendbot.settings import AllowedCategory

    assert set(get_args(AllowedCategory)) == set(ALLOWABLE)
    never = {"deaths and violence", "sexual violence"}
    assert set(ALLOWABLE) == {c.name for c in BUILTIN} - never | {"job cuts"}
    assert SafetySettings(allow=["health scares"]).allow == ("health scares",)
    for wrong in ("deaths and violence", "sexual violence", "health"):
        with pytest.raises(ValueError, match="health scares"):
            SafetySettings(allow=[wrong])


@pytest.mark.parametrize(
    ("text", "reading", "level"),
    [
        ("Here's what's open and closed on Labor Day 2025", 0.46, "safe"),
        ("Your guide to Veterans Day free meals ; Veterans Day 2025: deals for veterans", 0.3,
         "safe"),
        ("Martin Luther King Jr. Day: what's open and closed", 0.46, "safe"),
        # no holiday: the reading asks a person as before
        ("Here's what's open and closed at the DMV", 0.46, "caution"),
        # a likelier reading, or a charter word, still count
        ("Here's what's open and closed on Labor Day 2025", 0.55, "caution"),
        ("Protesters march on Labor Day against the governor", 0.46, "blocked"),
        # a holiday's name written in lower case is none; a national day abroad or a contested
        # one, and a story read as world news, are read as before
        ("a memorial day for the city's founders", 0.46, "caution"),
        ("Indigenous Peoples Day replaces Columbus Day in more states", 0.46, "caution"),
        ("Israel marks Independence Day under heavy security", 0.46, "caution"),
        # a passing holiday in one headline of three is not the story's subject
        ("Labor Day sales ; Offices reopen downtown ; What the new rules mean", 0.46, "caution"),
    ],
)  # fmt: skip
def test_a_holidays_name_is_no_charter_reading(text: str, reading: float, level: str) -> None:
    """ "Here's what's open and closed on Labor Day 2025" read as politics at 46 % (the same
    headline on Thanksgiving as nothing) and cost a payroll brand and a pharmacy their best
    pitch: a story about a holiday is flagged by its meaning alone only when that meaning is
    likely."""
    f = SafetyFilter(SafetyRules(), encode, model="minilm", topics=_reading(politics=reading))
    assert f.check([text], encode([text]))[0].level == level


def test_a_holiday_read_as_world_news_is_read_as_before() -> None:
    f = SafetyFilter(SafetyRules(), encode, model="minilm", topics=_reading(world=0.46))
    text = "Diwali: Modi greets the nation"
    assert f.check([text], encode([text]))[0].level == "caution"
