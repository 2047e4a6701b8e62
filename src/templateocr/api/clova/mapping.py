"""The only mapping from page results to CLOVA's wire JSON, V1 and V2.

V2 writes areas as ``boundingPoly.vertices``; V1 writes ``bounding {top, left, width, height}``
and leaves out ``convertedImageInfo``, ``valueType``, ``type`` and ``subFields``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from typing import Any

import numpy as np

from templateocr.geometry import Quad, bbox_of
from templateocr.models.result import FieldResult, InferStatus, PageResult, WordResult
from templateocr.models.template import FieldType

__all__ = ["page_to_wire", "response_to_wire"]

Json = dict[str, Any]


def _num(value: float) -> float:
    return round(float(value), 3)


def _poly(quad: Quad) -> Json:
    return {"vertices": [{"x": _num(x), "y": _num(y)} for x, y in np.asarray(quad)]}


def _bounding(quad: Quad) -> Json:
    left, top, right, bottom = bbox_of(quad)
    return {"top": _num(top), "left": _num(left), "width": _num(right - left), "height": _num(bottom - top)}


def _area(quad: Quad, version: str) -> Json:
    return {"boundingPoly": _poly(quad)} if version == "V2" else {"bounding": _bounding(quad)}


def _sub_field(word: WordResult) -> Json:
    return {
        "boundingPoly": _poly(word.quad),
        "inferText": word.text,
        "inferConfidence": round(word.confidence, 4),
        "lineBreak": word.line_break,
    }


def _field(result: FieldResult, version: str) -> Json:
    out: Json = {"name": result.name}
    if version == "V2":
        out["valueType"] = result.value_type.value
    out.update(_area(result.quad, version))
    out["inferText"] = result.text
    out["inferConfidence"] = round(result.confidence, 4)
    if version == "V2":
        out["type"] = result.type.value
        out["subFields"] = [_sub_field(word) for word in result.words]
    if result.type is FieldType.CHECKBOX:
        out["checked"] = bool(result.checked)
    return out


def _title(result: FieldResult, version: str) -> Json:
    out: Json = {"name": result.name}
    out.update(_area(result.quad, version))
    out["inferText"] = result.text
    out["inferConfidence"] = round(result.confidence, 4)
    if version == "V2":
        out["subFields"] = [_sub_field(word) for word in result.words]
    return out


def page_to_wire(result: PageResult, name: str, version: str, uid: str | None = None) -> Json:
    """One ``images[]`` entry."""
    out: Json = {
        "uid": uid or uuid.uuid4().hex,
        "name": name,
        "inferResult": result.status.value,
        "message": result.message,
    }
    if result.status is InferStatus.SUCCESS and result.template_id is not None:
        out["matchedTemplate"] = {"id": result.template_id, "name": result.template_name}
    validation: Json = {"result": result.validation.status.value}
    if result.validation.message:
        validation["message"] = result.validation.message
    out["validationResult"] = validation
    if version == "V2":
        out["convertedImageInfo"] = {
            "width": result.page.width,
            "height": result.page.height,
            "pageIndex": result.page.page_index,
            "longImage": result.page.long_image,
        }
    if result.status is not InferStatus.SUCCESS:
        return out
    if result.combine is not None:
        out["combineResult"] = {"name": result.combine.name, "text": result.combine.text}
    out["fields"] = [_field(field, version) for field in result.fields]
    if result.title is not None:
        out["title"] = _title(result.title, version)
    if result.alignment is not None:
        # Our extension (CLOVA clients ignore unknown keys): how well the page was aligned.
        out["alignment"] = {
            "score": round(result.alignment.score, 4),
            "reprojectionErrorPx": round(result.alignment.reprojection_error_px, 3),
            "inliers": result.alignment.inliers,
        }
    return out


def response_to_wire(
    version: str, request_id: str, name: str, results: Sequence[PageResult], *, timestamp: int | None = None
) -> Json:
    """The whole response body."""
    uid = uuid.uuid4().hex
    return {
        "version": version,
        "requestId": request_id,
        "timestamp": timestamp if timestamp is not None else int(time.time() * 1000),
        "images": [
            page_to_wire(result, name, version, uid if len(results) == 1 else f"{uid}-{i}")
            for i, result in enumerate(results)
        ],
    }
