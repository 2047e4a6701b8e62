"""Per-stage timing: recorded only inside ``collect()``, per context, engines named."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from templateocr.engines.base import ReadOptions, RecognizedWord
from templateocr.pipeline.timing import collect, current, stage, timed, timed_reader


@dataclass
class _Engine:
    name: str


class _Reader:
    def __init__(self) -> None:
        self.reads = 0

    def engine_for(self, lang: str, options: ReadOptions) -> _Engine:
        return _Engine(f"fake-{lang}")

    def read(self, image: Any, lang: str, options: ReadOptions) -> list[RecognizedWord]:
        self.reads += 1
        time.sleep(0.002)
        return []


def test_stages_recorded_only_while_collecting() -> None:
    with stage("outside"):
        pass
    assert current() is None
    reader = _Reader()
    assert timed_reader(reader) is reader
    with collect() as times:
        with stage("decode"):
            time.sleep(0.003)
        doubled = timed("double", lambda x: 2 * x)
        assert doubled(4) == 8 and doubled(1) == 2
        wrapped = timed_reader(reader)
        wrapped.read(np.zeros((4, 4, 3), np.uint8), "ja", ReadOptions())
        wrapped.read(np.zeros((4, 4, 3), np.uint8), "ja", ReadOptions())
        try:
            with stage("fails"):
                raise ValueError("boom")
        except ValueError:
            pass
    assert current() is None
    recorded = times.as_dict()
    assert list(recorded) == ["decode", "double", "engine:fake-ja", "fails"]
    assert recorded["decode"]["ms"] >= 3.0 and recorded["decode"]["calls"] == 1
    assert recorded["double"]["calls"] == 2
    assert recorded["engine:fake-ja"]["calls"] == 2 and recorded["engine:fake-ja"]["ms"] >= 4.0
    assert recorded["decode"]["cpu_ms"] < recorded["decode"]["ms"]  # sleeping uses no CPU
    assert reader.reads == 2


def test_threads_keep_their_own_collectors() -> None:
    seen: dict[str, list[str]] = {}

    def work(name: str) -> None:
        with collect() as times, stage(name):
            time.sleep(0.001)
        seen[name] = list(times.seconds)

    threads = [threading.Thread(target=work, args=(f"t{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {"t0": ["t0"], "t1": ["t1"], "t2": ["t2"]}
