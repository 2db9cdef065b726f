"""Render a screenshot of a conformance report with headless Chromium.

    python scripts/screenshot_report.py [RUN_DIR|conformance.html] [-o report.png]

Without a path, a sample report (one failing MUST rule with evidence, a SHOULD warning, an
N/A and untested rules) is written to a temporary folder and rendered. Needs `chromium`
(Debian: apt-get install chromium).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from klanten_conformance.report import html_report
from klanten_conformance.report.sample import sample_result

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
)


def screenshot(page: Path, output: Path, width: int = 1280, height: int = 2000) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("chromium not found (Debian: apt-get install chromium)")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                browser,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--screenshot={output.resolve()}",
                f"--window-size={width},{height}",
                page.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, help="run folder or conformance.html")
    parser.add_argument("-o", "--output", type=Path, default=Path("conformance-report.png"))
    parser.add_argument("--height", type=int, default=2000)
    args = parser.parse_args(argv)
    page = args.path
    if page is None:
        page = Path(tempfile.mkdtemp(prefix="klanten-report-sample-"))
        html_report.write(sample_result(), page)
    if page.is_dir():
        page = page / html_report.FILENAME
    screenshot(page, args.output, height=args.height)
    print(args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
