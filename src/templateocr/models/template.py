"""Template definitions: the areas a user draws once on a sample page.

The definition is our own JSON format (API.md section 3.1), written in CLOVA's words
(``boundingPoly.vertices``, ``valueType``). The same model is read from the management API,
stored in the database and exported by the CLI, so it has exactly one shape.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from templateocr.geometry import Quad, is_convex, quad_from_points, quad_inside, quads_hull

__all__ = [
    "BoundingPoly",
    "CheckboxSpec",
    "CombineSpec",
    "FieldSpec",
    "FieldType",
    "Lang",
    "SampleSpec",
    "TemplateCreate",
    "TemplateDefinition",
    "TitleSpec",
    "ValidationRule",
    "ValidationSpec",
    "ValueType",
    "Vertex",
    "parse_langs",
]

_FIELD_REF = re.compile(r"\{([^{}]+)\}")


class Lang(StrEnum):
    """The languages templateocr reads."""

    KO = "ko"
    JA = "ja"
    ZH_TW = "zh-TW"
    EN = "en"


def parse_langs(value: str) -> list[Lang]:
    """Parse CLOVA's ``lang`` (``"ko"`` or ``"ko, ja"``) into known languages, in order.

    Raises ``ValueError`` naming the unknown entry.
    """
    langs: list[Lang] = []
    for part in value.split(","):
        name = part.strip()
        if not name:
            continue
        try:
            lang = Lang(name)
        except ValueError:
            raise ValueError(f"unknown language {name!r}; use ko, ja, zh-TW or en") from None
        if lang not in langs:
            langs.append(lang)
    if not langs:
        raise ValueError("lang is empty")
    return langs


class FieldType(StrEnum):
    """How a field is read."""

    NORMAL = "NORMAL"
    CHECKBOX = "CHECKBOX"
    MULTI_BOX = "MULTI_BOX"


class ValueType(StrEnum):
    """What a field may contain."""

    ALL = "ALL"
    NUMERIC = "NUMERIC"


class _Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True, frozen=True, extra="forbid")


class Vertex(_Model):
    """A point in pixel coordinates."""

    x: float
    y: float


class BoundingPoly(_Model):
    """A convex quadrilateral, clockwise from top-left, as CLOVA writes areas."""

    vertices: list[Vertex] = Field(min_length=4, max_length=4)

    @model_validator(mode="after")
    def _convex(self) -> BoundingPoly:
        if not is_convex(self.quad):
            raise ValueError("area must be a convex quadrilateral with four distinct corners")
        return self

    @property
    def quad(self) -> Quad:
        """The corners as a ``(4, 2)`` float array."""
        return quad_from_points([(v.x, v.y) for v in self.vertices])

    @classmethod
    def from_quad(cls, quad: Quad) -> BoundingPoly:
        """Build from a ``(4, 2)`` array."""
        return cls(vertices=[Vertex(x=float(x), y=float(y)) for x, y in np.asarray(quad)])


class CheckboxSpec(_Model):
    """The texts a checkbox field answers for each state."""

    checked_text: str = Field(default="V", alias="checkedText", max_length=200)
    unchecked_text: str = Field(default="", alias="uncheckedText", max_length=200)


class FieldSpec(_Model):
    """One field of a template."""

    name: str = Field(min_length=1, max_length=200)
    type: FieldType = FieldType.NORMAL
    value_type: ValueType = Field(default=ValueType.ALL, alias="valueType")
    bounding_poly: BoundingPoly | None = Field(default=None, alias="boundingPoly")
    boxes: list[BoundingPoly] | None = Field(default=None, max_length=200)
    checkbox: CheckboxSpec | None = None
    separators: str = Field(default="", max_length=20)

    @model_validator(mode="after")
    def _shape_fits_type(self) -> FieldSpec:
        if self.type is FieldType.MULTI_BOX:
            if not self.boxes:
                raise ValueError(f"field {self.name!r}: a MULTI_BOX field needs 'boxes'")
        elif self.bounding_poly is None:
            raise ValueError(f"field {self.name!r}: a {self.type.value} field needs 'boundingPoly'")
        if self.type is not FieldType.MULTI_BOX and self.boxes:
            raise ValueError(f"field {self.name!r}: only MULTI_BOX fields have 'boxes'")
        if self.checkbox is not None and self.type is not FieldType.CHECKBOX:
            raise ValueError(f"field {self.name!r}: only CHECKBOX fields have 'checkbox'")
        return self

    @property
    def area(self) -> Quad:
        """The whole field's area (for MULTI_BOX, the hull of its boxes)."""
        if self.type is FieldType.MULTI_BOX:
            assert self.boxes
            return quads_hull([box.quad for box in self.boxes])
        assert self.bounding_poly is not None
        return self.bounding_poly.quad

    @property
    def checkbox_texts(self) -> CheckboxSpec:
        """The checkbox texts, defaulted when the definition gives none."""
        return self.checkbox or CheckboxSpec()


class TitleSpec(_Model):
    """The title area: printed text that names the form."""

    name: str = Field(min_length=1, max_length=200)
    bounding_poly: BoundingPoly = Field(alias="boundingPoly")


class CombineSpec(_Model):
    """A text built from several fields: ``{Field name}`` is replaced by that field's text."""

    name: str = Field(min_length=1, max_length=200)
    format: str = Field(min_length=1, max_length=2000)

    @property
    def field_names(self) -> list[str]:
        """The field names the format refers to."""
        return _FIELD_REF.findall(self.format)


class ValidationRule(_Model):
    """A local check of one field's text."""

    field: str
    pattern: str | None = Field(default=None, max_length=1000)
    check: Literal["kr-business-number"] | None = None
    message: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _one_check(self) -> ValidationRule:
        if (self.pattern is None) == (self.check is None):
            raise ValueError(f"rule on {self.field!r}: give exactly one of 'pattern' or 'check'")
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"rule on {self.field!r}: bad pattern: {exc}") from None
        return self


class ValidationSpec(_Model):
    """Local rules and an optional external validator URL."""

    url: str | None = Field(default=None, max_length=2000)
    rules: list[ValidationRule] = Field(default_factory=list, max_length=200)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("validation url must start with http:// or https://")
        return value


class TemplateDefinition(_Model):
    """Everything about a template except its sample image."""

    name: str = Field(min_length=1, max_length=200)
    lang: Lang = Lang.KO
    title: TitleSpec | None = None
    fields: list[FieldSpec] = Field(min_length=1, max_length=500)
    combine: CombineSpec | None = None
    validation: ValidationSpec | None = None

    @model_validator(mode="after")
    def _consistent(self) -> TemplateDefinition:
        names = [field.name for field in self.fields]
        seen: set[str] = set()
        for name in names:
            if name in seen:
                raise ValueError(f"duplicate field name {name!r}")
            seen.add(name)
        if self.combine is not None:
            for ref in self.combine.field_names:
                if ref not in seen:
                    raise ValueError(f"combine refers to unknown field {ref!r}")
        if self.validation is not None:
            for rule in self.validation.rules:
                if rule.field not in seen:
                    raise ValueError(f"validation rule refers to unknown field {rule.field!r}")
        return self

    def field(self, name: str) -> FieldSpec:
        """The field with that name."""
        for field in self.fields:
            if field.name == name:
                return field
        raise KeyError(name)

    def check_inside(self, width: int, height: int) -> None:
        """Raise ``ValueError`` naming the first area that is not inside a ``width`` x ``height`` sample."""
        if self.title is not None and not quad_inside(self.title.bounding_poly.quad, width, height):
            raise ValueError(f"title area lies outside the {width}x{height} sample")
        for field in self.fields:
            quads = [box.quad for box in field.boxes] if field.boxes else [field.area]
            for quad in quads:
                if not quad_inside(quad, width, height):
                    raise ValueError(f"field {field.name!r}: area lies outside the {width}x{height} sample")

    def to_json(self) -> dict[str, Any]:
        """The definition as API.md writes it (camelCase, no nulls)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class SampleSpec(_Model):
    """The sample page image of a template, base64 encoded."""

    format: str = Field(min_length=1, max_length=10)
    data: str = Field(min_length=1)
    page_index: int = Field(default=0, ge=0, alias="pageIndex")


class TemplateCreate(TemplateDefinition):
    """A definition with its sample, as ``POST /api/v1/templates`` takes it."""

    sample: SampleSpec | None = None

    def definition(self) -> TemplateDefinition:
        """The definition without the sample."""
        return TemplateDefinition.model_validate(self.model_dump(by_alias=True, exclude={"sample"}))
