"""Flask CLI commands of this feature; storefront.cli registers everything in `commands`.

Both are safe to run from cron as often as you like: a repeat run finds nothing left to do.
"""

import click

from ..catalogue import certificates, featuring
from ..clock import today_vn
from ..extensions import db


@click.command("notify-expiring-certificates")
@click.option(
    "--days",
    default=certificates.EXPIRY_WINDOW_DAYS,
    show_default=True,
    type=click.IntRange(1, 366),
    help="Remind about certificates whose last valid day is within this many days.",
)
def notify_expiring_certificates_command(days: int):
    """Email each producer once about its OCOP certificates that expire soon."""
    emailed = certificates.send_expiry_reminders(db.session, today_vn(), days)
    db.session.commit()  # the emails go out after this commit, the claims with them
    click.echo(f"Reminded {emailed} producer(s) about certificates expiring within {days} days.")


@click.command("unfeature-lapsed-products")
def unfeature_lapsed_command():
    """Unfeature products that no longer meet the featuring rule (e.g. an expired certificate)."""
    lapsed = featuring.unfeature_lapsed(db.session, today_vn())
    db.session.commit()
    click.echo(f"Unfeatured {len(lapsed)} product(s).")


commands: list = [notify_expiring_certificates_command, unfeature_lapsed_command]
