"""The model card: what the model reads (from its metadata), every font with its licence and
split, the training facts given and the evaluation table."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from templateocr.engines.crnn_model import MODEL_PATH
from templateocr.training.card import write_card
from templateocr.training.charset import tokens
from templateocr.training.export import export_onnx
from templateocr.training.fonts import FONTS
from templateocr.training.model import Crnn, ModelConfig

MODEL = MODEL_PATH


def test_the_card_holds_the_model_fonts_facts_and_evaluation(tmp_path: Path) -> None:
    row = {"set": "korean printed", "fonts": "held-out", "condition": "clean", "lines": 9, "exact": 0.5}
    evaluation = tmp_path / "evaluation.json"
    evaluation.write_text(
        json.dumps(
            {
                "model": MODEL.name,
                "step": "123",
                "ms_per_line": 2.5,
                "rows": [{**row, "cer": 0.125}],
                "comparison": {
                    "rows": [
                        {
                            "set": "korean printed",
                            "engine": "crnn (ours)",
                            "lines": 9,
                            "exact": 0.5,
                            "exact_ignoring_spaces": 0.75,
                            "cer": 0.125,
                            "ms_per_crop": 4.0,
                        }
                    ]
                },
            }
        ),
        encoding="utf-8",
    )
    card = write_card(MODEL, evaluation, tmp_path / "CARD.md", {"command": "train --steps 9"}).read_text()
    assert card.startswith(f"# {MODEL.name}")
    assert "The classes and the alphabet are in the ONNX metadata." in card
    assert "- command: train --steps 9" in card and "Model step 123." in card
    assert "| korean printed | held-out | clean | 9 | 50.0% | 12.50% |" in card
    assert "| korean printed | crnn (ours) | 9 | 50.0% | 75.0% | 12.50% | 4.0 |" in card
    assert all(f"| {font.licence} |" in card for font in FONTS)
    assert card.count("| held-out |") >= sum(1 for f in FONTS if f.split.value == "held-out")


def test_a_jamo_model_is_described_as_spelling_syllables_in_jamo(tmp_path: Path) -> None:
    model = Crnn(ModelConfig(channels=(8, 8, 16, 16, 24), hidden=16, alphabet="jamo"))
    checkpoint = tmp_path / "last.pt"
    torch.save({"model": model.state_dict(), "step": 7, "config": model.config.as_dict()}, checkpoint)
    onnx_path = export_onnx(checkpoint, tmp_path / "jamo.onnx")
    evaluation = tmp_path / "evaluation.json"
    evaluation.write_text(json.dumps({"model": "jamo.onnx", "step": "7", "ms_per_line": 1.0, "rows": []}))
    card = write_card(onnx_path, evaluation, tmp_path / "CARD.md", {}).read_text()
    assert f"CTC over {len(tokens('jamo'))} classes + blank" in card and "67 conjoining jamo" in card
    assert "## In the server" not in card


def test_the_card_of_a_shipped_model_evaluates_the_pair_too(tmp_path: Path) -> None:
    row = {"set": "latin handwriting", "fonts": "held-out", "condition": "degraded", "lines": 4}
    alone, together = tmp_path / "alone.json", tmp_path / "together.json"
    alone.write_text(json.dumps({"model": MODEL.name, "step": "5", "ms_per_line": 3.0, "rows": []}))
    pair = {"model": "a.onnx (x1) + b.onnx (x1.5)", "step": "5 + 6", "ms_per_line": 6.5}
    together.write_text(json.dumps({**pair, "rows": [{**row, "exact": 0.25, "cer": 0.5}]}))
    card = write_card(MODEL, alone, tmp_path / "CARD.md", {}, reader=together).read_text()
    assert "together with the other shipped model" in card
    section = card[card.index("## In the server") :]
    assert "a.onnx (x1) + b.onnx (x1.5), steps 5 + 6, 6.50 ms per line" in section
    assert "| latin handwriting | held-out | degraded | 4 | 25.0% | 50.00% |" in section
