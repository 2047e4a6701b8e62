"""Training texts: reproducible from a seed, every kind writable with the charset."""

from __future__ import annotations

from templateocr.training.charset import HANGUL, encode, normalize_text
from templateocr.training.texts import _WORDS, KINDS, TextSampler


def test_same_seed_same_texts_other_seed_other_texts() -> None:
    first, second, other = TextSampler(5), TextSampler(5), TextSampler(6)
    drawn = [first.sample() for _ in range(50)]
    assert drawn == [second.sample() for _ in range(50)]
    assert drawn != [other.sample() for _ in range(50)]


def test_every_kind_gives_encodable_nonempty_text() -> None:
    sampler = TextSampler(1)
    for kind in KINDS:
        for _ in range(40):
            text = normalize_text(sampler.of_kind(kind))
            assert text, kind
            encode(text)


def test_random_syllables_reach_the_whole_of_ks_x_1001() -> None:
    sampler = TextSampler(2)
    seen: set[str] = set()
    for _ in range(6000):
        seen.update(c for c in sampler.of_kind("ko_random") if c in HANGUL)
    assert len(seen) > 0.97 * len(HANGUL)


def test_vocabulary_words_get_syllables_with_other_vowels() -> None:
    sampler = TextSampler(3)
    words = [sampler.of_kind("ko_free") for _ in range(400)]
    swapped = {w for line in words for w in line.split()} - set(_WORDS)
    assert swapped, "no word was swapped"
    assert sampler._other_vowel("해") != "해"
    # same initial and final consonant, another vowel: 해 (ㅎ+ㅐ) -> 하, 헤, 호, ...
    seen = {sampler._other_vowel("해") for _ in range(200)}
    assert "헤" in seen and all((ord(s) - 0xAC00) // 588 == (ord("해") - 0xAC00) // 588 for s in seen)
    assert all(s in HANGUL for s in seen)
