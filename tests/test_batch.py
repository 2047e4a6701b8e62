"""``templateocr batch``: real engines on generated pages, real files in a temporary folder."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from templateocr.batch import done_keys, expand_inputs, page_key
from templateocr.cli import main
from templateocr.models.page import Image
from templateocr.synth import build_form, fill_form, sample_values, to_jpeg, to_png, warp_scan


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data directory holding the English application form, released to domain 1."""
    data = tmp_path / "data"
    monkeypatch.setenv("TEMPLATEOCR_DATA_DIR", str(data))
    monkeypatch.setenv("TEMPLATEOCR_ADMIN_TOKEN", "batch-admin-token-0123456789")
    monkeypatch.delenv("TEMPLATEOCR_DATABASE_URL", raising=False)
    definition = tmp_path / "form.json"
    definition.write_text(json.dumps(build_form("en", "application").to_create_json()), encoding="utf-8")
    assert main(["templates", "create", str(definition)]) == 0
    assert main(["templates", "release", "1"]) == 0
    return data


def _page(seed: int) -> tuple[Image, dict[str, str | bool]]:
    form = build_form("en", "application")
    values = sample_values(form, seed=seed)
    return warp_scan(fill_form(form, values, seed=seed), seed=seed).image, values


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_batch_reads_skips_corrupt_and_resumes(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    first, first_values = _page(1)
    (inbox / "a.png").write_bytes(to_png(first))
    (inbox / "b.pdf").write_bytes(b"%PDF-1.4 this is not a pdf")
    (inbox / "notes.txt").write_text("not an image", encoding="utf-8")  # not picked up from a folder
    out = tmp_path / "out" / "results.jsonl"
    table = tmp_path / "results.csv"

    assert main(["batch", str(inbox), "--out", str(out), "--csv", str(table), "--workers", "2"]) == 0
    err = capsys.readouterr().err
    assert "skipped" in err and "b.pdf" in err and "1 pages read" in err and "s to start" in err
    lines = _lines(out)
    results = [line for line in lines if "result" in line]
    errors = [line for line in lines if "error" in line]
    assert [Path(str(e["file"])).name for e in errors] == ["b.pdf"]
    (result,) = results
    assert result["key"] == page_key((inbox / "a.png").absolute(), 0)
    (image,) = result["result"]["images"]  # type: ignore[index]
    assert image["inferResult"] == "SUCCESS"
    fields = {f["name"]: f["inferText"] for f in image["fields"]}
    assert fields["Name"] == first_values["Name"]
    with table.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1 and rows[0]["Name"] == first_values["Name"] and rows[0]["status"] == "SUCCESS"

    # A rerun reads nothing already done; a new file and a changed file are read.
    second, second_values = _page(2)
    (inbox / "c.jpg").write_bytes(to_jpeg(second, quality=92))
    assert (
        main(["batch", str(inbox / "*.png"), str(inbox / "c.jpg"), "--out", str(out), "--workers", "1"]) == 0
    )
    err = capsys.readouterr().err
    assert "1 pages read" in err and "1 already done" in err
    names = [Path(str(line["file"])).name for line in _lines(out) if "result" in line]
    assert names == ["a.png", "c.jpg"]

    os.utime(inbox / "a.png", ns=(1_000_000_000, 1_000_000_000))  # same bytes, new mtime: a new key
    assert (
        main(["batch", str(inbox), "--out", str(out), "--csv", str(table), "--quiet", "--workers", "1"]) == 0
    )
    err = capsys.readouterr().err
    assert "1 pages read" in err and "1 already done" in err and "1 files failed" in err
    with table.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [Path(r["file"]).name for r in rows] == ["a.png", "c.jpg"]  # a.png once: its newest reading
    assert len([line for line in _lines(out) if "result" in line]) == 3
    assert {r["Name"] for r in rows} == {first_values["Name"], second_values["Name"]}


def test_expand_inputs_and_done_keys(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("x.PNG", "sub/y.pdf", "sub/z.tif", "sub/skip.txt"):
        (tmp_path / name).write_bytes(b"")
    found = [p.relative_to(tmp_path).as_posix() for p in expand_inputs([str(tmp_path)])]
    assert found == ["sub/y.pdf", "sub/z.tif", "x.PNG"]
    globbed = expand_inputs([str(tmp_path / "**" / "*.tif"), str(tmp_path / "sub" / "z.tif")])
    assert [p.name for p in globbed] == ["z.tif"]
    assert [p.name for p in expand_inputs([str(tmp_path / "missing.jpg")])] == ["missing.jpg"]

    out = tmp_path / "r.jsonl"
    out.write_text(
        json.dumps({"key": "k|1", "file": "f", "page": 0, "pages": 2, "result": {}})
        + "\n"
        + json.dumps({"key": "e|error", "file": "e", "error": "bad"})
        + '\n{"key": "k|2", "res',
        encoding="utf-8",
    )
    assert done_keys(out) == {"k|1": 2}


def test_the_workers_start_before_the_clock_of_the_reading_rate(tmp_path: Path, data_dir: Path) -> None:
    """Engines are warmed and templates prepared when a worker starts: that time is reported
    apart, and the progress line's rate and ETA count from when the workers were ready."""
    import io

    from templateocr.api.app import build_runtime
    from templateocr.batch import BatchConfig, run_batch
    from templateocr.engines.registry import EngineConfig, EngineSet
    from templateocr.settings import Settings

    runtime = build_runtime(Settings(), engines=EngineSet(EngineConfig(force="null")), announce=print)
    store = runtime.store
    records = store.released_templates(1)
    config = BatchConfig(
        records=tuple(records),
        samples={(r.id, r.version): store.get_sample(r.id, r.version) for r in records},
        workers=1,
    )
    page, _ = _page(3)
    (tmp_path / "p.png").write_bytes(to_png(page))
    progress = io.StringIO()
    summary = run_batch([tmp_path / "p.png"], tmp_path / "out.jsonl", config, progress=progress)
    assert summary.pages == 1
    assert 0 < summary.start_seconds < summary.seconds
    assert summary.reading_pages_per_second > summary.pages_per_second
    assert "1/1 files  1 pages" in progress.getvalue() and "pages/s" in progress.getvalue()
