"""CM-NOTIF-01: every change of a contactmoment is published on the kanaal `contactmomenten`.

Needs the harness's notification receiver registered at the target; the check is skipped,
with the reason, when it is not (the ``notification_receiver`` fixture decides).
"""

from __future__ import annotations

import pytest
import requests

from klanten_conformance import checks
from klanten_conformance.apis.contactmomenten import ContactmomentenClient, tag
from klanten_conformance.stubs import NotificationReceiver

pytestmark = pytest.mark.creates_data


def _expect_notification(
    receiver: NotificationReceiver,
    actie: str,
    url: str,
    body: dict,
    response: requests.Response | None,
) -> None:
    """A notification of ``actie`` on contactmoment ``url`` arrived with the documented
    fields and the kenmerken of ``body``."""
    checks.expect_notification(
        "CM-NOTIF-01",
        receiver,
        actie,
        url,
        {"kanaal": "contactmomenten", "resource": "contactmoment"},
        {name: body[name] for name in ("bronorganisatie", "kanaal")},
        response,
    )


@pytest.mark.rule("CM-NOTIF-01")
def test_every_change_is_published(
    contactmomenten: ContactmomentenClient, notification_receiver: NotificationReceiver
) -> None:
    """CM-NOTIF-01: create, update, partial update and delete of a contactmoment each publish
    a notification on kanaal `contactmomenten`.

    Method: create a contactmoment, PUT it (another kanaal), PATCH it (yet another kanaal)
    and DELETE it; for each change the receiver gets a notification with kanaal
    `contactmomenten`, resource `contactmoment`, the actie, hoofdObject = resourceUrl = the
    contactmoment URL, and kenmerken bronorganisatie and kanaal as they were after the
    change (before it, for the delete).
    """
    body = contactmomenten.contactmoment_body(kanaal=f"telefoon-{tag()}")
    made = contactmomenten.make("contactmoment", body)
    url = made["url"]
    _expect_notification(notification_receiver, "create", url, body, contactmomenten.last)
    body = {**body, "kanaal": f"email-{tag()}"}
    with contactmomenten.arranging("changing the contactmoment with PUT", "CM-LIFE-02"):
        put = contactmomenten.put(url, body)
        checks.expect_status("CM-LIFE-02", put, 200)
    _expect_notification(notification_receiver, "update", url, body, put)
    body = {**body, "kanaal": f"balie-{tag()}"}
    with contactmomenten.arranging("changing the contactmoment with PATCH", "CM-LIFE-02"):
        patch = contactmomenten.patch(url, {"kanaal": body["kanaal"]})
        checks.expect_status("CM-LIFE-02", patch, 200)
    _expect_notification(notification_receiver, "partial_update", url, body, patch)
    with contactmomenten.arranging("deleting the contactmoment", "CM-LIFE-01"):
        delete = contactmomenten.delete(url)
        checks.expect_status("CM-LIFE-01", delete, 204)
    _expect_notification(notification_receiver, "destroy", url, body, delete)
