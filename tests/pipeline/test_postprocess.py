from __future__ import annotations

from templateocr.engines.base import RecognizedWord
from templateocr.pipeline.postprocess import (
    balance_brackets,
    digits_in_numbers,
    filter_numeric,
    filter_numeric_box,
    join_words,
    mean_confidence,
    normalize_text,
    without_stray_marks,
)


def test_numeric_keeps_digits_and_allowed_separators() -> None:
    assert filter_numeric("Tel: 010-1234-5678", "") == "01012345678"
    assert filter_numeric("010-1234-5678", "-") == "010-1234-5678"
    assert filter_numeric("１２３", "") == "123"


def test_numeric_reads_a_period_as_the_comma_the_field_allows() -> None:
    """The comma's tail lost (it crossed the underline the value sat on): still a comma."""
    assert filter_numeric("46.817", ",") == "46,817"
    assert filter_numeric("2023,06.21", "-.") == "2023.06.21"
    assert filter_numeric("1,234.50", ",.") == "1,234.50"  # both allowed: as read
    assert filter_numeric("46.817", "") == "46817"


def test_numeric_reads_lookalike_letters_only_among_digits() -> None:
    assert filter_numeric("2O24.l2.O1", ".") == "2024.12.01"
    assert filter_numeric("OIL", "") == ""
    assert filter_numeric("28C", "") == "280"  # a handwritten open 0
    assert filter_numeric("Call 12", "") == "12"


def test_a_comb_box_holding_one_lookalike_letter_holds_that_digit() -> None:
    """A handwritten 0 alone in its box, read as the letter O or C (nothing beside it to tell)."""
    assert filter_numeric_box("O", "") == "0"
    assert filter_numeric_box("l", "") == "1"
    assert filter_numeric_box("C", "") == "0"  # an open handwritten 0
    assert filter_numeric_box("7", "") == "7"
    assert filter_numeric_box("X", "") == ""
    assert filter_numeric_box("Tel", "") == ""


def test_join_words_uses_line_breaks() -> None:
    words = [
        RecognizedWord("Seoul", 0.9, (0, 0, 1, 1)),
        RecognizedWord("Korea", 0.8, (0, 0, 1, 1), line_break=True),
        RecognizedWord("04524", 0.7, (0, 0, 1, 1), line_break=True),
    ]
    assert join_words(words) == "Seoul Korea\n04524"


def test_mean_confidence_and_normalize() -> None:
    assert mean_confidence([]) == 0.0
    assert abs(mean_confidence([0.5, 1.0]) - 0.75) < 1e-9
    assert normalize_text("  ＡＢＣ　") == "ABC"


def test_brackets_that_enclose_nothing_or_have_no_partner_go() -> None:
    """A seal's ring cut by the area's edge reads as brackets beside the value."""
    assert balance_brackets(["김민준", "()"]) == ["김민준", ""]
    assert balance_brackets(["大同資訊()"]) == ["大同資訊"]
    assert balance_brackets(["조현우", "("]) == ["조현우", ""]
    assert balance_brackets(["2-1-1)"]) == ["2-1-1"]
    assert balance_brackets(["Redwood", "LLC", "(ok"]) == ["Redwood", "LLC", "ok"]


def test_a_values_own_brackets_stay() -> None:
    assert balance_brackets(["(주)한빛테크"]) == ["(주)한빛테크"]
    assert balance_brackets(["(316)", "555-8301"]) == ["(316)", "555-8301"]
    assert balance_brackets(["미래건설(주)", ")"]) == ["미래건설(주)", ""]
    assert balance_brackets(["(across", "words)"]) == ["(across", "words)"]


def test_letters_a_digit_is_misread_as_are_digits_in_a_number_field_and_nowhere_else() -> None:
    assert digits_in_numbers(["(47C)", "555-164C"]) == ["(470)", "555-1640"]
    assert digits_in_numbers(["C8/09/1996"]) == ["08/09/1996"]
    assert digits_in_numbers(["010-2l28-0703"]) == ["010-2128-0703"]
    assert digits_in_numbers(["Apt", "4C"]) == ["Apt", "4C"]  # words: letters stay
    assert digits_in_numbers(["Suite 10C, 221-555"]) == ["Suite 10C, 221-555"]
    assert digits_in_numbers(["AB123456"]) == ["AB123456"]  # an id with other letters
    assert digits_in_numbers(["12C"]) == ["12C"]  # too few digits to be sure it is a number
    assert digits_in_numbers(["C0C-555-CC12"]) == ["C0C-555-CC12"]  # more letters than a misread


def test_a_speck_read_as_punctuation_at_either_end_of_a_value_goes_and_the_values_own_stay() -> None:
    assert without_stray_marks(["02-935-3842-"]) == ["02-935-3842"]
    assert without_stray_marks(["897,699,"]) == ["897,699"]
    assert without_stray_marks(["-1995-01-13"]) == ["1995-01-13"]
    assert without_stray_marks(["--2023.09.25"]) == ["2023.09.25"]
    assert without_stray_marks(["2025-04-26."]) == ["2025-04-26"]
    assert without_stray_marks(["a.b@example.com."]) == ["a.b@example.com"]
    assert without_stray_marks(["", "Acme", "Corp.", ""]) == ["", "Acme", "Corp.", ""]
    assert without_stray_marks(["2024.", "11.", "24."]) == ["2024.", "11.", "24."]  # Korean dates
    assert without_stray_marks(["2024.11.24."]) == ["2024.11.24."]  # its separator: maybe its own
    assert without_stray_marks(["-1,500"]) == ["-1,500"]  # a negative amount
    assert without_stray_marks(["OR."]) == ["OR."]  # an abbreviation may end a value
