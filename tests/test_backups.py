"""Backups of a SQLite shop taken while it sells, and putting them back after checks."""

import re
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa

from storefront import create_app
from storefront.extensions import db
from storefront.models import Product

from .conftest import image_bytes, place


@pytest.fixture
def sqlite_app(app):
    """The test app, on SQLite: on PostgreSQL, backups are pg_dump's job (tested below)."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("backup and restore copy SQLite databases; PostgreSQL is backed up with pg_dump")
    return app


def order_numbers(database: Path) -> list[str]:
    """Order numbers in the order they were placed."""
    with closing(sqlite3.connect(database)) as conn:
        return [row[0] for row in conn.execute("SELECT order_no FROM shop_order ORDER BY id")]


def integrity(database: Path) -> list[str]:
    with closing(sqlite3.connect(database)) as conn:
        return [row[0] for row in conn.execute("PRAGMA integrity_check")]


def live_file(app) -> Path:
    return Path(sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database)


def test_a_backup_taken_while_orders_are_placed_restores_every_committed_order(
    sqlite_app, runner, bank_ready, make_product, make_app, tmp_path
):
    _, token = make_product(name="원두 200g", price=12000)
    committed: list[str] = []
    refused: list[int] = []
    stop = threading.Event()

    def buyers():
        client = sqlite_app.test_client()
        while not stop.is_set():
            response = place(client, token)
            if response.status_code != 302:
                refused.append(response.status_code)
                return
            committed.append(re.match(r"/orders/([^?]+)", response.headers["Location"]).group(1))

    def wait_for(count: int, thread: threading.Thread) -> None:
        while len(committed) < count and thread.is_alive():
            time.sleep(0.005)

    thread = threading.Thread(target=buyers)
    thread.start()
    wait_for(5, thread)
    before_backup = list(committed)
    result = runner.invoke(args=["backup", str(tmp_path / "backup")])
    wait_for(len(committed) + 3, thread)  # the shop kept selling
    stop.set()
    thread.join()
    assert result.exit_code == 0, result.output
    assert refused == [] and len(before_backup) >= 5

    # Another machine puts the backup back.
    restored_file = tmp_path / "restored" / "shop.sqlite"
    machine = make_app("restored-instance", SQLALCHEMY_DATABASE_URI=f"sqlite:///{restored_file}")
    restore = machine.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup"), "--yes"])
    assert restore.exit_code == 0, restore.output
    assert integrity(restored_file) == ["ok"]
    restored = order_numbers(restored_file)
    # One moment of the shop: every order committed before the backup began, then a run of later ones,
    # each whole (with its line), nothing half-written.
    assert restored == committed[: len(restored)]
    assert set(before_backup) <= set(restored)
    with closing(sqlite3.connect(restored_file)) as conn:
        orphans = conn.execute(
            "SELECT count(*) FROM shop_order WHERE id NOT IN (SELECT order_id FROM order_item)"
        ).fetchone()[0]
    assert orphans == 0
    assert machine.test_client().get(f"/products/{token}").status_code == 200


def test_a_backup_does_not_wait_for_a_write_in_progress_nor_copy_it(sqlite_app, runner, make_product, tmp_path):
    make_product(name="커밋된 이름")
    with closing(sqlite3.connect(live_file(sqlite_app), isolation_level=None)) as writer:
        writer.execute("BEGIN IMMEDIATE")  # holds the write lock, as a checkout being placed does
        writer.execute("UPDATE product SET name = '커밋 전 이름'")
        result = runner.invoke(args=["backup", str(tmp_path / "backup")])
        writer.execute("COMMIT")
    assert result.exit_code == 0, result.output
    with closing(sqlite3.connect(tmp_path / "backup" / "storefront.sqlite")) as copy:
        assert copy.execute("SELECT name FROM product").fetchall() == [("커밋된 이름",)]


def test_restore_puts_back_the_database_and_pictures_and_keeps_the_replaced_one(
    sqlite_app, runner, client, make_product, tmp_path
):
    _, kept_token = make_product(name="백업 전 상품", images=[image_bytes()])
    folder = Path(sqlite_app.config["UPLOAD_FOLDER"])
    backup = runner.invoke(args=["backup", str(tmp_path / "backup")])
    assert backup.exit_code == 0, backup.output
    assert "3 picture file(s) copied" in backup.output
    assert sorted(p.name for p in (tmp_path / "backup" / "uploads").iterdir()) == sorted(
        p.name for p in folder.iterdir()
    )

    _, later_token = make_product(name="백업 후 상품")
    assert client.get(f"/products/{later_token}").status_code == 200  # kept by this process
    for path in folder.iterdir():
        path.unlink()

    result = runner.invoke(args=["restore", str(tmp_path / "backup")], input="y\n")
    assert result.exit_code == 0, result.output
    assert "3 missing picture file(s) put back" in result.output
    previous = Path(re.search(r"kept at (\S+)\.\n", result.output).group(1))
    assert "백업 후 상품" in {name for (name,) in sqlite3.connect(previous).execute("SELECT name FROM product")}
    # The same process serves the restored shop at once: its kept pages were of the replaced database.
    assert client.get(f"/products/{later_token}").status_code == 404
    page = client.get(f"/products/{kept_token}")
    assert page.status_code == 200
    picture = re.search(r'<img src="(/uploads/[^"]+)"', page.get_data(as_text=True)).group(1)
    assert client.get(picture).status_code == 200


def test_restore_asks_before_replacing_the_database(sqlite_app, runner, make_product, tmp_path):
    runner.invoke(args=["backup", str(tmp_path / "backup")])
    make_product(name="남아 있어야 할 상품")
    result = runner.invoke(args=["restore", str(tmp_path / "backup")], input="n\n")
    assert result.exit_code != 0
    with sqlite_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Product)) == 1


def damaged(backup: Path) -> None:
    """Overwrite the middle of the backup's database with noise."""
    database = backup / "storefront.sqlite"
    data = bytearray(database.read_bytes())
    page = 4096
    data[3 * page : 6 * page] = bytes(range(256)) * (3 * page // 256)
    database.write_bytes(bytes(data))


def older_schema(backup: Path) -> None:
    with closing(sqlite3.connect(backup / "storefront.sqlite")) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = '0001_older'")


def unfinished(backup: Path) -> None:
    (backup / "backup.json").unlink()


@pytest.mark.parametrize(
    "spoil, message",
    [
        (unfinished, "it is not a finished backup"),
        (damaged, "The backup's database is damaged"),
        (older_schema, "The backup's schema version is 0001_older"),
    ],
)
def test_a_backup_that_fails_its_checks_is_not_restored(sqlite_app, runner, make_product, tmp_path, spoil, message):
    runner.invoke(args=["backup", str(tmp_path / "backup")])
    make_product(name="남아 있어야 할 상품")
    spoil(tmp_path / "backup")
    result = runner.invoke(args=["restore", str(tmp_path / "backup"), "--yes"])
    assert result.exit_code == 1
    assert message in result.output
    with sqlite_app.app_context():
        assert db.session.scalar(sa.select(Product.name)) == "남아 있어야 할 상품"
    assert integrity(live_file(sqlite_app)) == ["ok"]


def test_a_backup_goes_into_a_new_folder(sqlite_app, runner, tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "something").write_text("x")
    result = runner.invoke(args=["backup", str(tmp_path / "used")])
    assert result.exit_code == 1
    assert "is not empty" in result.output


def test_pictures_in_a_bucket_are_left_to_the_bucket(sqlite_app, make_app, bucket, tmp_path):
    app = make_app("instance", **bucket.settings())
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    assert f"Pictures are kept in s3://{bucket.name}/" in result.output
    assert not (tmp_path / "backup" / "uploads").exists()


def test_on_postgresql_backup_and_restore_name_pg_dump_and_show_no_password(tmp_path):
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://shop:s3cret-pass@db.invalid/shop",
        }
    )
    runner = app.test_cli_runner()
    backup = runner.invoke(args=["backup", str(tmp_path / "backup")])
    assert backup.exit_code == 1
    assert "pg_dump --format=custom" in backup.output and "postgresql://shop@db.invalid/shop" in backup.output
    assert "s3cret" not in backup.output
    assert not (tmp_path / "backup").exists()
