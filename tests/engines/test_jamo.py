"""Hangul spelled as jamo and read back: every modern syllable survives the round trip; jamo that
make no syllable are dropped; a syllable sits where its jamo were read, as sure as the least."""

from __future__ import annotations

import unicodedata

from templateocr.engines.jamo import JAMO, LEADS, TAILS, VOWELS, join_jamo, split_syllables


def _join(tokens: str) -> str:
    return join_jamo(tokens, [float(i) for i in range(len(tokens))], [1.0] * len(tokens))[0]


def test_the_blocks_are_unicode_conjoining_jamo() -> None:
    assert (len(LEADS), len(VOWELS), len(TAILS), len(JAMO)) == (19, 21, 27, 67)
    assert len(set(JAMO)) == 67
    assert all(unicodedata.name(c).startswith("HANGUL CHOSEONG") for c in LEADS)
    assert all(unicodedata.name(c).startswith("HANGUL JUNGSEONG") for c in VOWELS)
    assert all(unicodedata.name(c).startswith("HANGUL JONGSEONG") for c in TAILS)


def test_every_syllable_splits_as_unicode_decomposes_it_and_joins_back() -> None:
    syllables = "".join(chr(c) for c in range(0xAC00, 0xD7A4))
    spelled = split_syllables(syllables)
    assert spelled == unicodedata.normalize("NFD", syllables)
    assert _join(spelled) == syllables


def test_other_characters_pass_through() -> None:
    text = "김민준 010-1234 ₩12,000 ㈜한빛 A.B"
    assert split_syllables("A-1 ㈜₩") == "A-1 ㈜₩"
    assert _join(split_syllables(text)) == text


def test_jamo_that_make_no_syllable_are_dropped() -> None:
    ga, gak = split_syllables("가"), split_syllables("각")
    lead, vowel, tail = gak
    assert _join(lead + "A") == "A"  # a lead without its vowel
    assert _join(vowel + tail + ga) == "가"  # a vowel and a tail on their own
    assert _join(ga + tail + tail) == "각"  # the second tail belongs to nothing
    assert _join(lead) == ""


def test_a_syllable_is_placed_at_its_jamo_and_as_sure_as_the_least() -> None:
    tokens = "A" + split_syllables("한") + split_syllables("가")
    assert len(tokens) == 6
    text, where, sure = join_jamo(tokens, [0, 10, 12, 14, 20, 22], [0.9, 0.8, 0.5, 0.7, 0.99, 0.95])
    assert text == "A한가"
    assert where == [0, 12.0, 21.0]
    assert sure == [0.9, 0.5, 0.95]
