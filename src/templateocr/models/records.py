"""Stored things as the rest of the program sees them: templates and domains.

The store (``store/``) returns these frozen records; nothing outside the store sees SQL rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from templateocr.models.template import TemplateDefinition

__all__ = ["DomainRecord", "TemplateRecord"]


@dataclass(frozen=True)
class TemplateRecord:
    """One version of a template, without its sample bytes (``store.get_sample`` has those)."""

    id: int
    version: int
    definition: TemplateDefinition
    sample_width: int
    sample_height: int
    created_at: datetime
    updated_at: datetime

    @property
    def name(self) -> str:
        """The template's name."""
        return self.definition.name


@dataclass(frozen=True)
class DomainRecord:
    """A domain: what a client calls with an invoke URL and a secret.

    ``releases`` maps each released template id to the version that was released.
    """

    id: int
    name: str
    lang: str
    secret: str
    invoke_key: str
    created_at: datetime
    releases: dict[int, int] = field(default_factory=dict)
