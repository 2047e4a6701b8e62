from __future__ import annotations

from templateocr.api.clova.mapping import page_to_wire, response_to_wire
from templateocr.geometry import rect_quad
from templateocr.models.result import (
    CombineResult,
    FieldResult,
    InferStatus,
    PageInfo,
    PageResult,
    ValidationOutcome,
    ValidationStatus,
    WordResult,
)
from templateocr.models.template import FieldType, ValueType


def _page() -> PageResult:
    words = (
        WordResult("Hong", 0.9, rect_quad(10, 10, 50, 30), False),
        WordResult("Gildong", 0.7, rect_quad(55, 10, 120, 30), True),
    )
    name = FieldResult(
        "Name", FieldType.NORMAL, ValueType.ALL, rect_quad(10, 10, 120, 30), "Hong Gildong", 0.8, words
    )
    box = FieldResult(
        "Agree",
        FieldType.CHECKBOX,
        ValueType.ALL,
        rect_quad(5, 50, 25, 70),
        "V",
        0.95,
        (WordResult("V", 0.95, rect_quad(5, 50, 25, 70), True),),
        checked=True,
    )
    title = FieldResult("Form", FieldType.NORMAL, ValueType.ALL, rect_quad(0, 0, 100, 8), "Form", 0.99, ())
    return PageResult(
        InferStatus.SUCCESS,
        "SUCCESS",
        PageInfo(640, 480, 0, False),
        template_id=3,
        template_name="Form",
        title=title,
        fields=(name, box),
        combine=CombineResult("All", "Hong Gildong V"),
        validation=ValidationOutcome(ValidationStatus.VALID),
    )


def test_v2_shape() -> None:
    wire = page_to_wire(_page(), "scan", "V2", "uid-1")
    assert list(wire)[:7] == [
        "uid",
        "name",
        "inferResult",
        "message",
        "matchedTemplate",
        "validationResult",
        "convertedImageInfo",
    ]
    assert wire["matchedTemplate"] == {"id": 3, "name": "Form"}
    assert wire["convertedImageInfo"] == {"width": 640, "height": 480, "pageIndex": 0, "longImage": False}
    assert wire["combineResult"] == {"name": "All", "text": "Hong Gildong V"}
    name, box = wire["fields"]
    assert name["valueType"] == "ALL" and name["type"] == "NORMAL"
    assert name["boundingPoly"]["vertices"][2] == {"x": 120.0, "y": 30.0}
    assert [s["lineBreak"] for s in name["subFields"]] == [False, True]
    assert box["checked"] is True and box["type"] == "CHECKBOX"
    assert wire["title"]["inferText"] == "Form" and "subFields" in wire["title"]


def test_v1_shape() -> None:
    wire = page_to_wire(_page(), "scan", "V1", "uid-1")
    assert "convertedImageInfo" not in wire
    name = wire["fields"][0]
    assert name["bounding"] == {"top": 10.0, "left": 10.0, "width": 110.0, "height": 20.0}
    for key in ("boundingPoly", "valueType", "type", "subFields"):
        assert key not in name
    assert "subFields" not in wire["title"] and "bounding" in wire["title"]


def test_failure_and_response_envelope() -> None:
    failed = PageResult(InferStatus.FAILURE, "NOT_FOUND: not found matched template", PageInfo(10, 10))
    body = response_to_wire("V1", "req", "hello", [failed], timestamp=5)
    assert body["version"] == "V1" and body["requestId"] == "req" and body["timestamp"] == 5
    image = body["images"][0]
    assert image["inferResult"] == "FAILURE"
    assert image["message"] == "NOT_FOUND: not found matched template"
    assert image["validationResult"] == {"result": "NO_REQUESTED"}
    assert "matchedTemplate" not in image and "fields" not in image
