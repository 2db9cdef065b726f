"""``python -m reference_server`` (also ``klanten-conformance serve``): run the reference server."""

from __future__ import annotations

import argparse
import logging
import socket
import sys
from pathlib import Path

#: the line printed on stdout once the server accepts connections: prefix + root URL
READY_PREFIX = "reference-server ready: "


DESCRIPTION = """\
Run the reference server: a minimal but real implementation of the Klantinteracties APIs
that passes every rule of the conformance suites. One process serves every API under its own
base path; its output on stdout is one line, "reference-server ready: http://HOST:PORT", once
it accepts connections."""


def _epilog() -> str:
    """APIs, demo credentials, config keys and fault switches, from the code that has them."""
    from reference_server import config
    from reference_server.apis import definitions
    from reference_server.faults import ENV_VAR, FAULTS

    apis = "\n".join(
        f"  {api.base_path:<28} {api.title} {api.version} ({api.auth}): {api.summary}"
        for api in definitions()
    )
    width = max(len(name) for name in FAULTS)
    lines = []
    for api in definitions():
        lines.append(f"  {api.title} ({api.base_path}):")
        lines += [
            f"    {name:<{width}}  [{fault.rule}{', real-world' if fault.kind != 'clean' else ''}]"
            f" {fault.description}"
            for name, fault in FAULTS.items()
            if fault.api == api.name
        ]
    faults = "\n".join(lines)
    keys = (config.__doc__ or "").split("\n\n", 1)[1].rstrip()
    return f"""\
APIs (base paths under http://HOST:PORT):
{apis}
  Each publishes its OpenAPI document at <base>/schema/openapi.yaml and .json.

Demo credentials (used when the config file configures none; the server warns):
  ZGW JWT (HS256): client_id "{config.DEMO_CLIENT_ID}", secret "{config.DEMO_SECRET}", every scope
  Token:           "Authorization: Token {config.DEMO_TOKEN}"

Config file (--config, TOML):
{keys}

Fault switches ({ENV_VAR}=NAME,NAME or [server] faults = [...]); each turns off one
behaviour so that the suites must notice; an unknown name stops the start:
{faults}
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="klanten-conformance serve",
        description=DESCRIPTION,
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8000, help="port to listen on (8000; 0: any free port)"
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help="SQLite file (default klanten-reference.sqlite3 in the working dir)",
    )
    parser.add_argument("--config", type=Path, default=None, help="TOML config file")
    parser.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    parser.add_argument("--no-access-log", dest="access_log", action="store_false")
    return parser


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: any free port).

    Created with ``IPPROTO_TCP`` as its protocol: asyncio turns Nagle's algorithm off
    (``TCP_NODELAY``) only on accepted sockets that say they are TCP, and uvicorn's own
    ``Config.bind_socket`` leaves the protocol at 0, which costs every keep-alive request after
    the first a delayed ACK (about 40 ms on Linux; uvicorn issue #3149).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    import uvicorn

    from reference_server import create_app, load_settings
    from reference_server.apis import definitions
    from reference_server.config import ConfigError
    from reference_server.core.storage import StorageError
    from reference_server.faults import UnknownFaultError
    from reference_server.klantinteracties import migratie

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = load_settings(args.config, db_path=args.db)
        if "ki-migratie" in settings.seed:
            migratie.seed(settings)
        app = create_app(settings)
    except (ConfigError, UnknownFaultError, StorageError, migratie.SeedError) as exc:
        print(f"klanten-conformance serve: {exc}", file=sys.stderr)
        return 2
    config = uvicorn.Config(
        app, host=args.host, port=args.port, log_level=args.log_level, access_log=args.access_log
    )
    # the server binds its own socket (port 0: any free port) and says where it listens once
    # it accepts connections, so whoever started it waits on that line, not on a guess
    try:
        sock = bind_socket(args.host, args.port)
    except OSError as exc:
        print(
            f"klanten-conformance serve: cannot listen on {args.host}:{args.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return 1
    root = f"http://{args.host}:{sock.getsockname()[1]}"

    class ReadyServer(uvicorn.Server):
        async def startup(self, sockets: list | None = None) -> None:
            await super().startup(sockets=sockets)
            if not self.should_exit:
                print(f"{READY_PREFIX}{root}", flush=True)

    served = ", ".join(f"{api.title} on {root}{api.base_path}" for api in definitions())
    print(
        f"reference server: {served} (database {settings.db_path})",
        file=sys.stderr,
    )
    ReadyServer(config).run(sockets=[sock])
    return 0
