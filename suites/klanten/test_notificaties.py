"""Class `notificaties`: every change of a klant is published on the kanaal `klanten`.

Needs the harness's notification receiver registered at the target; the class is skipped,
with the reason, when it is not (the ``notification_receiver`` fixture decides).
"""

from __future__ import annotations

import pytest
import requests

from klanten_conformance import checks
from klanten_conformance.apis.klanten import KlantenClient
from klanten_conformance.stubs import NotificationReceiver

pytestmark = pytest.mark.creates_data


def _expect_notification(
    receiver: NotificationReceiver,
    actie: str,
    url: str,
    subject_type: str,
    response: requests.Response,
) -> None:
    """A notification for ``actie`` on the klant ``url`` arrived, with the documented fields."""
    checks.expect_notification(
        "NOTIF-01",
        receiver,
        actie,
        url,
        {"kanaal": "klanten", "resource": "klant"},
        {"subjectType": subject_type},
        response,
    )


@pytest.mark.rule("NOTIF-01")
def test_every_change_is_published(
    klanten: KlantenClient, notification_receiver: NotificationReceiver
) -> None:
    """NOTIF-01: create, update, partial update and delete of a klant each publish a
    notification on kanaal `klanten`.

    Method: create an aangehaakte klant (natuurlijk persoon), PUT it, PATCH it and DELETE
    it; for each change the receiver gets a notification with kanaal `klanten`, resource
    `klant`, the actie, hoofdObject = resourceUrl = the klant URL and
    kenmerken.subjectType `natuurlijk_persoon`.
    """
    body = klanten.profile.aangehaakt("natuurlijk_persoon")
    subject_type = body["subjectType"]
    klant = klanten.make(body)
    create = klanten.last
    url = klant["url"]
    _expect_notification(notification_receiver, "create", url, subject_type, create)
    with klanten.arranging("changing the klant with PUT", "LIFE-02"):
        put = klanten.put(url, {**body, "telefoonnummer": "0612345678"})
        checks.expect_status("LIFE-02", put, 200)
    _expect_notification(notification_receiver, "update", url, subject_type, put)
    with klanten.arranging("changing the klant with PATCH", "LIFE-02"):
        patch = klanten.patch(url, {"telefoonnummer": "0687654321"})
        checks.expect_status("LIFE-02", patch, 200)
    _expect_notification(notification_receiver, "partial_update", url, subject_type, patch)
    with klanten.arranging("deleting the klant", "LIFE-01"):
        delete = klanten.delete(url)
        checks.expect_status("LIFE-01", delete, 204)
    _expect_notification(notification_receiver, "destroy", url, subject_type, delete)
