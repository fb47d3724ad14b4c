"""The demo: a node with a few thousand synthetic declarations, and where to look next.

The demo is a list of steps (:data:`STEPS`), each a function of a :class:`DemoContext` that
returns a :class:`StepResult`; later capabilities (train a model, serve the web UI, start partner
nodes) append their own step. Every step is idempotent: running the demo twice stores nothing
twice (the files are regenerated identically, and ingest keeps what it already has).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from borderlink import demo as synth
from borderlink.demo import workday
from borderlink.demo.border_post import border_post
from borderlink.demo.sampler import DEFAULT_DAYS
from borderlink.demo.writers import Flow
from borderlink.errors import InvalidInput, NotFound
from borderlink.services import database
from borderlink.services.accounts.demo import DEMO, DEMO_AGENCY, demo_accounts
from borderlink.services.coordination import agency_rules, routing
from borderlink.services.declarations import summary
from borderlink.services.declarations.read import latest_day
from borderlink.services.ingest.files import ingest_file
from borderlink.services.node import Node, open_node
from borderlink.services.refdata import RefData
from borderlink.services.refdata.load import load_rates, snapshot
from borderlink.services.risk import models as risk_models
from borderlink.services.risk import score as risk_service
from borderlink.settings import Settings

DEFAULT_ITEMS = 5_000
DEFAULT_SEED = 2026
BROKEN_ITEMS = 60

# (stage, rows just done): stages are "generate" and "ingest"
Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class DemoOptions:
    items: int = DEFAULT_ITEMS
    seed: int = DEFAULT_SEED
    reset: bool = False


def stage_totals(options: DemoOptions) -> dict[str, int]:
    """Rows each progress stage will report in all (for progress bars)."""
    broken_rows = BROKEN_ITEMS + synth.DUPLICATES
    return {"generate": options.items, "ingest": options.items + broken_rows}


@dataclass(frozen=True)
class StepResult:
    name: str
    title: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class DemoContext:
    """What the steps share: the node, the options, and what earlier steps left behind."""

    node: Node
    options: DemoOptions
    progress: Progress | None = None
    files: dict[str, Path] = field(default_factory=dict)
    refdata: RefData | None = None
    pending: Path | None = None  # what inspections of the current flow will find

    @property
    def folder(self) -> Path:
        folder = Path(self.node.settings.data_dir) / "demo"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def advance(self, stage: str, rows: int) -> None:
        if self.progress:
            self.progress(stage, rows)


@dataclass(frozen=True)
class DemoReport:
    database: str
    data_dir: Path
    steps: list[StepResult]
    totals: dict[str, Any]
    next_steps: list[tuple[str, str]]  # (command, what it shows)


Step = Callable[[DemoContext], StepResult]


def generate_files(ctx: DemoContext) -> StepResult:
    """Write the synthetic declarations (and a small file with broken rows) into the data dir."""
    items, seed = ctx.options.items, ctx.options.seed
    path = ctx.folder / f"declarations-seed{seed}-{items}.csv"
    pending = ctx.folder / f"inspections-seed{seed}-{items}.csv"
    written = synth.write_csv(
        path,
        items,
        seed,
        reporting_currency=ctx.node.settings.reporting_currency,
        progress=lambda rows: ctx.advance("generate", rows),
        flow=Flow(since=FLOW_FROM, pending=pending),
    )
    broken = ctx.folder / f"broken-seed{seed + 1}.csv"
    key = synth.corrupt(broken, BROKEN_ITEMS, seed + 1)  # another seed: its own declaration ids
    ctx.files |= {"declarations": path, "broken": broken}
    ctx.pending = pending
    return StepResult(
        "generate",
        "Generated synthetic declarations",
        {
            "file": str(path),
            "goods_items": written.items,
            "declarations": written.declarations,
            "illicit_declarations": written.illicit_declarations,
            "broken_file": str(broken),
            "broken_rows": sum(len(rows) for rows in key.values()),
        },
    )


def load_exchange_rates(ctx: DemoContext) -> StepResult:
    """Load the synthetic world's exchange rates through the reference data service (a rerun
    changes nothing), so values convert into the reporting currency."""
    reporting = ctx.node.settings.reporting_currency
    rates = synth.exchange_rates(reporting)
    path = ctx.folder / f"rates-{reporting}.csv"
    lines = ["currency,valid_from,rate"]
    lines += [
        f"{currency},{synth.DEFAULT_START.isoformat()},{rate!r}"
        for currency, rate in rates.items()
        if currency != reporting
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    loaded = load_rates(ctx.node, DEMO, path)
    ctx.refdata = snapshot(ctx.node)
    return StepResult(
        "rates",
        "Exchange rates",
        {"reporting_currency": reporting, "file": str(path), "rates": loaded},
    )


def ingest_files(ctx: DemoContext) -> StepResult:
    """Ingest both files; a second run finds only duplicates."""
    details: dict[str, Any] = {}
    for name, path in ctx.files.items():
        summary = ingest_file(
            ctx.node,
            DEMO,
            path,
            format="csv",
            mapping=None,
            progress=lambda rows: ctx.advance("ingest", rows),
            refdata=ctx.refdata,
        )
        details[name] = summary.public()
    return StepResult("ingest", "Ingested", details)


def create_accounts(ctx: DemoContext) -> StepResult:
    """One user per role to sign in to the pages with (first run only: passwords are shown once)."""
    office = summary.busiest_office(ctx.node, DEMO)  # the officer works at the busiest office
    made = demo_accounts(ctx.node, **({"office_id": office} if office else {}))
    return StepResult("accounts", "Demo accounts (shown once)", made)


# The last weeks of the demo's history play "today's flow": the model learns from the weeks
# before (their inspected declarations carry outcomes), the flow carries none until the demo's
# officers inspect it; the last WAITING_DAYS of it are left for a person to work.
SCORED_DAYS = 28
WAITING_DAYS = 10
FLOW_FROM = synth.DEFAULT_START + dt.timedelta(days=DEFAULT_DAYS - SCORED_DAYS)


def train_and_score(ctx: DemoContext) -> StepResult:
    """Train a risk model on the older declarations and score the latest weeks' flow into
    channels (a rerun keeps the model and scores nothing twice)."""
    if latest_day(ctx.node, DEMO) is None:
        return StepResult("risk", "Risk model", {"skipped": "no declarations"})
    cutoff = FLOW_FROM - dt.timedelta(days=1)
    try:
        model = risk_models.load_model(ctx.node)
        version = model.version
    except NotFound:
        try:
            version = risk_models.train(ctx.node, DEMO, until=cutoff).version
        except InvalidInput as error:  # too little history for a model: say so, go on
            return StepResult("risk", "Risk model", {"skipped": error.detail})
    # what is new: after the model's training window (the history's last inspection)
    scored = risk_service.score_batch(ctx.node, DEMO, version=version, seed=ctx.options.seed)
    return StepResult(
        "risk",
        "Risk model trained and the latest flow scored",
        {
            "model": version,
            "trained_until": cutoff.isoformat(),
            "scored": scored.scored,
            "channels": scored.channels,
        },
    )


def _flow_start(node: Node) -> dt.date:
    """The first day of the flow the model scores: after its training window."""
    try:
        trained_to = risk_models.load_model(node).trained_to
    except NotFound:
        return FLOW_FROM
    return trained_to + dt.timedelta(days=1) if trained_to else FLOW_FROM


def refer_to_agencies(ctx: DemoContext) -> StepResult:
    """Load the example agency routing rules and refer the latest flow to the agencies they name
    (health, environment, police, product safety); the demo's agency officer works for health.
    A rerun refers nothing twice."""
    if latest_day(ctx.node, DEMO) is None:
        return StepResult(
            "referrals", "Referrals to other agencies", {"skipped": "no declarations"}
        )
    rules = agency_rules.load_builtin(ctx.node, DEMO)
    since = _flow_start(ctx.node)
    routed = routing.route_declarations(ctx.node, DEMO, since=since)
    return StepResult(
        "referrals",
        "The latest flow referred to other agencies",
        {
            "rules": len(rules),
            "since": since.isoformat(),
            "referred": routed.referred,
            "agencies": routed.agencies,
            "demo_agency": DEMO_AGENCY,
        },
    )


def work_the_flow(ctx: DemoContext) -> StepResult:
    """Officers inspect the flow's red and yellow declarations and agencies clear their
    referrals, all but the last days': those stay in the queue and the agencies' lists for a
    person. A rerun finds nothing left to do on the older days."""
    last = latest_day(ctx.node, DEMO)
    if last is None or ctx.pending is None:
        return StepResult("work", "The border at work", {"skipped": "no declarations"})
    waiting_from = last - dt.timedelta(days=WAITING_DAYS - 1)
    inspected, illicit = workday.inspect_flow(ctx.node, ctx.pending, waiting_from)
    answered = workday.answer_referrals(ctx.node, waiting_from)
    return StepResult(
        "work",
        "Officers inspected the flow and agencies answered, except the last days'",
        {
            "inspected": inspected,
            "found_illicit": illicit,
            "referrals_answered": answered,
            "waiting_from": waiting_from.isoformat(),
        },
    )


def plan_joint_inspection(ctx: DemoContext) -> StepResult:
    """One joint inspection with health of a red consignment referred to health, with health's
    SOPs: of the last days' when one is red (left for a person: customs records its outcome,
    health answers its referral), else an older one the border then works to release."""
    if latest_day(ctx.node, DEMO) is None:
        return StepResult("joint_inspections", "Joint inspection", {"skipped": "no declarations"})
    return StepResult(
        "joint_inspections", "A joint inspection planned with health", border_post(ctx.node)
    )


STEPS: tuple[Step, ...] = (
    generate_files,
    load_exchange_rates,
    ingest_files,
    train_and_score,
    refer_to_agencies,
    plan_joint_inspection,
    work_the_flow,
    create_accounts,
)


NEXT_STEPS: tuple[tuple[str, str], ...] = (
    (
        "borderlink serve",
        "the pages at http://127.0.0.1:8000/ (sign in with a demo account above) and the API",
    ),
    ("borderlink rejects list", "the broken rows of the demo's second file, with their reasons"),
    ("borderlink rejects show 1", "one rejected record: the raw row, each field and reason"),
    ("borderlink refdata show hs 8517", "an HS code with its ancestors and descendants"),
    ("borderlink risk score", "score newly ingested declarations into green/yellow/red"),
    ("borderlink profiles list", "analysts' risk profiles (add one with profiles add FILE)"),
    (
        "borderlink referrals list",
        "declarations referred to other agencies; demo-agency-officer answers health's",
    ),
    (
        "borderlink exchange demo",
        "two partner nodes: a seizure at one flags a declaration at the other",
    ),
    (
        "borderlink ingest FILE --format csv|json [--mapping kcs]",
        "load your own declarations (the demo's file is a template)",
    ),
)


def run_demo(
    settings: Settings,
    options: DemoOptions = DemoOptions(),
    *,
    progress: Progress | None = None,
    steps: list[Step] | None = None,
) -> DemoReport:
    """Open (or reset) the node, run the demo steps, and report what the node holds."""
    if options.items < 1:
        raise InvalidInput("the demo needs at least one goods item", field="items")
    try:
        synth.exchange_rates(settings.reporting_currency)
    except ValueError as error:
        raise InvalidInput(str(error), field="reporting_currency") from error
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    if options.reset:
        database.reset_database(settings.database_url)
    node = open_node(settings, migrate=True)
    try:
        ctx = DemoContext(node=node, options=options, progress=progress)
        results = [step(ctx) for step in (STEPS if steps is None else steps)]
        totals = summary.node_totals(node, DEMO)
    finally:
        node.engine.dispose()
    return DemoReport(
        database=node.engine.url.render_as_string(hide_password=True),
        data_dir=Path(settings.data_dir),
        steps=results,
        totals=totals,
        next_steps=list(NEXT_STEPS),
    )
