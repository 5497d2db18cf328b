"""Uploads: only real images are kept, and nothing is written outside the upload folder."""

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from ..builders import SEED_FORM
from ..conftest import image_bytes


def upload(admin, data: bytes, filename: str):
    return admin.post(
        "/admin/products/new",
        data={**SEED_FORM, "images": [(io.BytesIO(data), filename)]},
        content_type="multipart/form-data",
    )


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")} if folder.exists() else set()


def polyglot() -> bytes:
    """A real GIF with an HTML/JS payload appended after its trailer."""
    return image_bytes("GIF") + b"<html><script>alert(document.cookie)</script></html>"


def bomb() -> bytes:
    """A small file that decodes to a huge image (100 megapixels of one colour)."""
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    "data, filename, message",
    [
        (b"MZ\x90\x00 not an image", "setup.exe", "JPEG, PNG, WebP, GIF 이미지만"),
        (b"<html><script>alert(1)</script></html>", "page.png", "JPEG, PNG, WebP, GIF 이미지만"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>', "a.svg",
         "JPEG, PNG, WebP, GIF 이미지만"),
        (image_bytes("PNG")[:300], "cut.png", "JPEG, PNG, WebP, GIF 이미지만"),
        (bomb(), "bomb.png", "이미지 해상도가 너무 큽니다."),
    ],
)  # fmt: skip
def test_bad_uploads_are_refused_and_nothing_is_stored(app, admin, data, filename, message):
    folder = Path(app.config["UPLOAD_FOLDER"])
    before = files_under(folder)
    response = upload(admin, data, filename)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert files_under(folder) == before


def test_a_50_megabyte_file_is_refused_with_a_message(app, admin):
    data = image_bytes("JPEG") + os.urandom(50 * 1024 * 1024)
    response = upload(admin, data, "huge.jpg")
    assert response.status_code == 422
    assert "이미지가 10MB보다 큽니다." in response.get_data(as_text=True)


def test_polyglot_is_stored_only_as_a_clean_reencoded_image(app, admin):
    response = upload(admin, polyglot(), "funny.gif")
    assert response.status_code == 302
    for path in Path(app.config["UPLOAD_FOLDER"]).iterdir():
        assert b"<script" not in path.read_bytes(), path.name


def test_filenames_never_choose_where_files_go(app, admin, tmp_path):
    folder = Path(app.config["UPLOAD_FOLDER"])
    outside_before = files_under(tmp_path) - {str(p) for p in files_under(tmp_path) if "instance" in p}
    response = upload(admin, image_bytes(), "../../../../evil.jpg")
    assert response.status_code == 302
    assert all(p.parent == folder for p in folder.rglob("*"))
    assert not (tmp_path / "evil.jpg").exists() and not Path("/evil.jpg").exists()
    outside_after = files_under(tmp_path) - {str(p) for p in files_under(tmp_path) if "instance" in p}
    assert outside_after == outside_before


def test_uploaded_files_are_served_as_images_only(app, client, admin):
    upload(admin, image_bytes(), "p.jpg")
    name = next(p.name for p in Path(app.config["UPLOAD_FOLDER"]).iterdir() if p.name.endswith("-og.jpg"))
    response = client.get(f"/uploads/{name}")
    assert response.mimetype == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
