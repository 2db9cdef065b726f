"""Reports of a conformance run: one module per format, all built from :mod:`.model`.

- ``model``: the run result (classes, rules, verdicts, evidence);
- ``json_report``: ``conformance.json``, the source every other file can be rebuilt from;
- ``html_report``: ``conformance.html``, the self-contained certificate page;
- ``badge``: ``badge.json`` in the shields.io endpoint format;
- ``allure_labels``: Allure labels and attachments of a test;
- ``index_report``: ``index.html`` of a night, class × target, compared to the previous night;
- ``nightly``: runs every target of a ``targets.toml``, one subprocess each;
- ``scrub``: secrets and tokens out of everything written;
- ``sample``: a sample result for screenshots and tests;
- ``plugin``: the pytest plugin that collects results and writes the files;
- ``cli``: ``report``, ``rules`` and ``coverage`` commands.
"""
