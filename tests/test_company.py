from datetime import UTC, datetime, timedelta

from trendbot.brandfit import judged_stories
from trendbot.entities import is_occasion, named_entities
from trendbot.safety import bad_company
from trendbot.settings import parse_settings
from trendbot.store import Store
from trendbot.types import Item

POLITICS = "politics and elections: 'mayor' in 'Mayor …'"


def test_a_name_mostly_in_blocked_stories_is_bad_company() -> None:
    judged = [
        (1, ["Zohran Mamdani", "New York"], POLITICS),
        (2, ["Mamdani"], POLITICS),
        (3, ["Zohran Mamdani", "Wall Street"], None),
    ]
    why = bad_company(9, ["Zohran Mamdani", "Wall Street"], judged)
    assert why == (
        "Zohran Mamdani: 2 of the 3 stories naming it this week were blocked"
        " (politics and elections)"
    )
    # the story itself is not its own company
    assert bad_company(1, ["Zohran Mamdani"], judged[:2]) == ""


def test_a_name_mostly_in_harmless_stories_is_not() -> None:
    judged = [(n, ["Apple"], POLITICS if n < 2 else None) for n in range(6)]
    assert bad_company(9, ["Apple", "iPhone"], judged) == ""  # 2 of 6 blocked
    assert bad_company(9, ["Apple"], judged[:1]) == ""  # one blocked story is not a pattern
    # word for word: "Swift" is in "Taylor Swift", "Tay" is not
    assert bad_company(9, ["Swift"], [(1, ["Taylor Swift"], POLITICS)] * 2) != ""
    assert bad_company(9, ["Tay"], [(1, ["Taylor Swift"], POLITICS)] * 2) == ""


def test_holidays_and_shopping_days_are_occasions() -> None:
    for name in (
        "Thanksgiving",
        "Black Friday",
        "New Year’s Eve",
        "Noël",
        "Fête des mères",
        "Valentines Day",
        "Veterans' Day",
        "St. Patrick's Day",
        "Saint-Valentin",
    ):
        assert is_occasion(name), name
    for name in ("Doris Day", "Election Day", "Trump", "Christmas Tree Shops"):
        assert not is_occasion(name), name


def test_the_week_s_judged_stories_come_with_the_names_of_their_headlines(database: str) -> None:
    now = datetime(2025, 11, 5, 12, tzinfo=UTC)
    brand = parse_settings(
        {"brand": {"name": "B", "themes": [{"name": "t", "description": "x"}]}}
    ).brand
    headlines = {
        1: ["Zohran Mamdani wins the New York mayoral race", "Mamdani's victory speech"],
        2: [
            "Mamdani names his transition team before Thanksgiving",
            "What Mamdani's win means for Thanksgiving tables",
        ],
        3: ["Zohran Mamdani rings the Wall Street bell"],
    }
    with Store(database) as store:
        store.ensure_feed("a")
        for story_id, titles in headlines.items():
            items = [
                Item("a", f"{story_id}-{n}", f"https://x/{story_id}/{n}", t, "", now, now)
                for n, t in enumerate(titles)
            ]
            store.save_items("a", items)
            store.execute(
                "INSERT INTO stories (id, model, label, first_seen, last_seen)"
                " VALUES (?, 'm', ?, ?, ?)",
                [story_id, titles[0], now.isoformat(), now.isoformat()],
            )
            for it in items:
                store.execute(
                    "INSERT INTO story_items (item_id, model, story_id, similarity)"
                    " VALUES (?, 'm', ?, 1)",
                    [it.id, story_id],
                )
        store.hold(1, "blocked", POLITICS, now=now, brand="B")
        store.hold(2, "blocked", POLITICS, now=now, brand="B")
        store.hold(3, "weak_fit", "Only loosely about 't'.", now=now, brand="B")
        judged = judged_stories(store, brand, now=now + timedelta(hours=1))
    assert {story_id: detail for story_id, _, detail in judged} == {
        1: POLITICS,
        2: POLITICS,
        3: None,
    }
    assert all(any("Mamdani" in n for n in names) for _, names, _ in judged)
    # a holiday is a name (a hashtag) that every story of its week names: it keeps no company
    assert "Thanksgiving" in named_entities(headlines[2])
    assert not any("Thanksgiving" in n for _, names, _ in judged for n in names)
    # two of three stories naming him were blocked: a fourth one is held for a person
    assert "Mamdani" in bad_company(4, ["Zohran Mamdani"], judged)


def test_a_state_or_a_region_keeps_no_company() -> None:
    """Where a story happens is not who is in it: a Minnesota snowstorm was held because two of
    the week's three stories naming Minnesota were blocked (a shooting, a trial)."""
    from trendbot.brandfit import _names
    from trendbot.entities import is_region

    snow = (
        "Winter storm watch: heavy snow potential for southern Minnesota",
        "Minnesota braces for heavy snow ahead of Thanksgiving travel",
        "Snow totals climb across the Midwest as the storm moves east",
    )
    assert "Minnesota" in named_entities(snow)
    assert "Minnesota" not in _names(snow)
    assert all(is_region(n) for n in ("Lower Michigan", "the Midwest", "South Florida"))
    assert is_region("South Dakota") and not is_region("Tesla") and not is_region("Chicago")
