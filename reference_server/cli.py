"""``python -m reference_server`` (also ``klanten-conformance serve``): run the reference server."""

from __future__ import annotations

import argparse
import logging
import socket
import sys
from pathlib import Path

#: the line printed on stdout once the server accepts connections: prefix + root URL
READY_PREFIX = "reference-server ready: "


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="klanten-conformance serve",
        description="Run the reference server of the Klanten API.",
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

    print(
        f"Klanten API reference server on {root}/klanten/api/v1 (database {settings.db_path})",
        file=sys.stderr,
    )
    ReadyServer(config).run(sockets=[sock])
    return 0
