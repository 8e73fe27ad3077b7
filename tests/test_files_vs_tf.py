"""The file cases (``conformance.gen.file_cases``) meet TF's file-system errors.

Each file case runs live in ``tests/test_export_vs_tf.py`` (they are hand cases:
``VS[one_constant-files_*]``, spec.md ``FS[*]``), refimpl's testee creating the same
pre-state as the TF worker; this checks that the cases reach the errors the file system
gives TF, which the corpus never met while every export started in an empty directory.
"""

from __future__ import annotations

import pytest

from conformance.gen.file_cases import file_cases
from conformance.tf.process import TFWorker, tensorflow_available

pytestmark = [
    pytest.mark.tf,
    pytest.mark.skipif(not tensorflow_available(), reason="TensorFlow is not installed"),
]


def test_file_cases_meet_tf_file_errors() -> None:
    worker = TFWorker()
    try:
        responses = [worker.run(request) for _, request in file_cases()]
    finally:
        worker.close()
    errors = {r["error"][0] for r in responses if r.get("error")}
    expected = {"FailedPreconditionError", "PermissionDeniedError", "NotFoundError", "UnknownError"}
    assert expected <= errors
