"""What the server builds once at start and every request shares.

Nothing a client can change is cached across requests here: every request reads its domain
and the domain's releases from the store (two indexed queries), so a template created or
released through one server process is served by every other process on its next request.
``templates`` caches only prepared template *versions*, keyed by ``(id, version)``; a version
never changes once stored and ids are never reused, so that cache can never serve stale data.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from templateocr.api.compute import ComputePool
from templateocr.engines.registry import EngineSet
from templateocr.exceptions import RateLimitedError
from templateocr.models.records import TemplateRecord
from templateocr.pipeline.decode import DecodeLimits
from templateocr.pipeline.prepare import PreparedTemplate, TemplateCache
from templateocr.settings import Settings
from templateocr.store.base import TemplateStore

__all__ = ["DomainLimiter", "Runtime"]


class DomainLimiter:
    """At most ``cap`` requests in flight per domain; one more is refused with ``0025``."""

    def __init__(self, cap: int) -> None:
        self._cap = cap
        self._counts: dict[int, int] = {}
        self._lock = threading.Lock()

    @contextmanager
    def slot(self, domain_id: int) -> Iterator[None]:
        """Hold one of the domain's slots for the duration of the block."""
        with self._lock:
            count = self._counts.get(domain_id, 0)
            if count >= self._cap:
                raise RateLimitedError(f"at most {self._cap} requests at once for domain {domain_id}")
            self._counts[domain_id] = count + 1
        try:
            yield
        finally:
            with self._lock:
                self._counts[domain_id] -= 1


@dataclass
class Runtime:
    """The store, engines and caches of one server process."""

    settings: Settings
    store: TemplateStore
    engines: EngineSet
    admin_token_hash: str
    templates: TemplateCache = field(default_factory=TemplateCache)
    limiter: DomainLimiter = field(init=False)
    compute: ComputePool | None = None
    """Worker processes that read pages (``None``: pages are read in this process's threads)."""
    engines_ready: bool = False
    """True once the app's start-up has built (and, when asked, warmed up) the engines."""
    pipeline_warm: bool = False
    """True once :meth:`warm_pipeline` has read a page in this process."""

    def __post_init__(self) -> None:
        self.limiter = DomainLimiter(self.settings.domain_concurrency)

    def prepared(self, record: TemplateRecord) -> PreparedTemplate:
        """The prepared version of ``record`` (sample decoded, its features), from the cache."""
        return self.templates.get(record, lambda: self.store.get_sample(record.id, record.version))

    def prepare_released(self) -> int:
        """Prepare every template version released to a domain (at start, so that no request
        pays for it); returns how many versions that is."""
        versions = {
            (record.id, record.version): record
            for domain in self.store.list_domains()
            for record in self.store.released_templates(domain.id)
        }
        for record in versions.values():
            self.prepared(record)
        return len(versions)

    def warm_pipeline(self, records: Sequence[TemplateRecord] | None = None) -> bool:
        """Read one template's own sample as a page (the first of ``records``, else of the
        released versions), once per process, so that the first request finds every stage's
        code loaded; False when there is none to read or it was done already."""
        from templateocr.models.page import Page
        from templateocr.pipeline.run import RunOptions, process_page

        if self.pipeline_warm:
            return False
        if records is None:
            records = [r for d in self.store.list_domains() for r in self.store.released_templates(d.id)][:1]
        if not records:
            return False
        prepared = self.prepared(records[0])
        process_page(Page(prepared.sample), [prepared], self.engines, RunOptions())
        self.pipeline_warm = True
        return True

    def decode_limits(self) -> DecodeLimits:
        """The image limits the settings ask for."""
        settings = self.settings
        return DecodeLimits(
            max_bytes=settings.max_image_bytes,
            max_pixels=settings.max_pixels,
            max_pages=settings.max_pages,
            pdf_dpi=settings.pdf_dpi,
        )
