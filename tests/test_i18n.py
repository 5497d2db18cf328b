"""Korean is the default language; every message has a Korean translation; English is available."""

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "storefront" / "translations" / "ko" / "LC_MESSAGES"
PYBABEL = [sys.executable, "-m", "babel.messages.frontend"]  # this venv's, whether or not it is on PATH


def test_every_message_in_the_code_has_a_korean_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    extract = [*PYBABEL, "-q", "extract", "-F", "babel.cfg", "-k", "_l", "-o", str(pot), "."]
    subprocess.run(extract, cwd=ROOT, check=True)
    with open(pot, "rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    with open(CATALOGUE / "messages.po", "rb") as f:
        po = read_po(f)
    translated = {m.id for m in po if m.id and m.string and not m.fuzzy}
    assert wanted - translated == set()


def test_compiled_catalogue_matches_the_po_file():
    with open(CATALOGUE / "messages.po", "rb") as f:
        po = {m.id: m.string for m in read_po(f) if m.id}
    with open(CATALOGUE / "messages.mo", "rb") as f:
        mo = {m.id: m.string for m in read_mo(f) if m.id}
    assert mo == po


def test_pages_are_korean_by_default_and_english_on_request(client, bank_ready, make_product):
    _, token = make_product(name="상품", price=12000)
    korean = client.get(f"/products/{token}").get_data(as_text=True)
    assert '<html lang="ko">' in korean and "바로 구매" in korean and "12,000원" in korean
    back = client.get(f"/lang/en?next=/products/{token}")
    assert back.headers["Location"] == f"/products/{token}"
    english = client.get(f"/products/{token}").get_data(as_text=True)
    assert '<html lang="en">' in english and ">Buy now<" in english and "₩12,000" in english


def test_language_switch_does_not_redirect_off_site(client):
    assert client.get("/lang/en?next=//evil.example").headers["Location"] == "/"
