"""What the server builds once at start and every request shares."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from templateocr.engines.registry import EngineSet
from templateocr.exceptions import RateLimitedError
from templateocr.pipeline.decode import DecodeLimits
from templateocr.pipeline.prepare import TemplateCache
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

    def __post_init__(self) -> None:
        self.limiter = DomainLimiter(self.settings.domain_concurrency)

    def decode_limits(self) -> DecodeLimits:
        """The image limits the settings ask for."""
        settings = self.settings
        return DecodeLimits(
            max_bytes=settings.max_image_bytes,
            max_pixels=settings.max_pixels,
            max_pages=settings.max_pages,
            pdf_dpi=settings.pdf_dpi,
        )
