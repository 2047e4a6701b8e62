"""The model card shipped next to the ONNX model: what it reads, what it was trained on (fonts
and their licences, the split), the command, and the evaluation table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import onnx

from templateocr.engines.jamo import JAMO, JAMO_ALPHABET, SYLLABLES
from templateocr.training.charset import CHARSET, HANGUL, tokens
from templateocr.training.fonts import FONTS, Split

__all__ = ["write_card"]


def _font_table() -> list[str]:
    rows = ["| font | package | licence | style | Hangul | split |", "|---|---|---|---|---|---|"]
    for font in FONTS:
        rows.append(
            f"| {font.family or font.filename} ({font.filename}) | {font.package} | {font.licence} | "
            f"{font.style.value} | {'yes' if font.hangul else 'no'} | {font.split.value} |"
        )
    return rows


def _eval_table(table: dict[str, Any]) -> list[str]:
    rows = ["| set | fonts | condition | lines | exact | CER |", "|---|---|---|---|---|---|"]
    for row in table["rows"]:
        rows.append(
            f"| {row['set']} | {row['fonts']} | {row['condition']} | {row['lines']} | "
            f"{row['exact']:.1%} | {row['cer']:.2%} |"
        )
    comparison = table.get("comparison")
    if comparison:
        rows += [
            "",
            "Field crops of held-out fonts, degraded, read by each engine of the server "
            "(the routing follows this):",
            "",
            "| set | engine | lines | exact | exact ignoring spaces | CER | ms per crop |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in comparison["rows"]:
            rows.append(
                f"| {row['set']} | {row['engine']} | {row['lines']} | {row['exact']:.1%} | "
                f"{row['exact_ignoring_spaces']:.1%} | {row['cer']:.2%} | {row['ms_per_crop']:.1f} |"
            )
    return rows


_SYMBOLS = "`·※₩℃㈜°±×÷〒→「」『』【】〈〉《》○●□■☆★△▲`"


def _classes(model: Path) -> str:
    """What the model's classes are, from the alphabet in its metadata."""
    metadata = {p.key: p.value for p in onnx.load(str(model), load_external_data=False).metadata_props}
    alphabet = metadata.get("alphabet", SYLLABLES)
    count = len(tokens(alphabet))
    if alphabet == JAMO_ALPHABET:
        return (
            f"CTC over {count} classes + blank: printable ASCII, form symbols ({_SYMBOLS}) and the "
            f"{len(JAMO)} conjoining jamo (19 lead consonants, 21 vowels, 27 tail consonants) that spell "
            "every Hangul syllable; the engine joins them back into syllables "
            f"(`templateocr/engines/jamo.py`). Trained on the {len(HANGUL)} syllables of KS X 1001."
        )
    return (
        f"CTC over {len(CHARSET)} characters + blank: the {len(HANGUL)} Hangul syllables of KS X 1001, "
        f"printable ASCII and form symbols ({_SYMBOLS})."
    )


def _reader_section(reader: dict[str, Any]) -> list[str]:
    """The evaluation of the models as the server reads with them, together."""
    return [
        "## In the server",
        "",
        "The server reads every line with each shipped model and, where their readings differ, keeps the "
        "one the models together find likeliest (each reading's CTC likelihood under each model, weighted; "
        "`templateocr/engines/crnn_ensemble.py`). The same evaluation for that reader "
        f"({reader['model']}, steps {reader['step']}, "
        f"{reader['ms_per_line']:.2f} ms per line on one thread):",
        "",
        *_eval_table(reader),
        "",
    ]


def write_card(
    model: Path, evaluation: Path, out: Path, training: dict[str, str], reader: Path | None = None
) -> Path:
    """Write the card for ``model`` from its evaluation JSON and the training facts given; with
    ``reader``, the evaluation JSON of the shipped models read together, too."""
    table = json.loads(evaluation.read_text(encoding="utf-8"))
    held_out = sum(1 for f in FONTS if f.split is Split.HELD_OUT)
    size_mb = model.stat().st_size / 1e6
    lines = [
        f"# {model.name}: templateocr's own line recognizer",
        "",
        "Reads one text line (Korean and Latin, printed and handwriting-style) cut out of a field crop.",
        "Used by the server's `crnn` engine (`templateocr/engines/crnn.py`) through onnxruntime"
        + (", together with the other shipped model (see In the server)." if reader else "."),
        "",
        "## Model",
        "",
        "- CRNN: 5 convolution stages (32 rows down to 1, width / 4), a bidirectional LSTM, "
        f"{_classes(model)} The classes and the alphabet are in the ONNX metadata.",
        f"- Input: gray line, 32 pixels high, values in [-1, 1], ink dark. File size {size_mb:.1f} MB.",
        f"- Reading speed: {table['ms_per_line']:.2f} ms per line on one thread (evaluation below).",
        "",
        "## Training",
        "",
        "Lines are generated on the fly (no data set is stored or downloaded): texts from "
        "`templateocr/training/texts.py` (names, companies, addresses, dates, amounts, ids, phone numbers, "
        "e-mail addresses, form vocabulary with some syllables swapped for another vowel's or any, "
        "random KS X 1001 syllables, random ASCII), written with the "
        "fonts below (half of the lines handwriting-style, with per-character wobble and slant), in "
        "field-like crops (box lines, combs, underlines, uneven paper, black or blue ink, stamps), degraded "
        "(rotation, shear, blur, low resolution, noise, JPEG, binarisation), and cut out by the server's "
        "own line finder.",
        "",
        *[f"- {key}: {value}" for key, value in training.items()],
        "",
        f"### Fonts ({len(FONTS)}; {held_out} held out, never drawn for training)",
        "",
        *_font_table(),
        "",
        "Training on a font does not copy it into the model; the licences are listed so that anyone can "
        "check what the model learned from.",
        "",
        "## Evaluation",
        "",
        "`python -m templateocr.training evaluate --compare --json <file>`: lines drawn from a fixed seed, "
        "exact line match and character error rate, on held-out fonts (the model never saw them) and on "
        "training fonts, clean and degraded.",
        "",
        f"Model step {table['step']}.",
        "",
        *_eval_table(table),
        "",
    ]
    if reader is not None:
        lines += _reader_section(json.loads(reader.read_text(encoding="utf-8")))
    out.write_text("\n".join(lines), encoding="utf-8")
    return out
