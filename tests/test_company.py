from trendbot.safety import bad_company

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
