"""In-process measurements for ``bench/speed.py``: the test pages, full-page OCR (no template),
the recognition floor (field crops already cut out), and the per-stage profile of one request.
"""

from __future__ import annotations

import base64
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from templateocr.engines.base import ReadOptions
from templateocr.engines.registry import EngineSet
from templateocr.geometry import apply_homography, bbox_of
from templateocr.models.template import FieldType, ValueType
from templateocr.pipeline.crop import cut_out
from templateocr.pipeline.decode import decode_image
from templateocr.synth import SyntheticForm, build_form, fill_form, sample_values, to_jpeg, warp_photo

LANGS = ("ko", "ja", "zh-TW", "en")
MULTILINE_HEIGHT = 80.0  # as pipeline/recognize.py


@dataclass(frozen=True)
class TestPage:
    """One filled, photographed form page as a JPEG, with the truth to place its areas."""

    lang: str
    form: SyntheticForm
    values: dict[str, Any]
    jpeg: bytes
    homography: np.ndarray

    @property
    def b64(self) -> str:
        return base64.b64encode(self.jpeg).decode("ascii")


def make_page(lang: str, seed: int = 7) -> TestPage:
    """A4 at 150 dpi (1240 x 1754), filled, photographed (perspective, light, blur), JPEG q=85."""
    form = build_form(lang, "application")
    values = sample_values(form, seed=seed)
    filled = fill_form(form, values, seed=seed)
    photo = warp_photo(filled, seed=seed + 14, max_rotation=4.0, max_perspective=0.04, background=False)
    return TestPage(lang, form, values, to_jpeg(photo.image, quality=85), photo.homography)


def _median_ms(samples: list[float]) -> float:
    return 1000.0 * statistics.median(samples)


def _timed(function: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    """Median wall ms and median process CPU ms of ``runs`` calls, and the last call's value."""
    walls, cpus, value = [], [], None
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        value = function()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return _median_ms(walls), _median_ms(cpus), value


# --- (b) full-page detection + recognition, words assigned to the areas ---------------------


class FullPageReader:
    """PP-OCRv6 small detection on the whole page, then each line read by the same engine routes."""

    def __init__(self, engines: EngineSet) -> None:
        import rapidocr
        from rapidocr import RapidOCR

        models = f"{rapidocr.__path__[0]}/models"
        self.detector: Any = RapidOCR(
            params={
                "Global.use_det": True,
                "Global.use_cls": False,
                "Global.use_rec": False,
                "Global.log_level": "warning",
                "Det.model_path": f"{models}/PP-OCRv6_det_small.onnx",
                "Det.limit_type": "max",
                "Det.limit_side_len": 960,
                "EngineConfig.onnxruntime.intra_op_num_threads": 1,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            }
        )
        self.engines = engines

    def read(self, page: TestPage) -> dict[str, str]:
        """Decode, detect, read every line, assign each to the field area holding its centre."""
        (decoded,) = decode_image(page.jpeg, "jpg")
        image = decoded.image
        boxes = self.detector(image).boxes
        areas = {
            f.name: bbox_of(apply_homography(page.homography, f.area))
            for f in page.form.definition.fields
            if f.type is not FieldType.CHECKBOX
        }
        texts: dict[str, list[str]] = {name: [] for name in areas}
        lines: list[tuple[float, float]] = []
        jobs: list[tuple[np.ndarray, ReadOptions]] = []
        for quad in [] if boxes is None else boxes:
            left, top = np.floor(quad.min(axis=0)).astype(int)
            right, bottom = np.ceil(quad.max(axis=0)).astype(int)
            crop = image[max(0, top) : bottom, max(0, left) : right]
            if crop.size == 0:
                continue
            jobs.append((crop, ReadOptions()))
            lines.append(((left + right) / 2, (top + bottom) / 2))
        # every detected line read in one batch, as the pipeline reads a page's fields
        for (cx, cy), words in zip(lines, self.engines.read_many(jobs, page.lang), strict=True):
            for name, (x0, y0, x1, y1) in areas.items():
                if x0 <= cx <= x1 and y0 <= cy <= y1:
                    texts[name].append("".join(w.text for w in words))
        return {name: " ".join(parts) for name, parts in texts.items()}


def full_page_ms(reader: FullPageReader, page: TestPage, runs: int) -> dict[str, float]:
    """Median wall and CPU ms of (b) over ``runs`` after one warm-up, and the fields read exactly."""
    reader.read(page)
    wall, cpu, got = _timed(lambda: reader.read(page), runs)
    exact = sum(
        1
        for name, text in got.items()
        if isinstance(page.values.get(name), str)
        and text.replace(" ", "") == str(page.values[name]).replace(" ", "")
    )
    return {"ms": wall, "cpu_ms": cpu, "exact_fields": float(exact)}


# --- (c) the floor: recognition alone of the field crops, already cut out -------------------


def floor_ms(engines: EngineSet, page: TestPage, runs: int) -> dict[str, float]:
    """Median ms to read the title and every text field's crop (cut with the true homography)."""
    (decoded,) = decode_image(page.jpeg, "jpg")
    definition = page.form.definition
    crops: list[tuple[np.ndarray, ReadOptions]] = []
    if definition.title is not None:
        area = definition.title.bounding_poly.quad
        crops.append((cut_out(decoded.image, page.homography, area).image, ReadOptions()))
    for spec in definition.fields:
        if spec.type is FieldType.CHECKBOX:
            continue
        area = spec.area
        tall = bbox_of(area)[3] - bbox_of(area)[1] > MULTILINE_HEIGHT
        options = ReadOptions(multiline=tall, numeric=spec.value_type is ValueType.NUMERIC)
        crops.append((cut_out(decoded.image, page.homography, area).image, options))

    def read_all() -> None:
        # in one batch per engine, the cheapest way the engines read a page's crops
        engines.read_many(crops, page.lang)

    read_all()  # warm
    wall, cpu, _ = _timed(read_all, runs)
    return {"ms": wall, "cpu_ms": cpu, "crops": float(len(crops))}


# --- the profile of one request -------------------------------------------------------------


@contextmanager
def _patched(module: Any, name: str, label: str) -> Iterator[None]:
    from templateocr.pipeline.timing import timed

    original = getattr(module, name)
    setattr(module, name, timed(label, original))
    try:
        yield
    finally:
        setattr(module, name, original)


def profile_request(execute_once: Callable[[], Any], runs: int = 3) -> dict[str, Any]:
    """Stage times of one in-process request (the median run of ``runs``, after one warm-up).

    Patches finer stages than ``pipeline/run.py`` records (decode, screening, full alignment,
    crop, dropout, checkbox, response building) for the duration of the measurement only.
    """
    import templateocr.api.inference as inference
    import templateocr.pipeline.classify as classify
    import templateocr.pipeline.recognize as recognize
    from templateocr.pipeline.timing import collect

    patches = [
        (inference, "decode_image", "decode"),
        (inference, "response_to_wire", "response_building"),
        (classify, "screen", "classify.screening"),
        (classify, "align_screened", "classify.alignment"),
        (classify, "improve", "classify.improve"),
        (recognize, "cut_out", "crop"),
        (recognize, "added_to", "dropout"),
        (recognize, "decide_checkbox", "checkbox"),
    ]
    execute_once()
    profiles = []
    with ExitStack() as stack:
        for module, name, label in patches:
            stack.enter_context(_patched(module, name, label))
        for _ in range(runs):
            with collect() as times:
                start, cpu = time.perf_counter(), time.process_time()
                execute_once()
                total, cpu = time.perf_counter() - start, time.process_time() - cpu
            profiles.append((cpu, total, times.as_dict()))
    profiles.sort(key=lambda item: item[0])
    cpu, total, stages = profiles[len(profiles) // 2]
    return {"total_ms": 1000.0 * total, "total_cpu_ms": 1000.0 * cpu, "stages": stages}
