"""Pictures in an S3-compatible bucket: the shop against a real S3 API server on 127.0.0.1 (moto's),
spoken to over HTTP through boto3, the way it speaks to AWS, R2, NCP or MinIO.

What holds for the local folder holds for the bucket: the journey test runs on both.
"""

import io
import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import extruct
import pytest
import requests
import time_machine
from PIL import Image

from storefront import create_app, storage
from storefront.config import ConfigurationError
from storefront.extensions import db
from storefront.models import Product, utcnow

from .builders import SEED_FORM, ready_for_bank_transfers, upload
from .conftest import AuthActions, image_bytes, place

KAKAOTALK = "facebookexternalhit/1.1; kakaotalk-scrap/1.0; +https://devtalk.kakao.com/t/scrap/33984"


def og_image(client, token) -> str:
    response = client.get(f"/products/{token}", headers={"User-Agent": KAKAOTALK})
    assert response.status_code == 200
    data = extruct.extract(response.get_data(), base_url=response.request.url, syntaxes=["opengraph"])
    found = [value for key, value in data["opengraph"][0]["properties"] if key == "og:image"]
    assert len(found) == 1
    return found[0]


def fetch_as_scraper(client, url: str) -> tuple[int, str, bytes]:
    """What a messenger gets for the card's image (status, content type, body): over HTTP from the bucket,
    or from the app when the app serves it."""
    if urlsplit(url).netloc == "localhost":
        response = client.get(urlsplit(url).path, headers={"User-Agent": KAKAOTALK})
        return response.status_code, response.headers["Content-Type"], response.get_data()
    response = requests.get(url, headers={"User-Agent": KAKAOTALK}, timeout=30)
    return response.status_code, response.headers["Content-Type"], response.content


def assert_link_preview_image(fetched: tuple[int, str, bytes]) -> None:
    status, content_type, body = fetched
    assert (status, content_type) == (200, "image/jpeg")
    with Image.open(io.BytesIO(body)) as picture:
        assert picture.format == "JPEG" and picture.size == (1200, 630)


def files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def pictures_in_instance(app) -> list[Path]:
    """Picture files anywhere in the app's instance folder (the database lives there too)."""
    return [path for path in files_under(Path(app.instance_path)) if path.suffix in (".jpg", ".png", ".webp", ".gif")]


def new_product(admin, *pictures: bytes, **fields) -> int:
    """The merchant registers a product with these pictures through the form; its id."""
    files = [upload(data, f"photo{i}.jpg") for i, data in enumerate(pictures)]
    response = admin.post(
        "/admin/products/new", data={**SEED_FORM, **fields, "images": files}, content_type="multipart/form-data"
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/admin/products/(\d+)/edit", response.headers["Location"]).group(1))


def product_row(app, product_id) -> Product | None:
    with app.app_context():
        product = db.session.get(Product, product_id)
        if product is not None:
            product.images  # noqa: B018 (loaded before the session goes)
            db.session.expunge(product)
        return product


def logged_in(app) -> AuthActions:
    admin = AuthActions(app.test_client())
    admin.login()
    return admin


# --- the done-when: several machines, one bucket -------------------------------------------------


def test_two_app_instances_serve_the_same_pictures_from_the_bucket_and_write_nothing_locally(make_app, bucket):
    machine_a = make_app("machine-a", **bucket.settings(public=True))
    machine_b = make_app("machine-b", **bucket.settings(public=True))
    product_id = new_product(logged_in(machine_a), image_bytes(size=(900, 1200)), listed="yes")
    token = product_row(machine_a, product_id).public_token

    # Machine B, which never saw the upload, serves the product; the scraper fetches the card's image.
    image_url = og_image(machine_b.test_client(), token)
    assert image_url.startswith(f"{bucket.endpoint}/{bucket.name}/{bucket.PREFIX}")
    assert_link_preview_image(fetch_as_scraper(machine_b.test_client(), image_url))
    # Both pages name the same pictures, and both apps also stream them at /uploads/ (links sent before the move).
    page_a = machine_a.test_client().get(f"/products/{token}").get_data(as_text=True)
    page_b = machine_b.test_client().get(f"/products/{token}").get_data(as_text=True)
    pictures_a = re.findall(r'<img src="([^"]+)"', page_a)
    assert pictures_a and pictures_a == re.findall(r'<img src="([^"]+)"', page_b)
    for app in (machine_a, machine_b):
        streamed = app.test_client().get("/uploads/" + Path(urlsplit(image_url).path).name)
        assert streamed.status_code == 200 and streamed.mimetype == "image/jpeg"
    # The pictures are in the bucket, and neither machine wrote one to its own disk.
    assert len(bucket.names()) == 3
    assert pictures_in_instance(machine_a) == pictures_in_instance(machine_b) == []
    assert not Path(machine_a.config["UPLOAD_FOLDER"]).exists() and not Path(machine_b.config["UPLOAD_FOLDER"]).exists()


def test_a_separate_app_process_serves_the_pictures_another_one_stored(make_app, app_process, bucket, tmp_path):
    settings = bucket.settings(public=True)
    keys = {name: os.environ[name] for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    other = app_process("process-b", extra_env=keys, **settings)
    machine_a = make_app("machine-a", **settings)
    product_id = new_product(logged_in(machine_a), image_bytes(size=(1200, 900)), listed="yes")
    token = product_row(machine_a, product_id).public_token

    page = requests.get(f"{other}/products/{token}", headers={"User-Agent": KAKAOTALK}, timeout=30)
    assert page.status_code == 200
    data = extruct.extract(page.content, base_url=page.url, syntaxes=["opengraph"])
    [image_url] = [value for key, value in data["opengraph"][0]["properties"] if key == "og:image"]
    assert image_url.startswith(f"{bucket.endpoint}/{bucket.name}/")
    assert_link_preview_image(fetch_as_scraper(None, image_url))
    streamed = requests.get(f"{other}/uploads/{Path(urlsplit(image_url).path).name}", timeout=30)
    assert streamed.status_code == 200 and streamed.headers["Content-Type"] == "image/jpeg"
    assert files_under(tmp_path / "process-b") == []


def test_the_bucket_address_is_allowed_for_images_by_the_pages_policy(make_app, bucket):
    app = make_app("instance", **bucket.settings(public=True))
    policy = app.test_client().get("/").headers["Content-Security-Policy"]
    img_src = next(part for part in policy.split("; ") if part.startswith("img-src"))
    assert bucket.endpoint in img_src.split()


# --- a product's life, on the local folder and in a bucket ----------------------------------------


@pytest.fixture(params=["local", "s3"])
def shop(request, make_app):
    """The shop with its pictures in the local folder, or in a bucket served by the app."""
    if request.param == "s3":
        return make_app("instance", **request.getfixturevalue("bucket").settings())
    return make_app("instance")


def stored_names(app) -> set[str]:
    with app.app_context():
        return {stored.name for stored in storage.pictures().listing()}


def test_a_product_with_pictures_is_created_edited_previewed_and_deleted(shop):
    admin = logged_in(shop)
    first, second, third = (image_bytes(colour=c) for c in ((200, 0, 0), (0, 200, 0), (0, 0, 200)))
    product_id = new_product(admin, first, second, listed="yes")
    created = product_row(shop, product_id)
    assert len(stored_names(shop)) == 6  # two pictures: the original, the thumbnail and the preview of each

    # Edit: the first picture taken off, a third added; the picture nothing uses any more is removed.
    kept = created.images[1].content_hash
    response = admin.post(
        f"/admin/products/{product_id}/edit",
        data={**SEED_FORM, "listed": "yes", "image_hashes-0": kept, "images": [upload(third, "new.jpg")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    edited = product_row(shop, product_id)
    assert [image.content_hash for image in edited.images][0] == kept
    assert len(edited.images) == 2
    names = stored_names(shop)
    assert len(names) == 6 and not any(name.startswith(created.images[0].content_hash[:32]) for name in names)

    # Previewed: the scraper reads the card and fetches its image.
    visitor = shop.test_client()
    image_url = og_image(visitor, edited.public_token)
    assert Path(urlsplit(image_url).path).name == edited.images[0].preview_name
    assert_link_preview_image(fetch_as_scraper(visitor, image_url))

    # Deleted: the link is gone, and so are its pictures.
    page = admin._client.get(f"/admin/products/{product_id}/delete")
    assert "삭제할까요?" in page.get_data(as_text=True)
    response = admin.post(f"/admin/products/{product_id}/delete", follow_redirects=True)
    assert "삭제했습니다" in response.get_data(as_text=True)
    assert product_row(shop, product_id) is None
    assert visitor.get(f"/products/{edited.public_token}").status_code == 404
    assert visitor.get(urlsplit(image_url).path).status_code == 404
    assert stored_names(shop) == set()


def test_deleting_a_product_keeps_the_pictures_another_product_uses(shop):
    admin = logged_in(shop)
    product_id = new_product(admin, image_bytes())
    admin.post(f"/admin/products/{product_id}/duplicate")  # the copy shows the same picture
    before = stored_names(shop)
    admin.post(f"/admin/products/{product_id}/delete")
    assert product_row(shop, product_id) is None
    assert stored_names(shop) == before and len(before) == 3


def test_a_product_with_orders_is_not_deleted_and_the_merchant_is_told_why(shop):
    admin = logged_in(shop)
    product_id = new_product(admin, image_bytes(), listed="yes")
    ready_for_bank_transfers(shop)
    assert place(shop.test_client(), product_row(shop, product_id).public_token).status_code == 302
    response = admin.post(f"/admin/products/{product_id}/delete", follow_redirects=True)
    assert "주문이 있어 삭제할 수 없습니다" in response.get_data(as_text=True)
    assert product_row(shop, product_id) is not None
    assert len(stored_names(shop)) == 3


# --- uploads that fail store nothing --------------------------------------------------------------


def test_a_refused_upload_puts_nothing_in_the_bucket(make_app, bucket):
    admin = logged_in(make_app("instance", **bucket.settings()))
    response = admin.post(
        "/admin/products/new",
        data={**SEED_FORM, "images": [upload(b"<html><script>alert(1)</script></html>", "page.jpg")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "JPEG, PNG, WebP, GIF 이미지만" in response.get_data(as_text=True)
    assert bucket.names() == set()


def test_an_upload_the_bucket_fails_half_way_leaves_no_object(make_app, bucket, monkeypatch):
    app = make_app("instance", **bucket.settings())
    admin = logged_in(app)
    real_save = storage.S3Storage.save

    def save_until_the_preview(self, name, data):
        if name.endswith("-og.jpg"):  # the bucket refuses the third file of the picture
            raise storage.StorageError("503 Slow Down")
        real_save(self, name, data)

    monkeypatch.setattr(storage.S3Storage, "save", save_until_the_preview)
    response = admin.post(
        "/admin/products/new",
        data={**SEED_FORM, "images": [upload(image_bytes(), "photo.jpg")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "photo.jpg: 이미지를 저장하지 못했습니다" in html
    assert 'value="김규섭 고객님 개인결제창"' in html  # nothing else the merchant typed is lost
    assert bucket.names() == set()


def test_an_unreachable_bucket_gives_messages_not_errors(make_app, bucket):
    settings = {**bucket.settings(), "STORAGE_URL": "s3://no-such-bucket-here/pictures"}
    app = make_app("instance", **settings)
    admin = logged_in(app)
    response = admin.post(
        "/admin/products/new",
        data={**SEED_FORM, "images": [upload(image_bytes(), "photo.jpg")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "사진 저장소를 사용할 수 없습니다" in response.get_data(as_text=True)
    picture = app.test_client().get("/uploads/" + "a" * 32 + "-og.jpg")
    assert picture.status_code == 503
    assert "사진 저장소가 응답하지 않습니다" in picture.get_data(as_text=True)
    prune = app.test_cli_runner().invoke(args=["prune-uploads"])
    assert prune.exit_code == 1 and "Nothing removed: s3://no-such-bucket-here/" in prune.output


def test_prune_uploads_removes_abandoned_uploads_from_the_bucket(make_app, bucket):
    app = make_app("instance", **bucket.settings())
    admin = logged_in(app)
    in_use = new_product(admin, image_bytes(colour=(1, 2, 3)))
    abandoned = admin.post(
        "/admin/products/new",
        data={**SEED_FORM, "price": "", "images": [upload(image_bytes(colour=(9, 9, 9)), "left.jpg")]},
        content_type="multipart/form-data",
    )
    assert abandoned.status_code == 422  # uploaded, then the form was left
    assert len(bucket.names()) == 6
    runner = app.test_cli_runner()
    assert "Removed 0" in runner.invoke(args=["prune-uploads"]).output  # too young to go
    with time_machine.travel(utcnow() + timedelta(days=3), tick=False):
        assert "Removed 3" in runner.invoke(args=["prune-uploads"]).output
    main = product_row(app, in_use).images[0].content_hash[:32]
    assert len(bucket.names()) == 3 and all(name.startswith(main) for name in bucket.names())


# --- moving a shop's pictures into a bucket ------------------------------------------------------


def test_move_pictures_moves_an_existing_shop_and_can_run_again(app, make_product, make_app, bucket):
    product_id, token = make_product(images=[image_bytes(colour=(5, 5, 5)), image_bytes(colour=(6, 6, 6))])
    folder = Path(app.config["UPLOAD_FOLDER"])
    local = {path.name for path in folder.iterdir()}
    assert len(local) == 6

    # The same shop, now set to the bucket, its old folder still named by UPLOAD_FOLDER.
    moved = make_app("after-move", UPLOAD_FOLDER=str(folder), **bucket.settings(public=True))
    runner = moved.test_cli_runner()
    result = runner.invoke(args=["move-pictures"])
    assert result.exit_code == 0, result.output
    assert "Copied 6 file(s)" in result.output
    assert bucket.names() == local
    image_url = og_image(moved.test_client(), token)
    assert image_url.startswith(bucket.endpoint)
    assert_link_preview_image(fetch_as_scraper(moved.test_client(), image_url))

    # Again: nothing to copy. After an interrupted run: only what is missing.
    assert "Copied 0 file(s)" in runner.invoke(args=["move-pictures"]).output
    bucket.client.delete_object(Bucket=bucket.name, Key=bucket.PREFIX + sorted(local)[0])
    again = runner.invoke(args=["move-pictures"])
    assert "Copied 1 file(s)" in again.output and "5 were already there" in again.output
    assert bucket.names() == local
    assert {path.name for path in folder.iterdir()} == local  # the folder is left as it was


def test_move_pictures_needs_a_bucket_to_move_to(app, runner):
    result = runner.invoke(args=["move-pictures"])
    assert result.exit_code != 0
    assert "STOREFRONT_STORAGE_URL" in result.output


# --- settings that cannot work stop the app with the reason --------------------------------------


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"STORAGE_URL": "https://bucket.example/pictures"}, "is not a bucket address"),
        ({"STORAGE_URL": "s3://Bad_Bucket"}, "is not a bucket address"),
        ({"STORAGE_PUBLIC_URL": "https://cdn.example.kr"}, "set STOREFRONT_STORAGE_URL"),
        ({"STORAGE_URL": "s3://pictures", "STORAGE_PUBLIC_URL": "cdn.example.kr"}, "must be the address"),
        (
            {"STORAGE_URL": "s3://pictures", "STORAGE_PUBLIC_URL": "http://cdn.example.kr", "PRODUCTION": True,
             "PUBLIC_BASE_URL": "https://shop.example.kr"},
            "must be https in production",
        ),
    ],
)  # fmt: skip
def test_storage_settings_that_cannot_work_are_refused_at_start(tmp_path, settings, message):
    with pytest.raises(ConfigurationError, match=message):
        create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", **settings})
