"""The web tests' mapped world (parcels, layers, rules) for the audit of uploads and payments."""
from tests.web.conftest import mapped_world  # noqa: F401  (a fixture)
