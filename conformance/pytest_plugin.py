"""Former path of the pytest plugin, kept for installed entry points (``pytest11`` of an
installation made before the move): the hooks of ``conformance.run.pytest_plugin``.
"""

from __future__ import annotations

from conformance.run.pytest_plugin import (
    pytest_addoption,
    pytest_collection_modifyitems,
    pytest_configure,
    pytest_unconfigure,
)

__all__ = [
    "pytest_addoption",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_unconfigure",
]
