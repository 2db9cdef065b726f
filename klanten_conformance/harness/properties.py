"""Names of the data a test report carries (``report.user_properties``).

``user_properties`` is the one channel that reaches the xdist controller from its workers,
so everything the verdict engine needs about a check travels here.
"""

#: the rule ids the test is marked with (comma separated)
RULES = "klanten_rules"
#: the rule a ConformanceFailure counted against
FAILED = "klanten_failed_rule"
#: rules a test judged on the side (every response validated against the document)
CHECKED = "klanten_checked_rule"
#: the outcome the harness gives a report pytest calls failed: ``blocked``
OUTCOME = "klanten_outcome"
#: JSON of the failure or the blocked cause, with the check's exchanges
FAILURE = "klanten_failure"
#: what the evidence should say about the check (e.g. which test data it used)
NOTES = "klanten_notes"
#: the purpose of the check: the first line of its docstring
TITLE = "klanten_title"
