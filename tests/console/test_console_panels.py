"""The console's other views in a real browser: deleting from the list, the release panel (withdraw,
secret shown, copied and rotated), the test view's low-confidence rows and JSON copy, labels on every
control, and no request leaving the server."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from browser_steps import FORM, api, create_template, guard_requests, infer_body, sign_in
from PIL import Image, ImageFilter
from playwright.sync_api import expect

from templateocr.synth import fill_form, sample_values, to_png

if TYPE_CHECKING:
    from conftest import Live

pytestmark = pytest.mark.slow

LOW = 0.8  # testview.js LOW_CONFIDENCE


def _clipboard(page: Any) -> str:
    return str(page.evaluate("navigator.clipboard.readText()"))


def test_delete_from_the_list_asks_first(page: Any, live_server: Live) -> None:
    name = f"To delete {uuid.uuid4().hex[:6]}"
    template_id = create_template(live_server, name)
    sign_in(page, live_server)
    row = page.locator(f"#templates tr[data-template-id='{template_id}']")
    expect(row).to_contain_text(name)
    asked: list[str] = []

    def answer(dialog: Any, accept: bool) -> None:
        asked.append(dialog.message)
        if accept:
            dialog.accept()
        else:
            dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.get_by_role("button", name=f"Delete {name}").click()
    assert asked and name in asked[0]
    expect(row).to_have_count(1)
    with api(live_server) as client:
        assert client.get(f"/api/v1/templates/{template_id}").status_code == 200

    page.once("dialog", lambda dialog: answer(dialog, True))
    page.get_by_role("button", name=f"Delete {name}").click()
    expect(page.locator("#flash")).to_have_text(f"Deleted {name}.")
    expect(row).to_have_count(0)
    with api(live_server) as client:
        assert client.get(f"/api/v1/templates/{template_id}").status_code == 404


def test_release_panel_withdraws_shows_copies_and_rotates_the_secret(page: Any, live_server: Live) -> None:
    name = f"Release panel {uuid.uuid4().hex[:6]}"
    template_id = create_template(live_server, name)
    with api(live_server) as client:
        domain = client.post("/api/v1/domains", json={"name": f"Panel {uuid.uuid4().hex[:6]}"}).json()
        released = client.post(
            f"/api/v1/domains/{domain['id']}/releases", json={"templateIds": [template_id]}
        )
        assert released.status_code < 300
    old_secret = domain["secret"]
    sign_in(page, live_server)
    page.get_by_role("link", name="Releases").click()
    card = page.locator(f"[data-domain-id='{domain['id']}']")

    # Withdraw: the checkbox clears it on the server.
    box = card.get_by_label(name)
    expect(box).to_be_checked()
    box.uncheck()
    expect(page.locator("#flash")).to_contain_text(f"Withdrew {name}")
    with api(live_server) as client:
        assert client.get(f"/api/v1/domains/{domain['id']}").json()["releases"] == []

    # The secret: masked, shown, hidden again, copied.
    secret = card.locator("[data-secret]")
    expect(secret).not_to_contain_text(old_secret)
    card.get_by_role("button", name="Show").click()
    expect(secret).to_have_text(old_secret)
    card.get_by_role("button", name="Hide").click()
    expect(secret).not_to_contain_text(old_secret)
    card.get_by_role("button", name="Copy secret").click()
    page.wait_for_function("s => navigator.clipboard.readText().then(t => t === s)", arg=old_secret)
    card.get_by_role("button", name="Copy URL").click()
    page.wait_for_function("u => navigator.clipboard.readText().then(t => t === u)", arg=domain["invokeUrl"])

    # Rotate: refusing the question keeps the secret; accepting replaces it.
    page.once("dialog", lambda dialog: dialog.dismiss())
    card.get_by_role("button", name="Rotate").click()
    with api(live_server) as client:
        assert client.get(f"/api/v1/domains/{domain['id']}").json()["secret"] == old_secret
    page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="Rotate").click()
    expect(page.locator("#flash")).to_have_text("Secret rotated.")
    with api(live_server) as client:
        new_secret = client.get(f"/api/v1/domains/{domain['id']}").json()["secret"]
    assert new_secret != old_secret
    card.get_by_role("button", name="Show").click()
    expect(card.locator("[data-secret]")).to_have_text(new_secret)
    body = infer_body(FORM.image)
    with api(live_server) as client:
        old = client.post(domain["invokeUrl"], json=body, headers={"X-OCR-SECRET": old_secret})
        assert old.status_code == 401 and old.json()["code"] == "0002"
        new = client.post(domain["invokeUrl"], json=body, headers={"X-OCR-SECRET": new_secret})
        assert new.status_code == 200, new.text
        assert new.json()["images"][0]["inferResult"] == "FAILURE"  # nothing is released there now


def test_test_view_marks_low_confidence_and_copies_the_json(
    page: Any, live_server: Live, tmp_path: Path
) -> None:
    name = f"Low confidence {uuid.uuid4().hex[:6]}"
    template_id = create_template(live_server, name)
    values = {**sample_values(FORM, seed=11), "E-mail": ""}
    filled = Image.fromarray(fill_form(FORM, values, seed=11))
    # Two fields blurred until they are hard to read (the engines still find some text there).
    smudged = {"Company": ((310, 596, 630, 660), 5), "Member No.": ((840, 596, 1140, 660), 4)}
    for box, radius in smudged.values():
        filled.paste(filled.crop(box).filter(ImageFilter.GaussianBlur(radius)), box[:2])
    photo = tmp_path / "smudged.png"
    photo.write_bytes(to_png(np.asarray(filled)))
    sign_in(page, live_server)
    page.goto(f"{live_server.base}/console#/test/{template_id}")
    page.set_input_files("#test-file", str(photo))
    rows = page.locator("#result-table tbody tr")
    expect(rows).to_have_count(len(FORM.definition.fields), timeout=120_000)

    result = json.loads(page.locator("#raw-json").inner_text())
    fields = result["images"][0]["fields"]
    low = {
        f["name"]
        for f in fields
        if f["inferConfidence"] < LOW and (f["inferText"] or f["type"] == "CHECKBOX")
    }
    assert low & set(smudged), [(f["name"], f["inferText"], f["inferConfidence"]) for f in fields]
    for f in fields:
        row = page.locator(f"tr[data-field='{f['name']}']")
        if f["name"] in low:
            expect(row).to_have_class("low")
            expect(row.locator("td.conf")).to_contain_text("(low)")
        else:
            expect(row).not_to_have_class("low")
            expect(row.locator("td.conf")).not_to_contain_text("(low)")
    expect(page.locator("svg polygon.found.low")).to_have_count(len(low))
    # A field left blank is not a low-confidence reading, but it is marked as such.
    expect(page.locator("tr[data-field='E-mail']")).to_have_class("empty")
    expect(page.locator("tr[data-field='E-mail'] td.text")).to_have_text("(nothing read)")
    expect(page.locator("tr[data-field='Name'] td.text")).to_have_text(values["Name"])

    page.get_by_role("button", name="Copy the CLOVA JSON").click()
    page.wait_for_function("() => navigator.clipboard.readText().then(t => t.includes('inferResult'))")
    assert json.loads(_clipboard(page)) == result


def _unlabelled(page: Any) -> list[str]:
    """Form controls without a label and buttons without a name, as short descriptions."""
    return list(
        page.evaluate(
            """() => {
        const bad = [];
        for (const el of document.querySelectorAll('input, select, textarea')) {
          const byLabel = [...(el.labels || [])].some((l) => l.textContent.trim());
          if (!byLabel && !el.getAttribute('aria-label')) bad.push(el.outerHTML.slice(0, 80));
        }
        for (const el of document.querySelectorAll('button')) {
          if (!el.textContent.trim() && !el.getAttribute('aria-label')) bad.push(el.outerHTML.slice(0, 80));
        }
        return bad;
      }"""
        )
    )


def test_every_control_has_a_label(page: Any, live_server: Live, tmp_path: Path) -> None:
    template_id = create_template(live_server, f"Labels {uuid.uuid4().hex[:6]}")
    page.goto(f"{live_server.base}/console")
    assert _unlabelled(page) == []
    sign_in(page, live_server)
    expect(page.locator("#templates")).to_be_visible()
    assert _unlabelled(page) == []

    page.goto(f"{live_server.base}/console#/edit/{template_id}")
    page.wait_for_selector("#field-list li")
    for label in ("Template name", "Language", "Sample (PNG, JPEG, PDF, TIFF)", "Page of a PDF/TIFF"):
        expect(page.get_by_label(label, exact=True)).to_have_count(1)
    for label in ("Combine name", "Combine format", "Validator URL"):
        expect(page.get_by_label(label, exact=True)).to_have_count(1)
    page.get_by_role("button", name="Add rule").click()
    for label in ("Field", "Check", "Pattern", "Message"):
        expect(page.get_by_role("group", name="Rule 1").get_by_label(label, exact=True)).to_have_count(1)
    # One field of each type selected in turn: its properties are labelled too.
    for name, labels in (
        ("Name", ("Field name", "Type", "Value type")),
        ("Member No.", ("Separators kept",)),
        ("ZIP Code", ("Boxes in the row",)),
        ("Privacy Consent", ("Checked text", "Unchecked text")),
    ):
        page.locator("#field-list").get_by_role("button", name=name, exact=True).click()
        for label in labels:
            expect(page.get_by_label(label, exact=True)).to_have_count(1)
        assert _unlabelled(page) == [], name
    page.get_by_role("button", name="Undo").click()  # the rule, so that leaving does not ask

    page.get_by_role("link", name="Releases").click()
    expect(page.get_by_role("heading", name="Releases")).to_be_visible()
    assert _unlabelled(page) == []

    page.goto(f"{live_server.base}/console#/test/{template_id}")
    photo = tmp_path / "filled.png"
    photo.write_bytes(to_png(fill_form(FORM, sample_values(FORM, seed=3), seed=3)))
    expect(page.get_by_label("Template", exact=True)).to_have_count(1)
    page.get_by_label("choose a file:").set_input_files(str(photo))
    expect(page.locator("#result-table tbody tr")).to_have_count(len(FORM.definition.fields), timeout=120_000)
    assert _unlabelled(page) == []


def test_the_request_guard_refuses_other_hosts(browser: Any, live_server: Live) -> None:
    """The guard every browser test runs under does catch a request that leaves the server."""
    context = browser.new_context()
    problems: list[str] = []
    guard_requests(context, problems)
    try:
        tab = context.new_page()
        tab.goto(f"{live_server.base}/console")
        failed = tab.evaluate("fetch('http://198.51.100.7/x').then(() => 'answered', () => 'refused')")
        assert failed == "refused"
        tab.evaluate(
            """new Promise((done) => {
              const image = new Image();
              image.onerror = done;
              image.src = 'https://example.invalid/a.png';
            })"""
        )
    finally:
        context.close()
    assert problems == [
        "external request: http://198.51.100.7/x",
        "external request: https://example.invalid/a.png",
    ]
