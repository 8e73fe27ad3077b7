"""Graph *programs*: TF 1.x graph-building recipes as plain data, and their interpreter.

A program is a list of *steps*. Each step is a JSON-able dict with an ``"op"`` (a step
kind, see ``KINDS``), the kind's own arguments, and optional *modifiers* applied around
it, in this order (outermost first):

- ``"scope"``: a list of name-scope components, entered one inside the other with
  ``tf.compat.v1.name_scope``; a component ending in ``/`` re-enters that absolute scope,
  ``""`` returns to the root, anything else opens a new (uniquified) scope;
- ``"device"``: a device string for ``tf.device``;
- ``"colocate"``: a reference (see below) to an earlier op to colocate with;
- ``"deps"``: a list of references to earlier ops for ``tf.control_dependencies``.

(A modifier whose references have no candidate, or refer to skipped steps, is ignored.)

``"name"`` (a str or None) is passed as the ``name=`` of the op the step builds.

**References.** Each step has a static *result kind* (``"tensor"``, ``"op"``, ``"var"``,
``"pvar"`` (a partitioned variable), ``"summary"`` (a summary tensor), ``"saver"``,
``"queue"``, ``"qr"`` or ``None``).
A reference is a small integer ``n`` counted backwards among the earlier steps of a
given *pool* (the pools are sets of result kinds, ``POOLS``): ``0`` is the most recent
one, and ``n`` wraps around modulo the pool's size. References are resolved statically
(``resolve``), without TF, so ``describe`` shows exactly what the interpreter used, and
deleting a step (as shrinking does) leaves a valid program. A step whose reference has
no candidate, or whose referenced step was skipped, is skipped (except for modifiers,
see above).

**Robustness.** ``run_program`` builds each step in a ``try``; a step that TF refuses to
build is *skipped* (its result is ``None``) and recorded in the returned trace, so every
program runs to its end and shrinking never hits a crash of the interpreter. Whatever a
failing step built before it failed stays in the graph (TF is deterministic, so the same
program always builds the same graph in a fresh worker). The ``finalize`` step only
takes effect once the whole program is built: steps failing on a finalized graph can leave
it half-built (C++ nodes without Python operations), a state no snapshot can describe.

**Modules.** ``model`` (steps and programs as data, their vocabulary, the registry of
step kinds, the resolution of references), ``interpreter`` (``run_program``), ``describe``
(rendering), ``conversions`` (values and conversions the builders share), and the builders
of the step kinds by family, one module each: ``sources``, ``compute``, ``variables``,
``savers``, ``queues``, ``summaries``, ``control_flow``, ``functions``, ``misc``,
``collection_steps``. Importing this package registers every kind (``KINDS``).

Nothing here imports TensorFlow; ``run_program`` gets the module as an argument and runs
in the TF worker (``conformance.tf.worker``, request key ``"program"``).
"""

from __future__ import annotations

# The builders register their step kinds (``model.KINDS``) when imported.
from conformance.tf.programs import (  # noqa: F401
    collection_steps,
    compute,
    control_flow,
    functions,
    misc,
    queues,
    savers,
    sources,
    summaries,
    variables,
)
from conformance.tf.programs.compute import BINARY, REDUCTIONS, UNARY
from conformance.tf.programs.control_flow import v1_control_flow
from conformance.tf.programs.conversions import adapt, const_value, truthy
from conformance.tf.programs.describe import describe
from conformance.tf.programs.functions import FUNCTION_NAMES, OPTIMIZERS
from conformance.tf.programs.interpreter import Ctx, as_op, run_program
from conformance.tf.programs.model import (
    COLLECTION_KEYS,
    DTYPES,
    ITEM_KINDS,
    ITEM_REF_POOLS,
    KINDS,
    NUMERIC_DTYPES,
    POOLS,
    PY_VALUES,
    STRINGS,
    NamedInt,
    NamedNone,
    Program,
    Resolved,
    Skip,
    Step,
    StepKind,
    collection_key,
    resolve,
    step_kind,
    step_refs,
)
from conformance.tf.programs.variables import INITIALIZERS

__all__ = [
    "BINARY",
    "COLLECTION_KEYS",
    "DTYPES",
    "FUNCTION_NAMES",
    "INITIALIZERS",
    "ITEM_KINDS",
    "ITEM_REF_POOLS",
    "KINDS",
    "NUMERIC_DTYPES",
    "OPTIMIZERS",
    "POOLS",
    "PY_VALUES",
    "REDUCTIONS",
    "STRINGS",
    "UNARY",
    "Ctx",
    "NamedInt",
    "NamedNone",
    "Program",
    "Resolved",
    "Skip",
    "Step",
    "StepKind",
    "adapt",
    "as_op",
    "collection_key",
    "const_value",
    "describe",
    "resolve",
    "run_program",
    "step_kind",
    "step_refs",
    "truthy",
    "v1_control_flow",
]
