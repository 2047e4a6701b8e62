"""A page to read: one raster of a request's image, PDF page or TIFF frame."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["Image", "Page"]

Image = NDArray[np.uint8]
"""An RGB ``uint8`` array of shape ``(H, W, 3)``."""


@dataclass(frozen=True, eq=False)
class Page:
    """One page raster. ``index`` is its page number in the request's file, from 0."""

    image: Image
    index: int = 0

    @property
    def width(self) -> int:
        """Width in pixels."""
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        """Height in pixels."""
        return int(self.image.shape[0])
