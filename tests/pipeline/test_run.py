from __future__ import annotations

from templateocr.models.template import Lang
from templateocr.pipeline.run import choose_lang


def test_reading_language() -> None:
    assert choose_lang(None, Lang.JA) is Lang.JA
    assert choose_lang([Lang.KO, Lang.JA], Lang.JA) is Lang.JA
    assert choose_lang([Lang.EN], Lang.KO) is Lang.EN
