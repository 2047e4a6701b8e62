from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from templateocr.engines.base import Image, ReadOptions, RecognizedWord
from templateocr.engines.fallback import ScriptFallbackEngine
from templateocr.engines.lines import is_hangul


@dataclass
class Scripted:
    name: str
    words: list[RecognizedWord]
    calls: list[ReadOptions] = field(default_factory=list)

    def read(self, image: Image, options: ReadOptions) -> list[RecognizedWord]:
        self.calls.append(options)
        return self.words


def _word(text: str, confidence: float) -> RecognizedWord:
    return RecognizedWord(text, confidence, (0, 0, 10, 10), True)


CROP = np.zeros((10, 10, 3), np.uint8)


def test_hangul_reading_is_kept_without_a_second_read() -> None:
    primary = Scripted("kor", [_word("홍길동", 0.9)])
    secondary = Scripted("rapid", [_word("xx", 0.99)])
    engine = ScriptFallbackEngine(primary, secondary, is_hangul, "ko")
    assert engine.read(CROP, ReadOptions())[0].text == "홍길동"
    assert secondary.calls == []


def test_latin_crop_is_read_by_the_second_engine() -> None:
    primary = Scripted("kor", [_word("542.01101@2070", 0.95)])
    secondary = Scripted("rapid", [_word("sua.choi@mail.example.kr", 0.97)])
    engine = ScriptFallbackEngine(primary, secondary, is_hangul, "ko")
    assert engine.read(CROP, ReadOptions())[0].text == "sua.choi@mail.example.kr"


def test_unsure_second_reading_and_empty_crops_keep_the_first() -> None:
    primary = Scripted("kor", [_word("ABC", 0.6)])
    engine = ScriptFallbackEngine(primary, Scripted("rapid", [_word("A8C", 0.3)]), is_hangul, "ko")
    assert engine.read(CROP, ReadOptions())[0].text == "ABC"
    empty = ScriptFallbackEngine(Scripted("kor", []), Scripted("rapid", [_word("x", 1.0)]), is_hangul, "ko")
    assert empty.read(CROP, ReadOptions()) == []
