"""Hypothesis strategies for random export cases: graph programs and export arguments.

Public API, for this suite and for other implementations' own tests:

- ``programs()`` draws graph programs (``conformance.tf.programs``): lists of TF 1.x
  graph-building steps, as plain JSON-able data that a TF process builds with
  ``conformance.tf.programs.run_program`` (our TF worker does, for requests with a
  ``"program"`` key).
- ``export_args(program)`` draws keyword arguments of ``export_meta_graph`` fitted to a
  program: an ``export_scope`` that occurs in it (or a prefix of one), a saver reference,
  a subset of its collection keys plus unknown keys, a ``meta_info_def``, and every flag.
  Proto-valued arguments use the worker's JSON-like specs (``{"text": ...}``,
  ``{"saver": i}``, ``{"as_graph_def": bool}``). It is the suite's one export-argument
  strategy (``conformance.gen.export_arguments``) given what a program says of its graph.
- ``cases()`` draws a ``Case``: a program, its arguments and a file name.

Programs shrink well: a program is a list of steps (deleting any step leaves a valid
program), references are small integers (0 = the most recent candidate), optional
arguments and modifiers are optional dictionary keys.

This module imports no TensorFlow (only refimpl's generated schemas, through
``conformance.gen.export_arguments``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict

from hypothesis import strategies as st

from conformance.gen.export_arguments import FILENAMES, GraphFacts, export_arguments
from conformance.tf import programs as P
from conformance.tf.capture_conditions import CONDITIONS

Step = P.Step
Program = P.Program

__all__ = [
    "Case",
    "cases",
    "export_args",
    "programs",
    "steps",
    "chunks",
    "source_steps",
    "STEP_PARAMS",
]


class Case(TypedDict):
    """One random export case."""

    program: Program
    args: dict[str, Any]
    filename: str
    #: The capture condition (``conformance.tf.capture_conditions.CONDITIONS``).
    capture: str


# ---------------------------------------------------------------------------------------
# Building blocks
# ---------------------------------------------------------------------------------------

#: Op names: prefixes of each other ("s", "sx", "s_"), names TF would generate ("a_1"),
#: a name with a slash.
NAMES: tuple[str, ...] = ("a", "s", "sx", "s_", "b", "x", "a_1", "loss", "s/c", "save", "A.b-c")
#: Name-scope components ("x/" re-enters x; "" goes back to the root).
SCOPES: tuple[str, ...] = ("s", "sx", "s_", "inner", "s/", "s/inner/", "", "a", "sx/")
DEVICES: tuple[str, ...] = (
    "/cpu:0",
    "/device:GPU:0",
    "/job:w/replica:0/task:1/device:CPU:0",
    "",
    "/job:ps",
    "/device:CPU:1",
)

_ref = st.integers(0, 3)
_refs = st.lists(_ref, min_size=1, max_size=3)
_name = st.sampled_from(NAMES)
_bool = st.booleans()
_shape = st.lists(st.integers(0, 3), max_size=2)
_nonempty_shape = st.lists(st.integers(1, 3), min_size=1, max_size=2)
_float_dtype = st.sampled_from(("float32", "float64", "float16", "bfloat16"))
_dtype = st.just("float32") | st.sampled_from(P.DTYPES)
_seed = st.none() | st.integers(0, 5)
_collection_key = st.sampled_from(P.COLLECTION_KEYS)


_scope = st.lists(st.sampled_from(SCOPES), min_size=1, max_size=2)
_device = st.sampled_from(DEVICES)
_none: st.SearchStrategy[dict[str, Any]] = st.just({})
#: Modifiers: none in about half of the steps (the first branch, which shrinking prefers),
#: a name scope in about a quarter.
MODIFIERS: st.SearchStrategy[dict[str, Any]] = st.one_of(
    _none,
    _none,
    _none,
    _none,
    st.fixed_dictionaries({"scope": _scope}),
    st.fixed_dictionaries({"scope": _scope}),
    st.fixed_dictionaries({"device": _device}),
    st.fixed_dictionaries({"colocate": _ref}),
    st.fixed_dictionaries({"deps": _refs}),
    st.fixed_dictionaries(
        {}, optional={"scope": _scope, "device": _device, "colocate": _ref, "deps": _refs}
    ),
)


def _kind(
    op: str, required: dict[str, Any] | None = None, **optional: Any
) -> st.SearchStrategy[Step]:
    """A strategy for one step of kind ``op`` (``name`` and modifiers are optional)."""
    opt: dict[str, st.SearchStrategy[Any]] = {"name": _name}
    opt.update(optional)
    req: dict[str, st.SearchStrategy[Any]] = {"op": st.just(op)}
    req.update(required or {})
    return st.tuples(st.fixed_dictionaries(req, optional=opt), MODIFIERS).map(
        lambda t: {**t[0], **t[1]}
    )


_x = {"x": _ref}
_xy = {"x": _ref, "y": _ref}
_axis = st.none() | st.sampled_from((0, -1))

#: One strategy per step kind (the kind's arguments; references are small integers).
STEP_PARAMS: dict[str, st.SearchStrategy[Step]] = {
    # sources
    "const": _kind(
        "const", {"dtype": _dtype, "shape": _shape}, seed=st.integers(0, 20), as_list=_bool
    ),
    "py_const": _kind("py_const", {"value": st.integers(0, len(P.PY_VALUES) - 1)}),
    "const_large": _kind(
        "const_large",
        {
            "dtype": st.sampled_from(("float32", "int32", "float16", "float64", "string")),
            "rows": st.integers(10, 40),
            "cols": st.integers(10, 40),
            "fill": st.sampled_from(("zeros", "arange")),
        },
    ),
    "placeholder": _kind(
        "placeholder",
        {"dtype": _dtype},
        shape=st.none() | st.lists(st.none() | st.integers(0, 3), max_size=3),
    ),
    "placeholder_with_default": _kind(
        "placeholder_with_default",
        {"x": _ref, "shape": st.sampled_from(("unknown", "partial", "exact"))},
    ),
    "sparse_placeholder": _kind("sparse_placeholder", {"dtype": _float_dtype}),
    "zeros": _kind("zeros", {"shape": _shape, "dtype": _dtype}),
    "ones": _kind("ones", {"shape": _shape, "dtype": _dtype}),
    "fill": _kind("fill", {"shape": _shape, "value": st.sampled_from((0.5, 1, -2))}),
    "range": _kind(
        "range",
        {"limit": st.integers(1, 5), "dtype": st.sampled_from(("int32", "int64", "float32"))},
    ),
    "random_uniform": _kind("random_uniform", {"shape": _shape}, seed=_seed),
    "random_normal": _kind("random_normal", {"shape": _shape}, seed=_seed),
    "truncated_normal": _kind("truncated_normal", {"shape": _shape}, seed=_seed),
    "set_random_seed": _kind("set_random_seed", {"seed": st.integers(0, 5)}),
    "eye": _kind("eye", {"n": st.integers(1, 3)}),
    # computation
    **{op: _kind(op, _x) for op in P.UNARY},
    **{op: _kind(op, _xy) for op in P.BINARY},
    **{op: _kind(op, _x, axis=_axis, keepdims=_bool) for op in P.REDUCTIONS},
    "cast": _kind("cast", {"x": _ref, "dtype": _dtype}),
    "argmax": _kind("argmax", _x, axis=_axis),
    "cumsum": _kind("cumsum", _x, axis=_axis),
    "add_n": _kind("add_n", {"xs": _refs}),
    "string_join": _kind("string_join", {"xs": _refs}, separator=st.sampled_from((",", ""))),
    "matmul": _kind("matmul", _x, y=_ref, flatten=_bool, transpose_a=_bool, transpose_b=_bool),
    "conv2d": _kind(
        "conv2d", _x, filters=st.integers(1, 2), padding=st.sampled_from(("SAME", "VALID"))
    ),
    "dropout": _kind("dropout", _x, rate=st.sampled_from((0.5, 0.1)), seed=_seed),
    "reshape": _kind("reshape", {"x": _ref, "shape": st.sampled_from(([-1], [1, -1], [-1, 1]))}),
    "expand_dims": _kind("expand_dims", _x, axis=st.sampled_from((0, -1))),
    "concat": _kind("concat", {"xs": _refs}),
    "stack": _kind("stack", {"xs": _refs}),
    "unstack": _kind("unstack", _x, index=st.integers(0, 2)),
    "split": _kind("split", _x, num=st.integers(1, 2), index=st.integers(0, 1)),
    "strided_slice": _kind(
        "strided_slice", {"x": _ref, "spec": st.sampled_from(("0", ":1", "::-1", "newaxis"))}
    ),
    "gather": _kind("gather", _x, indices=st.sampled_from(([0], [0, 0], 0))),
    "tile": _kind("tile", _x),
    "pad": _kind("pad", _x),
    "where": _kind("where", _x),
    "one_hot": _kind("one_hot", _x, depth=st.integers(1, 3)),
    "ensure_shape": _kind("ensure_shape", _x),
    # variables
    "variable": _kind(
        "variable",
        None,
        init=_ref,
        dtype=st.sampled_from(("float32", "int32", "float64", "string", "bool")),
        shape=_shape,
        trainable=st.none() | _bool,
        use_resource=st.none() | _bool,
        collections=st.lists(_collection_key, max_size=2),
        validate_shape=_bool,
    ),
    "get_variable": _kind(
        "get_variable",
        None,
        shape=_shape,
        dtype=st.sampled_from(("float32", "float64", "int32")),
        initializer=st.none() | st.sampled_from(sorted(P.INITIALIZERS)),
        trainable=st.none() | _bool,
        use_resource=st.none() | _bool,
        vscope=st.sampled_from(("s", "p", "s/inner", "")),
        reuse=_bool,
    ),
    "partitioned_variable": _kind(
        "partitioned_variable",
        None,
        shape=st.sampled_from(([4, 2], [6, 2], [10, 4], [3])),
        shards=st.integers(1, 4),
        partitioner=st.sampled_from(("fixed", "min_max", "axis_size")),
        initializer=st.none() | st.sampled_from(("zeros", "glorot_uniform")),
        use_resource=st.none() | _bool,
        vscope=st.sampled_from(("s", "p")),
    ),
    "local_variable": _kind(
        "local_variable",
        None,
        shape=_shape,
        initializer=st.none() | st.just("zeros"),
        use_resource=st.none() | _bool,
        vscope=st.sampled_from(("s", "p")),
    ),
    "read_variable": _kind(
        "read_variable",
        {"v": _ref},
        mode=st.sampled_from(("read_value", "value", "identity", "initialized_value")),
    ),
    "assign": _kind(
        "assign",
        {"v": _ref},
        value=_ref,
        mode=st.sampled_from(("assign", "assign_add", "assign_sub")),
    ),
    "resource_assign": _kind(
        "resource_assign", {"v": _ref}, mode=st.sampled_from(("assign", "assign_add"))
    ),
    "global_step": _kind("global_step"),
    "global_variables_initializer": _kind("global_variables_initializer"),
    "local_variables_initializer": _kind("local_variables_initializer"),
    "variables_initializer": _kind("variables_initializer", {"vs": _refs}),
    "tables_initializer": _kind("tables_initializer"),
    "report_uninitialized_variables": _kind("report_uninitialized_variables"),
    "is_variable_initialized": _kind("is_variable_initialized", {"v": _ref}),
    # savers, queues, summaries
    "saver": _kind(
        "saver",
        None,
        vars=_refs,
        as_dict=_bool,
        sharded=_bool,
        saver_name=st.sampled_from(("save", "", "save_a", "s/save", "sx")),
        max_to_keep=st.integers(0, 3),
        keep_hours=st.sampled_from((1.0, 0.5)),
        relative=_bool,
        write_version=st.sampled_from((1, 2)),
        allow_empty=_bool,
        pad_step_number=_bool,
        collection=st.none() | st.sampled_from(("savers", "c", "savers")),
    ),
    "fifo_queue": _kind(
        "fifo_queue",
        None,
        queue=st.sampled_from(("fifo", "padding", "random", "priority")),
        capacity=st.integers(1, 10),
        dtype=st.sampled_from(("float32", "int32", "string")),
        seed=_seed,
    ),
    "enqueue": _kind("enqueue", {"q": _ref}, x=_ref, vector=_bool),
    "dequeue": _kind("dequeue", {"q": _ref}),
    "queue_close": _kind("queue_close", {"q": _ref}, cancel=_bool),
    "queue_runner": _kind(
        "queue_runner",
        {"q": _ref},
        enqueues=_refs,
        exceptions=_bool,
        collection=st.none() | st.sampled_from(("queue_runners", "c")),
    ),
    "summary_scalar": _kind(
        "summary_scalar",
        _x,
        tag=st.sampled_from(("loss", "s/t", "a b")),
        family=st.sampled_from(("fam", "s")),
        collections=st.lists(_collection_key, max_size=2),
    ),
    "summary_histogram": _kind("summary_histogram", _x, collections=st.lists(_collection_key)),
    "summary_text": _kind("summary_text", _x),
    "summary_image": _kind(
        "summary_image", None, channels=st.sampled_from((1, 3)), max_outputs=st.integers(1, 3)
    ),
    "merge_all": _kind("merge_all", None, key=_collection_key),
    "summary_merge": _kind("summary_merge", {"xs": _refs}),
    # control flow
    "cond_v1": _kind(
        "cond_v1",
        {"pred": _ref, "a": _ref, "b": _ref},
        nest=st.sampled_from(("none", "cond", "while")),
    ),
    "while_v1": _kind(
        "while_v1",
        {"x": _ref, "ext": _ref},
        n=st.integers(1, 3),
        nest=st.sampled_from(("none", "cond", "while")),
        maximum_iterations=st.integers(1, 5),
        parallel_iterations=st.integers(1, 10),
        back_prop=_bool,
        swap_memory=_bool,
    ),
    "cond_v2": _kind(
        "cond_v2",
        {"pred": _ref, "a": _ref, "b": _ref},
        nest=st.sampled_from(("none", "cond", "while")),
    ),
    "while_v2": _kind(
        "while_v2",
        {"x": _ref, "ext": _ref},
        n=st.integers(1, 3),
        nest=st.sampled_from(("none", "cond", "while")),
        maximum_iterations=st.integers(1, 5),
    ),
    "switch_case": _kind("switch_case", {"i": _ref, "a": _ref}, branches=st.integers(1, 3)),
    # functions, gradients, training
    "function_call": _kind(
        "function_call",
        _x,
        ext=_ref,
        variant=st.sampled_from(
            ("simple", "variable", "control", "device", "cond", "while", "nested", "string")
        ),
        fname=st.sampled_from(P.FUNCTION_NAMES),
    ),
    "function_capture": _kind(
        "function_capture", {"x": _ref, "ext": _ref}, fname=st.sampled_from(P.FUNCTION_NAMES)
    ),
    "function_concrete": _kind(
        "function_concrete",
        None,
        shape=st.none() | _shape,
        dtype=st.sampled_from(("float32", "int32")),
        fname=st.sampled_from(P.FUNCTION_NAMES),
    ),
    "defun_call": _kind(
        "defun_call", _x, with_grad=_bool, fname=st.sampled_from(P.FUNCTION_NAMES)
    ),
    "gradients": _kind("gradients", {"y": _ref, "xs": _refs}),
    "minimize": _kind(
        "minimize",
        {"loss": _ref},
        optimizer=st.sampled_from(sorted(P.OPTIMIZERS)),
        global_step=_bool,
    ),
    # misc
    "no_op": _kind("no_op"),
    "group": _kind("group", {"xs": _refs}),
    "tuple": _kind("tuple", {"xs": _refs}),
    "assert": _kind("assert", _x, summarize=st.integers(1, 3)),
    "print": _kind("print", _x),
    "py_func": _kind("py_func", _x, stateful=_bool),
    "lookup_table": _kind("lookup_table"),
    "dataset": _kind(
        "dataset",
        None,
        n=st.integers(1, 3),
        map=_bool,
        iterator=st.sampled_from(("one_shot", "initializable")),
    ),
    "import_graph_def": _kind(
        "import_graph_def", None, prefix=st.sampled_from(("import", "s", ""))
    ),
    "set_attr": _kind(
        "set_attr",
        {"x": _ref, "attr": st.sampled_from(("_output_shapes", "_class", "_custom"))},
        value=st.sampled_from(("nocolon", "loc:@a", "loc:@s/c")),
    ),
    "finalize": _kind("finalize"),
    "add_to_collection": _kind(
        "add_to_collection",
        {"key": _collection_key, "item": st.sampled_from(P.ITEM_KINDS)},
        value=st.integers(0, 7),
        ref=_ref,
    ),
    "add_to_collections": _kind(
        "add_to_collections",
        {
            "keys": st.lists(_collection_key, min_size=1, max_size=3),
            "item": st.sampled_from(P.ITEM_KINDS),
        },
        value=st.integers(0, 7),
        ref=_ref,
    ),
    "clear_collection": _kind("clear_collection", {"key": _collection_key}),
}

if set(STEP_PARAMS) != set(P.KINDS):  # pragma: no cover  (a programming error)
    raise AssertionError(
        f"step strategies and kinds differ: {sorted(set(STEP_PARAMS) ^ set(P.KINDS))}"
    )

_SOURCES = (
    "const",
    "py_const",
    "placeholder",
    "zeros",
    "variable",
    "get_variable",
    "const_large",
    "range",
    "random_uniform",
    "partitioned_variable",
    "fifo_queue",
)
_GROUPS: dict[str, tuple[str, ...]] = {
    "sources": _SOURCES,
    "compute": tuple(P.UNARY)
    + tuple(P.BINARY)
    + tuple(P.REDUCTIONS)
    + (
        "cast",
        "argmax",
        "cumsum",
        "add_n",
        "string_join",
        "matmul",
        "conv2d",
        "dropout",
        "reshape",
        "expand_dims",
        "concat",
        "stack",
        "unstack",
        "split",
        "strided_slice",
        "gather",
        "tile",
        "pad",
        "where",
        "one_hot",
        "ensure_shape",
        "placeholder_with_default",
        "sparse_placeholder",
        "ones",
        "fill",
        "random_normal",
        "truncated_normal",
        "set_random_seed",
        "eye",
    ),
    "state": (
        "saver",
        "variable",
        "get_variable",
        "partitioned_variable",
        "local_variable",
        "read_variable",
        "assign",
        "resource_assign",
        "global_step",
        "global_variables_initializer",
        "local_variables_initializer",
        "variables_initializer",
        "tables_initializer",
        "report_uninitialized_variables",
        "is_variable_initialized",
        "fifo_queue",
        "enqueue",
        "dequeue",
        "queue_close",
        "queue_runner",
    ),
    "flow": (
        "cond_v1",
        "while_v1",
        "cond_v2",
        "while_v2",
        "switch_case",
        "function_call",
        "function_capture",
        "function_concrete",
        "defun_call",
        "gradients",
        "minimize",
    ),
    "collections": ("add_to_collection", "add_to_collections", "clear_collection", "saver"),
    "misc": (
        "no_op",
        "group",
        "tuple",
        "assert",
        "print",
        "py_func",
        "lookup_table",
        "dataset",
        "import_graph_def",
        "set_attr",
        "finalize",
        "summary_scalar",
        "summary_histogram",
        "summary_text",
        "summary_image",
        "merge_all",
        "summary_merge",
    ),
}
_grouped = {k for g in _GROUPS.values() for k in g}
if _grouped != set(P.KINDS):  # pragma: no cover  (a programming error)
    raise AssertionError(f"ungrouped step kinds: {sorted(set(P.KINDS) - _grouped)}")


def source_steps() -> st.SearchStrategy[Step]:
    """Steps that need no earlier result (constants, placeholders, variables, ...)."""
    return st.one_of([STEP_PARAMS[k] for k in _SOURCES])


def steps() -> st.SearchStrategy[Step]:
    """Any step; kinds are drawn by group (sources, computation, state, control flow and
    functions, collections, misc), then uniformly within the group."""
    return st.one_of([st.one_of([STEP_PARAMS[k] for k in g]) for g in _GROUPS.values()])


def _chunk(first: Sequence[str], then: Sequence[str]) -> st.SearchStrategy[list[Step]]:
    """A step of a kind in ``first``, then up to 3 steps of kinds in ``then`` (which refer
    to it with reference 0)."""
    head = st.one_of([STEP_PARAMS[k] for k in first])
    tail = st.lists(st.one_of([STEP_PARAMS[k] for k in then]), max_size=3)
    return st.tuples(head, tail).map(lambda t: [t[0], *t[1]])


def chunks() -> st.SearchStrategy[list[Step]]:
    """Short runs of steps that use each other: a queue and its enqueues, dequeues and
    runners; a variable and its reads, assignments, savers, initializers; summaries and a
    merge."""
    return st.one_of(
        _chunk(("fifo_queue",), ("enqueue", "enqueue", "queue_runner", "dequeue", "queue_close")),
        _chunk(
            ("variable", "get_variable", "local_variable", "partitioned_variable"),
            (
                "read_variable",
                "assign",
                "resource_assign",
                "is_variable_initialized",
                "saver",
                "variables_initializer",
                "minimize",
                "add_to_collection",
            ),
        ),
        _chunk(
            ("summary_scalar", "summary_histogram", "summary_text", "summary_image"),
            ("summary_merge", "merge_all", "summary_scalar", "add_to_collection"),
        ),
    )


def programs(max_steps: int = 32) -> st.SearchStrategy[Program]:
    """Graph programs: 1 to 3 source steps, then up to ``max_steps`` steps or chunks.

    (The body is drawn as two lists of up to ``max_steps // 2`` steps or chunks, which
    doubles the average length hypothesis picks while every step can still be shrunk
    away.)
    """
    item = st.one_of(steps().map(lambda x: [x]), steps().map(lambda x: [x]), chunks())
    half = st.lists(item, max_size=max(max_steps // 2, 0)).map(
        lambda parts: [x for part in parts for x in part]
    )
    return st.tuples(st.lists(source_steps(), min_size=1, max_size=3), half, half).map(
        lambda t: t[0] + t[1] + t[2]
    )


def export_args(program: Sequence[Step]) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword arguments of ``export_meta_graph`` fitted to ``program``: an ``export_scope``
    that occurs in it (or a prefix or variant of one), a saver reference, a subset of its
    collection keys plus unknown keys, a ``meta_info_def``, and every flag; proto-valued
    arguments as the TF worker's specs (``conformance.gen.export_arguments``)."""
    return export_arguments(GraphFacts.of_program(program))


@st.composite
def _cases(draw: st.DrawFn, max_steps: int) -> Case:
    program = draw(programs(max_steps))
    args = draw(export_args(program))
    filename = draw(st.sampled_from(FILENAMES) | st.just("model.meta"))
    capture = draw(st.sampled_from(sorted(CONDITIONS)))
    return Case(program=program, args=args, filename=filename, capture=capture)


def cases(max_steps: int = 32) -> st.SearchStrategy[Case]:
    """Random export cases: a program, arguments fitted to it, a file name, and the
    condition under which the graph is captured (spec.md 1.10)."""
    return _cases(max_steps)
