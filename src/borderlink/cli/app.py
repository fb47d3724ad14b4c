"""The root Typer app; each command group lives in its own module and registers here."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.markup import escape

from borderlink.cli import (
    agreements,
    assistance,
    audit,
    border_post,
    certifications,
    db,
    exchange,
    keys,
    mras,
    node,
    operations,
    partners,
    profiles,
    quarantine,
    records,
    refdata,
    referrals,
    rejects,
    risk,
    schema,
    screening,
    serve,
    training,
    users,
    watchlists,
)
from borderlink.cli.demo import demo
from borderlink.cli.ingest import amend, ingest
from borderlink.errors import BorderLinkError, outcome_of

app = typer.Typer(
    name="borderlink",
    help="BorderLink: a customs node — declarations, risk, cooperation.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.command("ingest")(ingest)
app.command("amend")(amend)
app.add_typer(rejects.app, name="rejects")
app.add_typer(refdata.app, name="refdata")
app.add_typer(risk.app, name="risk")
app.add_typer(profiles.app, name="profiles")
app.add_typer(node.app, name="node")
app.add_typer(partners.app, name="partners")
app.add_typer(agreements.app, name="agreements")
app.add_typer(records.app, name="records")
app.add_typer(mras.app, name="mras")
app.add_typer(assistance.app, name="assistance")
app.add_typer(operations.app, name="operations")
app.add_typer(exchange.app, name="exchange")
app.add_typer(exchange.log_app, name="log")
exchange.app.add_typer(quarantine.app, name="quarantine")
exchange.app.add_typer(keys.app, name="keys")
app.add_typer(audit.app, name="audit")
app.add_typer(users.app, name="users")
app.add_typer(users.tokens, name="tokens")
app.add_typer(referrals.agencies, name="agencies")
app.add_typer(referrals.app, name="referrals")
app.add_typer(border_post.inspections_app, name="inspections")
app.add_typer(border_post.incidents_app, name="incidents")
app.add_typer(border_post.sops_app, name="sops")
app.command("serve")(serve.serve)
app.command("demo")(demo)
app.command("schema")(schema.schema)
app.add_typer(watchlists.app, name="watchlists")
app.add_typer(screening.app, name="screening")
app.add_typer(training.app, name="training")
app.add_typer(certifications.app, name="certifications")

err = Console(stderr=True)


def main() -> None:
    """Entry point: run the app, turning BorderLink errors into a message and an exit code."""
    try:
        app(standalone_mode=False)
    except BorderLinkError as error:
        where = f" (field: {error.field})" if error.field else ""
        err.print(f"[bold red]error[/]: {escape(str(error.detail))}{where}", soft_wrap=True)
        sys.exit(outcome_of(error).exit_code)
    except typer.Abort:
        err.print("aborted")
        sys.exit(1)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except Exception as click_error:  # click's usage errors carry their own exit code
        exit_code = getattr(click_error, "exit_code", None)
        if exit_code is None:
            raise
        show = getattr(click_error, "show", None)
        if show is not None:
            show()
        sys.exit(exit_code)
