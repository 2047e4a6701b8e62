"""The form layouts: a boxed application table, an invoice with underlined blanks, a registration grid.

Each ``draw_*`` function prints one layout on a :class:`Canvas` and records its title and fields
(names in the page's language, semantic keys for :mod:`templateocr.synth.values`). Coordinates
are design units of a 1240 x 1754 page. ``draw_letter`` and ``draw_survey`` print pages that are
none of the forms.
"""

from __future__ import annotations

import random

from templateocr.synth.canvas import INK, Canvas
from templateocr.synth.labels import LETTER, SURVEY_QUESTIONS, tr

__all__ = [
    "POSTCODE_DIGITS",
    "draw_application",
    "draw_invoice",
    "draw_letter",
    "draw_registration",
    "draw_survey",
]

LEFT, RIGHT = 90.0, 1150.0
LABEL_FILL = (236, 236, 236)
ACCENT = (20, 90, 80)
NAVY = (30, 50, 100)
SEAL_RED = (200, 40, 40)
POSTCODE_DIGITS = {"ko": 5, "ja": 7, "zh-TW": 5, "en": 5}


def _footer(cv: Canvas, key: str) -> None:
    cv.line(LEFT, 1640, RIGHT, 1640, width=1.5)
    cv.text((620, 1670), tr(cv.lang, key), 19, anchor="mm", max_width=RIGHT - LEFT)


def _label_cell(cv: Canvas, rect: tuple[float, float, float, float], label: str, size: float = 27) -> None:
    left, top, right, bottom = rect
    cv.rect(rect, width=1.5, fill=LABEL_FILL)
    cv.text(((left + right) / 2, (top + bottom) / 2), label, size, anchor="mm", max_width=right - left - 16)


def draw_application(cv: Canvas) -> None:
    """A boxed table: label cells on the left, value cells on the right, a photo box, two consents."""
    lang = cv.lang
    cv.text((LEFT, 42), tr(lang, "app.code"), 18)
    title = tr(lang, "app.title")
    cv.set_title(cv.text((620, 120), title, 64, style="bold", anchor="mm", max_width=1000), title)
    cv.text((LEFT, 212), tr(lang, "app.note"), 21, anchor="lm", max_width=RIGHT - LEFT)

    top, row, label_r, photo_l = 250.0, 84.0, 300.0, 910.0
    rows = [top + i * row for i in range(8)]

    def pair(i: int, key: str, right: float) -> None:
        _label_cell(cv, (LEFT, rows[i], label_r, rows[i + 1]), tr(lang, f"f.{key}"))
        cv.rect((label_r, rows[i], right, rows[i + 1]), width=1.5)
        cv.field(key, tr(lang, f"f.{key}"), (label_r, rows[i], right, rows[i + 1]))

    pair(0, "name", photo_l)
    pair(1, "birth", photo_l)
    pair(2, "phone", photo_l)
    cv.rect((photo_l, rows[0], RIGHT, rows[3]), width=1.5)
    cv.text(
        ((photo_l + RIGHT) / 2, rows[1] + 30), tr(lang, "app.photo"), 30, anchor="mm", fill=(120, 120, 120)
    )
    cv.text(
        ((photo_l + RIGHT) / 2, rows[2] + 10),
        tr(lang, "app.photo_note"),
        19,
        anchor="mm",
        fill=(120, 120, 120),
    )
    pair(3, "email", RIGHT)
    # row 4: company | member number
    mid_l, mid_r = 640.0, 830.0
    pair(4, "company", mid_l)
    _label_cell(cv, (mid_l, rows[4], mid_r, rows[5]), tr(lang, "f.id"))
    cv.rect((mid_r, rows[4], RIGHT, rows[5]), width=1.5)
    cv.field("id", tr(lang, "f.id"), (mid_r, rows[4], RIGHT, rows[5]), numeric=True, separators="-")
    # row 5: postcode comb
    _label_cell(cv, (LEFT, rows[5], label_r, rows[6]), tr(lang, "f.postcode"))
    cv.rect((label_r, rows[5], RIGHT, rows[6]), width=1.5)
    digits = POSTCODE_DIGITS[lang]
    cv.comb(
        "postcode",
        tr(lang, "f.postcode"),
        (label_r + 16, rows[5] + 11),
        digits,
        hyphen_after=3 if digits == 7 else None,
    )
    pair(6, "address", RIGHT)
    cv.rect((LEFT, rows[0], RIGHT, rows[7]), width=4)

    # consent box
    y = rows[7] + 50
    cv.text((LEFT, y), tr(lang, "app.consent_head"), 28, style="bold", anchor="lm")
    cv.rect((LEFT, y + 30, RIGHT, y + 300), width=2)
    text_bottom = cv.paragraph((LEFT + 24, y + 52), tr(lang, "app.consent_text"), 21, RIGHT - LEFT - 48)
    cy = max(text_bottom + 24, y + 170)
    cv.checkbox("agree", tr(lang, "f.agree"), (LEFT + 30, cy), tr(lang, "app.agree"))
    cv.checkbox("newsletter", tr(lang, "f.newsletter"), (LEFT + 30, cy + 64), tr(lang, "app.newsletter"))

    # date and signature
    y = 1300.0
    if lang == "en":
        cv.text((700, y), tr(lang, "app.date"), 28, anchor="lm")
        cv.line(790, y + 18, RIGHT, y + 18, width=1.5)
    else:
        cv.text((RIGHT, y), "20        " + tr(lang, "app.date"), 28, anchor="rm")
    cv.text((700, y + 100), tr(lang, "app.sign"), 28, anchor="lm")
    cv.line(850, y + 118, RIGHT, y + 118, width=1.5)
    cv.text((RIGHT, y + 100), tr(lang, "app.seal"), 24, anchor="rm", fill=(90, 90, 90))
    _footer(cv, "app.footer")


def _blank(
    cv: Canvas,
    key: str,
    x: float,
    line_x: float,
    right: float,
    y: float,
    *,
    numeric: bool = False,
    separators: str = "",
    bold: bool = False,
) -> None:
    """``Label: ______``: a label, then an underline; the field area sits on the line."""
    label = tr(cv.lang, f"f.{key}")
    cv.text((x, y - 12), label + ":", 26, style="bold" if bold else "sans", anchor="ls")
    cv.line(line_x, y, right, y, width=3 if bold else 1.5)
    if bold:
        cv.line(line_x, y + 6, right, y + 6, width=1.5)
    cv.field(key, label, (line_x, y - 66, right, y), numeric=numeric, separators=separators, inset=4)


def _label_width(cv: Canvas, keys: list[str], bold: bool = False) -> float:
    return max(cv.text_width(tr(cv.lang, f"f.{k}") + ":", 26, "bold" if bold else "sans") for k in keys)


def draw_invoice(cv: Canvas) -> None:
    """A logo header, underlined blanks, an empty items table, totals and payment checkboxes."""
    lang = cv.lang
    cv.rect((LEFT, 80, 200, 190), outline=None, fill=NAVY)
    cv.ellipse((112, 102, 178, 168), width=3, outline=(255, 255, 255))
    cv.text((145, 135), tr(lang, "inv.logo"), 34, style="bold", anchor="mm", fill=(255, 255, 255))
    cv.text((225, 92), tr(lang, "inv.company"), 30, style="bold", max_width=470)
    cv.text((225, 142), tr(lang, "inv.company_addr"), 18, max_width=470)
    cv.text((225, 168), tr(lang, "inv.company_reg"), 18, max_width=470)
    title = tr(lang, "inv.title")
    cv.set_title(cv.text((RIGHT, 135), title, 76, style="bold", anchor="rm", fill=NAVY, max_width=420), title)
    cv.line(LEFT, 222, RIGHT, 222, width=5, fill=NAVY)

    left_keys, right_keys = ["customer"], ["invoice_no", "issue_date", "due_date"]
    line_l = LEFT + _label_width(cv, left_keys + ["address"]) + 14
    honorific = tr(lang, "inv.honorific")
    _blank(cv, "customer", LEFT, line_l, 560 if honorific else 620, 330)
    if honorific:
        cv.text((572, 318), honorific, 26, anchor="ls")
    rx = 670.0
    line_r = rx + _label_width(cv, right_keys) + 14
    _blank(cv, "invoice_no", rx, line_r, RIGHT, 330, numeric=True, separators="-")
    _blank(cv, "issue_date", rx, line_r, RIGHT, 410, numeric=True, separators="-.")
    _blank(cv, "due_date", rx, line_r, RIGHT, 490, numeric=True, separators="-.")
    _blank(cv, "address", LEFT, line_l, RIGHT, 570)

    # items table (printed, left empty)
    top, head, row = 630.0, 52.0, 54.0
    cols = [LEFT, 610.0, 730.0, 920.0, RIGHT]
    cv.rect((LEFT, top, RIGHT, top + head), outline=None, fill=(70, 70, 70))
    for key, (a, b) in zip(
        ("inv.items", "inv.qty", "inv.unit", "inv.amount"), zip(cols, cols[1:], strict=False), strict=True
    ):
        cv.text(
            ((a + b) / 2, top + head / 2),
            tr(lang, key),
            24,
            style="bold",
            anchor="mm",
            fill=(255, 255, 255),
            max_width=b - a - 12,
        )
    bottom = top + head + 5 * row
    for i in range(1, 6):
        cv.line(LEFT, top + head + i * row, RIGHT, top + head + i * row, width=1, fill=(150, 150, 150))
    for x in cols[1:-1]:
        cv.line(x, top + head, x, bottom, width=1, fill=(150, 150, 150))
    cv.rect((LEFT, top, RIGHT, bottom), width=2)

    # totals
    sx = 660.0
    total_keys = ["subtotal", "tax", "total"]
    line_t = sx + _label_width(cv, total_keys, bold=True) + 14
    y0 = bottom + 100
    _blank(cv, "subtotal", sx, line_t, RIGHT, y0, numeric=True, separators=",")
    _blank(cv, "tax", sx, line_t, RIGHT, y0 + 80, numeric=True, separators=",")
    _blank(cv, "total", sx, line_t, RIGHT, y0 + 170, numeric=True, separators=",", bold=True)

    # payment method
    cv.text((LEFT, y0 - 40), tr(lang, "inv.pay"), 26, style="bold", anchor="lm")
    cv.checkbox("transfer", tr(lang, "f.transfer"), (LEFT + 10, y0), tr(lang, "f.transfer"))
    cv.checkbox("cash", tr(lang, "f.cash"), (LEFT + 10, y0 + 64), tr(lang, "f.cash"))

    # bank details, note, seal
    by = y0 + 220
    cv.rect((LEFT, by, RIGHT, by + 104), width=1.5, fill=(246, 246, 246))
    cv.text((LEFT + 20, by + 34), tr(lang, "inv.bank"), 20, anchor="lm", max_width=RIGHT - LEFT - 40)
    cv.text((LEFT + 20, by + 72), tr(lang, "inv.bank_note"), 18, anchor="lm", max_width=RIGHT - LEFT - 40)
    cv.text((620, by + 170), tr(lang, "inv.note"), 28, anchor="mm")
    cv.text((960, by + 275), tr(lang, "inv.company"), 24, anchor="rm", max_width=500)
    cv.ellipse((1000, by + 230, 1090, by + 320), width=4, outline=SEAL_RED)
    cv.text((1045, by + 275), tr(lang, "inv.seal"), 36, style="bold", anchor="mm", fill=SEAL_RED)
    _footer(cv, "inv.footer")


def _grid_cell(
    cv: Canvas,
    key: str,
    rect: tuple[float, float, float, float],
    *,
    numeric: bool = False,
    separators: str = "",
    unit: str = "",
) -> None:
    """A grid cell with a small label in its top-left corner and the value area below it."""
    left, top, right, bottom = rect
    label = tr(cv.lang, f"f.{key}")
    cv.rect(rect, width=1.5)
    cv.text((left + 12, top + 8), label, 20, fill=(70, 70, 70))
    value_right = right
    if unit:
        cv.text((right - 14, bottom - 30), unit, 24, anchor="rm")
        value_right = right - 14 - cv.text_width(unit, 24) - 8
    cv.field(
        key, label, (left + 4, top + 34, value_right, bottom - 2), numeric=numeric, separators=separators
    )


def _section(cv: Canvas, y: float, key: str) -> float:
    cv.rect((LEFT, y, RIGHT, y + 48), outline=None, fill=(222, 236, 232))
    cv.line(LEFT, y, LEFT, y + 48, width=8, fill=ACCENT)
    cv.text((LEFT + 20, y + 24), tr(cv.lang, key), 26, style="bold", anchor="lm", fill=ACCENT)
    return y + 48


def draw_registration(cv: Canvas) -> None:
    """An emblem header, section bars, a two-column grid of labelled cells, notes and a receipt stub."""
    lang = cv.lang
    cv.ellipse((LEFT, 70, 200, 180), width=5, outline=ACCENT)
    cv.ellipse((104, 84, 186, 166), width=2, outline=ACCENT)
    cv.text((145, 125), tr(lang, "reg.emblem"), 40, style="bold", anchor="mm", fill=ACCENT)
    cv.text((225, 78), tr(lang, "reg.org"), 24, fill=ACCENT)
    title = tr(lang, "reg.title")
    cv.set_title(cv.text((225, 150), title, 58, style="bold", anchor="lm", max_width=620), title)
    cv.rect((880, 84, RIGHT, 176), width=1.5)
    cv.text((890, 96), tr(lang, "reg.receipt"), 17, fill=(90, 90, 90), max_width=250)
    cv.line(LEFT, 215, RIGHT, 215, width=3, fill=ACCENT)

    mid, h = 620.0, 110.0
    y = _section(cv, 245, "reg.sec1")
    _grid_cell(cv, "name", (LEFT, y, mid, y + h))
    _grid_cell(cv, "birth", (mid, y, RIGHT, y + h))
    _grid_cell(cv, "phone", (LEFT, y + h, mid, y + 2 * h))
    _grid_cell(cv, "org", (mid, y + h, RIGHT, y + 2 * h))
    _grid_cell(cv, "address", (LEFT, y + 2 * h, RIGHT, y + 3 * h))
    cv.rect((LEFT, y, RIGHT, y + 3 * h), width=3)

    y = _section(cv, y + 3 * h + 40, "reg.sec2")
    _grid_cell(cv, "start_date", (LEFT, y, mid, y + h), numeric=True, separators="-.")
    _grid_cell(cv, "fee", (mid, y, RIGHT, y + h), numeric=True, separators=",", unit=tr(lang, "reg.fee_unit"))
    cv.rect((LEFT, y + h, mid, y + 2 * h), width=1.5)
    cv.text((LEFT + 12, y + h + 8), tr(lang, "f.member_no"), 20, fill=(70, 70, 70))
    cv.comb("member_no", tr(lang, "f.member_no"), (LEFT + 40, y + h + 40), 6, box_w=50, box_h=58, gap=10)
    cv.rect((mid, y + h, RIGHT, y + 2 * h), width=1.5)
    cv.text((mid + 12, y + h + 8), tr(lang, "reg.schedule"), 20, fill=(70, 70, 70))
    right = cv.checkbox("weekday", tr(lang, "f.weekday"), (mid + 30, y + h + 50), tr(lang, "f.weekday"))
    cv.checkbox(
        "weekend", tr(lang, "f.weekend"), (max(right + 50, mid + 270), y + h + 50), tr(lang, "f.weekend")
    )
    cv.rect((LEFT, y, RIGHT, y + 2 * h), width=3)

    y = _section(cv, y + 2 * h + 40, "reg.sec3") + 22
    for note in tr(lang, "reg.notes").split("|"):
        cv.text((LEFT + 20, y), note, 20, max_width=RIGHT - LEFT - 40)
        y += 36
    cv.text((620, y + 50), tr(lang, "reg.declare"), 26, anchor="mm")
    cv.text((700, y + 140), tr(lang, "reg.sign"), 26, anchor="lm")
    cv.line(850, y + 158, RIGHT, y + 158, width=1.5)
    cv.text((RIGHT, y + 140), tr(lang, "reg.seal"), 22, anchor="rm", fill=(90, 90, 90))

    stub = y + 210
    cv.dashed(LEFT, RIGHT, stub)
    cv.text((620, stub + 40), tr(lang, "reg.stub"), 24, style="bold", anchor="mm")
    cv.text((LEFT + 20, stub + 90), tr(lang, "f.name") + " :", 20, anchor="lm")
    cv.line(LEFT + 150, stub + 104, 560, stub + 104, width=1)
    cv.text(
        (680, stub + 90), tr(lang, "reg.org") + "  " + tr(lang, "reg.seal"), 20, anchor="lm", max_width=470
    )
    _footer(cv, "reg.footer")


def draw_letter(cv: Canvas, seed: int) -> None:
    """A one-page notice letter: letterhead, date, salutation, paragraphs, closing."""
    lang = cv.lang
    rng = random.Random(f"letter:{lang}:{seed}")
    cv.rect((LEFT, 80, 170, 160), outline=None, fill=ACCENT)
    cv.text((190, 120), tr(lang, "letter.head"), 34, style="bold", anchor="lm", max_width=700)
    cv.line(LEFT, 190, RIGHT, 190, width=2, fill=ACCENT)
    cv.text((RIGHT, 240), tr(lang, "letter.date"), 24, anchor="rm")
    cv.text((620, 330), tr(lang, "letter.title"), 44, style="bold", anchor="mm")
    y = cv.paragraph((LEFT, 420), tr(lang, "letter.dear"), 26, RIGHT - LEFT)
    sentences = list(LETTER[lang])
    rng.shuffle(sentences)
    y += 20
    for start in range(0, len(sentences), 3):
        separator = " " if lang in ("en", "ko") else ""
        y = cv.paragraph(
            (LEFT, y), separator.join(sentences[start : start + 3]), 26, RIGHT - LEFT, leading=1.7
        )
        y += 30
    cv.text((RIGHT, y + 80), tr(lang, "letter.close"), 26, anchor="rm")
    cv.text((RIGHT, y + 130), tr(lang, "letter.head"), 26, anchor="rm", max_width=600)
    cv.line(LEFT, 1640, RIGHT, 1640, width=1.5, fill=ACCENT)


def draw_survey(cv: Canvas, seed: int) -> None:
    """A questionnaire: a table of questions, each with five rating boxes."""
    lang = cv.lang
    rng = random.Random(f"survey:{lang}:{seed}")
    cv.text((620, 120), tr(lang, "survey.title"), 60, style="bold", anchor="mm", max_width=1000)
    cv.line(LEFT, 200, RIGHT, 200, width=3)
    questions = list(SURVEY_QUESTIONS[lang])
    rng.shuffle(questions)
    scale = tr(lang, "survey.scale").split("|")
    top, head, row, q_right = 260.0, 70.0, 90.0, 520.0
    col_w = (RIGHT - q_right) / len(scale)
    cv.rect((LEFT, top, RIGHT, top + head), width=1.5, fill=LABEL_FILL)
    cv.text(((LEFT + q_right) / 2, top + head / 2), tr(lang, "survey.head"), 24, style="bold", anchor="mm")
    for i, label in enumerate(scale):
        cx = q_right + (i + 0.5) * col_w
        cv.text((cx, top + head / 2), label, 20, anchor="mm", max_width=col_w - 10)
    for r, question in enumerate(questions):
        y = top + head + r * row
        cv.rect((LEFT, y, RIGHT, y + row), width=1.5)
        cv.text(
            (LEFT + 20, y + row / 2), f"{r + 1}. {question}", 24, anchor="lm", max_width=q_right - LEFT - 30
        )
        for i in range(len(scale)):
            cx = q_right + (i + 0.5) * col_w
            cv.ellipse((cx - 16, y + row / 2 - 16, cx + 16, y + row / 2 + 16), width=2, outline=INK)
    y = top + head + len(questions) * row + 60
    cv.text((LEFT, y), tr(lang, "survey.comment"), 24, style="bold", anchor="lm")
    cv.rect((LEFT, y + 30, RIGHT, y + 330), width=1.5)
    _footer(cv, "letter.head")
