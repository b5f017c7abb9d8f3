"""prism's compliance suites, shipped as a pytest plugin (``pytest --prism-backend=NAME``).

A backend author needs nothing but prism installed: the plugin collects its own suites, runs
every suite the backend declares (sync and async), checks that undeclared interfaces are really
not implemented, and gets a real server through the backend plugin's ``test_server`` hook.
"""

from prism.testing.target import Target, TestServer

__all__ = ["Target", "TestServer"]
