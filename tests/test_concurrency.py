"""Many buyers at once, over real HTTP: the last unit is sold exactly once."""

import threading

import requests
import sqlalchemy as sa

from storefront.extensions import db
from storefront.models import Order, Product

from .conftest import filled_checkout

BUYERS = 32


def test_thirty_buyers_race_for_a_stock_one_product(app, live_app, bank_ready, make_product):
    product_id, token = make_product(name="마지막 하나", stock_managed=True, stock_quantity=1, listed=False)
    url = f"{live_app.url}/products/{token}/buy"

    # Every buyer opens the checkout first (own session, CSRF token and nonce), then all press 결제하기 together.
    sessions = []
    for _ in range(BUYERS):
        browser = requests.Session()
        form = filled_checkout(browser, url)
        sessions.append((browser, form))

    barrier = threading.Barrier(BUYERS)
    results = [None] * BUYERS

    def buy(i):
        browser, form = sessions[i]
        barrier.wait()
        response = browser.post(url, data=form, allow_redirects=False, timeout=60)
        results[i] = (response.status_code, response.headers.get("Location", ""), response.text)

    threads = [threading.Thread(target=buy, args=(i,)) for i in range(BUYERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    codes = [code for code, _, _ in results]
    assert all(code < 500 for code in codes), codes
    winners = [location for _, location, _ in results if location.startswith("/orders/")]
    assert len(winners) == 1, results
    for code, location, text in results:
        if location.startswith("/orders/"):
            continue
        # Losers raced into the checkout and were told it sold out, or were sent to the product page (품절).
        assert (code == 409 and "방금 품절되었습니다" in text) or (
            code == 302 and location.endswith(f"/products/{token}")
        )
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1
        assert db.session.get(Product, product_id).stock_quantity == 0


def test_the_same_form_sent_twice_at_once_makes_one_order(app, live_app, bank_ready, make_product):
    """A double tap on 결제하기: two identical POSTs in flight together (stock not managed, so both could sell)."""
    _, token = make_product(name="무제한 상품")
    url = f"{live_app.url}/products/{token}/buy"
    for _ in range(5):
        browser = requests.Session()
        form = filled_checkout(browser, url)
        barrier = threading.Barrier(2)
        results = []

        def tap(browser=browser, form=form, barrier=barrier, results=results):
            barrier.wait()
            response = browser.post(url, data=form, allow_redirects=False, timeout=60)
            results.append((response.status_code, response.headers.get("Location", "")))

        taps = [threading.Thread(target=tap) for _ in range(2)]
        for t in taps:
            t.start()
        for t in taps:
            t.join()
        assert all(code in (302, 409) for code, _ in results), results
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 5
