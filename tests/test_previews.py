"""Link previews: the Open Graph card each messenger's scraper reads, parsed by extruct."""

import io
import re
from urllib.parse import urlsplit

import extruct
import pytest
from PIL import Image

from .builders import SEED_FORM, upload
from .conftest import image_bytes

SCRAPERS = {
    "kakaotalk": "facebookexternalhit/1.1; kakaotalk-scrap/1.0; +https://devtalk.kakao.com/t/scrap/33984",
    "slack": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "telegram": "TelegramBot (like TwitterBot)",
    "twitter": "Twitterbot/1.0",
    "discord": "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "facebook": "facebookexternalhit/1.1",
    "line": "facebookexternalhit/1.1;line-poker/1.0",
}


def opengraph(response) -> list[tuple[str, str]]:
    data = extruct.extract(response.get_data(), base_url=response.request.url, syntaxes=["opengraph"])
    assert len(data["opengraph"]) == 1
    return data["opengraph"][0]["properties"]


def values(props, key):
    return [v for k, v in props if k == key]


def one(props, key):
    found = values(props, key)
    assert len(found) == 1, (key, found)
    return found[0]


@pytest.mark.parametrize("scraper", sorted(SCRAPERS))
def test_each_scraper_gets_the_full_card(client, make_product, scraper):
    _, token = make_product(
        name="김규섭 고객님 개인결제창",
        price=128000,
        description="요청하신 원두\n정기배송 3개월분입니다.",
        listed=False,
        images=[image_bytes(size=(900, 1200))],
    )
    response = client.get(f"/products/{token}", headers={"User-Agent": SCRAPERS[scraper]})
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    html = response.get_data(as_text=True)
    props = opengraph(response)

    canonical = re.search(r'<link rel="canonical" href="([^"]+)">', html).group(1)
    assert one(props, "og:url") == canonical == f"http://localhost/products/{token}"
    assert one(props, "og:type") == "product"
    assert one(props, "og:title") == "김규섭 고객님 개인결제창"
    assert one(props, "og:description") == "요청하신 원두 정기배송 3개월분입니다."
    assert one(props, "og:site_name") == "테스트상점"
    assert one(props, "og:locale") == "ko_KR"
    assert one(props, "product:price:amount") == "128000"
    assert one(props, "product:price:currency") == "KRW"
    assert 'name="twitter:card" content="summary_large_image"' in html

    image_url = one(props, "og:image")
    assert urlsplit(image_url).scheme == "http" and urlsplit(image_url).netloc == "localhost"
    image = client.get(urlsplit(image_url).path)
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert len(image.get_data()) <= 300 * 1024
    with Image.open(io.BytesIO(image.get_data())) as picture:
        assert picture.format == "JPEG"
        assert (
            (str(picture.width), str(picture.height))
            == (
                one(props, "og:image:width"),
                one(props, "og:image:height"),
            )
            == ("1200", "630")
        )
    assert one(props, "og:image:type") == "image/jpeg"
    assert one(props, "og:image:alt") == "김규섭 고객님 개인결제창"


def test_tags_come_first_in_head_before_css_and_scripts(client, make_product):
    _, token = make_product()
    html = client.get(f"/products/{token}").get_data(as_text=True)
    head = html[: html.index("</head>")]
    assert head.index('<meta charset="utf-8">') < head.index("<title>")
    assert head.index('property="og:image"') < head.index('rel="stylesheet"')
    assert "<script" not in head[: head.index('rel="stylesheet"')]


def test_scrapers_and_people_get_the_same_html(client, make_product):
    _, token = make_product(images=[image_bytes()])
    person = client.get(f"/products/{token}").get_data()
    for ua in SCRAPERS.values():
        assert client.get(f"/products/{token}", headers={"User-Agent": ua}).get_data() == person


def test_hostile_product_text_is_escaped_in_title_and_meta_tags(client, make_product):
    name = "\"><script>alert(1)</script> </title> 'quoted' & co"
    _, token = make_product(name=name, description='<img src=x onerror=alert(1)> "desc"')
    response = client.get(f"/products/{token}")
    html = response.get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "</title> '" not in html
    props = opengraph(response)
    assert one(props, "og:title") == name
    assert one(props, "og:description") == '<img src=x onerror=alert(1)> "desc"'


def test_a_new_main_image_gets_a_new_preview_url(app, client, admin, make_product):
    product_id, token = make_product(images=[image_bytes(colour=(255, 0, 0))])
    before = one(opengraph(client.get(f"/products/{token}")), "og:image")
    # The merchant replaces the picture: removes the old one and uploads a new one.
    admin.post(
        f"/admin/products/{product_id}/edit",
        data={**SEED_FORM, "listed": "yes", "images": [upload(image_bytes(colour=(0, 0, 255)), "new.jpg")]},
        content_type="multipart/form-data",
    )
    after = one(opengraph(client.get(f"/products/{token}")), "og:image")
    assert before != after
    assert client.get(urlsplit(after).path).status_code == 200


def test_preview_title_and_description_replace_the_customer_name(client, make_product):
    _, token = make_product(
        name="김규섭 고객님 개인결제창",
        preview_title="개인 주문 결제창",
        preview_description="주문하신 상품의 결제 페이지입니다.",
    )
    response = client.get(f"/products/{token}", headers={"User-Agent": SCRAPERS["kakaotalk"]})
    props = opengraph(response)
    assert one(props, "og:title") == "개인 주문 결제창"
    assert one(props, "og:description") == "주문하신 상품의 결제 페이지입니다."
    assert one(props, "og:image:alt") == "개인 주문 결제창"
    head = response.get_data(as_text=True).split("</head>")[0]
    assert "김규섭" not in head.split("<title>")[0]


def test_product_without_image_uses_the_shop_default_image(client, make_product):
    _, token = make_product(images=[])
    image_url = one(opengraph(client.get(f"/products/{token}")), "og:image")
    picture = client.get(urlsplit(image_url).path + "?" + urlsplit(image_url).query)
    assert picture.status_code == 200
    with Image.open(io.BytesIO(picture.get_data())) as img:
        assert img.size == (1200, 630)


def test_configured_public_base_url_is_used_for_absolute_urls(app, client, make_product):
    app.config["PUBLIC_BASE_URL"] = "https://shop.example.kr"
    _, token = make_product(images=[image_bytes()])
    props = opengraph(client.get(f"/products/{token}"))
    assert one(props, "og:url") == f"https://shop.example.kr/products/{token}"
    assert one(props, "og:image").startswith("https://shop.example.kr/uploads/")


def test_forwarded_headers_are_ignored_unless_a_proxy_is_trusted(tmp_path, database_url, make_product, client):
    _, token = make_product()
    spoofed = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}
    props = opengraph(client.get(f"/products/{token}", headers=spoofed))
    assert one(props, "og:url") == f"http://localhost/products/{token}"

    from storefront import create_app

    trusting = create_app(
        {
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TRUSTED_PROXIES": 1,
        }
    )
    props = opengraph(
        trusting.test_client().get(
            f"/products/{token}", headers={"X-Forwarded-Host": "shop.example.kr", "X-Forwarded-Proto": "https"}
        )
    )
    assert one(props, "og:url") == f"https://shop.example.kr/products/{token}"
