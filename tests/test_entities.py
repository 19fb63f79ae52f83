from __future__ import annotations

from trendbot.entities import (
    Usage,
    attributive,
    headline_tokens,
    is_amount,
    is_common_word,
    is_demonym,
    is_foreign_phrase,
    named_entities,
    one_title,
    sentence_case,
)


def test_a_brand_s_own_casing_is_a_name_and_title_case_words_are_not() -> None:
    titles = [
        "Apple Preparing iOS 18.7 for iPhones as iOS 26 Release Date Nears - MacRumors",
        "iPhone 17 Pro: Apple's rumored case design shown in video - 9to5Mac",
        "iOS 26 release date: when the iPhone update arrives - Tom's Guide",
    ]
    names = named_entities(titles)
    assert names[:2] == ["iOS", "iPhone"]
    assert "Release Date" not in names  # written in lower case by another headline


def test_common_words_are_not_tags() -> None:
    assert is_common_word("#High") and is_common_word("breaks")
    assert not is_common_word("#TaylorSwift") and not is_common_word("NBA")


def test_initials_and_suffixes_belong_to_a_name_and_are_never_one() -> None:
    titles = [
        "RFK Jr. ousts every member of the CDC Advisory Committee",
        "What RFK Jr. wants from the new CDC Advisory Committee - NPR",
        "Robert F. Kennedy Jr. names new vaccine advisers",
    ]
    names = named_entities(titles)
    assert "RFK Jr" in names
    assert "CDC Advisory Committee" in names
    assert not {"Jr", "F", "Advisory", "Committee"} & set(names)


def test_a_common_word_is_a_name_only_where_it_stands_alone() -> None:
    # "Advisory" is a name's piece here, and a common word (Zipf 4.2): never a name alone.
    titles = [
        "Storm brings a Winter Weather Advisory to Denver",
        "Winter Weather Advisory: Denver braces for snow",
        "Denver schools close under the Advisory",
    ]
    assert "Advisory" not in named_entities(titles)
    apple = ["Why Apple is betting on a thinner iPhone", "Analysts say Apple will ship it in May"]
    assert "Apple" in named_entities(apple)  # alone and capitalised mid-sentence: a name


def test_a_french_elision_is_not_part_of_the_name() -> None:
    titles = [
        "Revivez la première journée du jubilé d’Elizabeth II au Royaume-Uni",
        "Le jubilé d'Elizabeth II : Londres en fête pour la reine",
    ]
    assert named_entities(titles)[0] == "Elizabeth II"


def test_a_common_word_that_opens_headlines_as_an_owner_is_their_subject() -> None:
    samsung = (
        "Samsung ‘Wide Fold’ rumored to rival Apple’s foldable next year",
        "Foldable phone makers have solved every issue except one",
        "Samsung's wide foldable leak hints at a pre-emptive strike on Apple",
    )
    assert named_entities(samsung)[:2] == ["Samsung", "Apple"]
    google = (
        "Google unveils plans to try again with smart glasses in 2026",
        "Google’s first AI glasses expected next year",
    )
    assert named_entities(google) == ["Google"]
    # frequent words own nothing, and an opener without an owner stays a common word
    assert named_entities(("Today's best deals on laptops", "Today's weather: rain")) == []
    assert named_entities(("Stocks fall as yields rise", "Stocks slide as yields jump")) == []


def test_a_rare_word_that_opens_headlines_before_a_noun_a_common_word_opens_describes_it() -> None:
    space = (
        "Paraplegic engineer becomes first wheelchair user to float in space",
        "German engineer becomes first wheelchair user to visit space",
        "Paraplegic engineer becomes the first wheelchair user to blast into space",
    )
    assert "Paraplegic" not in named_entities(space)
    # followed by what it did, the same rare opener is the subject; before a noun no common
    # word opens a headline with, it is a name all the same
    sinner = ("Sinner beats Alcaraz in Paris", "Sinner wins the final in four sets")
    assert named_entities(sinner)[0] == "Sinner"
    assert named_entities(("Sinner sacré à Paris", "Sinner sacré au Masters")) == ["Sinner"]
    nvidia = ("Nvidia stock soars after earnings", "Nvidia stock falls on China fears")
    assert named_entities(nvidia) == ["Nvidia"]


def test_a_shouted_common_word_is_no_name() -> None:
    titles = ("Update your iPhone NOW: Apple releases iOS 18.6", "iPhone sales soar, so update NOW")
    assert named_entities(titles) == ["iPhone"]


def test_a_shouted_word_of_a_quote_is_no_name_and_an_acronym_stays_one() -> None:
    titles = (
        "NASA: Pentagon says Mark Kelly video is 'PUNISHABLE BY DEATH'",
        "NASA and Mark Kelly: 'PUNISHABLE BY DEATH' post draws fire at NASA",
    )
    names = named_entities(titles)
    assert "Mark Kelly" in names and "NASA" in names
    assert not [n for n in names if "DEATH" in n or "PUNISHABLE" in n], names


def test_a_word_shouted_in_one_headline_and_written_plainly_in_another_is_no_name() -> None:
    tariffs = (
        "Trump's TARIFF threat rattles markets",
        "Live: Trump tariffs hit dozens of US trading partners",
        "Why Trump's Tariffs Are Rattling Markets",
    )
    assert named_entities(tariffs) == ["Trump"]
    fold = ("Galaxy Z Fold 7: YOU need to see this", "Why You Should Buy the Galaxy Z Fold 7")
    assert named_entities(fold) == ["Galaxy Z Fold"]
    # an acronym is written in capitals wherever it stands, even beside the word; a headline
    # may write it as a name ("Ice raid"), and "who" is everyone's word
    who = ("WHO declares mpox emergency", "Who is at risk from mpox?", "WHO warns of spread")
    assert named_entities(who) == ["WHO"]
    ice = ("ICE detains car wash workers in LA", "Ice raid at car wash leaves owner suing")
    assert named_entities(ice) == ["ICE"]
    eu = ("EU, WHO counter claims on Tylenol", "Tylenol: the doctor who proposed it speaks out")
    assert "WHO" in named_entities(eu)


def test_a_name_with_an_initial_is_the_name_and_an_acronym_may_be_written_as_a_word() -> None:
    watson = (
        "James D. Watson, DNA pioneer, dies at 97",
        "James D. Watson, co-discoverer of the double helix, dies",
        "Nobel winner James Watson dead at 97",
    )
    assert [n.replace(" D ", " ") for n in named_entities(watson)] == ["James Watson"]
    # a model's letter is no initial: "Ally X" is not "Ally", nor "Z Fold" "Fold"
    ally = ("Asus ROG Xbox Ally X review: a pricey handheld", "ROG Xbox Ally X tested")
    assert named_entities(ally) == ["ROG Xbox Ally X"]
    nasa = ("Jared Isaacman confirmed as Nasa chief", "NASA gets a new boss: Jared Isaacman")
    assert named_entities(nasa) == ["Jared Isaacman", "Nasa"]


def test_one_word_of_another_language_does_not_make_a_name_foreign() -> None:
    assert not is_foreign_phrase("Kim Jong Un", "en")
    assert is_foreign_phrase("North Korea", "fr") and is_foreign_phrase("White House", "fr")
    assert not is_foreign_phrase("Tour de France", "en")


def test_an_acronym_that_is_a_common_noun_is_no_name() -> None:
    assert named_entities(("Intel's CEO quits", "Why the CEO quit, and what comes next")) == []
    assert named_entities(("Voter ID push draws criticism", "Trump to order voter ID rule")) == []
    assert named_entities(("ICE raids in Chicago", "ICE agents detain workers")) == ["ICE"]


def test_a_title_or_a_date_is_no_part_of_a_name() -> None:
    titles = (
        "Former Illinois Gov. Jim Edgar dies at 79",
        "Former two-term Illinois Gov. Jim Edgar, 79, dies",
        "Former Trump lawyer Alina Habba is disqualified; GOP Rep. Nancy Mace reacts",
        "Trump pardons Jan. 6 defendant Alina Habba once represented",
        "Jan. 6 rioter charged again; Ex-Trump aide speaks",
        "Ex-Trump aide speaks about Jan. 6 and Nancy Mace",
    )
    names = named_entities(titles, limit=8)
    assert {"Jim Edgar", "Alina Habba", "Nancy Mace"} <= set(names)
    assert not {n for n in names if {"Former", "Gov", "Rep", "Jan", "Ex-Trump"} & set(n.split())}
    # a name's last word may be a title's: "Amartya Sen"; a code with digits is no shout
    assert named_entities(("Amartya Sen wins prize", "Economist Amartya Sen turns 92")) == [
        "Amartya Sen"
    ]
    assert named_entities(("Polish F-16 crashes at airshow", "F-16 pilot killed in crash")) == [
        "F-16"
    ]


def test_a_word_opening_headlines_before_a_product_is_no_part_of_its_name() -> None:
    """Three headlines opening "First iPhone…" made a name, and `#FirstiPhone`."""
    orders = (
        "First iPhone Air, iPhone 17, and iPhone 17 Pro Orders Now Arriving to Customers",
        "First iPhone 17 and iPhone Air pre-orders now say ‘Shipped’",
        "First iPhone 17 pre-orders now arriving to customers",
        "iPhone 17 demand strong, says Kuo",
    )
    assert named_entities(orders) == ["iPhone Air"]
    # a name that begins with such a word stays whole
    assert named_entities(("First Horizon to merge", "First Horizon shares rise")) == [
        "First Horizon"
    ]


def test_a_holiday_is_named_whole_as_a_headline_writes_it() -> None:
    """A "New" written in lower case in one headline ("a dazzling new ball") cut "New Year's Eve"
    to "Year Eve": `#YearEve`, "Times Square and Year Eve". A possessive is the holiday's."""
    drop = (
        "Who's performing at tonight's Times Square ball drop for New Year's Eve 2026?",
        "Times Square has a dazzling new ball for the New Year’s Eve drop — and it’s the biggest",
    )
    assert named_entities(drop) == ["Times Square", "New Year's Eve"]
    parade = (
        "St. Patrick's Day parade draws crowds in Boston",
        "Boston celebrates St Patrick's Day with a new parade route",
    )
    assert named_entities(parade) == ["St. Patrick's Day", "Boston"]
    # a name that is no holiday's part stays as found, and so does one that a headline names
    # outside the holiday
    assert named_entities(("Year Eve concert announced", "Year Eve tickets on sale")) == [
        "Year Eve"
    ]
    rapper = ("Eve performs at Christmas Eve show", "Rapper Eve returns", "Eve announces tour")
    assert named_entities(rapper) == ["Eve"]


def test_an_occasion_glued_to_a_name_is_two_names() -> None:
    """In "Cyber Monday Apple deals" the shopping day and the brand are two names."""
    deals = (
        "Cyber Monday Apple deals: AirPods and iPads at their lowest price",
        "The best Cyber Monday Apple deals still live",
        "Apple cuts prices for the holidays",
        "Best Cyber Monday iPad deals, by model",
        "Walmart has the iPad at its lowest price",
    )
    names = named_entities(deals)
    assert names == ["Cyber Monday", "Apple", "iPad"], names
    assert not any("Monday Apple" in n or "Monday iPad" in n for n in names)
    friday = (
        "Best Apple Black Friday deals live now: AirPods, MacBooks and more",
        "We're shopping our feelings this Black Friday, and here is why",
        "Apple Black Friday deals on iPads are better than expected",
    )
    assert named_entities(friday) == ["Black Friday", "Apple"]
    assert named_entities(("Good Friday crowds fill the square", "Crowds on Good Friday")) == [
        "Good Friday"
    ]
    # a name that begins with a day stays whole when its rest is no name of its own
    football = (
        "Monday Night Football: Eagles beat the Packers",
        "Eagles win on Monday Night Football again",
    )
    assert "Monday Night Football" in named_entities(football)


def test_a_name_most_headlines_repeat_is_one_even_in_title_case() -> None:
    # "Pokémon" (Zipf 3.8) is too common to be a name by its capital in a Title Case headline,
    # but a story whose headlines keep writing it, never in lower case, is about it.
    titles = [
        "Pokémon Scalpers Set Their Sights On World Championships Merch",
        "Celebrate the 2025 Pokémon World Championships with Pokémon GO",
        "Guide: 2025 Pokémon World Championships - Full Schedule, Live Streams And More",
        "Round Up: Everything Announced At The 2025 Pokémon World Championships Ceremony",
        "Pokemon fans line up for the 2025 World Championships in Anaheim",
        "Gamescom Opening Night Live 2025: Full Schedule And How To Watch",
    ]
    assert named_entities(titles)[0] == "Pokémon World Championships"
    # what Title Case headlines repeat but is a common word ("Release", "Trailer") is not one
    titles = [
        "GTA 6 Release Date Trailer Confirms Fall Window",
        "Rockstar Shares GTA 6 Release Date Trailer",
        "GTA 6 Release Date Trailer Breaks Viewing Records",
    ]
    names = named_entities(titles)
    assert names[0] == "GTA" and not {"Release", "Trailer", "Release Date"} & set(names)


def test_a_title_case_clause_inside_a_sentence_case_headline_proves_no_name() -> None:
    titles = [
        "Battlefield 6's UGC mode is the heart of EA's big live service swing for the series",
        "Battlefield 6 Release Date Confirmed For October, Multiplayer Trailer Shows Chaos",
        "Battlefield 6 Skins Will “Fit the Universe,” Says Producer (Exclusive)",
        "With Call of Duty's Obsession With Goofy Skins Firmly Entrenched, Battlefield 6 Dev "
        "Commits to 'Gritty Realism': 'I don't think it needs Nicki Minaj'",
    ]
    names = named_entities(titles)
    assert names[0] == "Battlefield" and "Skins" not in names


def test_a_repeated_word_proves_nothing_for_the_capitals_after_it_or_only_in_title_case() -> None:
    squid = [f"Squid Game Season 2 {rest}" for rest in ("Trailer Teases", "Cast Revealed")]
    assert "Squid Game Season" not in named_entities(squid)
    # "Shutdown" (Zipf 3.6) repeated, but only ever in Title Case: no sentence says it is a name
    shutdown = [
        "Shutdown Enters Day 20 As Talks Stall",
        "Shutdown Deal Remains Elusive In Senate",
        "Shutdown Hits Federal Workers Hard",
    ]
    assert named_entities(shutdown) == []


def test_the_words_after_a_product_s_number_are_no_name_of_their_own() -> None:
    snapdragon = [
        "Qualcomm reveals its not-so-elite Snapdragon 8 Gen 5",
        "The Snapdragon 8 Gen 5 is a cut-down version of Qualcomm's flagship Elite chipset",
        "Qualcomm’s Snapdragon 8 Gen 5 is an always-listening, flagship-ready chipset",
    ]
    assert set(named_entities(snapdragon)) == {"Snapdragon", "Qualcomm"}  # not "Gen"
    iphone = ["iPhone 17 Pro Max might have a camera edge", "iPhone 17 Pro Max battery tested"]
    assert named_entities(iphone) == ["iPhone"]
    # a common word's number is a count or a game, not a version: the name after it stands
    assert "Netflix" in named_entities(["Top 10 Netflix shows this week", "Netflix hikes prices"])
    assert named_entities(["Dodgers win Game 7 Dodgers fans", "Game 7 Dodgers parade"])[0] == (
        "Dodgers"
    )
    # a date's, a verb's or a quoted word after a number is no product's
    unpacked = ["Galaxy XR headset revealed at Sep 29 Unpacked", "Samsung sets Sep 29 Unpacked"]
    assert "Unpacked" in named_entities(unpacked)
    radeon = ["AMD RDNA 5 “Radeon” GPUs are codenamed", "AMD RDNA 5 “Radeon” cards leak"]
    assert "Radeon" in named_entities(radeon)
    # named on its own elsewhere: a name
    pro = ["iPhone 17 Pro Max tested", "Apple Pro Max owners complain", "Pro Max sells out"]
    assert "Pro Max" in named_entities(pro)


def test_an_elision_with_a_capital_inside_a_clause_is_part_of_the_name() -> None:
    kering = [
        "Gucci owner Kering nears $4 billion sale of beauty unit to L’Oréal",
        "Kering and L’Oréal forge an alliance in beauty",
    ]
    assert named_entities(kering) == ["Kering", "L’Oréal"]
    assert named_entities(["R&B singer D’Angelo dead at 51", "Fans mourn D’Angelo"])[0] == (
        "D’Angelo"
    )
    # a clause's first word, or a lower-case one, is a French elision
    assert named_entities(["L’Élysée dément la rumeur", "Le président quitte l’Élysée"]) == [
        "Élysée"
    ]


def test_a_nationality_is_no_subject() -> None:
    for demonym in ("Venezuelan", "Ukrainians", "pro-Palestinian", "Chinese-owned", "North Korean",
                    "Iranian-born", "Israéliens", "Brazilian"):  # fmt: skip
        assert is_demonym(demonym), demonym
    for name in ("Brazil", "Saudi Arabia", "French Open", "Asian Games", "Georgia", "Kristi Noem",
                 "Polish PM", "American Made", "Argentine", "Suisse"):  # fmt: skip
        assert not is_demonym(name), name  # the last two are countries in French
    # a surname or a team in a sentence-case headline is a name; after "The" it is not
    assert not is_demonym("Cuban", ["Mark Cuban slams the league", "Cuban says it is broken"])
    assert not is_demonym("Indians", ["Fans cheer the Cleveland Indians comeback"])
    assert is_demonym("Venezuelan", ["The Venezuelan government responds"])
    assert is_demonym("Brazilian", ["Inside The Surprise Brazilian Tax That Rattled Earnings"])


def test_a_headline_run_twice_is_one_and_an_acronym_compound_is_no_name() -> None:
    # two publishers' word-for-word Title Case headline: "Stunted" is not named twice
    twice = "Meta Q3 Earnings Stunted by Nearly $16 Billion Tax Charge"
    titles = [twice, twice, "Meta shares drop 12% after a $16 billion tax charge"]
    assert "Stunted" not in named_entities(titles)
    plans = ["Investors doubt colossal AI-spending plans by Meta",
             "Meta and Microsoft sell-offs show doubts over AI-spending plans"]  # fmt: skip
    assert "AI-spending" not in named_entities(plans) and "Meta" in named_entities(plans)


def test_an_owner_is_not_glued_to_what_it_owns_unless_they_are_one_name() -> None:
    """ "China's ByteDance" is China and ByteDance (not #ChinaByteDance) when the story names
    ByteDance alone too; "Assassin's Creed Shadows" and "Sam's Club" stay one name."""
    tiktok = ["China's ByteDance agrees to sell TikTok US to investors",
              "ByteDance confirms TikTok will be sold to US owners"]  # fmt: skip
    assert "ByteDance" in named_entities(tiktok)
    assert not any("China" in n for n in named_entities(tiktok))
    cook = ["Apple's Tim Cook buys Nike shares", "Tim Cook buys $3 million of Nike stock"]
    assert named_entities(cook) == ["Tim Cook", "Nike"]
    game = ["Assassin's Creed Shadows gets a new update", "Assassin's Creed Shadows sells 5M"]
    assert named_entities(game) == ["Assassin Creed Shadows"]
    assert named_entities(["Sam's Club opens new stores", "Sam's Club raises fees"]) == ["Sam Club"]
    assert headline_tokens("McDonald's profits rise") == ["McDonald", "profits", "rise"]
    # a place owns what comes after it, even in a story that never names that alone
    nikkei = named_entities(["Japan's Nikkei hits a record high", "Japan's Nikkei jumps 2%"])
    assert "Nikkei" in nikkei and "Japan Nikkei" not in nikkei
    assert "Kim Jong Un" in named_entities(["North Korea's Kim Jong Un to attend the parade"])
    agt = ["America's Got Talent crowns a winner", "America's Got Talent finale tonight"]
    assert named_entities(agt) == ["America Got Talent"]


def test_an_amount_stands_alone_and_is_no_subject() -> None:
    """ "$1B Powerball jackpot" names Powerball, not "1B Powerball" (#1BPowerball)."""
    jackpot = ["$1B Powerball Is Minting Social Media Gold",
               "Here are the winning numbers for the $1B Powerball jackpot"]  # fmt: skip
    names = named_entities(jackpot)
    assert "Powerball" in names and not any("1B" in n and " " in n for n in names)
    assert is_amount("500M") and is_amount("2.5B") and not is_amount("F1")
    assert not is_amount("PS5")


def test_a_reporting_period_stands_alone_and_is_no_name() -> None:
    """ "Walmart Q3 earnings" names Walmart (no #WalmartQ3, no #Q3); "Audi Q3" is a car."""
    assert named_entities(["Audi Q3 review: the small SUV grows up",
                           "Audi Q3 gets a new interior"]) == ["Audi Q3"]  # fmt: skip
    walmart = ["Walmart Q3 earnings: Sales surge thanks to bargain hunters",
               "Walmart Q3 earnings: Stock surges as sales rise",
               "Walmart bumps up outlook ahead of holidays"]  # fmt: skip
    assert named_entities(walmart) == ["Walmart"]
    assert all(is_amount(p) for p in ("Q3", "H1", "FY2025", "FY26", "3Q25"))
    assert not any(is_amount(n) for n in ("Q5", "G20", "H3", "Q"))


def test_a_ticker_quoted_for_a_named_company_is_not_a_second_name() -> None:
    """ "Nvidia (NVDA)" is one company: a hook would say "Nvidia and NVDA". An acronym that is
    no ticker of a name here stays ("NBA" with "Nebraska")."""
    nvidia = ["Nvidia Shares May Plunge After Results (NASDAQ:NVDA)",
              "Evercore calls NVDA stock a top pick ahead of Nvidia earnings",
              "Nvidia earnings: what to expect from NVDA"]  # fmt: skip
    assert named_entities(nvidia) == ["Nvidia"]
    apple = ["Investors buy Apple (AAPL) after the iPhone event", "Why AAPL stock lags Apple fans"]
    assert "AAPL" not in named_entities(apple)
    teams = ["Nebraska star heads to the NBA draft", "NBA scouts watch Nebraska guard"]
    assert set(named_entities(teams)) == {"Nebraska", "NBA"}


def test_the_streams_usage_tells_a_common_word_from_a_name() -> None:
    """A word the recent stream writes in lower case inside a clause is a word ("crypto"); one
    it always capitalises is a name, even where the story's headlines are all Title Case; a
    Title Case headline proves neither; too few sightings tell nothing."""
    stream = [
        "Senators push a crypto bill before the recess",
        "Why the crypto market slid again this week",
        "Banks warm to crypto custody as rules ease",
        "Chipmaker Nvidia to invest in startups",
        "Investors pile into Nvidia ahead of earnings",
        "Apple and Nvidia lead a rally in tech stocks",
        "Crypto Stocks Fall As Nvidia Rally Fades",  # Title Case: not counted
        "nvidia earnings date",  # a search term, all lower case: not counted either
        "nvidia stock price",
    ]
    usage = Usage.of(stream)
    assert usage.common("Crypto") is True
    assert usage.common("Nvidia") is False
    assert usage.common("Apple") is None  # seen once inside a clause (it opens one)
    assert usage.capital.get("stocks", 0) == 0


def test_a_common_word_that_opens_a_name_in_every_headline_stays_in_it() -> None:
    """ "Home" opens "Home Depot" in every headline, where a clause's start or Title Case
    hides whether it is part of the name: the name is "Home Depot", not "Depot". Title Case
    headlines alone prove nothing."""
    depot = [
        "Home Depot Earnings: CEO Blames Storms, Stock Drops",
        "Home Depot Earnings: Stock Drops After Miss. What's to Blame.",
        "Home Depot cuts earnings outlook as home improvement demand falls short of expectations",
        "Home Depot’s stock sinks as good weather and housing weakness lead to a profit miss",
    ]
    assert named_entities(depot)[:1] == ["Home Depot"]
    # Title Case alone proves nothing: every word has a capital there
    assert named_entities(["Why Nvidia Stock Is Falling Today", "Why Nvidia Stock Jumped"]) == [
        "Nvidia"
    ]


def test_the_streams_usage_tells_a_name_written_after_the() -> None:
    """ "the Fed" in most headlines that name it, an adjective use aside ("Fed rate cut bets"
    says nothing either way); "Nvidia" never after "the"; too few sightings tell nothing."""
    stream = [
        "Markets wait on the Fed as inflation cools",
        "Why the Fed may pause in December",
        "Stocks rise before the Fed decides",
        "Traders lift Fed rate cut bets",
        "Powell says Fed will act",
        "Investors pile into Nvidia ahead of earnings",
        "Chipmaker Nvidia to invest in startups",
        "Why Nvidia is worth $5 trillion",
        "Employees praise the Trump administration plan",
    ]
    usage = Usage.of(stream)
    assert usage.takes_the("Fed") is True  # 3 of 4, "Fed rate" not counted
    assert usage.takes_the("Nvidia") is False
    assert usage.takes_the("Trump") is None  # once, as an adjective
    # "The Fed" opening a clause and "the Fed's" count; "the Gaza Strip" is another name
    opening = Usage.of(
        [
            "The Fed holds rates steady",
            "The Fed signals a pause",
            "Traders see the Fed's rate decision coming",
            "Fed cuts rates",
        ]
    )
    assert opening.takes_the("Fed") is True
    # headlines drop articles: "the Fed" in 2 of 8 uses is a name prose writes with "the"
    terse = Usage.of([*(f"Fed {v} rates" for v in ("holds", "cuts", "eyes", "weighs", "keeps",
                                                    "lifts")), "Trump slams the Fed",
                      "Markets await the Fed"])  # fmt: skip
    assert terse.takes_the("Fed") is True
    once = Usage.of([*(f"Apple {v} a phone" for v in ("sells", "makes", "ships")), "The Apple way"])
    assert once.takes_the("Apple") is False
    strip = Usage.of(["Talks on the Gaza Strip resume", "Aid reaches the Gaza Strip", "Gaza talks"])
    assert strip.takes_the("Gaza") is None
    assert attributive("rate") and attributive("administration")
    assert not attributive("says") and not attributive("in") and not attributive("Powell")


# a stream's sentence-case headlines: how it writes the words a Title Case headline capitalises
_WRITTEN = [
    *(f"Why this {w} threatens to bring more snow and ice to the Northeast" for w in ("storm",
      "front", "system")),
    *(f"Why fans get a new look at Apple phones {w}" for w in ("today", "again", "now")),
    *(f"Flights cut at New Jersey airports as {w} arrives" for w in ("snow", "ice", "a storm")),
    *(f"Airlines add new fees for {w}" for w in ("bags", "seats", "pets")),
    *(f"Congress passes a bill as {n} visits" for n in ("Bill Murray", "Bill Gates", "Bill Nye")),
]  # fmt: skip


def test_a_title_case_headline_is_told_in_sentence_case_as_the_stream_writes_its_words() -> None:
    """A Title Case headline hides which capitals are names; the stream's sentence-case
    headlines tell: a word they write in lower case loses its capital, a name and two words they
    write together as one keep theirs, and so does a clause's first word. A word they have not
    seen enough, or write both ways, or one inside quotes, leaves it untold ("")."""
    usage = Usage.of(_WRITTEN)
    told = sentence_case("Storm Threatens to Bring Snow and Ice to the Northeast", usage)
    assert told == "Storm threatens to bring snow and ice to the Northeast"
    assert sentence_case("Apple Phones: Fans Get a New Look at Apple Phones", usage) == (
        "Apple phones: Fans get a new look at Apple phones"
    )
    assert sentence_case("Why Fans Get Snow in New Jersey", usage) == (
        "Why fans get snow in New Jersey"
    )
    # acronyms, a brand's casing, numbers and initials as written; a contraction is a verb
    assert sentence_case("FDA: iPhone 17 Won't Bring Snow to U.S. Airports", usage) == (
        "FDA: iPhone 17 won't bring snow to U.S. airports"
    )
    assert sentence_case("T-Mobile Fans Get a New Look", usage) == "T-Mobile fans get a new look"
    # a number's word is a word: "3-Year" is told as "year" is written
    years = Usage.of([*_WRITTEN, *(["Why a new year"] * 3)])
    assert sentence_case("Fans Get a 3-Year Look", years) == "Fans get a 3-year look"
    assert sentence_case("Congress Passes the Bill", usage) == ""  # "Bill": written both ways
    assert sentence_case("Storm Brings Flurries to the Northeast", usage) == ""  # never seen
    assert sentence_case("Storm Brings ‘Snow and Ice’ to the Northeast", usage) == ""  # a quote
    assert sentence_case("Storm Brings Snow", Usage()) == ""  # no stream: no guess
    assert sentence_case("STORM BRINGS SNOW TO THE NORTHEAST", usage) == ""  # all capitals


def test_sentence_case_keeps_names_dates_and_abbreviations_and_asks_the_story() -> None:
    """A name of several words the story names keeps its capitals where the title writes it
    whole; a one-word "name" proves nothing (Title Case makes verbs look like names). A date
    keeps its capital ("in May"), a modal does not ("May Resume"); an abbreviation's full stop
    opens no clause ("Dept. Says"). A word the stream has not told is written as the story's
    own sentence-case headlines write it, twice and one way only."""
    usage = Usage.of(_WRITTEN)
    castle = "Storm Threatens Snow at Ice Castle"
    assert sentence_case(castle, usage, ["Ice Castle"]) == "Storm threatens snow at Ice Castle"
    assert sentence_case(castle, usage) == ""  # "Castle": unseen
    assert sentence_case(castle, usage, ["Castle", "Threatens"]) == ""  # one word proves nothing
    may = Usage.of([*_WRITTEN, *(f"Why fans may get {w}" for w in ("snow", "ice", "more"))])
    assert sentence_case("Why Fans Get Snow in May", may) == "Why fans get snow in May"
    assert sentence_case("Why Fans May Get Snow", may) == "Why fans may get snow"
    dept = Usage.of([*_WRITTEN, *(f"Justice Dept. says {w}" for w in ("no", "yes", "maybe")),
                     *(f"Officials say {w}" for w in ("no", "yes", "maybe"))])  # fmt: skip
    assert sentence_case("Fans Say Justice Dept. Gets Snow", dept) == (
        "Fans say Justice Dept. gets snow"  # "Justice" names what "Dept." abbreviates
    )
    plans = Usage.of([*_WRITTEN, *(f"Why fans get a plan {w}" for w in ("now", "today", "again"))])
    assert sentence_case("Why Fans Get Plan A", plans) == "Why fans get plan A"  # no article
    # a title before a name is no abbreviation of it: "hits St. Louis", not "Hits St. Louis"
    saint = Usage.of(
        [*_WRITTEN, *(f"Why snow hits St. Louis {w}" for w in ("now", "today", "again"))]
    )
    assert sentence_case("Snow Hits St. Louis", saint) == "Snow hits St. Louis"
    # a name of several words keeps its capitals where it stands whole, before a comma too
    assert sentence_case("Snow at Ice Castle, Fans Get Snow", usage, ["Ice Castle"]) == (
        "Snow at Ice Castle, fans get snow"
    )
    flurries = Usage.of(["Storm to bring flurries to the Northeast", "Snow and flurries expected"])
    assert sentence_case("Storm Brings Flurries to the Northeast", usage, story=flurries) == (
        "Storm brings flurries to the Northeast"  # "Brings" as the stream writes "bring"
    )
    once = Usage.of(["Storm to bring flurries to the Northeast"])
    assert sentence_case("Storm Brings Flurries to the Northeast", usage, story=once) == ""
    # "US" is no "us"; a title before a name is no pair ("Prime Minister Starmer")
    us = Usage.of(["Why the US and the UK agree", "Deal lets US firms in", "What US voters want"])
    assert us.capital.get("us", 0) == 0
    titles = Usage.of([f"Talks as Prime Minister Starmer {v}" for v in ("visits", "calls")])
    assert "prime minister" not in titles.pairs and titles.pairs.get("minister starmer") == 2


def test_a_work_s_two_halves_are_one_title() -> None:
    spinal = [
        "'Spinal Tap II: The End Continues' Review: A Fun-Enough Sequel",
        "How Paul McCartney and Elton John begged to be in ‘Spinal Tap’ sequel",
        "‘Spinal Tap II: The End Continues’ Review: They Can’t Leave This Behind",
    ]
    assert one_title("Spinal Tap", "End Continues", spinal) == "Spinal Tap II: The End Continues"
    halo = [
        "Halo: Campaign Evolved doesn't feature PvP multiplayer",
        "Halo: Campaign Evolved is a gorgeous remake",
    ]
    assert one_title("Campaign Evolved", "Halo", halo) == "Halo: Campaign Evolved"
    # once, unquoted: a man and what he said, or a work named once
    assert one_title("Trump", "Fed", ["Trump: Fed must cut rates", "Fed holds rates"]) == ""
    assert one_title("Trump", "Fed", ["Trump: Fed must cut rates", "Trump: Fed is slow"]) == ""
    assert one_title("Halo", "Campaign Evolved", halo[:1]) == ""
