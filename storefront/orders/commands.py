"""Flask CLI commands of this feature; storefront.cli registers everything in `commands`."""

import click
from sqlalchemy import select

from ..clock import utcnow
from ..errors import DomainError
from ..extensions import db
from .bank_transfer import confirm_bank_transfer
from .expiry import release_expired_reservations
from .models import Order


@click.command("confirm-bank-transfer")
@click.argument("order_number")
def confirm_bank_transfer_command(order_number: str):
    """Mark a bank-transfer order as paid, once the money is on the shop's account."""
    order = db.session.scalar(select(Order).where(Order.number == order_number.strip()))
    if order is None:
        raise click.ClickException(f"No order {order_number}.")
    try:
        confirm_bank_transfer(db.session, order, actor_id=None)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(f"Order {order.number} is paid; the cooperatives were notified.")


@click.command("release-expired-reservations")
def release_expired_reservations_command():
    """Cancel unpaid orders whose reservation ended and return their stock (cron-safe)."""
    count = release_expired_reservations(db.session, utcnow())
    db.session.commit()
    click.echo(f"Released {count} expired reservation(s).")


commands = [confirm_bank_transfer_command, release_expired_reservations_command]
