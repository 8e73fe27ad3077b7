"""TensorFlow itself as a testee (``python -m conformance.tf_testee``) against the corpus.

With TensorFlow 2.21 installed, the corpus's own release, the testee must reproduce
every selected case byte for byte, except the debug files: they record the Python stack
that built each node, which starts in ``conformance/tf/worker.py`` when the corpus was
recorded and in ``conformance/tf/testee.py`` here (docs/tf-releases.md). The selection
covers the process state the testee reproduces: tf.function names (uid counter),
py_func tokens, lookup-table UUIDs, memory addresses in reprs, a random program.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conformance import corpus
from conformance.corpus.requests import request_for
from conformance.protocol.conformance_pb2 import CorpusCase
from conformance.run import runner
from conformance.tf.process import tensorflow_available

needs_tf = pytest.mark.skipif(not tensorflow_available(), reason="TensorFlow is not installed")
TESTEE = shlex.join([sys.executable, "-m", "conformance.tf_testee"])
#: Name patterns (OR'ed): a graph without functions, with every argument set; graphs
#: whose names come from process-wide counters; savers and queue runners (addresses).
PATTERNS = [
    "scopes-*",
    "many_functions-default",
    "gradients-scope_s",
    "control_flow_v2-text",
    "misc_ops-default",
    "misc_ops-debug",
    "lookup_and_dataset-default",
    "two_savers-ces_saver1",
    "wrong_items_in_registered_keys-default",
    "defun-strip_default_attrs",
]


def _tf_version() -> str | None:
    for dist in ("tensorflow-cpu", "tensorflow"):
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def _random_case(cases: list[CorpusCase]) -> str:
    """A random program without a debug file, preferably one with functions (uid names),
    whose outcome does not depend on the protobuf runtime (spec.md 0.3.1)."""
    candidates = [
        c
        for c in cases
        if "random" in c.features and "debug" not in c.features
        and not c.expected.HasField("error")
        and not corpus.depends_on_protobuf_runtime(c)
    ]
    with_functions = [c for c in candidates if "functions" in c.features]
    return (with_functions or candidates)[0].name


def _has_debug_file(case: CorpusCase) -> bool:
    """Whether TF wrote a non-empty debug file (it holds the building program's stack)."""
    return any(name.endswith(".debug") and data for name, data in case.expected.files.items())


@pytest.mark.tf
@needs_tf
def test_tensorflow_2_21_reproduces_its_corpus(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if _tf_version() != "2.21.0":
        pytest.skip(f"the expectations are TensorFlow 2.21.0's (installed: {_tf_version()})")
    all_cases = corpus.load_corpus()
    patterns = [*PATTERNS, _random_case(all_cases)]
    cases = runner.select_cases(all_cases, patterns=patterns)
    assert len(cases) >= 40
    xml = tmp_path / "j.xml"
    status = runner.main(
        ["--progress", "never", "-v", "--testee", TESTEE, "--timeout", "120", "-j", "2",
         "--require-tier", "semantic",
         "--junit-xml", str(xml), *[a for p in patterns for a in ("-k", p)]]
    )
    out = capsys.readouterr().out
    assert "targets TensorFlow 2.21.0" in out
    results = {tc.attrib["name"]: tc for tc in ET.parse(xml).getroot().iter("testcase")}
    assert sorted(results) == sorted(c.name for c in cases)
    debug_failures = 0
    for case in cases:
        tc = results[case.name]
        failure = tc.find("failure")
        assert tc.find("error") is None and tc.find("skipped") is None, case.name
        if _has_debug_file(case):
            # Debug files hold the building program's stack and file paths, which differ
            # between the recording worker and this testee (and between machines).
            if failure is not None:
                assert failure.attrib["type"] == "files", (case.name, failure.text)
                # Each difference starts with the file's name: files["<name>"]: ...
                named = re.findall(r'^files\["([^"]+)"\]:', failure.text or "", re.MULTILINE)
                assert named and all(name.endswith(".debug") for name in named), (
                    case.name, failure.text,
                )
                assert "returned MetaGraphDef" not in (failure.text or ""), case.name
                debug_failures += 1
        else:
            assert failure is None, (case.name, failure.text if failure is not None else "")
            tier = tc.find("properties/property[@name='tier']")
            assert tier is not None and tier.attrib["value"] == "bytes", case.name
    assert status == (1 if debug_failures else 0)


def test_the_testee_module_imports_nothing_heavy() -> None:
    code = (
        "import sys\n"
        "import conformance.tf_testee\n"
        "from conformance.protocol.schema import load_messages\n"
        "load_messages('conformance.protocol.conformance_pb2')\n"
        "load_messages('refimpl.pb.snapshot_pb2')\n"
        "bad = [m for m in sys.modules if m.startswith(('refimpl.pb.tensorflow', "
        "'tensorflow', 'refimpl.export', 'conformance.corpus'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent)


def test_embedded_descriptors_give_the_same_messages() -> None:
    """The fallback for protobuf runtimes older than the generated modules."""
    from conformance.protocol import conformance_pb2
    from conformance.protocol.schema import embedded_messages

    pb = embedded_messages("conformance.protocol.conformance_pb2")
    response = pb.ExportResponse(case_name="c")
    response.outcome.files["a/b.meta"] = b"\x00\x01"
    response.outcome.error.type = "ValueError"
    response.outcome.warnings.append("w")
    data = response.SerializeToString(deterministic=True)
    real = conformance_pb2.ExportResponse.FromString(data)
    assert real.case_name == "c" and real.outcome.files["a/b.meta"] == b"\x00\x01"
    assert real.outcome.HasField("error") and real.outcome.warnings == ["w"]
    request = conformance_pb2.ExportRequest(case_name="x", program="builder:scopes")
    request.arguments.kwargs["as_text"].bool_value = True
    parsed = pb.ExportRequest.FromString(request.SerializeToString())
    assert parsed.program == "builder:scopes"
    assert parsed.arguments.kwargs["as_text"].WhichOneof("kind") == "bool_value"
    snap = embedded_messages("refimpl.pb.snapshot_pb2")
    assert snap.GraphSnapshot.DESCRIPTOR.full_name == "metagraph_ref.GraphSnapshot"


@pytest.mark.tf
@needs_tf
def test_the_tensorflow_process_never_loads_our_tensorflow_schemas(tmp_path: Path) -> None:
    case = next(c for c in corpus.load_corpus() if c.name == "two_savers-saver_def")
    request = request_for(case)
    (tmp_path / "request.bin").write_bytes(request.SerializeToString())
    code = (
        "import sys\n"
        "from conformance.tf_testee import TFTestee\n"
        "t = TFTestee()\n"
        f"r = t.pb.ExportRequest.FromString(open({str(tmp_path / 'request.bin')!r}, 'rb').read())\n"
        "response = t.handle(r)\n"
        "assert response.case_name == r.case_name and response.WhichOneof('result') == 'outcome'\n"
        "assert 'tensorflow' in sys.modules\n"
        "bad = [m for m in sys.modules if m.startswith('refimpl.pb.tensorflow')]\n"
        "assert not bad, bad\n"
        "sys.stdout.buffer.write(response.SerializeToString(deterministic=True))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True,
        cwd=Path(__file__).parent.parent, env=dict(os.environ, PYTHONHASHSEED="0"),
    )
    from conformance.protocol.conformance_pb2 import ExportResponse

    response = ExportResponse.FromString(proc.stdout)
    assert not corpus.case_differences(case, response.outcome)
