"""The recognizer's charset: KS X 1001's syllables, ASCII, form symbols; folding and encoding."""

from __future__ import annotations

import pytest

from templateocr.engines.jamo import split_syllables
from templateocr.training.charset import CHARSET, HANGUL, decode_labels, encode, normalize_text, tokens


def test_hangul_is_the_2350_syllables_of_ks_x_1001() -> None:
    assert len(HANGUL) == 2350
    assert HANGUL[0] == "가" and HANGUL[-1] == "힝"
    assert "똠" not in HANGUL  # a syllable outside KS X 1001
    assert all(len(c.encode("euc-kr")) == 2 for c in HANGUL)


def test_charset_has_no_duplicates_and_holds_ascii() -> None:
    assert len(set(CHARSET)) == len(CHARSET)
    assert all(chr(c) in CHARSET for c in range(0x20, 0x7F))


def test_encode_decode_round_trip_and_folding() -> None:
    text = "김민준 010-1234-5678 ₩12,000 ㈜한빛"
    assert decode_labels(encode(text)) == text
    assert normalize_text("Ａ１　－ｂ  c") == "A1 -b c"
    assert decode_labels(encode("ｓ–ｓ")) == "s-s"


def test_encode_refuses_characters_outside_the_set() -> None:
    with pytest.raises(KeyError):
        encode("똠")


def test_the_jamo_alphabet_spells_hangul_in_67_classes_and_reads_it_back() -> None:
    jamo = tokens("jamo")
    assert len(set(jamo)) == len(jamo) == len(CHARSET) - len(HANGUL) + 67
    text = "김민준 010-1234-5678 ₩12,000 ㈜한빛 쇠뻠대로"
    ids = encode(text, "jamo")
    assert len(ids) == len(text) + sum(len(split_syllables(c)) - 1 for c in text) > len(text)
    assert decode_labels(ids, "jamo") == text
    assert decode_labels(encode(HANGUL, "jamo"), "jamo") == HANGUL
    assert encode("A", "jamo") == encode("A")  # one class per character outside Hangul


def test_the_jamo_alphabet_refuses_what_the_charset_does_not_hold() -> None:
    with pytest.raises(KeyError):
        encode("똠", "jamo")  # a syllable jamo could spell, but outside KS X 1001
    with pytest.raises(ValueError, match="unknown alphabet"):
        tokens("braille")
