"""Reference implementation of the Klantinteracties APIs, used to test the conformance suites.

One process serves every API package (``reference_server/<api>/``) under its own base path on
a generic core (:mod:`reference_server.core`). Every behaviour the rule catalogue asks for is
implemented, and each one can be switched off by name (:mod:`reference_server.faults`) to prove
the suites notice.
"""

from reference_server.config import Settings, load_settings
from reference_server.core.app import create_app

__all__ = ["Settings", "create_app", "load_settings"]
