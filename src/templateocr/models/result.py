"""What the pipeline finds on a page, before it is written in CLOVA's wire shape.

These are plain frozen dataclasses in page pixel coordinates; ``api/clova/mapping.py`` is the
only place that turns them into V1 or V2 JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from templateocr.geometry import Quad
from templateocr.models.template import FieldType, ValueType

__all__ = [
    "AlignmentInfo",
    "CombineResult",
    "FieldResult",
    "InferStatus",
    "PageInfo",
    "PageResult",
    "ValidationOutcome",
    "ValidationStatus",
    "WordResult",
]


class InferStatus(StrEnum):
    """CLOVA's ``inferResult``."""

    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    ERROR = "ERROR"


class ValidationStatus(StrEnum):
    """CLOVA's ``validationResult.result``."""

    NO_REQUESTED = "NO_REQUESTED"
    UNCHECKED = "UNCHECKED"
    ERROR = "ERROR"
    VALID = "VALID"
    INVALID = "INVALID"


@dataclass(frozen=True)
class PageInfo:
    """The page raster that a page's coordinates refer to (``convertedImageInfo``)."""

    width: int
    height: int
    page_index: int = 0
    long_image: bool = False


@dataclass(frozen=True)
class WordResult:
    """One recognized word (a CLOVA ``subField``), its box in page pixels."""

    text: str
    confidence: float
    quad: Quad
    line_break: bool


@dataclass(frozen=True)
class FieldResult:
    """One field (or the title) as read on a page."""

    name: str
    type: FieldType
    value_type: ValueType
    quad: Quad
    text: str
    confidence: float
    words: tuple[WordResult, ...] = ()
    checked: bool | None = None


@dataclass(frozen=True)
class CombineResult:
    """A combine's name and its filled-in text."""

    name: str
    text: str


@dataclass(frozen=True)
class ValidationOutcome:
    """The result of the template's validation."""

    status: ValidationStatus
    message: str | None = None


@dataclass(frozen=True)
class AlignmentInfo:
    """How well a page was aligned to its template's sample (an extension CLOVA clients ignore).

    ``score``: share of the sample's print found where the alignment puts it (0..1);
    ``reprojection_error_px``: RMS distance in sample pixels between that print and where the
    alignment puts it; ``inliers``: feature matches consistent with the alignment.
    """

    score: float
    reprojection_error_px: float
    inliers: int


@dataclass(frozen=True)
class PageResult:
    """Everything one page of a request produced."""

    status: InferStatus
    message: str
    page: PageInfo
    template_id: int | None = None
    template_name: str | None = None
    title: FieldResult | None = None
    fields: tuple[FieldResult, ...] = ()
    combine: CombineResult | None = None
    validation: ValidationOutcome = field(
        default_factory=lambda: ValidationOutcome(ValidationStatus.NO_REQUESTED)
    )
    alignment: AlignmentInfo | None = None
