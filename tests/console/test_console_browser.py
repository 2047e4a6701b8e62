"""The console in a real browser: sign in, draw a template on a generated form, save, release,
test with a filled and rotated copy, suggest fields; screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from browser_steps import DRAWN, FORM, TITLE, api, draw, sign_in, upload_sample
from playwright.sync_api import expect

from templateocr.synth import fill_form, sample_values, to_png, warp

if TYPE_CHECKING:
    from conftest import Live

pytestmark = pytest.mark.slow


def test_sign_in_keeps_the_token_in_the_session(page: Any, live_server: Live) -> None:
    sign_in(page, live_server, "wrong-token")
    page.wait_for_selector("#flash.error")
    assert "Sign-in failed" in page.inner_text("#flash")
    sign_in(page, live_server)
    page.wait_for_selector("text=Templates")
    assert live_server.admin not in page.url
    assert page.evaluate("sessionStorage.getItem('templateocr.adminToken')") == live_server.admin
    assert page.evaluate("localStorage.length") == 0
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_selector("#admin-token")
    assert page.evaluate("sessionStorage.getItem('templateocr.adminToken')") is None


def test_draw_save_reload_release_and_test(page: Any, live_server: Live, tmp_path: Path) -> None:
    live_server.artifacts.mkdir(exist_ok=True)
    sign_in(page, live_server)
    page.wait_for_selector("text=Templates")
    upload_sample(page, tmp_path)
    page.fill("#tpl-name", "Membership (console)")
    page.select_option("#tpl-lang", "en")
    page.get_by_role("button", name="Draw title").click()
    draw(page, TITLE)
    page.fill("#prop-name", "Membership Application")
    page.get_by_role("button", name="Draw field").click()
    for name, box in DRAWN.items():
        draw(page, box)
        page.fill("#prop-name", name)
    assert page.locator("svg rect.shape:not(.title)").count() == 3
    page.screenshot(path=str(live_server.artifacts / "console-editor.png"))
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"#/edit/\d+$"))
    page.wait_for_selector("text=Saved Membership (console): version 1")
    template_id = int(page.url.rsplit("/", 1)[1])

    # What the server stored is what was drawn (within a pixel or two of rounding).
    with api(live_server) as client:
        stored = client.get(f"/api/v1/templates/{template_id}").json()
    assert stored["title"]["name"] == "Membership Application"
    assert [f["name"] for f in stored["fields"]] == list(DRAWN)
    for field in stored["fields"]:
        xs = [v["x"] for v in field["boundingPoly"]["vertices"]]
        ys = [v["y"] for v in field["boundingPoly"]["vertices"]]
        want = DRAWN[field["name"]]
        assert max(abs(a - b) for a, b in zip((min(xs), min(ys), max(xs), max(ys)), want, strict=True)) <= 3

    # Reload: the fields come back from the server.
    page.reload()
    page.wait_for_selector("#field-list li")
    assert page.locator("#field-list li button").all_inner_texts() == list(DRAWN)
    assert page.locator("svg rect.shape:not(.title)").count() == 3

    # Release it to domain 1.
    page.get_by_role("link", name="Releases").click()
    domain = page.locator("[data-domain-id='1']")
    domain.get_by_label(re.compile(r"Membership \(console\)")).check()
    page.wait_for_selector("text=serving v1")
    assert "/custom/v1/1/" in domain.locator("[data-invoke-url]").inner_text()
    assert "•" in domain.locator("[data-secret]").inner_text()
    with api(live_server) as client:
        released = client.get("/api/v1/domains/1").json()["releases"]
    assert [r["templateId"] for r in released] == [template_id]

    # Test with a filled, rotated copy.
    values = sample_values(FORM, seed=11)
    copy = warp(fill_form(FORM, values, seed=11), rotation=3.0, shift=(15, -10), scale=0.9, seed=2).image
    photo = tmp_path / "filled.png"
    photo.write_bytes(to_png(copy))
    page.goto(f"{live_server.base}/console#/test/{template_id}")
    page.set_input_files("#test-file", str(photo))
    page.wait_for_selector("#result-table tbody tr", timeout=120_000)
    page.wait_for_selector("svg polygon.found")
    texts = {
        row.locator("th").inner_text(): row.locator("td.text").inner_text()
        for row in page.locator("#result-table tbody tr").all()
    }
    assert texts == {name: values[name] for name in DRAWN}
    assert "Matched Membership (console)" in page.inner_text("#test-status")
    assert '"inferResult": "SUCCESS"' in page.inner_text("#raw-json")
    assert page.locator("svg polygon.found").count() == 4  # the title and three fields
    page.screenshot(path=str(live_server.artifacts / "console-test.png"))


def test_suggested_fields_on_the_sample(page: Any, live_server: Live, tmp_path: Path) -> None:
    sign_in(page, live_server)
    page.wait_for_selector("text=Templates")
    upload_sample(page, tmp_path)
    page.get_by_role("button", name="Suggest fields").click()
    page.wait_for_selector("#suggestions li", timeout=120_000)
    names = page.locator("#suggestions li").evaluate_all("items => items.map(i => i.dataset.suggestion)")
    real = [f.name.rstrip(".") for f in FORM.definition.fields]
    found = [n for n in real if n in names]
    assert len(found) >= 8, (names, real)
    page.get_by_role("button", name="Accept Phone").click()
    page.get_by_role("button", name="Discard Date of Birth").click()
    expect(page.locator("#field-list li button")).to_have_text(["Phone"])
    assert "Date of Birth" not in page.locator("#suggestions").inner_text()
    page.screenshot(path=str(live_server.artifacts / "console-suggest.png"))


def test_server_errors_undo_delete_and_unsaved_guard(page: Any, live_server: Live, tmp_path: Path) -> None:
    sign_in(page, live_server)
    page.wait_for_selector("text=Templates")
    upload_sample(page, tmp_path)
    page.fill("#tpl-name", "Duplicate names")
    page.get_by_role("button", name="Draw field").click()
    draw(page, DRAWN["Name"])
    page.fill("#prop-name", "Same")
    draw(page, DRAWN["Phone"])
    page.fill("#prop-name", "Same")
    page.get_by_role("button", name="Save").click()
    # The server's refusal is shown beside the field it concerns.
    error = page.locator("[data-error-for='Same']")
    error.wait_for()
    assert "duplicate field name" in error.inner_text()
    # Delete key removes the selected field; undo brings it back, redo removes it again.
    page.get_by_role("button", name="Select").click()
    page.locator(".stage").focus()
    page.keyboard.press("Delete")
    expect(page.locator("#field-list li")).to_have_count(1)
    page.get_by_role("button", name="Undo").click()
    expect(page.locator("#field-list li")).to_have_count(2)
    page.keyboard.press("Control+Shift+Z")
    expect(page.locator("#field-list li")).to_have_count(1)
    page.locator("#field-list li button").first.click()
    page.get_by_role("button", name="Duplicate").click()
    expect(page.locator("#field-list li")).to_have_count(2)
    # Leaving with unsaved changes asks first; dismissing stays on the editor.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("link", name="Templates").click()
    # The hash changes first; the console puts it back once the dialog is dismissed.
    expect(page).to_have_url(re.compile(r"#/edit/new$"))
    expect(page.locator("#tpl-name")).to_have_value("Duplicate names")
    assert page.locator("#field-list li").count() >= 1
