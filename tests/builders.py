"""What the tests build their shops and requests from: forms as the merchant fills them, the fake
gateway's keys, and helpers that read back what a request changed. Fixtures live in conftest.py."""

import contextlib
import io
import json
import re
from datetime import timedelta

import sqlalchemy as sa
from PIL import Image, ImageDraw

from storefront.extensions import db
from storefront.models import Order, Product, utcnow

SECRET = "test_gsk_docs_OaPz8L5KdmQXkzRz3y47BMw6"


CLIENT = "test_gck_docs_Ovk5rk1EwkEbP0W43n07xlzm"

# The fake SOLAPI's account: API key and secret, the 발신번호 registered there, the 카카오 채널's pfId.
SOLAPI_KEY = "NCSTESTKEY0000001"
SOLAPI_SECRET = "TESTSECRET0123456789ABCDEFGHIJKL"
SOLAPI_WEBHOOK_SECRET = "report-secret-4f9a"
SENDER = "0212345678"
PF_ID = "KA01PF0000000000000000TESTSHOP"


def template_id(template) -> str:
    """The 템플릿 ID Kakao gave the shop's text for ``template`` (a MessageTemplate)."""
    return f"KA01TP{template.value.upper()}"[:40]


def success_url(order, payment_key, amount, order_id=None):
    return (
        f"/orders/{order['order_no']}/pay/success?t={order['t']}"
        f"&paymentKey={payment_key}&orderId={order_id or order['order_no']}&amount={amount}"
    )


def order_row(app, order_no) -> Order:
    with app.app_context():
        order = db.session.scalar(sa.select(Order).where(Order.order_no == order_no))
        db.session.expunge(order)
        return order


def stock(app, product_id):
    with app.app_context():
        return db.session.get(Product, product_id).stock_quantity


def expire(app, order_no):
    with app.app_context():
        db.session.execute(
            sa.update(Order).where(Order.order_no == order_no).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()


def webhook(client, key, order_no, status):
    body = {"eventType": "PAYMENT_STATUS_CHANGED", "data": {"paymentKey": key, "orderId": order_no, "status": status}}
    return client.post("/webhooks/toss", json=body)


PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; SM-S918N) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Mobile Safari/537.36;KAKAOTALK 2410410"
)


def beacon(client, token, **headers):
    """Open the product page like a browser, then send what its script sends."""
    html = client.get(f"/products/{token}", headers={"User-Agent": PHONE_UA}).get_data(as_text=True)
    url = f"/products/{token}/viewed"  # where static/js/view.js sends it: the page's own address + /viewed
    signed = re.search(r'data-view-token="([^"]+)"', html).group(1)
    headers.setdefault("User-Agent", PHONE_UA)
    return client.post(url, data={"v": signed}, headers=headers)


def views(app, product_id):
    with app.app_context():
        product = db.session.get(Product, product_id)
        return product.view_count, product.first_viewed_at, product.last_viewed_at


SHOP_PAGE_BUDGET = 4


@contextlib.contextmanager
def count_queries(app):
    """Counts the SQL statements (not transaction control) the code inside runs."""
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().split(" ", 1)[0].upper() in ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH"):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


SEED_FORM = {
    "category_id": "0",
    "name": "김규섭 고객님 개인결제창",
    "price": "128,000",
    "description": "정기배송 3개월분",
    "display_status": "displayed",
    "show_on_desktop": "y",
    "show_on_mobile": "y",
    "listed": "no",
    "stock_managed": "on",
    "stock_quantity": "1",
    "requires_shipping": "yes",
    "action": "save",
}


BUSINESS_FORM = {
    "name": "규섭커피",
    "phone": "02-1234-5678",
    "email": "help@example.com",
    "payment_due_days": "3",
    "business_name": "주식회사 규섭커피",
    "representative": "김규섭",
    "business_no": "120-81-47521",
    "mail_order_no": "제2024-서울강남-01234호",
    "business_address": "서울특별시 강남구 테헤란로 123, 4층",
    "privacy_officer": "김규섭 (대표)",
    "hosting_provider": "아마존웹서비시즈코리아 유한회사",
}


def ready_for_bank_transfers(app) -> None:
    """The merchant sets the account for bank transfers (상점 설정), so buyers can order."""
    from storefront.settings import save_settings

    with app.test_request_context():
        save_settings({"bank_name": "국민은행", "bank_account": "123456-01-234567", "bank_holder": "규섭커피"})
        db.session.commit()


def product_photo(path):
    img = Image.new("RGB", (900, 900), (246, 241, 233))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((270, 200, 630, 760), radius=50, fill=(120, 72, 40))
    draw.rectangle((360, 130, 540, 210), fill=(90, 52, 30))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    path.write_bytes(out.getvalue())
    return path


def upload(data: bytes, name: str):
    """A file as a form sends it (for test clients' multipart posts)."""
    return (io.BytesIO(data), name)


class Bucket:
    """A bucket on the tests' S3 server: the shop's settings for it, and what it holds, read over the S3 API."""

    REGION = "ap-northeast-2"
    PREFIX = "shop/pictures/"

    def __init__(self, endpoint: str, name: str):
        import boto3

        self.endpoint = endpoint
        self.name = name
        self.client = boto3.client("s3", endpoint_url=endpoint, region_name=self.REGION)

    def settings(self, public: bool = False) -> dict:
        """The shop's STORAGE_* settings for this bucket; ``public``: pictures served from the bucket's address."""
        settings = {
            "STORAGE_URL": f"s3://{self.name}/{self.PREFIX}",
            "STORAGE_REGION": self.REGION,
            "STORAGE_ENDPOINT_URL": self.endpoint,
        }
        if public:
            self.allow_public_reads()
            settings["STORAGE_PUBLIC_URL"] = f"{self.endpoint}/{self.name}"
        return settings

    def allow_public_reads(self) -> None:
        """The bucket policy a merchant sets so that browsers and scrapers read pictures (nothing else)."""
        statement = {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{self.name}/{self.PREFIX}*",
        }
        policy = {"Version": "2012-10-17", "Statement": [statement]}
        self.client.put_bucket_policy(Bucket=self.name, Policy=json.dumps(policy))

    def names(self) -> set[str]:
        """The pictures' names (keys without the prefix)."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return {item["Key"].removeprefix(self.PREFIX) for page in pages for item in page.get("Contents", [])}


def race(posts: list[tuple]) -> list[tuple[int, str]]:
    """Send every (session, url, form) POST at the same moment (a thread each, behind one barrier), as
    buyers pressing 결제하기 together; each answer's status and Location. Asserts none was a 5xx."""
    import threading

    barrier = threading.Barrier(len(posts))
    results: list = [None] * len(posts)

    def post(i):
        session, url, form = posts[i]
        barrier.wait()
        response = session.post(url, data=form, allow_redirects=False, timeout=60)
        results[i] = (response.status_code, response.headers.get("Location", ""))

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(posts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(code < 500 for code, _ in results), results
    return results


def orders_made(results: list[tuple[int, str]]) -> int:
    return len([1 for _, location in results if location.startswith("/orders/")])


def export_orders(auth, extension: str = "csv", query: str = "", purpose: str = "other", reason: str = "테스트"):
    """주문 관리's 목록 내려받기 with a 다운로드 사유 (기타: every column), of the list as ``query`` filters it."""
    data = {"format": extension, "purpose": purpose, "reason": reason}
    return auth.post("/admin/orders/export" + query, data=data)
