"""Production: several gunicorn workers on one database, health checks, cache headers."""

import os
import re
import socket
import subprocess
import sys
import threading
import time

import requests
import sqlalchemy as sa

from storefront.extensions import db
from storefront.models import Order, Product

from .conftest import filled_checkout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_health_endpoint(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_static_files_are_versioned_and_cached_long(client):
    html = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/css/site\.css\?v=[0-9a-f]{12})"', html).group(1)
    response = client.get(css)
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]


def test_gunicorn_workers_sell_the_last_unit_once(app, tmp_path, database_url, bank_ready, make_product):
    """Two gunicorn worker processes, 30 buyers at once: one order, no 5xx, no 'database is locked'."""
    _, token = make_product(name="마지막 하나", stock_managed=True, stock_quantity=1)
    port = free_port()
    env = {
        **os.environ,
        "STOREFRONT_INSTANCE_PATH": app.instance_path,
        "STOREFRONT_SECRET_KEY": "gunicorn-test-secret",
        "DATABASE_URL": database_url,
        "STOREFRONT_SHOP_NAME": "테스트상점",
    }
    log = open(tmp_path / "gunicorn.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "4", "--bind", f"127.0.0.1:{port}",
         "storefront:create_app()"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # a busy machine can take a while to start two workers
        while time.monotonic() < deadline:
            try:
                if requests.get(base + "/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        url = f"{base}/products/{token}/buy"
        buyers = []
        for _ in range(30):
            session = requests.Session()
            form = filled_checkout(session, url)
            buyers.append((session, form))
        barrier = threading.Barrier(len(buyers))
        results = []

        def buy(session, form):
            barrier.wait()
            response = session.post(url, data=form, allow_redirects=False, timeout=60)
            results.append((response.status_code, response.headers.get("Location", "")))

        threads = [threading.Thread(target=buy, args=b) for b in buyers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    output = (tmp_path / "gunicorn.log").read_text()
    assert "database is locked" not in output
    assert all(code < 500 for code, _ in results), results
    assert sum(1 for _, location in results if location.startswith("/orders/")) == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1
        assert db.session.scalar(sa.select(Product.stock_quantity)) == 0
