"""Reading several crops at once gives what reading each alone gives, with one model call."""

from __future__ import annotations

from engine_crops import render

from templateocr.engines.base import ReadOptions, read_many
from templateocr.engines.registry import EngineSet


def _texts(words_per_crop: list[list]) -> list[str]:  # type: ignore[type-arg]
    return [" ".join(w.text for w in words) for words in words_per_crop]


def test_rapid_batch_equals_one_by_one(engines: EngineSet) -> None:
    crops = [
        render("Invoice 2024-118"),
        render(["221 Baker St", "London"]),
        render("Emily Johnson", box=True),
    ]
    jobs = [(c.image, ReadOptions(multiline=len(c.lines) > 1)) for c in crops]
    rapid = engines.engine("rapid")
    one_by_one = [rapid.read(image, options) for image, options in jobs]
    batched = read_many(rapid, jobs)
    assert _texts(batched) == _texts(one_by_one)
    assert [[w.box for w in words] for words in batched] == [[w.box for w in words] for words in one_by_one]
    assert _texts(batched)[0] == "Invoice 2024-118"


def test_engine_set_routes_each_crop_and_keeps_the_order(engines: EngineSet) -> None:
    crops = [render("12345", "en"), render("山田 太郎", "ja"), render("Smith", "en")]
    jobs = [(crops[0].image, ReadOptions(numeric=True)), (crops[2].image, ReadOptions())]
    assert _texts(engines.read_many(jobs, "en")) == ["12345", "Smith"]
    assert _texts(engines.read_many([(crops[1].image, ReadOptions())], "ja")) == ["山田 太郎"]
    assert engines.read_many([], "ko") == []


def test_single_characters_read_narrow_in_the_same_call(engines: EngineSet) -> None:
    """MULTI_BOX boxes (``single_char``) go through a narrower input than lines; mixed in one
    batch, each crop still gets its own reading, in order."""
    boxes = [render(c, "en", box=True) for c in "7K3"]
    lines = [render("Invoice 2024-118"), render("Emily Johnson")]
    jobs = [
        (lines[0].image, ReadOptions()),
        *[(b.image, ReadOptions(single_char=True)) for b in boxes],
        (lines[1].image, ReadOptions()),
    ]
    assert _texts(read_many(engines.engine("rapid"), jobs)) == [
        "Invoice 2024-118",
        "7",
        "K",
        "3",
        "Emily Johnson",
    ]
