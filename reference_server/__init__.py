"""Reference implementation of the Klanten API 1.0 used to test the conformance suites.

Every behaviour the rule catalogue asks for is implemented here, and each one can be switched
off by name (see :mod:`reference_server.faults`) to prove the suites notice.
"""

from reference_server.app import create_app
from reference_server.config import Settings, load_settings

__all__ = ["Settings", "create_app", "load_settings"]
