"""Flask CLI: flask seed-demo, create-admin, and each feature's own commands."""

import os

import click
from flask import Flask

from .extensions import db


@click.command("seed-demo")
def seed_demo_command():
    """Load the Đồng Văn demo catalogue (idempotent)."""
    from .seed import DEMO_ACCOUNTS, seed_demo

    created = seed_demo()
    db.session.commit()
    click.echo(f"Demo data ready ({created} new rows). This is demo data, not real listings.")
    click.echo("Demo accounts:")
    for email, password, role in DEMO_ACCOUNTS:
        click.echo(f"  {role:<9} {email}  password: {password}")


@click.command("create-admin")
@click.argument("email")
@click.option("--name", default="Administrator", show_default=True)
def create_admin_command(email: str, name: str):
    """Create an admin, or promote an existing user. Password: ADMIN_PASSWORD or a prompt."""
    from .auth.models import UserRole
    from .auth.services import (
        check_new_password,
        end_sessions,
        find_user_by_email,
        hash_password,
        register_user,
    )
    from .errors import DomainError

    password = os.environ.get("ADMIN_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    user = find_user_by_email(email)
    try:
        # The same rule as registration, for new and existing accounts alike.
        check_new_password(password)
        if user is None:
            user = register_user(email, password, name, role=UserRole.ADMIN)
        else:
            user.role = UserRole.ADMIN
            user.password_hash = hash_password(password)
            end_sessions(user)  # a new password ends the sessions opened with the old one
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    click.echo(f"Admin ready: {user.email}")


def register_commands(app: Flask) -> None:
    from .admin.commands import commands as admin_commands
    from .orders.commands import commands as order_commands

    for command in (seed_demo_command, create_admin_command, *order_commands, *admin_commands):
        app.cli.add_command(command)
