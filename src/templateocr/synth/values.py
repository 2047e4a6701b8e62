"""Realistic values for the fields of a synthetic form, in the form's language and script.

Values are drawn from short lists of plausible names, companies and addresses, and from
generated dates, phone numbers, amounts and ids, deterministically from a seed. They are short
enough to fit their boxes at a readable size (see :func:`templateocr.synth.fill.value_font_size`).
"""

from __future__ import annotations

import datetime as dt
import random

from templateocr.models.template import FieldType
from templateocr.synth.forms import SyntheticForm

__all__ = ["OPTIONAL_KEYS", "sample_values"]

OPTIONAL_KEYS = frozenset({"email", "company", "org", "due_date", "id"})
"""Semantic keys of fields that ``allow_empty=True`` may leave empty."""

_NAMES = {
    "ko": (
        "김민준",
        "이서연",
        "박지훈",
        "최수아",
        "정우진",
        "강하은",
        "조현우",
        "윤지민",
        "장예은",
        "임도윤",
    ),
    "ja": (
        "山田 太郎",
        "佐藤 花子",
        "鈴木 一郎",
        "高橋 美咲",
        "田中 健太",
        "伊藤 さくら",
        "渡辺 翔",
        "中村 陽子",
    ),
    "zh-TW": ("王小明", "陳怡君", "林志豪", "張雅婷", "李家豪", "黃美玲", "吳建宏", "劉淑芬"),
    "en": ("John Smith", "Emily Johnson", "Michael Brown", "Sarah Davis", "David Wilson", "Laura Miller"),
}
_ROMAN = {
    "ko": ("minjun.kim", "seoyeon.lee", "jihoon.park", "sua.choi", "woojin.jung", "haeun.kang"),
    "ja": ("taro.yamada", "hanako.sato", "ichiro.suzuki", "misaki.t", "kenta.tanaka", "sakura.ito"),
    "zh-TW": ("xiaoming.wang", "yijun.chen", "zhihao.lin", "yating.chang", "jiahao.lee", "meiling.h"),
    "en": ("john.smith", "emily.j", "mbrown", "sarah.davis", "dwilson", "laura.miller"),
}
_DOMAINS = {
    "ko": ("example.co.kr", "mail.example.kr"),
    "ja": ("example.jp", "example.ne.jp"),
    "zh-TW": ("example.com.tw", "mail.example.tw"),
    "en": ("example.com", "example.org"),
}
_COMPANIES = {
    "ko": ("(주)한빛테크", "대한물산", "서울데이터랩", "미래건설(주)", "푸른소프트"),
    "ja": ("山田商事", "東海電機(株)", "さくら物産", "北斗システム", "青葉建設(株)"),
    "zh-TW": ("宏達電子公司", "永豐貿易", "大同資訊", "聯合建設公司", "華新科技"),
    "en": ("Acme Corp.", "Blue Ocean Ltd.", "Northwind Inc.", "Summit Labs", "Redwood LLC"),
}
_ADDRESSES = {
    "ko": (
        "서울특별시 강남구 테헤란로 123",
        "부산광역시 해운대구 센텀중앙로 79",
        "대구광역시 중구 동성로 45",
        "인천광역시 연수구 송도과학로 32",
        "경기도 성남시 분당구 판교역로 235",
    ),
    "ja": (
        "東京都千代田区丸の内1-1-1",
        "大阪府大阪市北区梅田3-1-3",
        "愛知県名古屋市中村区名駅4-7-1",
        "福岡県福岡市博多区博多駅前2-1-1",
        "北海道札幌市中央区北1条西2-1",
    ),
    "zh-TW": (
        "臺北市信義區市府路1號",
        "新北市板橋區中山路一段161號",
        "臺中市西屯區臺灣大道三段99號",
        "高雄市苓雅區四維三路2號",
        "臺南市東區大學路1號",
    ),
    "en": (
        "221 Baker St, London",
        "12 Oak Ave, Portland, OR",
        "742 Evergreen Terrace",
        "1600 Main St, Springfield",
        "55 Pine Rd, Austin, TX",
    ),
}
_TAX_RATE = {"ko": 0.10, "ja": 0.10, "zh-TW": 0.05, "en": 0.08}
_AMOUNT = {
    "ko": (100_000, 9_900_000, 100),
    "ja": (10_000, 990_000, 10),
    "zh-TW": (1_000, 99_000, 1),
    "en": (100, 9_999, 1),
}
_FEE = {
    "ko": (50_000, 300_000, 10_000),
    "ja": (3_000, 30_000, 500),
    "zh-TW": (1_200, 9_600, 100),
    "en": (80, 600, 10),
}


def _digits(rng: random.Random, count: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(count))


def _phone(lang: str, rng: random.Random) -> str:
    if lang == "ko":
        return rng.choice(
            (f"010-{_digits(rng, 4)}-{_digits(rng, 4)}", f"02-{_digits(rng, 3)}-{_digits(rng, 4)}")
        )
    if lang == "ja":
        return rng.choice(
            (f"090-{_digits(rng, 4)}-{_digits(rng, 4)}", f"03-{_digits(rng, 4)}-{_digits(rng, 4)}")
        )
    if lang == "zh-TW":
        return rng.choice(
            (
                f"09{_digits(rng, 2)}-{_digits(rng, 3)}-{_digits(rng, 3)}",
                f"02-{_digits(rng, 4)}-{_digits(rng, 4)}",
            )
        )
    area = rng.randrange(201, 990)
    return rng.choice((f"({area}) 555-{_digits(rng, 4)}", f"{area}-555-{_digits(rng, 4)}"))


def _birth(lang: str, rng: random.Random) -> str:
    day = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(16_000))
    styles = {
        "ko": (f"{day:%Y.%m.%d}", f"{day:%Y-%m-%d}"),
        "ja": (f"{day.year}年{day.month}月{day.day}日", f"{day:%Y/%m/%d}"),
        "zh-TW": (f"{day:%Y/%m/%d}", f"民國{day.year - 1911}年{day.month}月{day.day}日"),
        "en": (f"{day:%m/%d/%Y}", f"{day:%Y-%m-%d}"),
    }
    return rng.choice(styles[lang])


def _numeric_date(day: dt.date, separator: str) -> str:
    return f"{day.year}{separator}{day.month:02d}{separator}{day.day:02d}"


def _amount(rng: random.Random, low: int, high: int, step: int) -> int:
    return rng.randrange(low // step, high // step + 1) * step


def _invent(lang: str, rng: random.Random) -> dict[str, str]:
    """One value for every semantic key, consistent across keys (total = subtotal + tax, due > issue)."""
    sep = rng.choice("-.")
    issue = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(1000))
    subtotal = _amount(rng, *_AMOUNT[lang])
    tax = round(subtotal * _TAX_RATE[lang])
    email = f"{rng.choice(_ROMAN[lang])}@{rng.choice(_DOMAINS[lang])}"
    return {
        "name": rng.choice(_NAMES[lang]),
        "birth": _birth(lang, rng),
        "phone": _phone(lang, rng),
        "email": email,
        "company": rng.choice(_COMPANIES[lang]),
        "org": rng.choice(_COMPANIES[lang]),
        "customer": rng.choice(_COMPANIES[lang]),
        "address": rng.choice(_ADDRESSES[lang]),
        "id": f"{_digits(rng, 3)}-{_digits(rng, 2)}-{_digits(rng, 5)}",
        "invoice_no": f"{issue.year}-{rng.randrange(1, 10_000):04d}",
        "issue_date": _numeric_date(issue, sep),
        "due_date": _numeric_date(issue + dt.timedelta(days=30), sep),
        "start_date": _numeric_date(issue + dt.timedelta(days=rng.randrange(7, 60)), sep),
        "subtotal": f"{subtotal:,}",
        "tax": f"{tax:,}",
        "total": f"{subtotal + tax:,}",
        "fee": f"{_amount(rng, *_FEE[lang]):,}",
    }


def sample_values(form: SyntheticForm, seed: int, *, allow_empty: bool = False) -> dict[str, str | bool]:
    """Invent a value for every field of ``form``, deterministically from ``seed``.

    NORMAL fields get a string in the form's language (names, addresses, dates, amounts, ids);
    MULTI_BOX fields get one digit per box; CHECKBOX fields get a bool.

    Args:
        form: the form whose fields to fill.
        seed: the same seed always gives the same values.
        allow_empty: when True, optional fields (:data:`OPTIONAL_KEYS`: e-mail, company, due
            date, ...) are left empty (``""``) for some seeds; by default every text field has a value.
    """
    rng = random.Random(f"values:{form.lang}:{form.kind}:{seed}")
    invented = _invent(form.lang, rng)
    values: dict[str, str | bool] = {}
    for spec in form.definition.fields:
        key = form.semantics.get(spec.name, "")
        if spec.type is FieldType.CHECKBOX:
            values[spec.name] = rng.random() < 0.5
        elif spec.type is FieldType.MULTI_BOX:
            assert spec.boxes is not None
            values[spec.name] = _digits(rng, len(spec.boxes))
        else:
            text = invented.get(key) or rng.choice(_NAMES[form.lang])
            drop = rng.random() < 0.35  # drawn always, so allow_empty changes nothing else
            values[spec.name] = "" if allow_empty and drop and key in OPTIONAL_KEYS else text
    return values
