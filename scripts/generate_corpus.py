"""Generate the golden corpus (``conformance/corpus/``) from TensorFlow 2.21.

TensorFlow runs only in worker processes (``conformance.tf.process.TFWorker``);
this process never imports it (TF's generated protos and ours define the same
``tensorflow.*`` names). For every hand-written case (``conformance.gen.hand_cases``)
and N random graph programs (``--programs``, default 100; ``conformance.strategies``,
drawn with a fixed seed),
a worker builds the graph, captures its snapshot and exports it with TF; the case
is then written as ``cases/<name>.case`` (a deterministic serialization of
``metagraph_ref.CorpusCase``), its snapshot under ``snapshots/<sha256>.snapshot``
(shared by the cases whose snapshots are equal), and ``MANIFEST.json`` records the
TF and protobuf versions, the generator fingerprint, the case count and each case
file's SHA-256 (see ``conformance.corpus``). refimpl is then run on every case and
its differences from TF are reported (they do not stop the generation).

**Determinism.** Every group of cases (one graph builder's cases; random programs
in chunks of ``PROGRAM_CHUNK``) runs in a fresh worker, in a fixed order: TF names
functions with a process-wide counter, so a graph's snapshot depends on what the
process built before. The workers also run with ``PYTHONHASHSEED=0``: TF adds a
variable to its collections by iterating a set of keys, so the graph's collection
order otherwise changes from one process to the next. The output is therefore the
same on every run, whatever ``--jobs`` is, apart from TF's own non-determinism
(spec.md 0.4.1: the byte order of control-flow contexts with two or more
``external_values``, in the cases marked ``unordered_inner_maps``; and the random
UUID that ``tf.lookup`` tables put in their ``shared_name``).

Python's ``repr`` of some collection items (savers, contexts, queue runners, ...)
contains a memory address (``<... object at 0x7f81754ada10>``), which the snapshot
records and TF's messages may quote. The generator replaces each distinct address in a
case by a stable one (``0x1``, ``0x2``, ... in order of first appearance in the
snapshot's ``repr`` fields), consistently in the snapshot and in TF's warnings, error
and ``unbound_inputs`` (``normalize_addresses``): without it no two runs would agree,
and equal graphs would not share a snapshot.

**Protobuf runtimes.** TF's output depends on the protobuf runtime of its process in two
places (spec.md 0.3.1). The workers run the TF and protobuf (7.x) of this interpreter (or
of ``$METAGRAPH_TF_PYTHON``); ``--pb6-python PATH`` (default: ``$METAGRAPH_PB6_PYTHON``)
names a second interpreter with TF 2.21 and protobuf 6 (``.ci/run`` makes one: protobuf
6.31.1). Every case that ``conformance.corpus.depends_on_protobuf_runtime`` (a bool
collection item, a ``DecodeError``) is then recorded again by that interpreter, running the
case's whole worker group in the same order (so that process-wide counters agree), and
kept as ``<name>@pb6`` when TF's outcome differs from protobuf 7's beyond the debug files
(which name the paths of TF's installation). MANIFEST.json ``protobuf_6`` lists the
runtime, the cases kept and those that came out the same; ``tests/test_corpus.py`` fails
when a case that depends on the runtime was not recorded again.

**Skipped cases.** A case whose worker response has a ``worker_error`` (the graph
could not be built or captured) is skipped and listed in MANIFEST.json.

**Rules, features, level.** Each case records the spec.md rules it exercises,
feature tags (``conformance.corpus.FEATURES``) and a level, all derived from the
case's arguments, its graph (read from the snapshot) and TF's outcome by the
tables below (``classify``):

=====================================  ===============================================
condition                              rules
=====================================  ===============================================
every case                             0.4, 1.1, 1.9, 2.1
TF raised an error                     2.4, and the rules of ``ERROR_RULES``
TF logged a warning                    the rules of ``WARNING_RULES``
no error                               5.1, 5.4, 5.5, 9.1.1, 9.1.3, 9.3, 10.1.1-10.1.3
a falsy non-default argument           2.2
an extra keyword                       2.5
wrong type for a message argument      2.6 (4.4.1 for graph_def on a rebuild path,
                                       7.1 for saver_def with clear_extraneous_savers)
collection_list None / given           8.1.1 / 2.7, 8.1.2, 11.10; duplicates 8.1.3
truthy non-str export_scope            2.8
filename given                         2.9, 10.3.1, 10.3.3; with a directory 10.3.2
rebuild flag (scope, ces, devices)     3.1, 3.2; default path otherwise
unbound_inputs_col_name given, then    3.3 (11.9); ``then`` exports 3.3, 3.4
a ``variables`` collection             3.5
default path                           4.1.1-4.1.3, 4.1.5, 4.1.6; functions 4.1.4,
                                       4.1.7, 4.1.8; no operation 9.4
rebuild from the graph                 3.3, 4.2.1, 4.2.4, 4.2.7, 4.3.1-4.3.3;
                                       functions 4.3.4
rebuild from a graph_def               3.3, 4.2.1, 4.2.4, 4.2.7, 4.4.1, 4.4.2
verbatim graph_def                     4.5.1
str export_scope on a rebuild path     4.2.2, 4.2.3, 8.3, 11.1
node with _class / Enter, rebuilt      4.2.5 / 4.2.6
clear_devices                          4.2.8, 11.5 (4.1.8 with functions)
function library or call ops           5.2; a call op without ``f`` 5.3
strip_default_attrs                    6.1-6.4, 11.13
clear_extraneous_savers                7.1-7.3, 11.6; ``savers`` exported 7.4
                                       (7.5 without saver_def)
collections exported                   8.2, 8.3, 8.4 and, per key, 8.6 + 8.6.1 +
                                       8.6.2-8.6.7 (registered keys) or 8.4.1-8.4.5
                                       (by the kind of the first item)
meta_info_def / saver_def message      9.1.2 / 9.2
as_text                                10.2.1, 10.2.8, 11.12 and, by the field types
                                       in the message, 10.2.2-10.2.7
save_debug_info with a file name       10.3.4, 10.3.5, 10.4.1-10.4.9, 10.4.11, 11.3;
                                       an empty debug file 10.4.10
unordered inner maps                   0.4.1
=====================================  ===============================================

Each rule also brings its parent (``4.2.3`` brings ``4.2``) when spec.md defines it.
Features follow the same facts (``classify``). Levels (documented in
``conformance.corpus``): OPTIONAL if the case exercises a rule in
``OPTIONAL_RULES`` or TF failed with an exception in ``OPTIONAL_ERRORS``; else
RECOMMENDED if TF raised; else REQUIRED. Every rule number is checked to exist in
spec.md.

Usage: python scripts/generate_corpus.py [--out DIR] [--jobs 2] [--programs N]
[--seed S] [--only REGEX] [--pb6-python PATH] [--check]. ``--check`` runs no TF: it
verifies that the committed corpus matches the current generator sources, the installed
TF version and its own hashes (exit 1 otherwise).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import functools
import hashlib
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from google.protobuf import descriptor_pool, text_format  # noqa: E402
from google.protobuf.descriptor import FieldDescriptor  # noqa: E402
from google.protobuf.message import Message  # noqa: E402

from conformance import compare  # noqa: E402
from conformance.corpus import (  # noqa: E402
    DEFAULT_DIRECTORY,
    FEATURES,
    FINGERPRINT_SOURCES,
    PB6_SUFFIX,
    REPO_ROOT,
    case_differences,
    case_file_sha256,
    depends_on_protobuf_runtime,
    differs_beyond_debug_files,
    from_arguments,
    generator_fingerprint,
    load_manifest,
    outcome_from_response,
    run_case,
    snapshot_sha256,
    sorted_rules,
    spec_rule_numbers,
    to_arguments,
)
from conformance.gen.hand_cases import hand_cases  # noqa: E402
from conformance.protocol.conformance_pb2 import CorpusCase, Outcome  # noqa: E402
from conformance.tf.process import TFWorkers  # noqa: E402
from refimpl.pb.snapshot_pb2 import CollectionItem, GraphSnapshot, PyObject  # noqa: E402
from refimpl.pb.tensorflow.graph_pb2 import GraphDef  # noqa: E402
from refimpl.pb.tensorflow.meta_graph_pb2 import MetaGraphDef  # noqa: E402
from refimpl.pb.tensorflow.saver_pb2 import SaverDef  # noqa: E402
from refimpl.text_pool import tf_text_pool  # noqa: E402

MetaInfoDef = MetaGraphDef.MetaInfoDef

#: Random programs per worker process.
PROGRAM_CHUNK = 25
#: Sources added to the fingerprint when random programs are part of the corpus.
#: (The programs package, module by module, and the strategies that draw programs.)
PROGRAM_SOURCES = (
    *sorted(
        p.relative_to(REPO_ROOT).as_posix()
        for p in (REPO_ROOT / "conformance" / "tf" / "programs").glob("*.py")
    ),
    "conformance/gen/strategies.py",
)

# -- the tables ----------------------------------------------------------------------------

#: TF's exceptions (type or None for any, message regex) -> the rules that raise them
#: (spec.md Appendix B). The first matching entry wins.
ERROR_RULES: tuple[tuple[str | None, str, tuple[str, ...]], ...] = (
    ("TypeError", r"multiple values for keyword argument 'exclude_nodes'", ("2.5",)),
    ("TypeError", r"unexpected keyword argument", ("2.5",)),
    ("TypeError", r"must be of type (MetaInfoDef|GraphDef|SaverDef)\. Received", ("2.6",)),
    ("AttributeError", r"object has no attribute 'versions'$", ("4.4.1",)),
    ("AttributeError", r"object has no attribute 'save_tensor_name'$", ("7.1",)),
    ("ValueError", r"^(Tensor|Node) name cannot be empty", ("7.1", "7.2")),
    ("ValueError", r"^too many values to unpack", ("7.1", "7.2")),
    ("TypeError", r"^startswith first arg must be str", ("2.8",)),
    ("TypeError", r"^first argument must be string or compiled pattern", ("2.8", "3.5")),
    ("TypeError", r"^startswith first arg must be bytes", ("2.9",)),
    ("TypeError", r"^expected str, bytes or os\.PathLike", ("2.9",)),
    ("TypeError", r"object is not iterable$", ("2.7",)),
    ("RuntimeError", r"^Graph is finalized", ("3.3",)),
    ("AttributeError", r"object has no attribute 'startswith'$", ("8.3",)),
    ("AttributeError", r"object has no attribute 'name'$", ("3.5",)),
    ("ValueError", r"^GraphDef cannot be larger than 2GB\. Received", ("4.3.3",)),
    ("ValueError", r"^GraphDef cannot be larger than 2GB\.$", ("4.3.4",)),
    ("IndexError", r"^list index out of range$", ("4.2.5",)),
    ("UnboundLocalError", r"'new_s'", ("4.2.6", "0.4.2")),
    ("TypeError", r"^expected bytes, list found$", ("4.2.6", "0.4.2")),
    ("ValueError", r"^No variables to save$", ("7.4",)),
    ("TypeError", r"^Variable to save is not a Variable: ", ("7.4", "7.5")),
    ("TypeError", r"^can't convert Operation '.*' to Tensor$", ("7.4", "7.5")),
    ("TypeError", r"^Failed to convert elements of .* to Tensor\. ", ("7.4", "7.5")),
    ("TypeError", r"^'<' not supported between instances of ", ("7.4", "7.5")),
    ("ValueError", r"^At least two variables have the same name: ", ("7.4", "7.5")),
    ("ValueError", r"^Mixing slices and non-slices with the same name: ", ("7.4", "7.5")),
    ("KeyError", r"refers to an Operation not in the graph", ("10.4.1", "10.3.4")),
    ("FailedPreconditionError", r"is not a directory$", ("10.3.2",)),
    ("FailedPreconditionError", r"Is a directory$", ("10.3.3",)),
    ("DecodeError", r"", ("10.2.7",)),
    ("TypeError", r"^Parameter to MergeFrom\(\) must be instance", ("8.6.2",)),
    ("error", r"", ("4.2.2",)),  # re.error: a scope that is not a valid pattern
)
#: A bare AssertionError: rule 4.3.2 on the rebuild-from-graph path, else 4.1.7.
ASSERTION_RULES = {"rebuild_graph": ("4.3.2",), "default": ("4.1.7",)}

#: Warning message regex -> rules.
WARNING_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"^Only collections with string type keys will be serialized", ("8.1.2",)),
    (r"^Issue encountered when serializing", ("8.5", "8.5.1")),
)

#: Rules describing accidents of TF's implementation: a case exercising one is OPTIONAL.
OPTIONAL_RULES = frozenset({"0.4.2", "5.3"})
#: Exceptions TF never raises on purpose (its own bugs): such a case is OPTIONAL.
OPTIONAL_ERRORS = frozenset({"UnboundLocalError", "IndexError", "AssertionError"})

#: Registered to_proto keys -> the rules of their to_proto.
REGISTERED_KEY_RULES: dict[str, tuple[str, ...]] = {
    "savers": ("8.6.3",),
    "queue_runners": ("8.6.4",),
    "cond_context": ("8.6.5", "8.6.7"),
    "while_context": ("8.6.6", "8.6.7"),
}
VARIABLE_KEY_RULES = ("8.6.2",)

#: Kind of the first item of an unregistered collection -> rule (8.4).
ITEM_KIND_RULES: dict[str, str] = {
    "str": "8.4.2",
    "bytes": "8.4.2",
    "int": "8.4.3",
    "bool": "8.4.3",
    "float": "8.4.4",
    "any": "8.4.5",
}
NODE_LIST_RULE = "8.4.1"

#: Field types of the message -> text-format rules (10.2).
TEXT_FIELD_RULES: dict[int, str] = {
    FieldDescriptor.TYPE_ENUM: "10.2.2",
    FieldDescriptor.TYPE_INT32: "10.2.2",
    FieldDescriptor.TYPE_INT64: "10.2.2",
    FieldDescriptor.TYPE_BOOL: "10.2.2",
    FieldDescriptor.TYPE_FLOAT: "10.2.3",
    FieldDescriptor.TYPE_DOUBLE: "10.2.4",
    FieldDescriptor.TYPE_STRING: "10.2.5",
    FieldDescriptor.TYPE_BYTES: "10.2.6",
}

#: Defaults of export_meta_graph's parameters (a falsy value that is not the default
#: exercises rule 2.2).
DEFAULTS: dict[str, Any] = {
    "filename": None,
    "meta_info_def": None,
    "graph_def": None,
    "saver_def": None,
    "collection_list": None,
    "as_text": False,
    "export_scope": None,
    "clear_devices": False,
    "clear_extraneous_savers": False,
    "strip_default_attrs": False,
    "save_debug_info": False,
    "unbound_inputs_col_name": "unbound_inputs",
}
MESSAGE_ARGUMENTS: dict[str, type[Message]] = {
    "meta_info_def": MetaInfoDef,
    "graph_def": GraphDef,
    "saver_def": SaverDef,
}
CALL_OPS = frozenset({"PartitionedCall", "StatefulPartitionedCall"})


# -- facts about a case ----------------------------------------------------------------------
@dataclass
class GraphFacts:
    """What the rules and features depend on in a graph snapshot."""

    op_types: set[str] = field(default_factory=set)
    operation_count: int = 0
    has_functions: bool = False
    has_class_attr: bool = False
    has_devices: bool = False
    call_without_f: bool = False
    finalized: bool = False
    # str keys in collection order, with the kind of each collection's first item
    str_keys: list[str] = field(default_factory=list)
    first_kind: dict[Any, str] = field(default_factory=dict)
    registered: set[str] = field(default_factory=set)


def graph_facts(snapshot: bytes) -> GraphFacts:
    """The facts of ``snapshot`` (a serialized GraphSnapshot)."""
    snap = GraphSnapshot()
    snap.ParseFromString(snapshot)
    facts = GraphFacts(finalized=snap.finalized, operation_count=len(snap.operations))
    gd = GraphDef()
    gd.ParseFromString(snap.cpp_graph_def)
    facts.has_functions = len(snap.functions) > 0
    add_node_facts(facts, gd)
    facts.registered = set(snap.environment.proto_function_keys)
    for col in snap.collections:
        kind = col.key.WhichOneof("kind")
        key: Any = col.key.str if kind == "str" else (col.key.bytes if kind == "bytes" else None)
        if kind == "str":
            facts.str_keys.append(col.key.str)
        if key is not None and col.items:
            facts.first_kind[key] = col.items[0].WhichOneof("kind") or ""
    return facts


def add_node_facts(facts: GraphFacts, gd: GraphDef) -> None:
    """Adds the facts of a GraphDef's nodes and library to ``facts``."""
    facts.has_functions |= len(gd.library.function) > 0
    for node in gd.node:
        facts.has_class_attr |= "_class" in node.attr
        facts.has_devices |= bool(node.device)
    for node in list(gd.node) + [n for f in gd.library.function for n in f.node_def]:
        facts.op_types.add(node.op)
        if node.op in CALL_OPS and "f" not in node.attr:
            facts.call_without_f = True


def _is_default(name: str, value: Any) -> bool:
    default = DEFAULTS.get(name, object())
    return type(value) is type(default) and value == default


def _walk_field_types(msg: Message, seen: set[int], any_types: set[str]) -> None:
    if msg.DESCRIPTOR.full_name == "google.protobuf.Any":
        any_types.add(str(getattr(msg, "type_url", "")).rpartition("/")[2])
    for fd, value in msg.ListFields():
        seen.add(fd.type)
        entry = fd.message_type
        if entry is None:
            continue
        if entry.GetOptions().map_entry:
            value_field = entry.fields_by_name["value"]
            seen.add(value_field.type)
            if value_field.message_type is not None:
                for v in value.values():
                    _walk_field_types(v, seen, any_types)
        elif compare._is_repeated(fd):
            for v in value:
                _walk_field_types(v, seen, any_types)
        else:
            _walk_field_types(value, seen, any_types)


def _only_tf_knows(name: str) -> bool:
    """Whether TF's process knows the message type but refimpl's own schemas do not."""

    def known(pool: descriptor_pool.DescriptorPool) -> bool:
        try:
            pool.FindMessageTypeByName(name)
        except KeyError:
            return False
        return True

    return known(tf_text_pool()) and not known(descriptor_pool.Default())


def _written_message(expected: Outcome, filename: Any) -> MetaGraphDef | None:
    """The exported MetaGraphDef: the returned one, else the text meta file TF wrote."""
    mgd = MetaGraphDef()
    if expected.HasField("returned_meta_graph_def"):
        mgd.ParseFromString(expected.returned_meta_graph_def)
        return mgd
    content = expected.files.get(os.path.normpath(str(filename)))
    if content is None:
        return None
    try:
        text_format.Parse(content.decode("utf-8"), mgd, descriptor_pool=tf_text_pool())
    except Exception:  # noqa: BLE001 - e.g. the debug file overwrote it
        return None
    return mgd


@functools.cache
def _spec_rules() -> frozenset[str]:
    return frozenset(spec_rule_numbers())


def _path(kwargs: Mapping[str, Any]) -> str:
    rebuild = bool(
        kwargs.get("export_scope")
        or kwargs.get("clear_extraneous_savers")
        or kwargs.get("clear_devices")
    )
    given = bool(kwargs.get("graph_def"))
    if rebuild:
        return "rebuild_graph_def" if given else "rebuild_graph"
    return "verbatim" if given else "default"


@dataclass
class Classification:
    """A case's rules, features and level."""

    rules: list[str]
    features: list[str]
    level: int


def classify(
    kwargs: Mapping[str, Any],
    then: Sequence[Mapping[str, Any]],
    facts: GraphFacts,
    expected: Outcome,
    unordered: bool,
    random_program: bool,
) -> Classification:
    """The rules (the table of the module docstring), features and level of a case."""
    rules: set[str] = {"0.4", "1.1", "1.9", "2.1"}
    feats: set[str] = set()
    error = (expected.error.type, expected.error.message) if expected.HasField("error") else None
    path = _path(kwargs)
    scope = kwargs.get("export_scope")
    given = kwargs.get("graph_def")
    if isinstance(given, GraphDef) and path in ("verbatim", "rebuild_graph_def"):
        # The exported nodes are the given GraphDef's, not the graph's.
        facts = dataclasses.replace(
            facts, op_types=set(), has_class_attr=False, has_devices=False, has_functions=False
        )
        add_node_facts(facts, given)

    # arguments
    for name, value in kwargs.items():
        if name not in DEFAULTS:
            rules.add("2.5")
            feats.add("kwargs")
        elif not value and not _is_default(name, value) and value is not None:
            rules.add("2.2")
            feats.add("falsy")
    for name, cls in MESSAGE_ARGUMENTS.items():
        value = kwargs.get(name)
        if value and not isinstance(value, cls):
            feats.add("bad_types")
            if name == "graph_def" and path.startswith("rebuild"):
                rules.add("4.4.1")
            elif name == "saver_def" and kwargs.get("clear_extraneous_savers"):
                rules.add("7.1")
            else:
                rules.add("2.6")
        elif isinstance(value, cls):
            feats.add(name)
    if scope and not isinstance(scope, str):
        rules.add("2.8")
        feats.add("bad_types")
    filename = kwargs.get("filename")
    if filename:
        rules |= {"2.9", "10.3.1", "10.3.3"}
        if isinstance(filename, str) and os.path.dirname(filename):
            rules.add("10.3.2")
        if filename != "model.meta":
            feats.add("filename")
        if not isinstance(filename, str):
            feats.add("bad_types")
    collection_list = kwargs.get("collection_list")
    if collection_list is None:
        rules.add("8.1.1")
    else:
        rules |= {"2.7", "8.1.2", "11.10"}
        feats.add("collection_list")
        if not isinstance(collection_list, list):
            feats.add("bad_types")
        elif len(collection_list) != len({repr(k) for k in collection_list}):
            rules.add("8.1.3")
    if "unbound_inputs_col_name" in kwargs:
        rules |= {"3.3", "11.9"}
        feats.add("unbound_inputs_col_name")
    if then:
        rules |= {"3.3", "3.4"}
        feats.add("then")

    # paths and the GraphDef
    if path == "default":
        rules |= {"3.2", "4.1.1", "4.1.2", "4.1.3", "4.1.5", "4.1.6"}
        if facts.has_functions:
            rules |= {"4.1.4", "4.1.7", "4.1.8"}
        if facts.operation_count == 0 and set(kwargs) <= {"filename", "as_text"}:
            rules.add("9.4")
    elif path == "verbatim":
        rules |= {"3.2", "4.5.1"}
    else:
        rules |= {"3.1", "3.2", "3.3", "4.2.1", "4.2.4", "4.2.7"}
        if path == "rebuild_graph":
            rules |= {"4.3.1", "4.3.2", "4.3.3"}
            if facts.has_functions:
                rules.add("4.3.4")
        else:
            rules |= {"4.4.1", "4.4.2"}
        if isinstance(scope, str) and scope:
            rules |= {"4.2.2", "4.2.3", "8.3", "11.1"}
        if facts.has_class_attr:
            rules.add("4.2.5")
        if facts.op_types & {"Enter", "RefEnter"}:
            rules.add("4.2.6")
        if facts.finalized and kwargs.get("unbound_inputs_col_name", "unbound_inputs"):
            rules.add("3.3")
    if scope:
        feats.add("scope")
    if kwargs.get("clear_devices"):
        rules |= {"4.2.8", "11.5"}
        feats.add("clear_devices")
        if facts.has_functions:
            rules.add("4.1.8")
    if facts.has_functions or facts.op_types & CALL_OPS:
        rules.add("5.2")
        feats.add("functions")
    if facts.call_without_f:
        rules.add("5.3")
    if kwargs.get("strip_default_attrs"):
        rules |= {"6.1", "6.2", "6.3", "6.4", "11.13"}
        feats.add("strip_default_attrs")
    if kwargs.get("clear_extraneous_savers"):
        rules |= {"7.1", "7.2", "7.3", "11.6"}
        feats.add("clear_extraneous_savers")
    if isinstance(kwargs.get("meta_info_def"), MetaInfoDef):
        rules |= {"9.1.1", "9.1.2", "9.1.3"}
    if isinstance(kwargs.get("saver_def"), SaverDef):
        rules.add("9.2")

    # collections
    if "variables" in facts.str_keys:
        rules.add("3.5")
    if facts.str_keys or facts.first_kind:
        feats.add("collections")
    variable_keys = facts.registered - set(REGISTERED_KEY_RULES)
    if variable_keys & set(facts.str_keys):
        feats.add("variables")
    if "savers" in facts.str_keys:
        feats.add("savers")
    if {"cond_context", "while_context"} & set(facts.str_keys):
        feats.add("control_flow_v1")
    keys: list[Any]
    if collection_list is None:
        keys = list(facts.str_keys)
    elif isinstance(collection_list, list | str):
        keys = [k for k in collection_list if isinstance(k, str | bytes)]
    else:
        keys = []
    for key in keys:
        if key == "savers" and kwargs.get("clear_extraneous_savers"):
            rules |= {"7.4", "8.6", "8.6.1", "8.6.3"}
            if kwargs.get("saver_def") is None:
                rules.add("7.5")  # the export builds a new default Saver
        if key not in facts.first_kind:
            continue
        rules |= {"8.2", "8.3", "8.4"}
        if isinstance(key, str) and key in facts.registered:
            rules |= {"8.6", "8.6.1"}
            rules |= set(REGISTERED_KEY_RULES.get(key, VARIABLE_KEY_RULES))
        else:
            rules.add(ITEM_KIND_RULES.get(facts.first_kind[key], NODE_LIST_RULE))

    # outcome
    if error is None:
        rules |= {"5.1", "5.4", "5.5", "9.1.1", "9.1.3", "9.3", "10.1.1", "10.1.2", "10.1.3"}
    else:
        feats.add("error")
        rules.add("2.4")
        matched = False
        if error[0] == "AssertionError":
            rules |= set(ASSERTION_RULES.get(path, ("4.1.7",)))
            matched = True
        for etype, pattern, erules in ERROR_RULES:
            if not matched and (etype in (None, error[0])) and re.search(pattern, error[1]):
                rules |= set(erules)
                matched = True
        if not matched:
            print(f"  note: no rule for error {error!r}", file=sys.stderr)
    if expected.warnings:
        feats.add("warnings")
    for warning in expected.warnings:
        for pattern, wrules in WARNING_RULES:
            if re.search(pattern, warning):
                rules |= set(wrules)
    if unordered:
        rules.add("0.4.1")
        feats.add("unordered_inner_maps")
    foreign_any = False
    if kwargs.get("as_text") and filename:
        feats.add("text")
        rules |= {"10.2.1", "10.2.8", "11.12"}
        seen: set[int] = set()
        any_types: set[str] = set()
        mgd = _written_message(expected, filename)
        if mgd is not None:
            _walk_field_types(mgd, seen, any_types)
        rules |= {TEXT_FIELD_RULES[t] for t in seen if t in TEXT_FIELD_RULES}
        if any_types:
            rules.add("10.2.7")
            foreign_any = any(_only_tf_knows(t) for t in any_types if t)
    debug_written = [p for p in expected.files if p.endswith(".debug")]
    if kwargs.get("save_debug_info") and filename and (error is None or debug_written):
        feats.add("debug")
        rules |= {"10.3.4", "10.3.5", "11.3"}
        rules |= {f"10.4.{i}" for i in (1, 2, 3, 4, 5, 6, 7, 8, 9, 11)}
        if any(expected.files[p] == b"" for p in debug_written):
            rules.add("10.4.10")
    elif kwargs.get("save_debug_info") and filename:
        feats.add("debug")
        rules |= {"10.3.4", "10.4.1"}
    if random_program:
        feats.add("random")

    rules |= {p for r in rules if (p := r.rpartition(".")[0]) in _spec_rules()}
    if rules & OPTIONAL_RULES or (error is not None and error[0] in OPTIONAL_ERRORS):
        level = CorpusCase.OPTIONAL
    elif foreign_any:
        level = CorpusCase.OPTIONAL
    elif error is not None:
        level = CorpusCase.RECOMMENDED
    else:
        level = CorpusCase.REQUIRED
    unknown = feats - set(FEATURES)
    if unknown:
        raise AssertionError(f"features not in FEATURES: {sorted(unknown)}")
    return Classification(sorted_rules(list(rules)), sorted(feats), level)


# -- running TF ------------------------------------------------------------------------------
@dataclass
class Pending:
    """A case to ask TF about."""

    name: str
    request: dict[str, Any]
    program: str  # CorpusCase.program
    random_program: bool = False


def pending_hand_cases() -> list[Pending]:
    """Every hand case (``conformance.gen.hand_cases``)."""
    return [Pending(name, request, f"builder:{request['graph']}") for name, request in hand_cases()]


def pending_random_cases(count: int, seed: int) -> list[Pending]:
    """``count`` random cases drawn deterministically from ``conformance.strategies.cases``.

    The draw depends only on ``seed``, the strategies' sources and the hypothesis
    version. Duplicate draws are dropped. Raises ImportError if the random-program
    modules are missing.
    """
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    from conformance import strategies

    drawn: list[Any] = []
    seen: set[str] = set()

    @hypothesis_seed(seed)
    @settings(
        max_examples=count * 3,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategies.cases())
    def draw(case: Any) -> None:
        key = _json(
            {"program": case["program"], "args": case["args"], "f": case["filename"],
             "capture": case["capture"]}
        )
        if len(drawn) < count and key not in seen:
            seen.add(key)
            drawn.append(case)

    draw()
    out = []
    for case in drawn:
        program = _json(case["program"])
        digest = hashlib.sha256(
            _json(
                {"program": case["program"], "args": case["args"], "f": case["filename"],
                 "capture": case["capture"]}
            ).encode()
        ).hexdigest()
        request = {
            "program": case["program"],
            "args": case["args"],
            "filename": case["filename"],
            "then": [],
            "capture": case["capture"],
        }
        out.append(Pending(f"random-{digest[:16]}", request, f"program:{program}", True))
    return out


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=repr)


def groups_of(pending: Sequence[Pending]) -> list[list[Pending]]:
    """The worker groups: one per graph builder, random programs in fixed-size chunks."""
    by_graph: dict[str, list[Pending]] = {}
    randoms: list[Pending] = []
    for p in pending:
        if p.random_program:
            randoms.append(p)
        else:
            by_graph.setdefault(p.request["graph"], []).append(p)
    groups = list(by_graph.values())
    groups += [randoms[i : i + PROGRAM_CHUNK] for i in range(0, len(randoms), PROGRAM_CHUNK)]
    return groups


def run_group(
    group: Sequence[Pending], python: str | None = None
) -> list[tuple[Pending, dict[str, Any]]]:
    """Asks fresh TF workers (one per eager mode; of interpreter ``python``, default
    ``conformance.tf.process.TFWorker``'s) about each case of ``group``, in order."""
    worker = TFWorkers(python)
    try:
        return [(p, worker.run(p.request)) for p in group]
    finally:
        worker.close()


def ask_tf(
    pending: Sequence[Pending],
    jobs: int,
    progress: Callable[[str], None],
    python: str | None = None,
    only: Callable[[Pending], bool] | None = None,
) -> list[tuple[Pending, dict[str, Any]]]:
    """TF's responses for every case, in the order of ``pending``; with ``only``, for the
    cases of the worker groups that hold a case it accepts."""
    groups = groups_of(pending)
    if only is not None:
        groups = [g for g in groups if any(only(p) for p in g)]
        pending = [p for g in groups for p in g]
    answers: dict[str, dict[str, Any]] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(run_group, g, python) for g in groups]
        for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
            for p, response in future.result():
                answers[p.name] = response
            progress(f"  {done}/{len(groups)} worker groups done")
    return [(p, answers[p.name]) for p in pending]


# -- building cases --------------------------------------------------------------------------
def _unordered(outcome: Outcome) -> bool:
    blobs = list(outcome.files.values())  # whatever the name: "model.debug" may be a meta file
    if outcome.HasField("returned_meta_graph_def"):
        blobs.append(outcome.returned_meta_graph_def)
    for blob in blobs:
        try:
            if compare.canonical_meta_file(blob) is not None:
                return True
        except Exception:  # noqa: BLE001, S112 - not a MetaGraphDef
            continue
    return False


_ADDRESS = re.compile(r" at 0x[0-9a-f]+>")


def normalize_addresses(snapshot: bytes, outcome: Outcome) -> bytes:
    """Replaces memory addresses in reprs by stable ones (see the module docstring).

    Rewrites ``outcome`` in place; returns the rewritten snapshot.
    """
    snap = GraphSnapshot()
    snap.ParseFromString(snapshot)
    mapping: dict[str, str] = {}

    def substitute(text: str) -> str:
        return _ADDRESS.sub(lambda m: mapping.get(m.group(0), m.group(0)), text)

    holders: list[CollectionItem | PyObject] = []
    for col in snap.collections:
        if col.key.WhichOneof("kind") == "other":
            holders.append(col.key.other)
        for item in col.items:
            holders.append(item)
            if item.WhichOneof("kind") == "opaque":
                holders.append(item.opaque)
    for holder in holders:
        for m in _ADDRESS.finditer(holder.repr):
            mapping.setdefault(m.group(0), f" at 0x{len(mapping) + 1:x}>")
    if not mapping:
        return snapshot
    for holder in holders:
        new = substitute(holder.repr)
        if new != holder.repr:
            holder.repr = new
    if outcome.HasField("error"):
        outcome.error.message = substitute(outcome.error.message)
    warnings = [substitute(w) for w in outcome.warnings]
    del outcome.warnings[:]
    outcome.warnings.extend(warnings)
    unbound = [substitute(u) for u in outcome.unbound_inputs_after]
    del outcome.unbound_inputs_after[:]
    outcome.unbound_inputs_after.extend(unbound)
    return snap.SerializeToString(deterministic=True)


def build_case(p: Pending, response: Mapping[str, Any]) -> CorpusCase:
    """The corpus case for TF's ``response`` to ``p`` (snapshot inline)."""
    args = dict(response["args"]) if p.random_program else dict(p.request["args"])
    args = {"filename": p.request.get("filename", "model.meta"), **args}
    case = CorpusCase(name=p.name, program=p.program)
    case.arguments.CopyFrom(to_arguments(args, response))
    for more in p.request.get("then", []):
        case.then.append(to_arguments(more, {}))
    case.expected.CopyFrom(outcome_from_response(response))
    case.snapshot = normalize_addresses(response["snapshot"], case.expected)
    case.tensorflow_version = response["tf_version"]
    case.protobuf_version = GraphSnapshot.FromString(case.snapshot).environment.protobuf_version
    case.capture_condition = response["capture"]
    case.unordered_inner_maps = _unordered(case.expected)
    kwargs = from_arguments(case.arguments)
    then = [from_arguments(t) for t in case.then]
    c = classify(
        kwargs,
        then,
        graph_facts(case.snapshot),
        case.expected,
        case.unordered_inner_maps,
        p.random_program,
    )
    case.rules.extend(c.rules)
    case.features.extend(c.features)
    case.level = c.level  # type: ignore[assignment]
    return case


def write_corpus(
    out: Path, cases: Sequence[CorpusCase], manifest: dict[str, Any]
) -> dict[str, str]:
    """Writes cases, snapshots and MANIFEST.json (removing stale files); returns case hashes."""
    (out / "cases").mkdir(parents=True, exist_ok=True)
    (out / "snapshots").mkdir(parents=True, exist_ok=True)
    snapshots: dict[str, bytes] = {}
    case_files: dict[str, bytes] = {}
    for case in cases:
        stored = CorpusCase()
        stored.CopyFrom(case)
        sha = snapshot_sha256(case.snapshot)
        snapshots[sha] = case.snapshot
        stored.snapshot = b""
        stored.snapshot_sha256 = sha
        case_files[f"{case.name}.case"] = stored.SerializeToString(deterministic=True)
    _sync_dir(out / "cases", ".case", case_files)
    _sync_dir(out / "snapshots", ".snapshot", {f"{k}.snapshot": v for k, v in snapshots.items()})
    hashes = {
        name.removesuffix(".case"): hashlib.sha256(data).hexdigest()
        for name, data in sorted(case_files.items())
    }
    manifest = dict(manifest, cases=hashes, case_count=len(hashes), snapshot_count=len(snapshots))
    text = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    (out / "MANIFEST.json").write_text(text, encoding="utf-8")
    return hashes


def _sync_dir(directory: Path, suffix: str, files: Mapping[str, bytes]) -> None:
    for old in directory.glob(f"*{suffix}"):
        if old.name not in files:
            old.unlink()
    for name, data in files.items():
        path = directory / name
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)


def _tf_distribution_version() -> str | None:
    for dist in ("tensorflow-cpu", "tensorflow"):
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def _warn_uncommitted(sources: Sequence[str], progress: Callable[[str], None]) -> None:
    """Warns when a fingerprinted source differs from git's HEAD (the corpus would be
    generated from code nobody committed)."""
    try:
        run = subprocess.run(
            ["git", "status", "--porcelain", "--", *sources],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return
    for line in run.stdout.splitlines():
        progress(f"warning: uncommitted changes in a fingerprinted source: {line[3:]}")


def record_under_protobuf_6(
    pending: Sequence[Pending],
    cases: Sequence[CorpusCase],
    python: str,
    jobs: int,
    progress: Callable[[str], None],
) -> tuple[list[CorpusCase], dict[str, Any]]:
    """The ``@pb6`` cases (module docstring) and the manifest's ``protobuf_6`` entry."""
    by_name = {c.name: c for c in cases}
    wanted = {c.name for c in cases if depends_on_protobuf_runtime(c)}
    progress(f"{len(wanted)} cases depend on the protobuf runtime; asking {python}")
    answers = ask_tf(pending, jobs, progress, python=python, only=lambda p: p.name in wanted)
    kept: list[CorpusCase] = []
    same: list[str] = []
    versions: set[str] = set()
    for p, response in answers:
        if p.name not in wanted:
            continue
        if "worker_error" in response:
            raise AssertionError(f"{p.name} under protobuf 6: {response['worker_error']}")
        case = build_case(p, response)
        versions.add(case.protobuf_version)
        if not case.protobuf_version.startswith("6."):
            raise AssertionError(f"{python} runs protobuf {case.protobuf_version}, not 6.x")
        if case.tensorflow_version != by_name[p.name].tensorflow_version:
            raise AssertionError(f"{python} runs TF {case.tensorflow_version}")
        if differs_beyond_debug_files(case.expected, by_name[p.name].expected):
            case.name = p.name + PB6_SUFFIX
            kept.append(case)
        else:
            same.append(p.name)
    if len(versions) > 1:
        raise AssertionError(f"mixed protobuf versions under {python}: {versions}")
    entry = {
        "protobuf_version": next(iter(versions), ""),
        "recorded": sorted(c.name for c in kept),
        "same": sorted(same),
    }
    progress(f"protobuf 6: kept {len(kept)} cases, {len(same)} came out the same")
    return kept, entry


def check(out: Path) -> int:
    """Verifies the committed corpus without TF; returns the exit status."""
    manifest = load_manifest(out)
    problems = []
    current = generator_fingerprint(manifest["fingerprint_sources"])
    if manifest["generator_fingerprint"] != current:
        problems.append("generator sources changed since the corpus was generated")
    installed = _tf_distribution_version()
    if installed is not None and installed != manifest["tensorflow_version"]:
        problems.append(f"TF {installed} installed, corpus from {manifest['tensorflow_version']}")
    for name, sha in manifest["cases"].items():
        path = out / "cases" / f"{name}.case"
        if not path.exists() or case_file_sha256(path) != sha:
            problems.append(f"case {name}: missing or changed")
    for p in problems:
        print(p)
    if problems:
        print("run: python scripts/generate_corpus.py")
    return 1 if problems else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_DIRECTORY)
    parser.add_argument("--jobs", type=int, default=2, help="TF worker processes at once")
    parser.add_argument(
        "--programs", type=int, default=100, help="random graph programs to add (default 100)"
    )
    parser.add_argument("--seed", type=int, default=20260, help="seed of the random programs")
    parser.add_argument("--check", action="store_true", help="verify the corpus, run no TF")
    parser.add_argument(
        "--only", help="regex: keep only matching case names (for trials; use with --out)"
    )
    parser.add_argument(
        "--pb6-python",
        default=os.environ.get("METAGRAPH_PB6_PYTHON"),
        help="an interpreter with TF 2.21 and protobuf 6: record the runtime-dependent cases "
        "again under it (default: $METAGRAPH_PB6_PYTHON; without it, no @pb6 cases)",
    )
    args = parser.parse_args(argv)
    if args.check:
        return check(args.out)

    os.environ["PYTHONHASHSEED"] = "0"  # inherited by the TF workers (module docstring)
    started = time.monotonic()

    def progress(message: str) -> None:
        print(f"[{time.monotonic() - started:7.1f}s] {message}", flush=True)

    pending = pending_hand_cases()
    sources = list(FINGERPRINT_SOURCES)
    if args.programs:
        pending += pending_random_cases(args.programs, args.seed)
        sources += PROGRAM_SOURCES
    _warn_uncommitted(sources, progress)
    if args.only:
        pending = [p for p in pending if re.search(args.only, p.name)]
    names = Counter(p.name for p in pending)
    duplicated = [n for n, k in names.items() if k > 1]
    if duplicated:
        raise SystemExit(f"duplicate case names: {duplicated}")
    progress(f"{len(pending)} cases; asking TensorFlow ({args.jobs} workers)")
    answers = ask_tf(pending, args.jobs, progress)
    tf_seconds = time.monotonic() - started

    spec_rules = set(spec_rule_numbers())
    cases: list[CorpusCase] = []
    skipped: dict[str, str] = {}
    tf_versions: set[str] = set()
    protobuf_versions: set[str] = set()
    for p, response in answers:
        if "worker_error" in response:
            skipped[p.name] = response["worker_error"].strip().splitlines()[-1][:300]
            continue
        case = build_case(p, response)
        missing = set(case.rules) - spec_rules
        if missing:
            raise AssertionError(f"{p.name}: rules not in spec.md: {sorted(missing)}")
        snap = GraphSnapshot()
        snap.ParseFromString(case.snapshot)
        tf_versions.add(case.tensorflow_version)
        protobuf_versions.add(snap.environment.protobuf_version)
        cases.append(case)
    if len(tf_versions) > 1 or len(protobuf_versions) > 1:
        raise AssertionError(f"mixed versions: {tf_versions} {protobuf_versions}")
    for name, reason in sorted(skipped.items()):
        progress(f"skipped {name}: {reason}")
    protobuf_6: dict[str, Any] | None = None
    if args.pb6_python:
        pb6_cases, protobuf_6 = record_under_protobuf_6(
            pending, cases, args.pb6_python, args.jobs, progress
        )
        cases += pb6_cases
    else:
        progress("warning: no --pb6-python (or METAGRAPH_PB6_PYTHON): no @pb6 cases")

    progress("running refimpl on every case")
    differing: dict[str, list[str]] = {}
    for case in cases:
        problems = case_differences(case, run_case(case))
        if problems:
            differing[case.name] = problems
    for name, problems in sorted(differing.items()):
        progress(f"refimpl differs from TF on {name}:\n    " + "\n    ".join(problems))

    coverage = Counter(r for c in cases for r in c.rules)
    levels = Counter(CorpusCase.Level.Name(c.level) for c in cases)
    distribution = _tf_distribution_version()
    tf_version = next(iter(tf_versions), "")
    if distribution is not None and distribution != tf_version:
        raise AssertionError(f"worker TF {tf_version} vs installed {distribution}")
    manifest: dict[str, Any] = {
        "format": 1,
        "tensorflow_version": tf_version,
        "protobuf_version": next(iter(protobuf_versions), ""),
        "generator_fingerprint": generator_fingerprint(sources),
        "fingerprint_sources": sorted(sources),
        "random_programs": {"count": args.programs, "seed": args.seed} if args.programs else None,
        "protobuf_6": protobuf_6,
        "skipped": skipped,
        "levels": dict(sorted(levels.items())),
        "features": dict(sorted(Counter(f for c in cases for f in c.features).items())),
        "rules": {r: coverage[r] for r in sorted_rules(list(coverage))},
        "rules_not_exercised": [r for r in spec_rule_numbers() if r not in coverage],
    }
    if args.programs:
        manifest["hypothesis_version"] = importlib.metadata.version("hypothesis")
    leaked = [m for m in sys.modules if m == "tensorflow" or m.startswith("tensorflow.")]
    if leaked:  # TF's generated protos and ours must never share a process
        raise AssertionError(f"TensorFlow was imported in the generator process: {leaked[:3]}")
    write_corpus(args.out, cases, manifest)
    size = sum(f.stat().st_size for f in args.out.rglob("*") if f.is_file())
    progress(
        f"wrote {len(cases)} cases ({len(skipped)} skipped), "
        f"{manifest_snapshot_count(args.out)} snapshots, {size / 1e6:.1f} MB to {args.out}; "
        f"TF took {tf_seconds:.0f}s; refimpl differs on {len(differing)} cases"
    )
    return 0


def manifest_snapshot_count(out: Path) -> int:
    """The number of snapshot files in the corpus at ``out``."""
    return len(list((out / "snapshots").glob("*.snapshot")))


if __name__ == "__main__":
    sys.exit(main())
