"""Sign-in under attack and in normal use: what the throttle costs and what it lets through.

On a fresh node (SQLite file, or ``--db`` a PostgreSQL URL), ``--threads`` threads fire
``--guesses`` wrong passwords at one name at once, then the right one; then ``--names`` wrong
sign-ins from one address spraying different names; then ``--ok`` sequential good sign-ins.
Prints the password checks that ran (should be the name's limit), the audit rows written for the
whole attack, and good sign-ins per second with the real argon2 profile (``--hashing fast`` to
see the throttle's own overhead), and peak memory.

    python benchmarks/signin.py --guesses 60 --threads 16 --names 500 --ok 50
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import func, select

from borderlink.errors import NotAuthenticated
from borderlink.services import Node, open_node
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.accounts.signin import WRONG
from borderlink.settings import Settings
from borderlink.store.tables import audit_log

PASSWORD = "a long enough password"  # noqa: S105 - a throwaway account on a temporary node


def _try(node: Node, name: str, password: str, address: str | None = None) -> str:
    try:
        accounts.authenticate(node, name, password, address=address)
    except NotAuthenticated as error:
        return str(error)
    return "ok"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guesses", type=int, default=60)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--names", type=int, default=500)
    parser.add_argument("--ok", type=int, default=50)
    parser.add_argument("--hashing", choices=["standard", "fast"], default="standard")
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="bl-signin-"))
    settings = Settings(environment="test", data_dir=data, password_hashing=args.hashing)
    if args.db:
        settings = settings.model_copy(update={"db": args.db})
    node = open_node(settings, migrate=True)
    admin = Principal.system("bench")
    accounts.add_user(node, admin, username="target", password=PASSWORD, role=Role.AUDITOR)
    accounts.add_user(node, admin, username="user", password=PASSWORD, role=Role.AUDITOR)

    def rows() -> int:
        with node.read() as conn:
            return int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one())

    start_rows = rows()
    started = time.perf_counter()
    with ThreadPoolExecutor(args.threads) as pool:
        said = list(pool.map(lambda _: _try(node, "target", "wrong guess"), range(args.guesses)))
    attack_s = time.perf_counter() - started
    after_right = _try(node, "target", PASSWORD)
    spray = [_try(node, f"n{i}", "wrong guess", address="203.0.113.7") for i in range(args.names)]
    attack_rows = rows() - start_rows
    started = time.perf_counter()
    for _ in range(args.ok):
        assert _try(node, "user", PASSWORD, address="192.0.2.1") == "ok"
    ok_s = time.perf_counter() - started
    print(
        json.dumps(
            {
                "backend": node.engine.dialect.name,
                "hashing": args.hashing,
                "parallel_guesses": args.guesses,
                "threads": args.threads,
                "password_checks": said.count(WRONG),
                "limit_per_name": settings.login_max_failures,
                "right_password_after": "refused" if after_right != "ok" else "signed in",
                "parallel_attack_s": round(attack_s, 3),
                "sprayed_names": args.names,
                "spray_password_checks": spray.count(WRONG),
                "limit_per_source": settings.login_max_failures_per_source,
                "audit_rows_for_attacks": attack_rows,
                "good_sign_ins_per_s": round(args.ok / ok_s, 1),
                "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )
    node.engine.dispose()


if __name__ == "__main__":
    main()
