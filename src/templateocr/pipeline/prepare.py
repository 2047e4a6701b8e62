"""Work done once per template version, not per request: decode the sample, find its features
and what matching needs beyond them (``align.prepare_sample``), and cut out the blank form's ink
in every area (at the usual crop scale; other scales on first use).

``TemplateCache`` keeps a bounded number of prepared versions in the process, keyed by
``(id, version)``; a new version is a new key, so nothing is ever stale.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from templateocr.geometry import Quad
from templateocr.models.page import Image
from templateocr.models.records import TemplateRecord
from templateocr.models.template import FieldType
from templateocr.pipeline.align import prepare_sample
from templateocr.pipeline.crop import cut_out, reach_area
from templateocr.pipeline.decode import load_sample
from templateocr.pipeline.dropout import Mask, ink_mask
from templateocr.pipeline.features import Features, extract_features

__all__ = ["PreparedTemplate", "TemplateCache", "prepare_template"]

_MAX_INKS = 512


@dataclass(frozen=True, eq=False)
class PreparedTemplate:
    """A template version ready to be matched and read."""

    record: TemplateRecord
    sample: Image
    features: Features
    _inks: dict[tuple[bytes, float], Mask] = field(default_factory=dict, repr=False)

    def sample_ink(self, area: Quad, scale: float) -> Mask:
        """The blank sample's ink in ``area`` cut out at ``scale`` (as ``crop.cut_out`` cuts pages).

        Kept per (area, scale); a page photographed at an unusual resolution may add scales, so
        at most ``_MAX_INKS`` are kept (then they are cut per request).
        """
        key = (np.asarray(area, dtype=np.float64).tobytes(), float(scale))
        found = self._inks.get(key)
        if found is None:
            found = ink_mask(cut_out(self.sample, np.eye(3), area, scale=scale).image)
            found.setflags(write=False)
            if len(self._inks) < _MAX_INKS:
                self._inks[key] = found
        return found


def prepare_template(record: TemplateRecord, sample_png: bytes) -> PreparedTemplate:
    """Decode the sample and compute what matching needs."""
    sample = load_sample(sample_png, "png")
    # Field areas hold the sample's own values when a user drew a filled-in copy: only the
    # printed form around them says which form a page is and where it lies.
    ignore = [spec.area for spec in record.definition.fields]
    prepared = PreparedTemplate(
        record=record, sample=sample, features=extract_features(sample, ignore=ignore)
    )
    prepare_sample(prepared.features)  # what matching needs beyond the features (align.py)
    for area in _dropout_areas(record):  # the usual crop scale: a page at the sample's resolution
        prepared.sample_ink(area, 1.0)
    return prepared


def _dropout_areas(record: TemplateRecord) -> list[Quad]:
    areas: list[Quad] = []
    for spec in record.definition.fields:
        if spec.boxes:
            areas.extend(box.quad for box in spec.boxes)
        elif spec.type is FieldType.CHECKBOX:
            areas.append(spec.area)
        else:
            areas.append(reach_area(spec.area)[0])
    return areas


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
