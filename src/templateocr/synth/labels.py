"""Printed texts of the synthetic forms, in Korean, Japanese, Traditional Chinese and English.

Each entry is ``key: (ko, ja, zh-TW, en)``. Keys starting with ``f.`` are field labels and names;
the rest is printed furniture (titles, notes, headers, small print). Only Traditional Chinese
characters are used for ``zh-TW``.
"""

from __future__ import annotations

__all__ = ["LETTER", "SURVEY_QUESTIONS", "tr"]

_INDEX = {"ko": 0, "ja": 1, "zh-TW": 2, "en": 3}

_TEXTS: dict[str, tuple[str, str, str, str]] = {
    # shared field labels
    "f.name": ("성명", "氏名", "姓名", "Name"),
    "f.birth": ("생년월일", "生年月日", "出生日期", "Date of Birth"),
    "f.phone": ("연락처", "電話番号", "聯絡電話", "Phone"),
    "f.email": ("이메일", "メールアドレス", "電子郵件", "E-mail"),
    "f.company": ("현 직장", "勤務先", "服務單位", "Company"),
    "f.id": ("지원번호", "会員番号", "會員編號", "Member No."),
    "f.postcode": ("우편번호", "郵便番号", "郵遞區號", "ZIP Code"),
    "f.address": ("주소", "住所", "通訊地址", "Address"),
    "f.agree": ("개인정보 동의", "個人情報同意", "個資同意", "Privacy Consent"),
    "f.newsletter": ("소식 수신", "メルマガ希望", "訂閱電子報", "Newsletter"),
    "f.customer": ("고객명", "お客様名", "客戶名稱", "Bill To"),
    "f.invoice_no": ("청구번호", "請求番号", "單據編號", "Invoice No."),
    "f.issue_date": ("발행일", "発行日", "開立日期", "Issue Date"),
    "f.due_date": ("지불기한", "お支払期限", "付款期限", "Due Date"),
    "f.subtotal": ("공급가액", "小計", "未稅金額", "Subtotal"),
    "f.tax": ("부가세", "消費税", "營業稅", "Tax"),
    "f.total": ("합계 금액", "合計金額", "總計", "Total"),
    "f.transfer": ("계좌이체", "銀行振込", "銀行匯款", "Bank Transfer"),
    "f.cash": ("현금", "現金", "現金付款", "Cash"),
    "f.org": ("소속", "所属", "任職機構", "Organization"),
    "f.start_date": ("수강 시작일", "受講開始日", "開課日期", "Start Date"),
    "f.fee": ("수강료", "受講料", "報名費", "Fee"),
    "f.member_no": ("회원번호", "会員番号", "學員編號", "Member No."),
    "f.weekday": ("평일반", "平日コース", "平日班", "Weekday"),
    "f.weekend": ("주말반", "週末コース", "假日班", "Weekend"),
    # application
    "app.title": ("입사 지원서", "入会申込書", "會員申請書", "Membership Application"),
    "app.code": ("[서식 제1호]", "様式第1号", "表單編號 A-01", "Form A-01"),
    "app.note": (
        "※ 굵은 선 안의 항목을 빠짐없이 기재하여 주십시오.",
        "※ 太枠内をもれなくご記入ください。",
        "※ 請以正楷詳實填寫粗框內各欄。",
        "Please complete every field inside the bold frame in block letters.",
    ),
    "app.photo": ("사진", "写真", "相片", "Photo"),
    "app.photo_note": ("(3×4cm)", "(縦4×横3cm)", "(二吋半身)", "(35 x 45 mm)"),
    "app.consent_head": (
        "개인정보 수집·이용 동의",
        "個人情報の取扱いについて",
        "個人資料蒐集告知",
        "Consent",
    ),
    "app.consent_text": (
        "회사는 채용 절차의 진행을 위하여 위 개인정보를 수집·이용하며, 수집된 정보는 채용 종료 후 "
        "1년간 보관한 뒤 지체 없이 파기합니다.",
        "ご記入いただいた個人情報は、会員サービスの提供およびご連絡のためにのみ利用し、"
        "法令に基づく場合を除き第三者に提供いたしません。",
        "本會蒐集之個人資料僅供會員服務與聯繫之用，除法令另有規定外，不會提供予第三人。",
        "The personal data on this form is used only to manage your membership and to contact "
        "you. It is never passed on to third parties unless the law requires it.",
    ),
    "app.agree": (
        "개인정보 수집 및 이용에 동의합니다.",
        "個人情報の取扱いに同意します。",
        "本人同意個人資料之蒐集與利用。",
        "I agree to the processing of my personal data.",
    ),
    "app.newsletter": (
        "채용 소식 메일 수신에 동의합니다.",
        "メールマガジンの配信を希望します。",
        "我願意訂閱會員電子報。",
        "Send me the monthly newsletter.",
    ),
    "app.date": ("년        월        일", "年        月        日", "年        月        日", "Date:"),
    "app.sign": ("지원자 :", "申込者 :", "申請人 :", "Signature:"),
    "app.seal": ("(서명)", "印", "(簽章)", ""),
    "app.footer": (
        "주식회사 템플릿 인사팀 · 서울특별시 중구 세종대로 110 · 02-123-4567",
        "テンプレート株式会社 会員事務局 · 東京都港区芝公園4-2-8 · 03-1234-5678",
        "範本股份有限公司 會員服務部 · 臺北市中正區重慶南路一段122號",
        "Template Inc. Membership Office · 100 Market Street, San Francisco, CA",
    ),
    # invoice
    "inv.title": ("청구서", "請求書", "請款單", "INVOICE"),
    "inv.logo": ("템", "テ", "範", "TT"),
    "inv.company": (
        "템플릿상사 주식회사",
        "テンプレート商事株式会社",
        "範本貿易股份有限公司",
        "Template Trading Co.",
    ),
    "inv.company_addr": (
        "서울특별시 중구 을지로 100 · TEL 02-1234-5678",
        "東京都中央区銀座1-2-3 · TEL 03-1234-5678",
        "臺北市大安區敦化南路二段76號 · 電話 02-2345-6789",
        "500 Harbor Blvd, Seattle, WA · (206) 555-0100",
    ),
    "inv.company_reg": (
        "사업자등록번호 123-45-67890",
        "登録番号 T1234567890123",
        "統一編號 12345678",
        "Tax ID 12-3456789",
    ),
    "inv.honorific": ("귀하", "御中", "鈞鑒", ""),
    "inv.items": ("품목", "品名", "品名", "Description"),
    "inv.qty": ("수량", "数量", "數量", "Qty"),
    "inv.unit": ("단가", "単価", "單價", "Unit Price"),
    "inv.amount": ("금액", "金額", "金額", "Amount"),
    "inv.pay": ("결제 방법", "お支払方法", "付款方式", "Payment Method"),
    "inv.bank": (
        "입금 계좌: 한빛은행 123-456-789012 (예금주: 템플릿상사 주식회사)",
        "お振込先: みどり銀行 本店営業部 普通預金 1234567 テンプレート商事(株)",
        "匯款帳戶: 範本銀行 敦化分行 012-345-678901 戶名: 範本貿易股份有限公司",
        "Bank: First Example Bank · Account 0123456789 · Routing 021000021",
    ),
    "inv.bank_note": (
        "※ 입금 시 청구번호를 함께 기재하여 주시기 바랍니다.",
        "※ 振込手数料は貴社にてご負担ください。",
        "※ 匯款時請註明單據編號，以利對帳。",
        "Please quote the invoice number with your payment.",
    ),
    "inv.note": (
        "위 금액을 청구합니다.",
        "下記の通りご請求申し上げます。",
        "茲請款如上，敬請查照。",
        "Thank you for your business.",
    ),
    "inv.seal": ("인", "印", "印", "TT"),
    "inv.footer": (
        "본 청구서는 전자적으로 발행되었습니다. 문의: billing@example.co.kr",
        "本請求書に関するお問い合わせ: billing@example.jp",
        "本請款單如有疑問，請洽 billing@example.com.tw",
        "Questions about this invoice: billing@example.com",
    ),
    # registration
    "reg.title": ("수강 신청서", "受講申込書", "課程報名表", "Course Registration"),
    "reg.org": ("한빛 평생교육원", "さくら市民カレッジ", "臺北市民學苑", "Riverside Community College"),
    "reg.emblem": ("한", "桜", "學", "R"),
    "reg.receipt": ("접수번호 (기관 기재)", "受付番号 (記入不要)", "收件編號 (免填)", "Office use only"),
    "reg.sec1": ("1. 신청인 정보", "1. 申込者情報", "一、報名者資料", "1. Applicant"),
    "reg.sec2": ("2. 신청 내용", "2. 申込内容", "二、報名內容", "2. Course Details"),
    "reg.sec3": ("3. 유의 사항", "3. 注意事項", "三、注意事項", "3. Notes"),
    "reg.schedule": ("수강 시간대", "受講時間帯", "上課時段", "Schedule"),
    "reg.fee_unit": ("원", "円", "元", "USD"),
    "reg.notes": (
        "· 수강료는 개강 3일 전까지 납부하여야 합니다.|· 개강 후 환불은 관련 규정에 따라 처리됩니다.|"
        "· 수강 인원이 부족한 강좌는 폐강될 수 있습니다.",
        "・受講料は開講日の3日前までにお支払いください。|・開講後の返金は規定に従って行います。|"
        "・申込者が定員に満たない場合は中止することがあります。",
        "・報名費請於開課前三日繳納。|・開課後退費依本學苑規定辦理。|・報名人數不足時，本學苑得停開課程。",
        "- Fees are due three days before the first class.|- Refunds after the start follow the "
        "college rules.|- Courses with too few students may be cancelled.",
    ),
    "reg.declare": (
        "위와 같이 수강을 신청합니다.",
        "上記のとおり受講を申し込みます。",
        "本人報名上述課程，所填資料均屬實。",
        "I apply for the course above.",
    ),
    "reg.sign": ("신청인 :", "申込者 :", "報名人 :", "Signature:"),
    "reg.seal": ("(인)", "印", "(簽章)", ""),
    "reg.stub": ("수강 신청 접수증", "受講申込 受付票", "報名收據", "Registration Receipt"),
    "reg.footer": (
        "한빛 평생교육원 · 서울특별시 마포구 월드컵북로 400 · 02-300-1234",
        "さくら市民カレッジ · 千葉県佐倉市海隣寺町97 · 043-484-1111",
        "臺北市民學苑 · 臺北市中正區仁愛路一段1號 · 02-2321-0000",
        "Riverside Community College · 4800 Magnolia Ave, Riverside, CA",
    ),
    # foreign pages
    "letter.head": (
        "한빛 서비스 주식회사",
        "みどりサービス株式会社",
        "永豐服務股份有限公司",
        "Greenfield Services Ltd.",
    ),
    "letter.title": ("고객 안내문", "お知らせ", "公告", "Notice to Customers"),
    "letter.dear": ("고객 여러분께", "お客様各位", "親愛的客戶您好：", "Dear Customer,"),
    "letter.close": ("감사합니다.", "敬具", "敬祝 商祺", "Yours sincerely,"),
    "letter.date": ("2024년 3월 15일", "2024年3月15日", "中華民國113年3月15日", "15 March 2024"),
    "survey.title": ("고객 만족도 조사", "お客様満足度アンケート", "顧客滿意度調查", "Customer Survey"),
    "survey.comment": ("기타 의견", "ご意見・ご要望", "其他意見", "Comments"),
    "survey.head": ("문항", "質問", "題目", "Question"),
    "survey.scale": (
        "매우 불만|불만|보통|만족|매우 만족",
        "不満|やや不満|普通|やや満足|満足",
        "非常不滿|不滿|普通|滿意|非常滿意",
        "Poor|Fair|Average|Good|Excellent",
    ),
}

LETTER: dict[str, tuple[str, ...]] = {
    "ko": (
        "항상 저희 서비스를 이용해 주셔서 진심으로 감사드립니다.",
        "다음 달부터 고객센터 운영 시간이 오전 9시부터 오후 6시까지로 변경됩니다.",
        "변경된 일정은 홈페이지 공지사항에서도 확인하실 수 있습니다.",
        "시스템 점검으로 인해 일부 서비스 이용이 일시적으로 제한될 수 있습니다.",
        "문의 사항이 있으시면 언제든지 고객센터로 연락해 주시기 바랍니다.",
        "앞으로도 더 나은 서비스를 제공하기 위해 최선을 다하겠습니다.",
        "새로운 요금제는 기존 고객에게도 동일하게 적용됩니다.",
        "자세한 내용은 동봉한 안내 책자를 참고하여 주십시오.",
    ),
    "ja": (
        "平素は格別のお引き立てを賜り、厚く御礼申し上げます。",
        "来月より、お客様窓口の営業時間を午前9時から午後6時までに変更いたします。",
        "変更後の日程は当社ホームページのお知らせでもご確認いただけます。",
        "システム点検のため、一部のサービスを一時的にご利用いただけない場合がございます。",
        "ご不明な点がございましたら、お気軽にお問い合わせください。",
        "今後ともより良いサービスの提供に努めてまいります。",
        "新しい料金プランは既存のお客様にも同様に適用されます。",
        "詳しくは同封の案内冊子をご覧ください。",
    ),
    "zh-TW": (
        "感謝您長期以來對本公司的支持與愛護。",
        "自下個月起，客服中心服務時間將調整為上午九點至下午六點。",
        "調整後的時間亦可於本公司網站最新消息中查詢。",
        "因系統維護，部分服務可能暫時無法使用，敬請見諒。",
        "如有任何疑問，歡迎隨時與客服中心聯繫。",
        "我們將持續努力，提供您更好的服務。",
        "新的費率方案同樣適用於既有客戶。",
        "詳細內容請參閱隨函附上的說明手冊。",
    ),
    "en": (
        "Thank you for choosing our services over the past years.",
        "From next month our help desk will be open from 9 am to 6 pm on weekdays.",
        "The new opening hours are also listed on the news page of our website.",
        "Some services may be briefly unavailable during scheduled system maintenance.",
        "If you have any questions, please do not hesitate to contact our help desk.",
        "We will keep working hard to serve you better.",
        "The new price plans apply to existing customers as well.",
        "Please see the enclosed booklet for the details.",
    ),
}

SURVEY_QUESTIONS: dict[str, tuple[str, ...]] = {
    "ko": (
        "직원의 친절도",
        "대기 시간",
        "시설의 청결 상태",
        "안내의 정확성",
        "전반적인 만족도",
        "재방문 의향",
    ),
    "ja": (
        "スタッフの対応",
        "待ち時間",
        "施設の清潔さ",
        "説明の分かりやすさ",
        "全体的な満足度",
        "再利用の意向",
    ),
    "zh-TW": ("服務人員態度", "等候時間", "環境整潔", "說明清楚程度", "整體滿意度", "再次光臨意願"),
    "en": (
        "Staff friendliness",
        "Waiting time",
        "Cleanliness",
        "Clarity of advice",
        "Overall",
        "Would return",
    ),
}


def tr(lang: str, key: str) -> str:
    """The text ``key`` in ``lang``."""
    return _TEXTS[key][_INDEX[lang]]
