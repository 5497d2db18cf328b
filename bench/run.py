"""Benchmark the shop against the framework's floor, in one run on one machine.

    python bench/run.py [--duration 5] [--rounds 3] [--connections 16] [--postgres URL]

Starts gunicorn (2 workers) for the shop on seeded SQLite catalogues of 100 and
100,000 products and for bench/floor.py, and drives each page with wrk. The shop keeps
rendered pages per process (storefront.pagecache), so a repeated page is a kept copy;
what a page costs when it must be rendered (the first view after a change) is measured
too, on a second server with STOREFRONT_PAGE_CACHE=false. The machine
is shared and noisy, so every page is measured right after the floor, in several
rounds; a page's ratio is the median of its per-round ratios. Then each shop page
is driven by 50 connections at once to compare p99 with p50 latency.
Last, the contention check: 50 buyers at once for a stock-1 product, on SQLite and
(with --postgres) PostgreSQL: exactly one order, no 5xx.
Needs wrk (Debian package) on PATH. Timings here are for people to read, never
pass/fail tests.
"""

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from statistics import median

import requests

ROOT = Path(__file__).resolve().parents[1]
BUYER = {
    "buyer_name": "김규섭", "buyer_phone": "010-1234-5678", "recipient_name": "김규섭",
    "recipient_phone": "010-1234-5678", "postcode": "06236", "address": "서울특별시 강남구 테헤란로 123",
    "quantity": "1", "payment_method": "bank_transfer", "agree_collection": "y", "agree_terms": "y",
}  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def flask(env, *args):
    subprocess.run([sys.executable, "-m", "flask", "--app", "storefront", *args], env=env, check=True,
                   cwd=ROOT, stdout=subprocess.DEVNULL)  # fmt: skip


def make_shop(workdir: Path, products: int, database_url: str | None = None) -> dict:
    """A seeded shop instance: environment for its processes and a few URLs to measure."""
    instance = workdir / f"shop-{products}-{'pg' if database_url else 'sqlite'}"
    instance.mkdir(parents=True)
    env = {**os.environ, "STOREFRONT_INSTANCE_PATH": str(instance), "STOREFRONT_SECRET_KEY": "bench-secret",
           "DATABASE_URL": database_url or f"sqlite:///{instance}/shop.sqlite"}  # fmt: skip
    env.pop("STOREFRONT_PUBLIC_BASE_URL", None)
    flask(env, "db", "upgrade")
    flask(env, "seed-demo", "--products", str(products))
    script = (
        "from storefront import create_app\n"
        "from storefront.extensions import db\n"
        "from storefront.settings import save_settings\n"
        "import sqlalchemy as sa\n"
        "from storefront.models import Product, Category\n"
        "app = create_app()\n"
        "with app.test_request_context():\n"
        "    save_settings({'bank_name': '국민은행', 'bank_account': '123-456', 'bank_holder': '규섭커피'})\n"
        "    db.session.commit()\n"
        "    rows = db.session.execute(sa.select(Product.public_token, Product.id).where(Product.listed)"
        ".order_by(Product.id.desc()).limit(3)).all()\n"
        "    listed = rows[0]\n"
        "    category = db.session.scalar(sa.select(Category.id).where(Category.name == '원두'))\n"
        "    deep = db.session.scalar(sa.select(Product.id).where(Product.category_id == category)"
        ".order_by(Product.id).offset(30))\n"
        "    print(listed[0], listed[1], category, deep, ','.join(row[0] for row in rows))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    token, product_id, category, deep, three = out.stdout.split()
    return {"env": env, "token": token, "product_id": product_id, "category": category, "deep": deep,
            "three": three.split(",")}  # fmt: skip


def cart_of_three(server_url: str, tokens: list[str]) -> str:
    """A visitor's session cookie with three products in the 장바구니 (for the cart and its checkout)."""
    session = requests.Session()
    for token in tokens:
        page = session.get(f"{server_url}/products/{token}", timeout=30).text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        session.post(f"{server_url}/cart", data={"csrf_token": csrf, "token": token, "quantity": "1",
                                                  "action": "cart"}, timeout=30)  # fmt: skip
    assert session.get(f"{server_url}/cart/checkout", timeout=30).status_code == 200, "the cart checkout"
    return "; ".join(f"{name}={value}" for name, value in session.cookies.items())


class Gunicorn:
    def __init__(self, app: str, env: dict, workers: int = 2):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
             "--log-level", "warning", app],
            env=env, cwd=ROOT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(self.url + "/", timeout=5)
                return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn for {app} did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def wrk(url: str, duration: int, connections: int) -> dict:
    """``url`` may carry a cookie after a space ("http://… session=…"): a visitor's own page (the cart)."""
    url, _, cookie = url.partition(" ")
    headers = ["-H", f"Cookie: {cookie}"] if cookie else []
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", *headers, url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip

    def ms(label):
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": ms("50%"),
        "p99": ms("99%"),
        "errors": int(errors.group(1)) if errors else 0,
    }


def contention(shop_url: str, env: dict, buyers: int = 50) -> dict:
    """50 buyers press 결제하기 at once for a fresh stock-1 product."""
    script = (
        "from storefront import create_app, catalog\n"
        "from storefront.extensions import db\n"
        "app = create_app()\n"
        "with app.test_request_context():\n"
        "    p = catalog.create_product(catalog.ProductData(name='마지막 하나', price=10000, listed=False,"
        " stock_managed=True, stock_quantity=1))\n"
        "    db.session.commit()\n"
        "    print(p.public_token, p.id)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    token, _ = out.stdout.split()
    url = f"{shop_url}/products/{token}/buy"
    sessions = []
    for _ in range(buyers):
        s = requests.Session()
        html = s.get(url, timeout=30).text
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', html).group(1)
        total = re.search(r'name="expected_total" type="hidden" value="(\d+)"', html).group(1)  # the 합계 shown
        sessions.append((s, {**BUYER, "csrf_token": csrf, "nonce": nonce, "expected_total": total}))
    barrier = threading.Barrier(buyers)
    results = []

    def buy(s, form):
        barrier.wait()
        r = s.post(url, data=form, allow_redirects=False, timeout=120)
        results.append((r.status_code, r.headers.get("Location", "")))

    threads = [threading.Thread(target=buy, args=b) for b in sessions]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {
        "orders": sum(1 for _, loc in results if loc.startswith("/orders/")),
        "server_errors": sum(1 for code, _ in results if code >= 500),
        "seconds": time.perf_counter() - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="alternated floor/page runs per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--postgres", help="e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test (it is emptied)")
    parser.add_argument("--write", action="store_true", help="write the figures into bench/RESULTS.md")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")

    workdir = Path(tempfile.mkdtemp(prefix="storefront-bench-"))
    small, large = make_shop(workdir, 100), make_shop(workdir, 100_000)
    servers = []
    runs = {}  # page name -> list of (page result, floor result of the same round)
    busy = {}  # page name -> list of results under 50 connections
    try:
        floor = Gunicorn("bench.floor:app", {**small["env"], "PYTHONPATH": str(ROOT)})
        servers.append(floor)
        floor_url = f"{floor.url}/products/{small['product_id']}"
        pages = []
        for label, shop, kept in (("100", small, True), ("100,000", large, True), ("100", small, False)):
            env = shop["env"] if kept else {**shop["env"], "STOREFRONT_PAGE_CACHE": "false"}
            server = Gunicorn("storefront:create_app()", env)
            servers.append(server)
            products = f"{label} products" if kept else f"{label} products, rendered every time"
            label = label if kept else f"{label}, rendered every time"
            pages += [
                (f"product page ({products})", f"{server.url}/products/{shop['token']}"),
                (f"home page ({label})", f"{server.url}/"),
                (f"category page 1 ({label})", f"{server.url}/categories/{shop['category']}"),
                (f"category deep page ({label})", f"{server.url}/categories/{shop['category']}?before={shop['deep']}"),
                (f"checkout GET ({label})", f"{server.url}/products/{shop['token']}/buy"),
            ]
            if shop is small and kept:  # a visitor's own pages: never kept, the same with or without the cache
                cookie = cart_of_three(server.url, shop["three"])
                pages += [
                    ("cart page (3 lines)", f"{server.url}/cart {cookie}"),
                    ("cart checkout GET (3 lines)", f"{server.url}/cart/checkout {cookie}"),
                ]
        for _ in range(args.rounds):
            for name, url in pages:
                floor_result = wrk(floor_url, args.duration, args.connections)
                runs.setdefault(name, []).append((wrk(url, args.duration, args.connections), floor_result))
            busy.setdefault("floor", []).append(wrk(floor_url, args.duration, 50))
            for name, url in pages:
                busy.setdefault(name, []).append(wrk(url, args.duration, 50))
        contention_runs = [("SQLite", contention(servers[2].url, large["env"]))]
    finally:
        for server in servers:
            server.stop()
    if args.postgres:
        import sqlalchemy as sa

        engine = sa.create_engine(args.postgres)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
        pg = make_shop(workdir, 100, args.postgres)
        server = Gunicorn("storefront:create_app()", pg["env"])
        try:
            contention_runs.append(("PostgreSQL", contention(server.url, pg["env"])))
        finally:
            server.stop()
    shutil.rmtree(workdir, ignore_errors=True)

    floor_runs = [f for results in runs.values() for _, f in results]
    lines = [
        "| page | req/s | floor req/s (same rounds) | ratio to floor | p50 ms | p99 ms | non-2xx/3xx |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| floor (bench/floor.py, one row + cached template) | {median([f['rps'] for f in floor_runs]):.0f} | | 1.00 "
        f"| {median([f['p50'] for f in floor_runs]):.1f} | {median([f['p99'] for f in floor_runs]):.1f} "
        f"| {sum(f['errors'] for f in floor_runs)} |",
    ]
    ratios = {}
    for name, results in runs.items():
        ratios[name] = median([r["rps"] / f["rps"] for r, f in results])
        lines.append(
            f"| {name} | {median([r['rps'] for r, _ in results]):.0f} | {median([f['rps'] for _, f in results]):.0f} "
            f"| {ratios[name]:.2f} | {median([r['p50'] for r, _ in results]):.1f} "
            f"| {median([r['p99'] for r, _ in results]):.1f} | {sum(r['errors'] for r, _ in results)} |"
        )
    rps = {name: median([r["rps"] for r, _ in results]) for name, results in runs.items()}
    lines.append("")
    lines.append(
        "Category page at 100,000 vs 100 products (req/s ratio): first page "
        f"{rps['category page 1 (100,000)'] / rps['category page 1 (100)']:.2f}, deep page "
        f"{rps['category deep page (100,000)'] / rps['category deep page (100)']:.2f}"
    )
    lines.append("")
    lines.append("| 50 connections at once | req/s | p50 ms | p99 ms | p99 / p50 | non-2xx/3xx |")
    lines.append("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, results in busy.items():
        p50, p99 = median([r["p50"] for r in results]), median([r["p99"] for r in results])
        lines.append(
            f"| {name} | {median([r['rps'] for r in results]):.0f} | {p50:.1f} | {p99:.1f} | {p99 / p50:.1f} "
            f"| {sum(r['errors'] for r in results)} |"
        )
    lines.append("")
    lines.append("| contention: 50 buyers, stock 1 | orders | 5xx | seconds | as it must be (1 order, no 5xx) |")
    lines.append("| --- | ---: | ---: | ---: | --- |")
    for name, c in contention_runs:
        held = "yes" if c["orders"] == 1 and c["server_errors"] == 0 else "**NO**"
        lines.append(f"| {name} | {c['orders']} | {c['server_errors']} | {c['seconds']:.2f} | {held} |")
    report = "\n".join(lines)
    print(report)
    if args.write:
        machine = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
        command = "python bench/run.py " + " ".join(sys.argv[1:])
        results = ROOT / "bench" / "RESULTS.md"
        notes = results.read_text().partition("\n## ")[2] if results.exists() else ""
        results.write_text(
            "# Benchmark results\n\n"
            f"Machine: {machine}. Command: `{command}`. gunicorn 2 sync workers, wrk -t2 -c{args.connections} "
            f"-d{args.duration}s, {args.rounds} rounds (medians), SQLite unless stated.\n\n{report}\n"
            + (f"\n## {notes}" if notes else "")
        )


if __name__ == "__main__":
    main()
