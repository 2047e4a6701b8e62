"""Work done once per template version, not per request: decode the sample, find its features.

``TemplateCache`` keeps a bounded number of prepared versions in the process, keyed by
``(id, version)``; a new version is a new key, so nothing is ever stale.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from templateocr.models.page import Image
from templateocr.models.records import TemplateRecord
from templateocr.pipeline.decode import load_sample
from templateocr.pipeline.features import Features, extract_features

__all__ = ["PreparedTemplate", "TemplateCache", "prepare_template"]


@dataclass(frozen=True, eq=False)
class PreparedTemplate:
    """A template version ready to be matched and read."""

    record: TemplateRecord
    sample: Image
    features: Features


def prepare_template(record: TemplateRecord, sample_png: bytes) -> PreparedTemplate:
    """Decode the sample and compute what matching needs."""
    sample = load_sample(sample_png, "png")
    # Field areas hold the sample's own values when a user drew a filled-in copy: only the
    # printed form around them says which form a page is and where it lies.
    ignore = [field.area for field in record.definition.fields]
    return PreparedTemplate(record=record, sample=sample, features=extract_features(sample, ignore=ignore))


class TemplateCache:
    """Prepared template versions, at most ``capacity`` of them, least recently used out first."""

    def __init__(self, capacity: int = 256) -> None:
        self._capacity = capacity
        self._items: OrderedDict[tuple[int, int], PreparedTemplate] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, record: TemplateRecord, load_png: Callable[[], bytes]) -> PreparedTemplate:
        """The prepared version of ``record``, preparing it on first use."""
        key = (record.id, record.version)
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        prepared = prepare_template(record, load_png())
        with self._lock:
            self._items[key] = prepared
            self._items.move_to_end(key)
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)
        return prepared

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
