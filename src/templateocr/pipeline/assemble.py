"""Putting a page's readings together: combine text, then validation."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from templateocr.models.result import (
    CombineResult,
    FieldResult,
    InferStatus,
    PageInfo,
    PageResult,
    ValidationOutcome,
    ValidationStatus,
)
from templateocr.models.template import CombineSpec, TemplateDefinition
from templateocr.pipeline.validate import ExternalValidator, validate_values

__all__ = ["assemble_page", "combine_text"]

_FIELD_REF = re.compile(r"\{([^{}]+)\}")


def combine_text(spec: CombineSpec, fields: Sequence[FieldResult]) -> CombineResult:
    """The combine's format with each ``{Field name}`` replaced by that field's text."""
    texts = {field.name: field.text for field in fields}
    text = _FIELD_REF.sub(lambda m: texts.get(m.group(1), m.group(0)), spec.format)
    return CombineResult(name=spec.name, text=text)


def assemble_page(
    info: PageInfo,
    template_id: int,
    definition: TemplateDefinition,
    title: FieldResult | None,
    fields: Sequence[FieldResult],
    *,
    payload: Callable[[PageResult], dict[str, Any]],
    validator: ExternalValidator,
) -> PageResult:
    """A SUCCESS page result, with combine and validation filled in."""
    spec = definition.validation
    pending = spec is not None and (bool(spec.rules) or spec.url is not None)
    result = PageResult(
        status=InferStatus.SUCCESS,
        message="SUCCESS",
        page=info,
        template_id=template_id,
        template_name=definition.name,
        title=title,
        fields=tuple(fields),
        combine=combine_text(definition.combine, fields) if definition.combine else None,
        validation=ValidationOutcome(
            ValidationStatus.UNCHECKED if pending else ValidationStatus.NO_REQUESTED
        ),
    )
    if not pending:
        return result
    outcome = validate_values(spec, {f.name: f.text for f in fields}, lambda: payload(result), validator)
    return replace(result, validation=outcome)
