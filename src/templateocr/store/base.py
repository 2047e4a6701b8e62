"""What the rest of the program may ask of storage.

``store/sql.py`` implements it with SQLAlchemy (SQLite by default, PostgreSQL by URL). Every
method is one transaction: it either stores all of its change or nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from templateocr.models.records import DomainRecord, TemplateRecord
from templateocr.models.template import TemplateDefinition

__all__ = ["TemplateStore"]


class TemplateStore(Protocol):
    """Templates (with versions and sample images), domains, releases, and a few settings."""

    # templates -------------------------------------------------------------------------
    def create_template(
        self, definition: TemplateDefinition, sample_png: bytes, width: int, height: int
    ) -> TemplateRecord:
        """Store a new template as version 1."""
        ...

    def replace_template(
        self,
        template_id: int,
        definition: TemplateDefinition,
        sample_png: bytes | None,
        width: int,
        height: int,
    ) -> TemplateRecord:
        """Store a new version; ``sample_png`` None keeps the previous sample."""
        ...

    def get_template(self, template_id: int, version: int | None = None) -> TemplateRecord:
        """One version (the newest by default). Raises ``NotFoundError``."""
        ...

    def list_templates(self) -> list[TemplateRecord]:
        """The newest version of every template, by id."""
        ...

    def delete_template(self, template_id: int) -> None:
        """Delete a template and withdraw it from every domain. Raises ``NotFoundError``."""
        ...

    def get_sample(self, template_id: int, version: int | None = None) -> bytes:
        """The sample image of a version, as PNG bytes. Raises ``NotFoundError``."""
        ...

    # domains ---------------------------------------------------------------------------
    def get_domain(self, domain_id: int) -> DomainRecord:
        """One domain with its releases. Raises ``NotFoundError``."""
        ...

    def list_domains(self) -> list[DomainRecord]:
        """Every domain, by id."""
        ...

    def create_domain(self, name: str, lang: str, secret: str | None = None) -> DomainRecord:
        """A new domain with a fresh invoke key (and a fresh secret unless one is given)."""
        ...

    def ensure_default_domain(self, lang: str, secret: str | None) -> DomainRecord:
        """Create domain 1 if it is missing; set its secret when ``secret`` is given."""
        ...

    def rotate_secret(self, domain_id: int) -> DomainRecord:
        """Give the domain a fresh secret."""
        ...

    def release(self, domain_id: int, template_ids: Sequence[int]) -> DomainRecord:
        """Put the newest version of each template into service for the domain."""
        ...

    def withdraw(self, domain_id: int, template_id: int) -> DomainRecord:
        """Take a template out of service for the domain. Raises ``NotFoundError``."""
        ...

    def released_templates(self, domain_id: int) -> list[TemplateRecord]:
        """The released version of each template released to the domain, by template id."""
        ...

    # settings --------------------------------------------------------------------------
    def get_setting(self, key: str) -> str | None:
        """A stored setting (for example the admin token's hash)."""
        ...

    # health ----------------------------------------------------------------------------
    def ping(self) -> None:
        """Raise unless the database answers a trivial query (for ``/readyz``)."""
        ...

    def set_setting(self, key: str, value: str) -> None:
        """Store a setting."""
        ...
