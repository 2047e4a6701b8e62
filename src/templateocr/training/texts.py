"""Text lines like the values people write on Korean and English forms, drawn from a seed.

Names, company names, addresses, dates, amounts, ids, phone numbers, e-mail addresses and free
text from form vocabulary, plus strings of random KS X 1001 syllables (so that every syllable is
seen, not only the common ones) and of random Latin letters and digits.

Words from the vocabulary have some of their syllables swapped (:data:`SWAP_SHARE`) for one that
differs only in its vowel, or for any syllable: a model that learned the vocabulary's words by
heart reads an unseen ``테헤란로`` as the ``해`` it saw in ``해운대``, ``중앙`` as the ``양`` of
``고양``; the swaps make it look at the strokes that tell the vowels apart.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from templateocr.training.charset import HANGUL

__all__ = ["KINDS", "TextSampler"]

_SURNAMES = "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진나지엄변채원천방공현함염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉사부"
_DOUBLE_SURNAMES = ("황보", "남궁", "제갈", "선우", "독고", "사공", "서문")
_GIVEN = "민서준지현우예수하윤도연은정영진성혜주희재호동석경훈승태상아유채나소미다원시건율빈찬혁규환선희숙자순옥철수남길용"
_WORDS = (
    "신청인 주소 성명 생년월일 연락처 전화번호 휴대전화 이메일 회사명 상호 대표자 사업장 소재지 본점 업태 종목 개업연월일 법인등록번호 사업자등록번호 발급일 금액 합계 부가세 공급가액 "
    "세액 품목 수량 단가 비고 서명 날인 확인 담당자 부서 직위 계좌번호 은행 예금주 주민등록번호 국적 성별 남 여 기간 시작일 종료일 제출처 용도 신고 접수 처리 결과 승인 반려 "
    "첨부 서류 원본 사본 증명서 등록증 허가증 계약서 견적서 영수증 청구서 납부 환급 보험 연금 건강 고용 산재 근무 입사 퇴사 급여 수당 상여 공제 소득 세금 지방세 국세 관할 "
    "세무서 구청 시청 동사무소 주민센터 우편번호 도로명 지번 아파트 오피스텔 빌딩 상가 공장 창고 사무실 지점 영업소 도소매 제조업 서비스 정보통신업 건설업 음식점 소프트웨어 개발 "
    "공급 판매 수출입 무역 컨설팅 교육 의료 홍보 마케팅 디자인 인쇄 출판 운송 물류 택배 부동산 임대 관리 보수 청소 경비 시설 전기 가스 수도 통신 월 일 년 시 분 원 개 명 건 "
    "회 차 호 층 동 번지 길 로 대로 가 구 군 읍 면 리 서울 부산 대구 인천 광주 대전 울산 세종 경기 강원 충북 충남 전북 전남 경북 경남 제주 특별시 광역시 특별자치시 "
    "특별자치도 수원 성남 고양 용인 창원 청주 전주 천안 안산 안양 김해 포항 강남 서초 송파 마포 영등포 종로 중구 해운대 수성 연수 분당 일산 판교 역삼 삼성 논현 신사 여의도 "
    "주식회사 유한회사 합자회사 사단법인 재단법인 협동조합 상사 물산 산업 전자 기술 테크 솔루션 시스템 네트웍스 글로벌 코리아 엔지니어링 건설 개발 식품 유통 제약 바이오 화학 에너지 "
    "디지털 미디어 랩 대한 한국 우리 하나 신한 국민 농협 기업 새마을 우체국 미래 푸른 한빛 새봄 누리 다온 가온 나래 위 사항을 신청합니다 확인합니다 틀림없음을 증명합니다 귀하 "
    "드림 올림 참조 이상 없음 해당 미해당 예 아니오 있음 없음 완료 진행중 대기 취소 변경 추가 삭제 재발급 갱신 연장 해지 명의 이전"
).split()
_ROADS = ("로", "길", "대로")
SWAP_SHARE = 0.15
"""Share of a vocabulary word's syllables swapped (half for the same syllable with another
vowel, half for any syllable)."""
_FIRST_SYLLABLE, _VOWELS, _FINALS = 0xAC00, 21, 28
_HANGUL_SET = frozenset(HANGUL)
_EMAIL_DOMAINS = (
    "naver.com",
    "daum.net",
    "gmail.com",
    "kakao.com",
    "example.co.kr",
    "company.kr",
    "hanmail.net",
)
_EN_FIRST = (
    "James Mary John Patricia Robert Jennifer Michael Linda David Elizabeth William Susan Richard Jessica "
    "Joseph Sarah Thomas Karen Chris Nancy Daniel Lisa Matthew Betty Anthony Sandra Mark Ashley Paul "
    "Emily Steven Donna Andrew Michelle Kevin Carol Brian Amanda George Melissa Edward Deborah Ronald "
    "Stephanie"
).split()
_EN_LAST = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark "
    "Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson "
    "Baker Hall Kim Park Choi Jung Kang Cho Yoon Jang Lim Han"
).split()
_EN_WORDS = (
    "name address date of birth phone number email company account bank total amount tax invoice receipt "
    "signature applicant office street avenue road suite floor building city state zip code country "
    "department manager director sales service order quantity price description remarks approved pending "
    "yes no male female single married from to period start end reference payment due paid balance "
    "insurance policy claim member customer supplier product item unit monthly annual notes contact"
).split()
_EN_STREETS = ("St", "Ave", "Rd", "Blvd", "Lane", "Drive", "Way", "Court", "Street", "Avenue", "Road")
_EN_CITIES = (
    "Springfield",
    "Portland",
    "Austin",
    "Denver",
    "Seattle",
    "Boston",
    "Chicago",
    "Phoenix",
    "Atlanta",
    "London",
    "Toronto",
    "Sydney",
    "Dallas",
    "Oakland",
    "Madison",
    "Salem",
    "Dover",
    "Albany",
)
_STATES = ("CA", "NY", "TX", "OR", "WA", "IL", "MA", "GA", "CO", "AZ", "NJ", "VA")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_SEPARATORS = (".", "-", "/", ". ")


class TextSampler:
    """Draws text lines of many kinds; every draw is a function of the seed and the draw count."""

    def __init__(self, seed: int) -> None:
        """Start the stream of texts for ``seed``."""
        self.rng = random.Random(seed)
        self._kinds: list[tuple[str, float, Callable[[], str]]] = [
            ("ko_name", 0.08, self.ko_name),
            ("ko_company", 0.06, self.ko_company),
            ("ko_address", 0.10, self.ko_address),
            ("ko_free", 0.12, self.ko_free),
            ("ko_random", 0.16, self.ko_random),
            ("ko_mixed", 0.06, self.ko_mixed),
            ("date", 0.07, self.date),
            ("amount", 0.05, self.amount),
            ("ident", 0.05, self.ident),
            ("phone", 0.04, self.phone),
            ("email", 0.04, self.email),
            ("en_name", 0.04, self.en_name),
            ("en_address", 0.04, self.en_address),
            ("en_free", 0.05, self.en_free),
            ("latin_random", 0.04, self.latin_random),
        ]

    def sample(self) -> tuple[str, str]:
        """One ``(kind, text)``, the kind drawn by its weight."""
        weights = [weight for _, weight, _ in self._kinds]
        kind, _, make = self.rng.choices(self._kinds, weights)[0]
        return kind, make()

    def of_kind(self, kind: str) -> str:
        """One text of a named kind."""
        for name, _, make in self._kinds:
            if name == kind:
                return make()
        raise KeyError(kind)

    # Korean
    def _syllables(self, count: int, pool: str = HANGUL) -> str:
        return "".join(self.rng.choice(pool) for _ in range(count))

    def _swapped(self, text: str) -> str:
        """``text`` with some Hangul syllables swapped (:data:`SWAP_SHARE`)."""
        r = self.rng
        out = []
        for char in text:
            if char in _HANGUL_SET and r.random() < SWAP_SHARE:
                char = self._other_vowel(char) if r.random() < 0.5 else r.choice(HANGUL)
            out.append(char)
        return "".join(out)

    def _other_vowel(self, syllable: str) -> str:
        """The syllable with another vowel, one that KS X 1001 has (itself when none is)."""
        code = ord(syllable) - _FIRST_SYLLABLE
        initial, vowel, final = code // (_VOWELS * _FINALS), (code // _FINALS) % _VOWELS, code % _FINALS
        others = [
            c
            for v in range(_VOWELS)
            if v != vowel
            and (c := chr(_FIRST_SYLLABLE + (initial * _VOWELS + v) * _FINALS + final)) in _HANGUL_SET
        ]
        return self.rng.choice(others) if others else syllable

    def _word(self) -> str:
        return self._swapped(self.rng.choice(_WORDS))

    def ko_name(self) -> str:
        """A Korean personal name, sometimes with a space or a title."""
        r = self.rng
        surname = r.choice(_DOUBLE_SURNAMES) if r.random() < 0.04 else r.choice(_SURNAMES)
        given = self._syllables(r.choice((1, 2, 2, 2, 2, 3)), _GIVEN if r.random() < 0.7 else HANGUL)
        name = surname + (" " if r.random() < 0.08 else "") + given
        if r.random() < 0.1:
            name += " " + r.choice(("귀하", "님", "(인)", "대표", "과장", "부장"))
        return name

    def ko_company(self) -> str:
        """A company name with its legal form."""
        r = self.rng
        core = "".join(self._word() for _ in range(r.choice((1, 2, 2, 3))))
        form = r.choice(("(주)", "㈜", "주식회사 ", "(유)", "", "", " 주식회사"))
        return form + core if form in ("(주)", "㈜", "주식회사 ", "(유)") else core + form

    def ko_address(self) -> str:
        """A road-name or lot-number address, with building, floor and neighbourhood."""
        r = self.rng
        city = self._swapped(r.choice(_WORDS[_WORDS.index("서울") : _WORDS.index("제주") + 1]))
        suffix = r.choice(("특별시", "광역시", "시", "도", ""))
        district = self._swapped(
            r.choice(_WORDS[_WORDS.index("강남") : _WORDS.index("여의도") + 1])
        ) + r.choice(("구", "시", "군"))
        road = self._syllables(r.choice((1, 2, 2, 3))) + r.choice(_ROADS)
        parts = [city + suffix, district, f"{road} {r.randint(1, 999)}"]
        if r.random() < 0.4:
            parts[-1] += f"-{r.randint(1, 99)}"
        if r.random() < 0.4:
            parts.append(f"{r.randint(1, 30)}층")
        if r.random() < 0.3:
            parts.append(f"{r.randint(101, 2599)}호")
        if r.random() < 0.3:
            parts.append(f"({self._syllables(2)}동)")
        cut = r.randint(2, len(parts))
        return " ".join(parts[:cut] if r.random() < 0.5 else parts[-cut:])

    def ko_free(self) -> str:
        """Form vocabulary, a few words long."""
        r = self.rng
        return " ".join(self._word() for _ in range(r.randint(1, 5)))

    def ko_random(self) -> str:
        """Random KS X 1001 syllables in words of 1 to 6."""
        r = self.rng
        return " ".join(self._syllables(r.randint(1, 6)) for _ in range(r.randint(1, 3)))

    def ko_mixed(self) -> str:
        """Korean mixed with digits, Latin and punctuation."""
        r = self.rng
        pieces = [
            r.choice(_WORDS),
            str(r.randint(0, 9999)),
            r.choice(("(", "[", "")) + r.choice(_EN_WORDS).upper() + r.choice((")", "]", "")),
            r.choice(("·", "※", "-", ":", ",", "/", "~", "℃", "%", "₩", "#", "&", "°", "×", "±")),
            r.choice(_WORDS) + r.choice(("님", "은", "는", "을", "를", "의", "에", "로")),
        ]
        r.shuffle(pieces)
        return " ".join(pieces[: r.randint(2, 4)])

    # Numbers
    def date(self) -> str:
        """A date in one of the ways forms write them."""
        r = self.rng
        y, m, d = r.randint(1940, 2035), r.randint(1, 12), r.randint(1, 28)
        style = r.randrange(6)
        if style == 0:
            return f"{y}년 {m}월 {d}일"
        if style == 1:
            return f"{y}. {m}. {d}."
        if style == 2:
            sep = r.choice(_SEPARATORS).strip() or "."
            return f"{y}{sep}{m:02d}{sep}{d:02d}"
        if style == 3:
            return f"{y % 100:02d}{m:02d}{d:02d}"
        if style == 4:
            return f"{r.choice(_MONTHS)} {d}, {y}"
        return f"{m:02d}/{d:02d}/{y}"

    def amount(self) -> str:
        """An amount of money."""
        r = self.rng
        value = r.randint(0, 10 ** r.randint(2, 9))
        text = f"{value:,}" if r.random() < 0.8 else str(value)
        style = r.randrange(5)
        if style == 0:
            return text + "원"
        if style == 1:
            return "₩" + text
        if style == 2:
            return "$" + text + (f".{r.randint(0, 99):02d}" if r.random() < 0.5 else "")
        if style == 3:
            return f"금 {text}원정" if r.random() < 0.5 else f"{text} 원"
        return text

    def ident(self) -> str:
        """Business numbers, resident numbers, account numbers, codes."""
        r = self.rng
        d = self._digits
        style = r.randrange(5)
        if style == 0:
            return f"{d(3)}-{d(2)}-{d(5)}"
        if style == 1:
            return f"{d(6)}-{r.randint(1, 4)}{d(6) if r.random() < 0.5 else '******'}"
        if style == 2:
            return "-".join(d(r.randint(2, 6)) for _ in range(r.randint(2, 4)))
        if style == 3:
            return "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(r.randint(1, 3))) + d(
                r.randint(4, 9)
            )
        return d(r.randint(4, 14))

    def phone(self) -> str:
        """A Korean or international phone number."""
        r = self.rng
        d = self._digits
        style = r.randrange(4)
        if style == 0:
            return f"010-{d(4)}-{d(4)}"
        if style == 1:
            return f"0{r.randint(2, 64)}-{d(r.choice((3, 4)))}-{d(4)}"
        if style == 2:
            return f"+82 10-{d(4)}-{d(4)}"
        return f"({d(3)}) {d(3)}-{d(4)}"

    def _digits(self, count: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(count))

    # Latin
    def email(self) -> str:
        """An e-mail address."""
        r = self.rng
        user = r.choice(_EN_FIRST).lower() + r.choice((".", "_", "")) + r.choice(_EN_LAST).lower()
        if r.random() < 0.4:
            user += str(r.randint(1, 999))
        return f"{user}@{r.choice(_EMAIL_DOMAINS)}"

    def en_name(self) -> str:
        """An English (or romanized Korean) name."""
        r = self.rng
        name = f"{r.choice(_EN_FIRST)} {r.choice(_EN_LAST)}"
        if r.random() < 0.2:
            name = name.upper()
        if r.random() < 0.15:
            name = f"{r.choice(_EN_LAST)}, {r.choice(_EN_FIRST)}"
        return name

    def en_address(self) -> str:
        """A street address."""
        r = self.rng
        line = f"{r.randint(1, 9999)} {r.choice(_EN_LAST)} {r.choice(_EN_STREETS)}"
        if r.random() < 0.5:
            line += f", {r.choice(_EN_CITIES)}"
        if r.random() < 0.3:
            line += f", {r.choice(_STATES)} {r.randint(10000, 99999)}"
        return line

    def en_free(self) -> str:
        """A few English form words."""
        r = self.rng
        words = [r.choice(_EN_WORDS) for _ in range(r.randint(1, 5))]
        text = " ".join(words)
        return text.capitalize() if r.random() < 0.5 else text

    def latin_random(self) -> str:
        """Random printable ASCII, the rare characters included."""
        r = self.rng
        pool = (
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
        )
        return " ".join(
            "".join(r.choice(pool) for _ in range(r.randint(1, 8))) for _ in range(r.randint(1, 3))
        )


KINDS: tuple[str, ...] = tuple(name for name, _, _ in TextSampler(0)._kinds)
"""Every kind of text the sampler draws."""
