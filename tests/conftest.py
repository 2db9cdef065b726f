"""Project tests write conformance reports into a temporary folder, never into reports/."""

import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def _reports_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("reports")
    previous = os.environ.get("KLANTEN_CONFORMANCE_REPORTS_DIR")
    os.environ["KLANTEN_CONFORMANCE_REPORTS_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("KLANTEN_CONFORMANCE_REPORTS_DIR", None)
    else:
        os.environ["KLANTEN_CONFORMANCE_REPORTS_DIR"] = previous
