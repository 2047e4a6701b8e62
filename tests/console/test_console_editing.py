"""The editor in a real browser: move and resize by mouse, zoom and pan, MULTI_BOX rows, the
combine and validation panel; each checked in the template the server stored."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from browser_steps import (
    DRAWN,
    FORM,
    TITLE,
    draw,
    field,
    model_box,
    off_by,
    rect,
    save_new,
    shape_box,
    sign_in,
    stored,
    to_client,
    upload_sample,
    view,
)
from playwright.sync_api import expect

from templateocr.synth import fill_form, sample_values, to_png

if TYPE_CHECKING:
    from conftest import Live

pytestmark = pytest.mark.slow


def _transform(page: Any) -> str:
    return str(page.locator(".stage .canvas").evaluate("node => node.style.transform"))


def _wait_view_change(page: Any, before: str) -> None:
    page.wait_for_function(
        "before => document.querySelector('.stage .canvas').style.transform !== before", arg=before
    )


def _js_round(value: float) -> int:
    """Math.round: halves go up."""
    return math.floor(value + 0.5)


def _press_and_move(page: Any, handle: str, end: tuple[float, float]) -> None:
    """Drag the selection's ``handle`` to sample point ``end``."""
    frame = page.locator(f"svg rect.handle[data-handle='{handle}']").bounding_box()
    page.mouse.move(round(frame["x"] + frame["width"] / 2), round(frame["y"] + frame["height"] / 2))
    page.mouse.down()
    page.mouse.move(*(round(v) for v in to_client(page, *end)), steps=5)
    page.mouse.up()


def test_move_and_resize_a_field_with_the_mouse(page: Any, live_server: Live, tmp_path: Path) -> None:
    sign_in(page, live_server)
    upload_sample(page, tmp_path)
    page.get_by_label("Template name", exact=True).fill("Moved and resized")
    page.get_by_role("button", name="Draw field").click()
    draw(page, (250, 230, 650, 300))
    page.get_by_label("Field name", exact=True).fill("Name")
    page.get_by_role("button", name="Select").click()
    drawn = model_box(page, 0)
    scale = view(page)["scale"]

    # Dragging the body moves the rectangle by the mouse's travel, in sample pixels.
    x, y = (round(v) for v in to_client(page, 450, 265))
    dx, dy = round(56 * scale), round(26 * scale)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y + dy, steps=5)
    page.mouse.up()
    moved = model_box(page, 0)
    want = (drawn[0] + dx / scale, drawn[1] + dy / scale, drawn[2] + dx / scale, drawn[3] + dy / scale)
    assert off_by(moved, want) < 0.01
    assert off_by(shape_box(page, 0), moved) <= 0.5  # drawn where the editor holds it

    # A corner handle moves that corner only; an edge handle that edge only.
    _press_and_move(page, "se", (904, 328))
    resized = model_box(page, 0)
    assert off_by(resized[:2], moved[:2]) < 1e-6
    assert off_by(resized[2:], (904, 328)) <= 2
    _press_and_move(page, "w", (306, 290))
    final = model_box(page, 0)
    assert off_by(final[1:], resized[1:]) < 1e-6
    assert abs(final[0] - 306) <= 2
    assert off_by(final, DRAWN["Name"]) <= 3
    left, top, width, height = (_js_round(v) for v in (*final[:2], final[2] - final[0], final[3] - final[1]))
    expect(page.locator(".side")).to_contain_text(f"x {left}, y {top}, {width} x {height} px")
    template_id = save_new(page)
    assert off_by(rect(field(stored(live_server, template_id), "Name")["boundingPoly"]), final) <= 1


def test_zoom_and_pan_keep_areas_on_the_sample(page: Any, live_server: Live, tmp_path: Path) -> None:
    sign_in(page, live_server)
    upload_sample(page, tmp_path)
    page.get_by_label("Template name", exact=True).fill("Zoomed")
    page.get_by_role("button", name="Draw field").click()
    draw(page, DRAWN["Name"])
    page.get_by_label("Field name", exact=True).fill("Name")
    fitted = view(page)["scale"]
    name_box = model_box(page, 0)
    assert off_by(name_box, DRAWN["Name"]) <= 3
    assert off_by(shape_box(page, 0), name_box) <= 0.5

    # Zoom buttons: the drawn rectangle stays over the same sample pixels.
    for _ in range(2):
        before = _transform(page)
        page.get_by_role("button", name="Zoom in").click()
        _wait_view_change(page, before)
    assert view(page)["scale"] == pytest.approx(fitted * 1.25**2, rel=0.01)
    assert off_by(shape_box(page, 0), name_box) <= 0.5

    # The wheel zooms around the cursor: the sample pixel under it stays under it.
    anchor = (600, 460)
    cursor = to_client(page, *anchor)
    page.mouse.move(*cursor)
    before = _transform(page)
    page.mouse.wheel(0, -120)
    _wait_view_change(page, before)
    shown = view(page)
    assert shown["scale"] == pytest.approx(fitted * 1.25**2 * 1.15, rel=0.01)
    under = ((cursor[0] - shown["x"]) / shown["scale"], (cursor[1] - shown["y"]) / shown["scale"])
    assert abs(under[0] - anchor[0]) < 2 and abs(under[1] - anchor[1]) < 2

    # Alt+drag pans by exactly the mouse's travel; Shift+wheel pans sideways.
    start = view(page)
    page.keyboard.down("Alt")
    page.mouse.move(cursor[0], cursor[1])
    page.mouse.down()
    page.mouse.move(cursor[0] + 60, cursor[1] + 140, steps=5)
    page.mouse.up()
    page.keyboard.up("Alt")
    panned = view(page)
    assert panned["x"] == pytest.approx(start["x"] + 60, abs=1)
    assert panned["y"] == pytest.approx(start["y"] + 140, abs=1)
    before = _transform(page)
    page.keyboard.down("Shift")
    page.mouse.wheel(0, 50)
    page.keyboard.up("Shift")
    _wait_view_change(page, before)
    assert view(page)["x"] == pytest.approx(panned["x"] - 50, abs=1)
    assert view(page)["scale"] == pytest.approx(panned["scale"])
    assert off_by(shape_box(page, 0), name_box) <= 0.5
    assert model_box(page, 0) == name_box

    # Drawn while zoomed and panned, the field lands on the sample pixels under the mouse.
    draw(page, DRAWN["Phone"])
    page.get_by_label("Field name", exact=True).fill("Phone")
    page.get_by_role("button", name="Fit").click()
    template_id = save_new(page)
    template = stored(live_server, template_id)
    assert off_by(rect(field(template, "Name")["boundingPoly"]), name_box) <= 0.5
    assert off_by(rect(field(template, "Phone")["boundingPoly"]), DRAWN["Phone"]) <= 2


def test_multi_box_row_split_into_boxes(page: Any, live_server: Live, tmp_path: Path) -> None:
    sign_in(page, live_server)
    upload_sample(page, tmp_path)
    page.get_by_label("Template name", exact=True).fill("ZIP boxes")
    page.get_by_role("button", name="Draw title").click()
    draw(page, TITLE)
    page.get_by_label("Title text", exact=True).fill("Membership Application")
    page.get_by_role("button", name="Draw field").click()
    draw(page, DRAWN["Name"])
    page.get_by_label("Field name", exact=True).fill("Name")
    row = (312, 685, 612, 739)  # the five ZIP boxes are 44 px wide, 60 px apart, from x 320
    draw(page, row)
    page.get_by_label("Field name", exact=True).fill("ZIP Code")
    page.get_by_label("Type", exact=True).select_option("MULTI_BOX")
    page.get_by_label("Value type", exact=True).select_option("NUMERIC")
    boxes = page.get_by_label("Boxes in the row", exact=True)
    boxes.fill("8")
    page.get_by_role("button", name="Split the row into boxes").click()
    expect(page.locator("svg rect.box-line")).to_have_count(8)
    boxes.fill("5")
    page.get_by_role("button", name="Split the row into boxes").click()
    expect(page.locator("svg rect.box-line")).to_have_count(5)
    template_id = save_new(page)

    zip_field = field(stored(live_server, template_id), "ZIP Code")
    assert zip_field["type"] == "MULTI_BOX" and zip_field["valueType"] == "NUMERIC"
    saved = [rect(box) for box in zip_field["boxes"]]
    assert len(saved) == 5
    for i, box in enumerate(saved):
        assert off_by(box, (row[0] + 60 * i, row[1], row[0] + 60 * (i + 1), row[3])) <= 3, saved

    # Reloaded, the row keeps its boxes; a filled copy is read box by box.
    page.reload()
    expect(page.locator("svg rect.box-line")).to_have_count(5)
    values = sample_values(FORM, seed=5)
    photo = tmp_path / "filled.png"
    photo.write_bytes(to_png(fill_form(FORM, values, seed=5)))
    page.goto(f"{live_server.base}/console#/test/{template_id}")
    page.set_input_files("#test-file", str(photo))
    row_zip = page.locator("#result-table tbody tr[data-field='ZIP Code']")
    expect(row_zip.locator("td.text")).to_have_text(str(values["ZIP Code"]), timeout=120_000)


def test_combine_and_validation_rules_in_the_side_panel(page: Any, live_server: Live, tmp_path: Path) -> None:
    sign_in(page, live_server)
    upload_sample(page, tmp_path)
    page.get_by_label("Template name", exact=True).fill("Rules")
    page.get_by_role("button", name="Draw title").click()
    draw(page, TITLE)
    page.get_by_label("Title text", exact=True).fill("Membership Application")
    page.get_by_role("button", name="Draw field").click()
    for name in ("Name", "Phone"):
        draw(page, DRAWN[name])
        page.get_by_label("Field name", exact=True).fill(name)
    page.get_by_label("Combine name", exact=True).fill("Contact")
    page.get_by_label("Combine format", exact=True).fill("{Name} / {Phone}")
    page.get_by_role("button", name="Add rule").click()
    first = page.get_by_role("group", name="Rule 1")
    first.get_by_label("Field", exact=True).select_option("Phone")
    first.get_by_label("Pattern", exact=True).fill(r"^\d{3}-\d{3}-\d{4}$")
    first.get_by_label("Message", exact=True).fill("Phone as 000-000-0000")
    page.get_by_role("button", name="Add rule").click()
    second = page.get_by_role("group", name="Rule 2")
    second.get_by_label("Field", exact=True).select_option("Name")
    second.get_by_label("Check", exact=True).select_option("check")
    expect(page.get_by_role("group", name="Rule 2").get_by_label("Built-in")).to_have_value(
        "kr-business-number"
    )
    template_id = save_new(page)

    template = stored(live_server, template_id)
    assert template["combine"] == {"name": "Contact", "format": "{Name} / {Phone}"}
    rules = [{k: v for k, v in rule.items() if v is not None} for rule in template["validation"]["rules"]]
    assert rules == [
        {"field": "Phone", "pattern": r"^\d{3}-\d{3}-\d{4}$", "message": "Phone as 000-000-0000"},
        {"field": "Name", "check": "kr-business-number"},
    ]

    # Reloaded, the panel shows them again; a test run combines and validates.
    page.reload()
    expect(page.get_by_label("Combine format", exact=True)).to_have_value("{Name} / {Phone}")
    expect(page.get_by_role("group", name="Rule 1").get_by_label("Pattern")).to_have_value(
        r"^\d{3}-\d{3}-\d{4}$"
    )
    values = sample_values(FORM, seed=11)
    photo = tmp_path / "filled.png"
    photo.write_bytes(to_png(fill_form(FORM, values, seed=11)))
    page.goto(f"{live_server.base}/console#/test/{template_id}")
    page.set_input_files("#test-file", str(photo))
    results = page.locator("#test-results")
    expect(results).to_contain_text(f"Contact: {values['Name']} / {values['Phone']}", timeout=120_000)
    expect(results).to_contain_text("Validation: INVALID")
