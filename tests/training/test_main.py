"""The training command line: ``evaluate`` reads with the shipped pair by default, with the
models and weights given otherwise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from templateocr.engines.crnn_model import MODEL_PATH, SHIPPED_MODELS
from templateocr.training.__main__ import DEFAULT_MODELS, main

ROOT = Path(__file__).resolve().parents[2]


def test_the_default_models_are_the_shipped_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert [(path.resolve(), weight) for path, weight in DEFAULT_MODELS] == list(SHIPPED_MODELS)


def test_evaluate_reads_with_the_shipped_pair_by_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(ROOT)
    pair = tmp_path / "pair.json"
    assert main(["evaluate", "--lines", "1", "--json", str(pair)]) == 0
    together = json.loads(pair.read_text(encoding="utf-8"))
    assert together["model"] == "ko_latin_crnn.onnx (x1) + ko_latin_jamo.onnx (x1.5)"
    assert together["step"].count(" + ") == 1
    assert len(together["rows"]) == 24 and all(row["lines"] == 1 for row in together["rows"])


def test_a_weight_for_each_model_or_none(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["evaluate", "--model", str(MODEL_PATH), "--weight", "1", "--weight", "2"])
    assert stopped.value.code == 2
    assert "one --weight per --model" in capsys.readouterr().err


@pytest.mark.parametrize(("flag", "distort"), [([], False), (["--distort"], True)])
def test_train_passes_distort_on(monkeypatch: pytest.MonkeyPatch, flag: list[str], distort: bool) -> None:
    from templateocr.training import train as training

    seen = []
    monkeypatch.setattr(training, "train", lambda config, model_config=None: seen.append(config))
    assert main(["train", "--run", "somewhere", "--steps", "1", *flag]) == 0
    assert [config.distort for config in seen] == [distort]
