"""Plants small, realistic bugs in refimpl one at a time and checks that the suites catch each.

    python scripts/plant_bugs.py [--suite corpus|random|both]

For each mutation it edits one refimpl file in place, runs the chosen suites
(the golden corpus without TF: tests/test_corpus.py; the live-TF random
property: tests/test_random_vs_tf.py with its default profile and a fixed seed),
restores the file, and prints whether the suite failed (caught) or passed
(missed). Exit status 1 if any mutation was missed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (name, file, original text, mutated text)
MUTATIONS: list[tuple[str, str, str, str]] = [
    (
        "export scope used as a literal, not a regex",
        "refimpl/names.py",
        'pattern = r"([\\^]|loc:@|^)" + export_scope + r"[\\/]+(.*)"',
        'pattern = r"([\\^]|loc:@|^)" + re.escape(export_scope) + r"[\\/]+(.*)"',
    ),
    (
        "no _output_shapes on single-output nodes",
        "refimpl/graph_def.py",
        "        if shapes:\n            node.attr",
        "        if len(shapes) > 1:\n            node.attr",
    ),
    (
        "op list sorted case-insensitively",
        "refimpl/op_list.py",
        "for name in sorted(ops_used_by_graph_def(graph_def)):",
        "for name in sorted(ops_used_by_graph_def(graph_def), key=str.lower):",
    ),
    (
        "bool items go to node_list",
        "refimpl/collections_def.py",
        'if kind in ("int", "bool"):\n        return "int64_list"',
        'if kind == "int":\n        return "int64_list"',
    ),
    (
        "stripped_default_attrs flag not set",
        "refimpl/export.py",
        "mgd.meta_info_def.stripped_default_attrs = True",
        "pass",
    ),
    (
        "saver scope kept without its slash",
        "refimpl/savers.py",
        'retain = {get_scope(restore_op) + "/", get_scope(save_op) + "/"}',
        "retain = {get_scope(restore_op), get_scope(save_op)}",
    ),
    (
        "debug file named after the full file name",
        "refimpl/output.py",
        'return os.path.splitext(filename)[0] + ".debug"',
        'return filename + ".debug"',
    ),
    (
        "empty _class lists dropped",
        "refimpl/graph_def.py",
        "node_def.attr[k].CopyFrom(AttrValue(list=AttrValue.ListValue(s=new_s)))",
        "node_def.attr[k].CopyFrom(AttrValue(list=AttrValue.ListValue(s=new_s)))\n"
        "            if not new_s:\n                del node_def.attr[k]",
    ),
    (
        "attrs without an OpDef default are stripped",
        "refimpl/default_attrs.py",
        'if not attr_def.HasField("default_value"):\n                return False',
        'if not attr_def.HasField("default_value"):\n                return True',
    ),
    (
        "unbound inputs lose their control-input caret",
        "refimpl/graph_def.py",
        'renamed = re.sub(r"([\\^]|^)(.*)", r"\\1" + UNBOUND_INPUT_PREFIX + r"\\2", v)',
        'renamed = UNBOUND_INPUT_PREFIX + v.lstrip("^")',
    ),
    # File writing (spec.md 10.3): caught by the file cases (pre-states, protocol 2).
    (
        "meta file written in place, not truncated",
        "refimpl/output.py",
        '        with open(tmp, "wb") as f:\n            f.write(write.content)',
        "        fd = os.open(path, os.O_WRONLY | os.O_CREAT)\n"
        "        os.write(fd, write.content)\n        os.close(fd)\n        return",
    ),
    (
        "written through a symlink at the target",
        "refimpl/output.py",
        '        with open(tmp, "wb") as f:\n            f.write(write.content)',
        '        with open(path, "wb") as f:\n            f.write(write.content)\n        return',
    ),
    (
        "a failing mkdir raises Python's OSError",
        "refimpl/output.py",
        "raise io_error(built, e) from None",
        "raise",
    ),
    (
        "a dangling link as parent is 'not a directory'",
        "refimpl/output.py",
        "        except FileExistsError:\n            continue",
        "        except FileExistsError:\n"
        '            raise FailedPreconditionError(f"{built} is not a directory") from None',
    ),
]

SUITES = {
    "corpus": [
        sys.executable,
        "-m",
        "pytest",
        "tests/test_corpus.py",
        "-q",
        "-x",
        "-n",
        "2",
        "-p",
        "no:cacheprovider",
    ],
    "random": [
        sys.executable,
        "-m",
        "pytest",
        "tests/test_random_vs_tf.py",
        "-q",
        "-x",
        "-n",
        "2",
        "-p",
        "no:cacheprovider",
    ],
}


def main() -> int:
    """Runs every mutation against the chosen suites."""
    p = argparse.ArgumentParser()
    p.add_argument("--suite", choices=["corpus", "random", "both"], default="both")
    suites = ["corpus", "random"] if p.parse_args().suite == "both" else [p.parse_args().suite]
    env = dict(os.environ, METAGRAPH_PROFILE="default", METAGRAPH_SEED="7")
    missed = 0
    for name, rel, old, new in MUTATIONS:
        path = ROOT / rel
        original = path.read_text()
        if original.count(old) != 1:
            print(f"{name}: pattern not found once in {rel}; refimpl changed, update the mutation")
            missed += 1
            continue
        path.write_text(original.replace(old, new))
        try:
            verdicts = []
            for suite in suites:
                rc = subprocess.run(
                    SUITES[suite], cwd=ROOT, env=env, capture_output=True
                ).returncode
                verdicts.append(f"{suite}: {'caught' if rc != 0 else 'MISSED'}")
                missed += rc == 0
        finally:
            path.write_text(original)
        print(f"{name:<48} {'; '.join(verdicts)}", flush=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
