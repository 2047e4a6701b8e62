"""Training end to end on a tiny network: it learns, checkpoints, resumes, exports to ONNX that
onnxruntime runs with the same outputs, and the engine reads with the export."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from templateocr.engines.crnn_input import HEIGHT, STRIDE
from templateocr.engines.crnn_model import CrnnRecognizer
from templateocr.engines.ctc import greedy_decode
from templateocr.engines.jamo import join_jamo, split_syllables
from templateocr.training.charset import CHARSET, tokens
from templateocr.training.data import LineBatches, collate
from templateocr.training.export import export_onnx
from templateocr.training.model import Crnn, ModelConfig
from templateocr.training.samples import SampleStream
from templateocr.training.train import TrainConfig, cer, load_checkpoint, train

TINY = ModelConfig(channels=(8, 8, 16, 16, 24), hidden=16)


def test_cer() -> None:
    assert cer("abc", "abc") == 0
    assert cer("abcd", "abxd") == 0.25
    assert cer("", "") == 0 and cer("", "x") == 1


def test_the_network_learns_a_batch() -> None:
    torch.manual_seed(0)
    stream = SampleStream(11, degrade_share=0.0)
    samples = [s for s in (stream.next("ko_name") for _ in range(20)) if s is not None][:8]
    batch = collate(samples)
    model = Crnn(ModelConfig(channels=(16, 16, 32, 32, 48), hidden=32))
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    ctc = torch.nn.CTCLoss(zero_infinity=True)
    losses = []
    for _ in range(60):
        out = model(batch["images"])
        loss = ctc(out.permute(1, 0, 2), batch["targets"], batch["frames"], batch["target_lengths"])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()))
    assert np.mean(losses[-5:]) < 0.5 * np.mean(losses[:5])


def test_distorted_batches_hold_the_same_texts_some_lines_bent() -> None:
    """``--distort`` reaches the lines: the same seed draws the same texts (a group of 8
    batches, sorted by width, so perhaps in another order), some of their images bent."""

    def group(distort: bool) -> dict[tuple[int, ...], bytes]:
        batches = iter(LineBatches(5, 2, distort=distort))
        lines = {}
        for _ in range(8):
            batch = next(batches)
            targets = batch["targets"].split(batch["target_lengths"].tolist())
            for image, frames, label in zip(batch["images"], batch["frames"], targets, strict=True):
                lines[tuple(label.tolist())] = image[..., : int(frames) * STRIDE].numpy().tobytes()
        return lines

    plain, bent = group(False), group(True)
    assert plain.keys() == bent.keys()
    assert 1 <= sum(plain[text] != bent[text] for text in plain) < len(plain)


def test_train_checkpoints_resumes_and_exports(tmp_path: Path) -> None:
    config = TrainConfig(
        run_dir=tmp_path / "run", steps=3, batch_size=4, workers=0, threads=1, log_every=1, validation_lines=8
    )
    checkpoint = train(config, TINY)
    assert load_checkpoint(checkpoint)["step"] == 3
    config.steps = 5
    train(config)  # resumes: the model's widths come from the checkpoint
    state = load_checkpoint(checkpoint)
    assert state["step"] == 5 and state["config"]["channels"] == list(TINY.channels)

    onnx_path = export_onnx(checkpoint, tmp_path / "model.onnx")
    recognizer = CrnnRecognizer(onnx_path)
    assert recognizer.charset == CHARSET and recognizer.metadata["step"] == "5"
    model = Crnn(ModelConfig.from_dict(state["config"]))
    model.load_state_dict(state["model"])
    model.eval()
    images = np.random.default_rng(0).uniform(-1, 1, (2, 1, HEIGHT, 96)).astype(np.float32)
    with torch.no_grad():
        expected = model(torch.from_numpy(images)).numpy()
    (actual,) = recognizer._session.run(None, {"images": images})
    assert actual.shape == expected.shape == (2, 24, len(CHARSET) + 1)
    assert np.allclose(actual, expected, atol=1e-4)
    readings = recognizer.recognize([images[0, 0], images[1, 0, :, :64]])
    assert len(readings) == 2


def test_a_run_starts_again_from_the_shipped_onnx_model(tmp_path: Path) -> None:
    """The run directory is not committed: the exported model (normalisations folded into the
    convolutions) becomes a checkpoint again that computes the same outputs in evaluation,
    nearly the same in training (the normalisations re-inflated from training batches), and
    trains on from the model's step with a fresh optimizer."""
    from templateocr.training.from_onnx import checkpoint_from_onnx

    config = TrainConfig(
        run_dir=tmp_path / "run", steps=4, batch_size=4, workers=0, threads=1, log_every=1, validation_lines=8
    )
    onnx_path = export_onnx(train(config, TINY), tmp_path / "model.onnx")
    recognizer = CrnnRecognizer(onnx_path)
    checkpoint = tmp_path / "again" / "last.pt"
    assert checkpoint_from_onnx(onnx_path, checkpoint, batches=2) == 4
    state = load_checkpoint(checkpoint)
    assert state["optimizer"] is None and state["config"]["channels"] == list(TINY.channels)
    model = Crnn(ModelConfig.from_dict(state["config"]))
    model.load_state_dict(state["model"])
    batch = collate([s for s in (SampleStream(5).next() for _ in range(12)) if s is not None][:4])
    images = batch["images"].numpy()
    (shipped,) = recognizer._session.run(None, {"images": images})
    model.eval()
    with torch.no_grad():
        assert np.allclose(model(batch["images"]).numpy(), shipped, atol=1e-4)
        model.train()
        torch.manual_seed(0)
        trained = model(batch["images"]).numpy()
    assert np.mean(trained.argmax(-1) == shipped.argmax(-1)) > 0.5

    train(
        TrainConfig(
            run_dir=checkpoint.parent, steps=6, batch_size=4, workers=0, threads=1, validation_lines=8
        )
    )
    assert load_checkpoint(checkpoint)["step"] == 6
    assert load_checkpoint(checkpoint)["optimizer"] is not None


def test_a_jamo_run_starts_from_a_syllable_checkpoint_and_the_engine_reads_its_export(tmp_path: Path) -> None:
    """A model of the jamo alphabet keeps the convolutions and the LSTM of the checkpoint it
    starts from and learns a new head; its export says its alphabet, and the engine joins the
    jamo it reads into syllables."""
    syllables = train(
        TrainConfig(
            run_dir=tmp_path / "syllables", steps=2, batch_size=4, workers=0, threads=1, validation_lines=8
        ),
        TINY,
    )
    config = TrainConfig(
        run_dir=tmp_path / "jamo",
        steps=2,
        batch_size=4,
        workers=0,
        threads=1,
        validation_lines=8,
        init_from=syllables,
    )
    checkpoint = train(config, ModelConfig(TINY.channels, TINY.hidden, alphabet="jamo"))
    old, new = load_checkpoint(syllables), load_checkpoint(checkpoint)
    assert new["config"]["alphabet"] == "jamo" and new["step"] == 2
    assert new["model"]["head.weight"].shape[0] == len(tokens("jamo")) + 1 < len(CHARSET) + 1
    # Two steps moved the weights a little from where the syllable model left them.
    first_conv = "features.0.0.weight"
    assert torch.allclose(new["model"][first_conv], old["model"][first_conv], atol=0.05)

    onnx_path = export_onnx(checkpoint, tmp_path / "jamo.onnx")
    recognizer = CrnnRecognizer(onnx_path)
    assert recognizer.alphabet == "jamo" and recognizer.charset == tokens("jamo")
    # Log-probabilities that spell 한 (three jamo, blanks between) then A: the engine joins them.
    charset = recognizer.charset
    spelled = [charset.index(c) + 1 for c in split_syllables("한") + "A"]
    frames = np.full((1, 12, len(charset) + 1), -20.0, dtype=np.float32)
    frames[0, :, 0] = 0.0
    for t, cls in zip((1, 3, 5, 9), spelled, strict=True):
        frames[0, t, cls], frames[0, t, 0] = 0.0, -20.0
    decoded = greedy_decode(frames[0])
    text = "".join(charset[c - 1] for c in decoded.ids)
    joined = join_jamo(text, [(f + 0.5) * 4 for f in decoded.frames], decoded.confidences)
    assert joined[0] == "한A"
    # Whatever an untrained model reads, no jamo is left over in the text.
    noise = np.random.default_rng(1).uniform(-1, 1, (HEIGHT, 160)).astype(np.float32)
    reading = recognizer.recognize([noise])[0]
    assert set(reading.text) <= set(CHARSET) and len(reading.centers) == len(reading.text)
