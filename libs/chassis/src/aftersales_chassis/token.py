"""Mints a development bearer token: ``make token ROLE=agent`` (prints the token)."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta

from .claims import Role, mint_token

DEV_JWT_SECRET = "dev-only-secret-change-me-in-production"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aftersales_chassis.token")
    parser.add_argument("--role", action="append", required=True, choices=[r.value for r in Role])
    parser.add_argument("--sub", default=None, help="subject (user id); default dev-<role>")
    parser.add_argument("--scope", action="append", default=[], help="e.g. refund:approve")
    parser.add_argument("--merchant-id", default=None)
    parser.add_argument("--hours", type=float, default=12.0)
    parser.add_argument("--secret", default=os.environ.get("JWT_SECRET", DEV_JWT_SECRET))
    args = parser.parse_args(argv)
    token = mint_token(
        args.secret,
        subject=args.sub or f"dev-{args.role[0]}",
        roles=args.role,
        scopes=args.scope,
        merchant_id=args.merchant_id,
        ttl=timedelta(hours=args.hours),
    )
    sys.stdout.write(token + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
