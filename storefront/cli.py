"""Command-line tasks: ``flask --app storefront create-admin | seed-demo | expire-orders | …``."""

import io
import random
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import with_appcontext

from .extensions import db


def _interactive() -> bool:
    """Someone at a terminal can answer the e-mail and password prompts."""
    return sys.stdin.isatty()


@click.command("create-admin")
@click.option("--email", envvar="STOREFRONT_ADMIN_EMAIL", help="The merchant's login e-mail.")
@click.option(
    "--password",
    envvar="STOREFRONT_ADMIN_PASSWORD",
    help="At least 10 characters of two kinds, or 8 of three (upper, lower, digits, symbols).",
)
@click.option(
    "--if-missing",
    is_flag=True,
    help="Do nothing when an admin exists. Otherwise ask on a terminal, or print a one-time setup link.",
)
@with_appcontext
def create_admin(email: str | None, password: str | None, if_missing: bool) -> None:
    """Create the merchant's admin account (or set a new password for it)."""
    from flask import current_app
    from flask_babel import force_locale

    from .auth import create_or_update_admin, has_admin, new_setup_code, password_problem, setup_message
    from .models import SYSTEM

    if if_missing:
        if has_admin():
            return
        if not (email and password) and not _interactive():
            # Nobody to ask (a container, a script): the link lets the merchant make the account in the browser.
            code = new_setup_code()
            db.session.commit()
            base = current_app.config["PUBLIC_BASE_URL"].rstrip("/") or "http://127.0.0.1:5000"
            click.echo(setup_message(base + "/admin/setup?code=" + code, code))
            return
        click.echo("No admin account yet: create the shop's owner account now.")
    if not email:
        email = click.prompt("E-mail")
    if "@" not in email or len(email) > 254:
        raise click.BadParameter("enter a valid e-mail address", param_hint="--email")
    if not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with force_locale("en"):  # the rule's message, in English on the console (no request to choose a language)
        problem = password_problem(password, email)
        if problem:
            raise click.BadParameter(str(problem), param_hint="--password")
    # Recorded in the account history (접근 권한 기록), as the server's change.
    user = create_or_update_admin(email, password, actor=SYSTEM)
    db.session.commit()
    click.echo(f"Admin {user.email} is ready. Log in at /admin/login.")


@click.command("seed-demo")
@click.option("--products", "count", default=12, show_default=True, help="How many listed products.")
@with_appcontext
def seed_demo(count: int) -> None:
    """Fill a demo shop: categories, listed products and one personal payment window."""
    from PIL import Image, ImageDraw

    from . import catalog, images
    from .models import DisplayStatus, Product, ProductImage, new_public_token

    if db.session.scalar(sa.select(sa.func.count()).select_from(Product)):
        click.echo("The shop already has products; seed-demo only fills an empty shop.")
        return
    catalog.save_categories([catalog.CategoryRow(None, name) for name in ("개인결제창", "원두", "드립백", "선물세트")])
    by_name = {c.name: c.id for c in catalog.ordered_categories()}
    rng = random.Random(7)
    palette = [(196, 120, 72), (92, 64, 51), (222, 184, 135), (139, 90, 43), (120, 140, 90)]

    def picture(i: int) -> images.StoredImage:
        img = Image.new("RGB", (800, 800), (248, 244, 238))
        draw = ImageDraw.Draw(img)
        colour = palette[i % len(palette)]
        draw.rounded_rectangle((220, 180, 580, 660), radius=40, fill=colour)
        draw.rectangle((300, 120, 500, 200), fill=tuple(max(c - 40, 0) for c in colour))
        out = io.BytesIO()
        img.save(out, "JPEG", quality=85)
        return images.store_upload(out.getvalue())

    pictures = [picture(i) for i in range(len(palette))]
    kinds = ["원두", "드립백", "선물세트"]
    origins = ["에티오피아 예가체프", "콜롬비아 수프리모", "과테말라 안티구아", "케냐 AA", "브라질 산토스"]
    # Plain INSERTs in batches: a 100,000-product catalogue takes seconds, not minutes.
    for batch_start in range(0, count, 5000):
        batch = range(batch_start, min(batch_start + 5000, count))
        products = [
            {
                "category_id": by_name[kinds[i % 3]],
                "name": f"{origins[i % len(origins)]} {kinds[i % 3]} {i + 1}",
                "price": rng.randrange(8, 60) * 1000,
                "description": f"{origins[i % len(origins)]} 산지의 {kinds[i % 3]}입니다.\n매주 월요일 로스팅합니다.",
                "stock_managed": i % 4 == 0,
                "stock_quantity": 0 if i % 8 == 0 else 20,
                "public_token": new_public_token(),
            }
            for i in batch
        ]
        ids = db.session.scalars(sa.insert(Product).returning(Product.id, sort_by_parameter_order=True), products)
        db.session.execute(
            sa.insert(ProductImage),
            [
                {
                    "product_id": product_id,
                    "position": 0,
                    "content_hash": pictures[i % len(pictures)].content_hash,
                    "file_name": pictures[i % len(pictures)].file_name,
                    "width": pictures[i % len(pictures)].width,
                    "height": pictures[i % len(pictures)].height,
                }
                for i, product_id in zip(batch, ids, strict=True)
            ],
        )
    window = catalog.create_product(
        catalog.ProductData(
            category_id=by_name["개인결제창"],
            name="김규섭 고객님 개인결제창",
            price=128000,
            description="요청하신 원두 정기배송 3개월분입니다.",
            display_status=DisplayStatus.DISPLAYED,
            listed=False,
            stock_managed=True,
            stock_quantity=1,
            image_hashes=[pictures[0].content_hash],
        )
    )
    db.session.commit()
    click.echo(f"Demo shop ready: {count} listed products and one personal payment window.")
    click.echo(f"Personal payment window link: /products/{window.public_token}")


def _settle(card, order):
    """The gateway's word on one card order; a refusal (recorded, the order payable again) settles it too."""
    from .payments import PaymentError
    from .payments.toss import ConfirmResult

    try:
        return card.reconcile(order)
    except PaymentError:
        return ConfirmResult.FAILED


@click.command("expire-orders")
@with_appcontext
def expire_orders() -> None:
    """Cancel unpaid orders past their payment deadline and return their stock (safe to run often).

    Card orders left 결제 확인 중 (the app stopped while confirming) are settled from the gateway first,
    and 현금영수증 requested through Toss are looked up (the tax office answers a day or two later).
    """
    from . import cash_receipts, money, payments
    from .messaging import outbox
    from .models import Order, OrderStatus, PaymentMethod
    from .payments.toss import ConfirmResult, GatewayUnreachable

    card = payments.provider_for(PaymentMethod.CARD)
    if card.available():
        # 결제 확인 중: re-send the confirm within its window, else payable again; 가상계좌: deposited yet?
        stuck = db.session.scalars(sa.select(Order).where(Order.status == OrderStatus.CONFIRMING)).all()
        settled = sum(_settle(card, order) is not ConfirmResult.PENDING for order in stuck)
        click.echo(f"Settled {settled} of {len(stuck)} card payment(s) being confirmed.")
        waiting = db.session.scalars(
            sa.select(Order).where(
                Order.status == OrderStatus.AWAITING_DEPOSIT, Order.payment_method == PaymentMethod.CARD
            )
        ).all()
        paid = sum(_settle(card, order) is ConfirmResult.PAID for order in waiting)
        if waiting:
            click.echo(f"{paid} of {len(waiting)} virtual account(s) deposited.")
        try:
            answered = cash_receipts.check_requested()
        except (payments.PaymentError, GatewayUnreachable) as exc:
            db.session.rollback()
            click.echo(f"Cash receipts not checked: {exc}", err=True)
        else:
            db.session.commit()
            click.echo(f"{answered} cash receipt(s) answered by the tax office.")
    count = money.expire_due()
    click.echo(f"Cancelled {count} overdue order(s).")
    reminded = outbox.queue_deposit_reminders()
    db.session.commit()  # sent after this commit (입금 기한 임박, when the merchant turned it on)
    if reminded:
        click.echo(f"Queued {reminded} deposit reminder(s).")


@click.command("send-notifications")
@with_appcontext
def send_notifications() -> None:
    """Send order e-mails, Web Push and buyers' messages still pending (after an SMTP, push service or
    messaging provider failure, for instance).

    A push is tried up to push.MAX_ATTEMPTS times; pushes done with are deleted after push.KEEP_DAYS.
    A buyer's message is tried again later after each failure (outbox.BACKOFF), up to outbox.MAX_ATTEMPTS.
    """
    from flask import current_app

    from . import notifications, push
    from .messaging import outbox
    from .urls import mail_base_url

    with notifications.mail_context(current_app, mail_base_url()):
        sent = notifications.send_pending()
        pushed = push.send_pending()
        push.prune()
        db.session.commit()
        messaged = outbox.send_pending()
    click.echo(f"Sent {sent} notification e-mail(s).")
    click.echo(f"Sent {pushed} push notification(s).")
    click.echo(f"Sent {messaged} buyer message(s).")


@click.command("prune-uploads")
@click.option("--days", default=2, show_default=True, help="Keep unused files younger than this.")
@with_appcontext
def prune_uploads(days: int) -> None:
    """Delete uploaded images that no product or setting uses (from forms that were never saved)."""
    from . import pictures
    from .storage import StorageError

    try:
        removed = pictures.prune(older_than_seconds=days * 86400)
    except StorageError as exc:
        raise click.ClickException(f"Nothing removed: {exc}") from exc
    click.echo(f"Removed {removed} unused file(s).")


@click.command("move-pictures")
@click.option(
    "--from",
    "source",
    type=click.Path(file_okay=False, path_type=Path),
    help="The local pictures folder to copy (default: UPLOAD_FOLDER).",
)
@with_appcontext
def move_pictures(source: Path | None) -> None:
    """Copy the local pictures folder into the bucket of STOREFRONT_STORAGE_URL.

    Safe to run again, and while the shop runs: it copies only what the bucket lacks, so an
    interrupted run resumes where it stopped. The folder is left as it is.
    """
    from flask import current_app

    from . import pictures, storage

    target = storage.pictures()
    if isinstance(target, storage.LocalStorage):
        raise click.ClickException(
            "Pictures are kept in the local folder. Set STOREFRONT_STORAGE_URL=s3://bucket/prefix (with "
            "STOREFRONT_STORAGE_REGION, and STOREFRONT_STORAGE_ENDPOINT_URL for a service other than AWS) and the "
            "access keys, then run move-pictures to copy UPLOAD_FOLDER into that bucket."
        )
    folder = source or Path(current_app.config["UPLOAD_FOLDER"])
    if not folder.is_dir():
        raise click.ClickException(f"There is no pictures folder at {folder}.")
    files = pictures.local_files(folder)
    copied = 0
    try:
        with click.progressbar(length=len(files), label=f"Copying {len(files)} file(s) to {target.describe()}") as bar:
            for _path, was_copied in pictures.copy_folder(files, target):
                copied += was_copied
                bar.update(1)
    except storage.StorageError as exc:
        raise click.ClickException(f"Stopped after {copied} file(s): {exc}. Run move-pictures again to go on.") from exc
    click.echo(f"Copied {copied} file(s) to {target.describe()}; {len(files) - copied} were already there.")


@click.command("backup")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup(path: Path) -> None:
    """Copy the SQLite database, while the shop runs, and the local pictures into a new folder PATH."""
    from . import backups

    try:
        manifest = backups.take_backup(path)
    except (backups.BackupError, OSError) as exc:  # OSError: the disk is full, the folder cannot be made
        raise click.ClickException(str(exc)) from exc
    if manifest.pictures is None:
        pictures = f"Pictures are kept in {manifest.picture_storage}: keep copies with the bucket's own versioning."
    else:
        pictures = f"{manifest.pictures} picture file(s) copied."
    click.echo(f"Backed up the database (schema {manifest.schema}) to {path}. {pictures}")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the shop's database without asking.")
@with_appcontext
def restore(path: Path, yes: bool) -> None:
    """Put back a backup made by `backup`, once it has passed its checks (integrity, schema version).

    Stop the shop's processes first: orders placed between the backup and the restore are lost.
    The database it replaces is kept beside it.
    """
    from . import backups

    try:
        manifest = backups.checked(path)
        if not yes:
            live = backups.live_database()
            click.confirm(f"Replace the database {live} with the backup of {manifest.created_at} (UTC)?", abort=True)
        restored = backups.restore(path)
    except (backups.BackupError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    if restored.previous:
        click.echo(f"The database it replaced is kept at {restored.previous}.")
    click.echo(
        f"Restored the backup of {manifest.created_at} (UTC); {restored.pictures} missing picture file(s) put back."
    )


@click.command("purge-personal-data")
@click.option("--years", type=click.IntRange(min=1), help="Retention period in years (default: the configured 5).")
@click.option("--dry-run", is_flag=True, help="Only say how many orders would be erased.")
@with_appcontext
def purge_personal_data(years: int | None, dry_run: bool) -> None:
    """Erase buyers' names, phones, addresses and e-mails from orders older than the retention period.

    Amounts, dates, items and statuses stay. Safe to run daily.
    """
    from flask import current_app

    from . import access_log, retention
    from .models import SYSTEM, AccessAction

    years = years or int(current_app.config["PERSONAL_DATA_RETENTION_YEARS"])
    before = retention.cutoff(years)
    if dry_run:
        count = retention.count_due(before)
        click.echo(f"Would erase the personal data of {count} order(s) placed before {before:%Y-%m-%d} (dry run).")
        return
    count = retention.purge_personal_data(before)
    if count:
        access_log.record(AccessAction.DELETE, "purge", count=count, actor=SYSTEM)
    db.session.commit()
    click.echo(f"Erased the personal data of {count} order(s) placed before {before:%Y-%m-%d}.")


@click.command("prune-access-records")
@with_appcontext
def prune_access_records() -> None:
    """Delete 개인정보 접속기록 and 로그인 기록 older than the period set under 접속기록 (at least one year).

    Safe to run daily.
    """
    from . import access_log, logins

    records = access_log.prune()
    login_rows = logins.prune(access_log.retention_cutoff())
    db.session.commit()
    click.echo(f"Deleted {records} access record(s) and {login_rows} login record(s) past the retention period.")


@click.command("reset-2fa")
@click.argument("email")
@with_appcontext
def reset_2fa(email: str) -> None:
    """Turn off 2단계 인증 of EMAIL (a lost phone) and end its logins; it is recorded in the account history."""
    from . import two_factor
    from .auth import find_admin

    user = find_admin(email)
    if user is None:
        raise click.BadParameter("no admin account has this e-mail", param_hint="EMAIL")
    try:
        two_factor.reset(user, actor=None)
    except two_factor.TwoFactorError:
        raise click.ClickException(f"{user.email} does not use 2-step verification.") from None
    db.session.commit()
    click.echo(f"2-step verification of {user.email} is off and its logins have ended; set it up again after login.")


def init_app(app: Flask) -> None:
    commands = (
        create_admin,
        reset_2fa,
        seed_demo,
        expire_orders,
        send_notifications,
        prune_uploads,
        move_pictures,
        backup,
        restore,
        purge_personal_data,
        prune_access_records,
    )
    for command in commands:
        app.cli.add_command(command)
