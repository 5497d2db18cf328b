"""The committed migrations build the schema the models describe, on SQLite and PostgreSQL."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

from storefront.extensions import db


def test_upgrade_from_empty_database_reaches_head(tmp_path, empty_database_url):
    from flask_migrate import upgrade

    from storefront import create_app

    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        assert sa.inspect(db.engine).get_table_names() == []
        upgrade()
        script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
        with db.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
        assert current == script.get_current_head()
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"admin_user", "category", "product", "product_image"} <= tables
        db.engine.dispose()


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_migrations_have_a_single_head(app):
    with app.app_context():
        script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
        assert len(script.get_heads()) == 1


def test_downgrade_to_base_and_up_again(app):
    from flask_migrate import downgrade, upgrade

    with app.app_context():
        downgrade(revision="base")
        assert "product" not in sa.inspect(db.engine).get_table_names()
        upgrade()
        assert "product" in sa.inspect(db.engine).get_table_names()


def test_check_constraints_of_the_models_exist_in_the_database(app):
    # compare_metadata does not look at CHECK constraints; they guard stock and money, so check them here.
    with app.app_context():
        inspector = sa.inspect(db.engine)
        for table in db.metadata.sorted_tables:
            wanted = {
                c.name for c in table.constraints if isinstance(c, sa.CheckConstraint) and isinstance(c.name, str)
            }
            present = {c["name"] for c in inspector.get_check_constraints(table.name)}
            assert wanted <= present, (table.name, wanted - present)


def test_stock_can_never_go_negative_in_the_database(app, make_product):
    from storefront.models import Product

    product_id, _ = make_product(stock_managed=True, stock_quantity=0)
    with app.app_context():
        try:
            db.session.execute(sa.update(Product).where(Product.id == product_id).values(stock_quantity=-1))
            db.session.commit()
        except sa.exc.IntegrityError:
            db.session.rollback()
        else:
            raise AssertionError("negative stock was stored")


def test_windows_made_before_shipping_fees_stay_free(tmp_path, empty_database_url):
    """A personal payment window already sent was quoted without 배송비; listed products follow the shop's fee."""
    from flask_migrate import upgrade

    from storefront import create_app

    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(revision="6b2f4c8e1d35")
        insert = sa.text(
            "INSERT INTO product (name, price, description, display_status, show_on_desktop, show_on_mobile, listed,"
            " stock_managed, stock_quantity, public_token, created_at, updated_at)"
            " VALUES (:name, 30000, '', 'displayed', :yes, :yes, :listed, :no, 0, :token, :now, :now)"
        )
        now = "2000-01-01 00:00:00"
        with db.engine.begin() as conn:
            for name, listed in (("김규섭 고객님 개인결제창", False), ("원두", True)):
                values = {"name": name, "yes": True, "no": False, "listed": listed, "token": name, "now": now}
                conn.execute(insert, values)
        upgrade()
        with db.engine.connect() as conn:
            modes = dict(conn.execute(sa.text("SELECT name, shipping_mode FROM product")).all())
        assert modes == {"김규섭 고객님 개인결제창": "free", "원두": "default"}
        db.engine.dispose()
