"""`gis-app user …` and `gis-app token …`: accounts from the command line (the owner's
connection, so an administrator can be made before anyone can sign in)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from gis_app.accounts import users
from gis_app.accounts.credentials import new_secret
from gis_app.cli.common import in_session, say
from gis_app.models import AppUser
from gis_app.models.base import ROLES

user_app = typer.Typer(help="Accounts: add, list, disable, enable, set a password or role.")
token_app = typer.Typer(help="API tokens for scripts and GIS clients.")

Login = Annotated[str, typer.Argument(help="Login name (letters, digits, . _ @ -).")]
Role = Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")]
Org = Annotated[
    str | None, typer.Option("--org", help="Code of the body at the root of the user's scope.")
]
PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
]


def _password(from_stdin: bool) -> tuple[str, bool]:
    """The password given on stdin, or a new random one (to be printed once)."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n"), False
    return new_secret()[:20], True


@user_app.command("add")
def add(
    login: Login,
    role: Role,
    org: Org = None,
    display_name: Annotated[str | None, typer.Option(help="Name shown in the app.")] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Add a user; without --password-stdin a random password is printed once."""
    password, generated = _password(password_stdin)

    def run(session: Session) -> None:
        users.add_user(
            session, login, role, org_code=org, display_name=display_name, password=password
        )

    in_session(run)
    say("cli.user_added", to_stderr=generated, login=users.normal_login(login), role=role)
    if generated:
        typer.echo(password)


@user_app.command("list")
def list_users(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every user, with role, scope and whether active."""
    found = in_session(users.list_users)
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    for u in found:
        state = "active" if u["active"] else "disabled"
        typer.echo(f"{u['login']:<24} {u['role']:<15} {u['organisation'] or '*':<20} {state}")


def _change(login: str, change: Callable[[Session, AppUser], None]) -> None:
    in_session(lambda session: change(session, users.find_user(session, login)))


@user_app.command("disable")
def disable(login: Login) -> None:
    """Disable a user: their sessions end and tokens stop working."""
    _change(login, lambda s, u: users.set_active(s, u, False))
    say("cli.user_changed", login=login)


@user_app.command("enable")
def enable(login: Login) -> None:
    """Enable a disabled user again."""
    _change(login, lambda s, u: users.set_active(s, u, True))
    say("cli.user_changed", login=login)


@user_app.command("set-password")
def set_password(login: Login, password_stdin: PasswordStdin = False) -> None:
    """Set a new password (random and printed once without --password-stdin)."""
    password, generated = _password(password_stdin)
    _change(login, lambda s, u: users.set_password(s, u, password))
    say("cli.user_changed", to_stderr=generated, login=login)
    if generated:
        typer.echo(password)


@user_app.command("set-role")
def set_role(
    login: Login,
    role: Annotated[str, typer.Argument(help=f"One of: {', '.join(ROLES)}.")],
    org: Org = None,
) -> None:
    """Change a user's role (and scope with --org); their sessions end."""
    _change(login, lambda s, u: users.set_role(s, u, role, org))
    say("cli.user_changed", login=login)


@token_app.command("create")
def create(
    login: Login,
    expires: Annotated[
        float | None, typer.Option(min=0.01, max=3650, help="Days until it expires.")
    ] = None,
    name: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
) -> None:
    """Make a token for `login`; it is printed once and only its hash is kept."""
    made = in_session(lambda s: users.create_token(s, users.find_user(s, login), name, expires))
    say("cli.token_created", to_stderr=True, id=made.id)
    typer.echo(made.secret)


@token_app.command("revoke")
def revoke(token_id: Annotated[int, typer.Argument(min=1, help="Token id.")]) -> None:
    """Revoke a token."""
    in_session(lambda s: users.revoke_token(s, token_id))
    say("cli.token_revoked", id=token_id)
