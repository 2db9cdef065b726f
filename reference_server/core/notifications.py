"""Publishing ZGW notifications, each on its API's kanaal, from a transactional outbox.

A change and its notification are written in one database transaction; a background thread
delivers the outbox to ``notificaties_url``. When the receiver is down the message stays in the
outbox and is retried with growing pauses (also after a restart), so no change is rolled back
and no notification is lost.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

import httpx
import jwt

from reference_server.config import Settings
from reference_server.core.storage import Outbox

log = logging.getLogger("reference_server.notificaties")

MAX_PAUSE_SECONDS = 300.0
FIRST_PAUSE_SECONDS = 0.5


def notification(
    kanaal: str, resource: str, actie: str, hoofd_object: str, url: str, kenmerken: dict
) -> dict:
    """The ZGW notification of one change."""
    return {
        "kanaal": kanaal,
        "hoofdObject": hoofd_object,
        "resource": resource,
        "resourceUrl": url,
        "actie": actie,
        "aanmaakdatum": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "kenmerken": kenmerken,
    }


def retry_pause(attempts: int) -> float:
    """Pause before the next try after ``attempts`` failed ones: 0.5 s, 1 s, 2 s, ... 5 min."""
    return min(MAX_PAUSE_SECONDS, FIRST_PAUSE_SECONDS * 2 ** max(0, attempts - 1))


class Notifier:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def enabled(self) -> bool:
        return self.settings.notificaties_url is not None

    def start(self) -> None:
        if self.enabled and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="notifier", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wake(self) -> None:
        self._wake.set()

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        client = self.settings.notificaties_client
        if client is not None:
            token = jwt.encode(
                {
                    "iss": client.client_id,
                    "client_id": client.client_id,
                    "iat": int(datetime.now(UTC).timestamp()),
                },
                client.secret,
                algorithm="HS256",
            )
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def _run(self) -> None:
        outbox = Outbox(self.settings.db_path)
        try:
            with httpx.Client(timeout=5.0) as http:
                while not self._stop.is_set():
                    self._deliver_due(outbox, http)
                    wait = outbox.next_due_in()
                    self._wake.wait(timeout=30.0 if wait is None else max(wait, 0.05))
                    self._wake.clear()
        finally:
            outbox.close()

    def _deliver_due(self, outbox: Outbox, http: httpx.Client) -> None:
        for row_id, payload, attempts in outbox.due():
            if self._stop.is_set():
                return
            error = self._post(http, payload)
            if error is None:
                outbox.delivered(row_id)
                continue
            pause = retry_pause(attempts + 1)
            outbox.failed(row_id, error, pause)
            log.warning(
                "notification %s %s not delivered (%s); retry %d in %.1f s",
                payload.get("actie"),
                payload.get("resourceUrl"),
                error,
                attempts + 1,
                pause,
            )

    def _post(self, http: httpx.Client, payload: dict) -> str | None:
        try:
            response = http.post(
                self.settings.notificaties_url, json=payload, headers=self._headers()
            )
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"
        if 200 <= response.status_code < 300:
            return None
        return f"HTTP {response.status_code}"
