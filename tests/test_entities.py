from __future__ import annotations

from trendbot.entities import is_common_word, named_entities


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
