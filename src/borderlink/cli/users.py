"""``borderlink users`` and ``borderlink tokens``: accounts from the command line."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from borderlink.cli.options import CLI, DbOption, node_for
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Role
from borderlink.services.accounts.demo import demo_accounts

app = typer.Typer(
    help="Users: add, list, disable, enable, unlock, reset-password.", no_args_is_help=True
)
tokens = typer.Typer(help="API tokens: create, list, revoke.", no_args_is_help=True)
out = Console()

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]


@app.command("add")
def add(
    username: str,
    role: Annotated[Role, typer.Option(help="What the user may do.")],
    password: Annotated[
        str | None, typer.Option(help="Asked for (twice, hidden) when not given.")
    ] = None,
    office: Annotated[str | None, typer.Option(help="The officer's customs office.")] = None,
    agency: Annotated[str | None, typer.Option(help="The agency officer's agency.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a user (the password is asked for unless --password is given)."""
    user = accounts.add_user(
        node_for(db),
        CLI,
        username=username,
        password=password if password is not None else _ask_password(),
        role=role,
        office_id=office,
        agency=agency,
    )
    if as_json:
        print(user.model_dump_json())
    else:
        out.print(f"added {user.username} ({user.role.value})")


@app.command("list")
def list_(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List users."""
    found = accounts.list_users(node_for(db), CLI)
    if as_json:
        print(json.dumps({"users": [u.model_dump(mode="json") for u in found]}))
        return
    table = Table("username", "role", "office", "agency", "active")
    for u in found:
        table.add_row(u.username, u.role.value, u.office_id or "", u.agency or "", str(u.active))
    out.print(table)


@app.command("disable")
def disable(username: str, db: DbOption = None) -> None:
    """Disable a user: no more sign-in, sessions closed, tokens refused."""
    accounts.disable_user(node_for(db), CLI, username)
    out.print(f"disabled {username}")


def _ask_password(label: str = "Password") -> str:
    return str(typer.prompt(label, hide_input=True, confirmation_prompt=True))


@app.command("enable")
def enable(username: str, db: DbOption = None) -> None:
    """Let a disabled user sign in again."""
    accounts.enable_user(node_for(db), CLI, username)
    out.print(f"enabled {username}")


@app.command("unlock")
def unlock(username: str, db: DbOption = None) -> None:
    """Lift the lock that repeated failed sign-ins put on a user's name."""
    accounts.unlock_user(node_for(db), CLI, username)
    out.print(f"unlocked {username}")


@app.command("reset-password")
def reset_password(
    username: str,
    password: Annotated[
        str | None, typer.Option(help="The temporary password; asked for when not given.")
    ] = None,
    reason: Annotated[str | None, typer.Option(help="Why (audited).")] = None,
    db: DbOption = None,
) -> None:
    """Set a temporary password: the user's sessions and tokens end, and it lets them do
    nothing but choose their own."""
    chosen = password if password is not None else _ask_password("Temporary password")
    accounts.reset_password(node_for(db), CLI, username, chosen, reason=reason)
    out.print(f"password of {username} reset; they choose their own at next sign-in")


@app.command("demo")
def demo(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Create one demo user per role (not on production nodes) and print their passwords."""
    made = demo_accounts(node_for(db))
    if as_json:
        print(json.dumps({"users": made}))
        return
    if not made:
        out.print("demo users exist already")
    for username, password in made.items():
        out.print(f"{username}  {password}")


@tokens.command("create")
def create(
    username: str,
    name: Annotated[str, typer.Option(help="What the token is for.")],
    scope: Annotated[
        list[str] | None, typer.Option(help="A permission (repeat); default: the role's.")
    ] = None,
    days: Annotated[int, typer.Option(help="Lifetime in days.")] = 90,
    reason: Annotated[
        str, typer.Option(help="Why the token is issued (audited).")
    ] = "issued from the command line",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Issue an API token for a user (audited as token.issue; it never answers for an
    agency: agency officers make their own); the token is printed once."""
    made = accounts.issue_token(
        node_for(db), CLI, username=username, name=name, scopes=scope, days=days, reason=reason
    )
    if as_json:
        print(made.model_dump_json())
        return
    out.print(f"token {made.info.token_id} for {username}, expires {made.info.expires_at:%Y-%m-%d}")
    out.print("scopes: " + ", ".join(made.info.scopes))
    print(made.token)


@tokens.command("list")
def list_tokens(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List tokens (never their secrets)."""
    found = accounts.list_tokens(node_for(db), CLI)
    if as_json:
        print(json.dumps({"tokens": [t.model_dump(mode="json") for t in found]}))
        return
    table = Table("id", "user", "name", "expires", "revoked")
    for t in found:
        table.add_row(
            t.token_id,
            t.username,
            t.name,
            f"{t.expires_at:%Y-%m-%d}",
            f"{t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "",
        )
    out.print(table)


@tokens.command("revoke")
def revoke(token_id: str, db: DbOption = None) -> None:
    """Revoke a token by its id."""
    accounts.revoke_token(node_for(db), CLI, token_id)
    out.print(f"revoked {token_id}")
