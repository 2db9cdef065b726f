"""The ``klanten-conformance`` command."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

#: the line ``serve`` prints on stdout once it accepts connections: prefix + root URL
READY_PREFIX = "reference-server ready: "


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from reference_server import create_app, load_settings
    from reference_server.config import ConfigError
    from reference_server.faults import UnknownFaultError

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = load_settings(args.config, db_path=args.db)
    except (ConfigError, UnknownFaultError) as exc:
        print(f"klanten-conformance serve: {exc}", file=sys.stderr)
        return 2
    app = create_app(settings)
    config = uvicorn.Config(
        app, host=args.host, port=args.port, log_level=args.log_level, access_log=args.access_log
    )
    # the server binds its own socket (port 0: any free port) and says where it listens once
    # it accepts connections, so whoever started it waits on that line, not on a guess
    sock = config.bind_socket()
    port = sock.getsockname()[1]
    root = f"http://{args.host}:{port}"

    class ReadyServer(uvicorn.Server):
        async def startup(self, sockets: list | None = None) -> None:
            await super().startup(sockets=sockets)
            if not self.should_exit:
                print(f"{READY_PREFIX}{root}", flush=True)

    print(
        f"Klanten API reference server on {root}/klanten/api/v1 (database {settings.db_path})",
        file=sys.stderr,
    )
    ReadyServer(config).run(sockets=[sock])
    return 0


def _lint(args: argparse.Namespace) -> int:
    from klanten_conformance import lint

    return lint.main(args.lint_args)


def _run(args: argparse.Namespace) -> int:
    """Run the conformance suites: 0 all selected MUST rules pass, 1 one fails, 2 config error."""
    import pytest

    root = Path(__file__).resolve().parents[1]
    argv = [str(root / "suites"), "-p", "klanten_conformance.plugin", "--rootdir", str(root)]
    code = pytest.main([*argv, *args.pytest_args])
    return {0: 0, 1: 1}.get(int(code), 2)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="klanten-conformance",
        description="Conformance suite, linter and reference server for the VNG Klanten API.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the reference server")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    serve.add_argument(
        "--db",
        type=Path,
        default=None,
        help="SQLite file (default klanten-reference.sqlite3 in the working dir)",
    )
    serve.add_argument("--config", type=Path, default=None, help="TOML config file")
    serve.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    serve.add_argument("--no-access-log", dest="access_log", action="store_false")
    serve.set_defaults(func=_serve)

    lint = commands.add_parser("lint", help="lint an OpenAPI document", add_help=False)
    lint.add_argument("lint_args", nargs=argparse.REMAINDER)
    lint.set_defaults(func=_lint)

    run = commands.add_parser(
        "run", help="run the conformance suites (pytest arguments pass through)", add_help=False
    )
    run.add_argument("pytest_args", nargs=argparse.REMAINDER)
    run.set_defaults(func=_run)

    killmatrix = commands.add_parser(
        "killmatrix",
        help="run the suites once per reference-server fault: kill rate and specificity",
        add_help=False,
    )
    killmatrix.add_argument("killmatrix_args", nargs=argparse.REMAINDER)
    killmatrix.set_defaults(func=_killmatrix)

    # reports and the catalogue (klanten_conformance/report/cli.py); arguments pass through
    for name, help_text in (
        ("report", "rebuild conformance.html and badge.json of a run folder"),
        ("rules", "list the rule catalogue (--class, --level)"),
        ("coverage", "print which tests prove each rule"),
    ):
        sub = commands.add_parser(name, help=help_text, add_help=False)
        sub.add_argument("sub_args", nargs=argparse.REMAINDER)
        sub.set_defaults(func=_report_command)
    return parser


def _killmatrix(args: argparse.Namespace) -> int:
    from klanten_conformance import killmatrix

    return killmatrix.main(args.killmatrix_args)


def _report_command(args: argparse.Namespace) -> int:
    from klanten_conformance.report import cli

    handler = {"report": cli.report_main, "rules": cli.rules_main, "coverage": cli.coverage_main}
    return handler[args.command](args.sub_args)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["run"]:  # pytest arguments go through untouched, options included
        from klanten_conformance.report.cli import nightly_main, wants_targets

        if wants_targets(argv[1:]):
            return nightly_main(argv[1:])
        return _run(argparse.Namespace(pytest_args=argv[1:]))
    if argv[:1] == ["killmatrix"]:  # its own options, --help included
        return _killmatrix(argparse.Namespace(killmatrix_args=argv[1:]))
    if argv[:1] and argv[0] in ("report", "rules", "coverage"):  # options pass through too
        return _report_command(argparse.Namespace(command=argv[0], sub_args=argv[1:]))
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
