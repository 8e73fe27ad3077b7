"""Record TensorFlow's verdicts on hand-written AttrValue pairs (run in a TF process).

``python scripts/gen_attr_equality_cases.py [--out FILE]`` evaluates every pair
in ``CASES`` with ``pywrap_tf_session.EqualAttrValueWrapper`` (the C++
``AreAttrValuesEqual`` that ``strip_default_attrs`` uses), in both orders, and
writes ``tests/data/attr_equality_cases.json``: the pairs, TF's verdicts and
TF's version. The verdicts come from TF only, never from ``refimpl``.

A side is an AttrValue in text format, or ``wire:`` followed by the hex of a
serialized AttrValue (for what text format cannot say: unknown fields,
signalling NaN bits, unpacked repeated fields). This script imports only
TensorFlow, google.protobuf and the oracle module (never ``refimpl.pb``).

``--check`` exits 1 if the committed file differs from a fresh run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from conformance.tools.attr_equality_oracle import (  # noqa: E402
    DIFFERENT,
    EQUAL,
    load_wrapper,
    tf_version,
    verdict,
)

DEFAULT_OUT = REPO / "tests" / "data" / "attr_equality_cases.json"

BIG = 4611686018427387904  # 2**62


def _t(body: str) -> str:
    return "tensor { " + body + " }"


def _shape(*dims: int) -> str:
    return "tensor_shape { " + " ".join(f"dim {{ size: {d} }}" for d in dims) + " }"


def _fn(*attrs: tuple[str, str], name: str = "f") -> str:
    """A ``func`` value: NameAttrList text with the attrs in the given order."""
    body = " ".join(f"attr {{ key: {k!r} value {{ {v} }} }}" for k, v in attrs)
    return f"func {{ name: {name!r} {body} }}".replace("'", '"')


INT1_VAL = "tensor { dtype: DT_INT32 int_val: 1 }"
INT1_CONTENT = 'tensor { dtype: DT_INT32 tensor_content: "\\001\\000\\000\\000" }'


def _res(body: str, *extra: str) -> str:
    return _t("dtype: DT_RESOURCE " + " ".join(extra) + " resource_handle_val { " + body + " }")


# (id, a, b): ids are stable names; order within the file is the order here.
CASES: list[tuple[str, str, str]] = [
    # The oneof case must match.
    ("unset_vs_unset", "", ""),
    ("s_empty_vs_unset", 's: ""', ""),
    ("i_zero_vs_unset", "i: 0", ""),
    ("f_zero_vs_unset", "f: 0", ""),
    ("b_false_vs_unset", "b: false", ""),
    ("type_invalid_vs_unset", "type: DT_INVALID", ""),
    ("list_empty_vs_unset", "list {}", ""),
    ("shape_empty_vs_unset", "shape {}", ""),
    ("placeholder_empty_vs_unset", 'placeholder: ""', ""),
    ("func_empty_vs_unset", "func {}", ""),
    ("tensor_empty_vs_unset", "tensor {}", ""),
    ("s_empty_vs_placeholder_empty", 's: ""', 'placeholder: ""'),
    ("i_one_vs_f_one", "i: 1", "f: 1"),
    ("b_true_vs_i_one", "b: true", "i: 1"),
    ("s_vs_placeholder_same_text", 's: "T"', 'placeholder: "T"'),
    # s
    ("s_same", 's: "abc"', 's: "abc"'),
    ("s_differ", 's: "abc"', 's: "abd"'),
    ("s_binary_same", 's: "\\377\\000x"', 's: "\\377\\000x"'),
    ("s_empty_same", 's: ""', 's: ""'),
    # i
    ("i_same", "i: 7", "i: 7"),
    ("i_negative_same", "i: -1", "i: -1"),
    ("i_differ", "i: 1", "i: 2"),
    ("i_zero_same", "i: 0", "i: 0"),
    ("i_max", "i: 9223372036854775807", "i: 9223372036854775807"),
    # f: compared by bits
    ("f_same", "f: 1.5", "f: 1.5"),
    ("f_zero_vs_negative_zero", "f: 0.0", "f: -0.0"),
    ("f_nan_vs_nan", "f: nan", "f: nan"),
    ("f_nan_vs_negative_nan", "f: nan", "f: -nan"),
    ("f_inf_vs_inf", "f: inf", "f: inf"),
    ("f_signalling_nan_vs_quiet_nan", "wire:250100807f", "f: nan"),
    ("f_signalling_nan_same", "wire:250100807f", "wire:250100807f"),
    ("f_differ", "f: 0.1", "f: 0.2"),
    # b
    ("b_true_same", "b: true", "b: true"),
    ("b_false_same", "b: false", "b: false"),
    ("b_differ", "b: true", "b: false"),
    # type: by value only
    ("type_same", "type: DT_FLOAT", "type: DT_FLOAT"),
    ("type_differ", "type: DT_FLOAT", "type: DT_DOUBLE"),
    ("type_invalid_same", "type: DT_INVALID", "type: DT_INVALID"),
    ("type_ref_vs_plain", "type: DT_FLOAT_REF", "type: DT_FLOAT"),
    ("type_unknown_enum_same", "type: 999", "type: 999"),
    ("type_with_unknown_field", "wire:3001a00601", "type: DT_FLOAT"),
    ("i_with_unknown_field", "wire:1801a00601", "i: 1"),
    ("unknown_field_before_and_after", "wire:a006011801", "wire:1801a00601"),
    # shape: by serialized bytes
    (
        "shape_unknown_rank_vs_unknown_dim",
        "shape { unknown_rank: true }",
        "shape { dim { size: -1 } }",
    ),
    ("shape_scalar_vs_unknown_rank_false", "shape {}", "shape { unknown_rank: false }"),
    (
        "shape_same",
        "shape { dim { size: 2 } dim { size: 3 } }",
        "shape { dim { size: 2 } dim { size: 3 } }",
    ),
    ("shape_dim_name", 'shape { dim { size: 2 name: "x" } }', "shape { dim { size: 2 } }"),
    ("shape_differ", "shape { dim { size: 2 } }", "shape { dim { size: 3 } }"),
    ("shape_zero_dim_vs_scalar", "shape { dim { size: 0 } }", "shape {}"),
    ("shape_minus_two_vs_minus_one", "shape { dim { size: -2 } }", "shape { dim { size: -1 } }"),
    ("shape_unknown_rank_same", "shape { unknown_rank: true }", "shape { unknown_rank: true }"),
    (
        "shape_unknown_rank_with_dims",
        "shape { unknown_rank: true dim { size: 1 } }",
        "shape { unknown_rank: true }",
    ),
    # placeholder
    ("placeholder_same", 'placeholder: "T"', 'placeholder: "T"'),
    ("placeholder_differ", 'placeholder: "T"', 'placeholder: "U"'),
    # list: by serialized bytes, tensors and funcs included
    ("list_empty_same", "list {}", "list {}"),
    ("list_empty_i_vs_empty", "list { i: [] }", "list {}"),
    ("list_i_same", "list { i: [1, 2] }", "list { i: [1, 2] }"),
    ("list_i_order", "list { i: [1, 2] }", "list { i: [2, 1] }"),
    ("list_i_unpacked_vs_packed", "wire:0a0418011802", "list { i: [1, 2] }"),
    ("list_s_same", 'list { s: ["a", "b"] }', 'list { s: ["a", "b"] }'),
    ("list_f_negative_zero", "list { f: [0.0] }", "list { f: [-0.0] }"),
    ("list_f_nan", "list { f: [nan] }", "list { f: [nan] }"),
    ("list_b_vs_i", "list { b: [true] }", "list { i: [1] }"),
    (
        "list_type_same",
        "list { type: [DT_FLOAT, DT_INT32] }",
        "list { type: [DT_FLOAT, DT_INT32] }",
    ),
    (
        "list_shape_unknown_rank_vs_dim",
        "list { shape { unknown_rank: true } }",
        "list { shape { dim { size: -1 } } }",
    ),
    ("list_vs_scalar_i", "list { i: [1] }", "i: 1"),
    (
        "list_tensor_encodings",
        "list { tensor { dtype: DT_INT32 int_val: 1 } }",
        'list { tensor { dtype: DT_INT32 tensor_content: "\\001\\000\\000\\000" } }',
    ),
    (
        "list_tensor_same",
        "list { tensor { dtype: DT_INT32 int_val: 1 } }",
        "list { tensor { dtype: DT_INT32 int_val: 1 } }",
    ),
    ("list_tensor_invalid_same", "list { tensor {} }", "list { tensor {} }"),
    (
        "list_tensor_splat",
        "list { tensor { dtype: DT_FLOAT " + _shape(2) + " float_val: 1 } }",
        "list { tensor { dtype: DT_FLOAT " + _shape(2) + " float_val: [1, 1] } }",
    ),
    (
        "list_func_attr_order",
        "list { " + _fn(("a", "i: 1"), ("b", "i: 2")) + " }",
        "list { " + _fn(("b", "i: 2"), ("a", "i: 1")) + " }",
    ),
    (
        "list_func_tensor_encodings",
        "list { " + _fn(("a", INT1_VAL)) + " }",
        "list { " + _fn(("a", INT1_CONTENT)) + " }",
    ),
    # func: name + recursive attr map
    ("func_same_name", 'func { name: "f" }', 'func { name: "f" }'),
    ("func_differ_name", 'func { name: "f" }', 'func { name: "g" }'),
    ("func_empty_same", "func {}", "func {}"),
    ("func_empty_name_vs_empty", 'func { name: "" }', "func {}"),
    (
        "func_attr_order",
        'func { name: "f" attr { key: "a" value { i: 1 } } attr { key: "b" value { i: 2 } } }',
        'func { name: "f" attr { key: "b" value { i: 2 } } attr { key: "a" value { i: 1 } } }',
    ),
    ("func_attr_extra_key", 'func { name: "f" attr { key: "a" value {} } }', 'func { name: "f" }'),
    (
        "func_attr_unset_values",
        'func { name: "f" attr { key: "a" value {} } }',
        'func { name: "f" attr { key: "a" value {} } }',
    ),
    (
        "func_attr_zero_vs_unset",
        'func { name: "f" attr { key: "a" value { i: 0 } } }',
        'func { name: "f" attr { key: "a" value {} } }',
    ),
    (
        "func_attr_key_differ",
        'func { name: "f" attr { key: "a" value { i: 1 } } }',
        'func { name: "f" attr { key: "b" value { i: 1 } } }',
    ),
    (
        "func_attr_negative_zero",
        'func { name: "f" attr { key: "a" value { f: 0 } } }',
        'func { name: "f" attr { key: "a" value { f: -0.0 } } }',
    ),
    (
        "func_attr_tensor_encodings",
        _fn(("a", INT1_VAL)),
        _fn(("a", INT1_CONTENT)),
    ),
    (
        "func_attr_list_tensor_encodings",
        _fn(("a", "list { " + INT1_VAL + " }")),
        _fn(("a", "list { " + INT1_CONTENT + " }")),
    ),
    (
        "func_nested_attr_order",
        _fn(("g", _fn(("x", "type: DT_FLOAT"), ("y", 's: "s"'), name="g"))),
        _fn(("g", _fn(("y", 's: "s"'), ("x", "type: DT_FLOAT"), name="g"))),
    ),
    (
        "func_nested_type_same",
        'func { name: "f" attr { key: "t" value { type: DT_HALF } } }',
        'func { name: "f" attr { key: "t" value { type: DT_HALF } } }',
    ),
    ("func_name_attr_list_unknown_field", "wire:52060a0166a00601", 'func { name: "f" }'),
    ("func_vs_list_func", 'func { name: "f" }', 'list { func { name: "f" } }'),
    # tensor: oneof and invalid protos
    ("tensor_empty_same", "tensor {}", "tensor {}"),
    (
        "tensor_vs_list_tensor",
        _t("dtype: DT_INT32 int_val: 1"),
        "list { tensor { dtype: DT_INT32 int_val: 1 } }",
    ),
    (
        "tensor_invalid_dtype_same",
        _t("dtype: DT_INVALID " + _shape(0)),
        _t("dtype: DT_INVALID " + _shape(0)),
    ),
    (
        "tensor_ref_dtype_same",
        _t("dtype: DT_FLOAT_REF float_val: 1"),
        _t("dtype: DT_FLOAT_REF float_val: 1"),
    ),
    ("tensor_unknown_dtype_same", _t("dtype: 50 " + _shape(0)), _t("dtype: 50 " + _shape(0))),
    (
        "tensor_content_wrong_size_same",
        _t("dtype: DT_FLOAT " + _shape(2) + ' tensor_content: "abc"'),
        _t("dtype: DT_FLOAT " + _shape(2) + ' tensor_content: "abc"'),
    ),
    (
        "tensor_unknown_dim_same",
        _t("dtype: DT_FLOAT " + _shape(-1)),
        _t("dtype: DT_FLOAT " + _shape(-1)),
    ),
    (
        "tensor_negative_dim_same",
        _t("dtype: DT_FLOAT " + _shape(-2)),
        _t("dtype: DT_FLOAT " + _shape(-2)),
    ),
    (
        "tensor_shape_overflow_same",
        _t("dtype: DT_FLOAT " + _shape(BIG, 4)),
        _t("dtype: DT_FLOAT " + _shape(BIG, 4)),
    ),
    (
        "tensor_zero_dim_first_overflow_same",
        _t("dtype: DT_FLOAT " + _shape(0, BIG, 4)),
        _t("dtype: DT_FLOAT " + _shape(0, BIG, 4)),
    ),
    (
        "tensor_zero_dim_last_overflow_same",
        _t("dtype: DT_FLOAT " + _shape(BIG, 4, 0)),
        _t("dtype: DT_FLOAT " + _shape(BIG, 4, 0)),
    ),
    (
        "tensor_zero_dim_order",
        _t("dtype: DT_FLOAT " + _shape(BIG, 0) + " float_val: 1"),
        _t("dtype: DT_FLOAT " + _shape(0, BIG)),
    ),
    # tensor: same value, different encodings
    ("tensor_same", _t("dtype: DT_FLOAT float_val: 1"), _t("dtype: DT_FLOAT float_val: 1")),
    (
        "tensor_int_val_vs_content",
        _t("dtype: DT_INT32 " + _shape(2) + " int_val: [1, 2]"),
        _t(
            "dtype: DT_INT32 "
            + _shape(2)
            + ' tensor_content: "\\001\\000\\000\\000\\002\\000\\000\\000"'
        ),
    ),
    (
        "tensor_splat",
        _t("dtype: DT_FLOAT " + _shape(3) + " float_val: 1"),
        _t("dtype: DT_FLOAT " + _shape(3) + " float_val: [1, 1, 1]"),
    ),
    (
        "tensor_partial_splat",
        _t("dtype: DT_FLOAT " + _shape(3) + " float_val: [1, 2]"),
        _t("dtype: DT_FLOAT " + _shape(3) + " float_val: [1, 2, 2]"),
    ),
    (
        "tensor_splat_not_last_repeated",
        _t("dtype: DT_FLOAT " + _shape(3) + " float_val: [1, 2]"),
        _t("dtype: DT_FLOAT " + _shape(3) + " float_val: [1, 2, 1]"),
    ),
    (
        "tensor_extra_values_dropped",
        _t("dtype: DT_FLOAT " + _shape(3) + " float_val: [1, 2, 3, 4]"),
        _t("dtype: DT_FLOAT " + _shape(3) + " float_val: [1, 2, 3]"),
    ),
    (
        "tensor_no_values_is_zeros",
        _t("dtype: DT_FLOAT " + _shape(3)),
        _t("dtype: DT_FLOAT " + _shape(3) + " float_val: [0, 0, 0]"),
    ),
    (
        "tensor_two_values_vs_splat",
        _t("dtype: DT_FLOAT " + _shape(2) + " float_val: 1"),
        _t("dtype: DT_FLOAT " + _shape(2) + " float_val: [1, 2]"),
    ),
    (
        "tensor_scalar_vs_shape_1",
        _t("dtype: DT_FLOAT float_val: 1"),
        _t("dtype: DT_FLOAT " + _shape(1) + " float_val: 1"),
    ),
    (
        "tensor_shape_2_3_vs_3_2",
        _t("dtype: DT_INT32 " + _shape(2, 3)),
        _t("dtype: DT_INT32 " + _shape(3, 2)),
    ),
    (
        "tensor_dim_name_and_version",
        _t('dtype: DT_FLOAT tensor_shape { dim { size: 1 name: "a" } } float_val: 1'),
        _t("dtype: DT_FLOAT " + _shape(1) + " float_val: 1 version_number: 3"),
    ),
    (
        "tensor_unknown_rank_splat",
        _t("dtype: DT_FLOAT tensor_shape { unknown_rank: true } float_val: 1"),
        _t("dtype: DT_FLOAT tensor_shape { unknown_rank: true } float_val: [1, 2]"),
    ),
    (
        "tensor_unknown_rank_vs_scalar",
        _t("dtype: DT_FLOAT tensor_shape { unknown_rank: true } float_val: 1"),
        _t("dtype: DT_FLOAT float_val: 1"),
    ),
    (
        "tensor_unknown_rank_with_dims",
        _t("dtype: DT_FLOAT tensor_shape { unknown_rank: true dim { size: 2 } } float_val: 1"),
        _t("dtype: DT_FLOAT tensor_shape { unknown_rank: true dim { size: 2 } } float_val: [1, 1]"),
    ),
    (
        "tensor_empty_ignores_values",
        _t("dtype: DT_FLOAT " + _shape(0) + " float_val: 1"),
        _t("dtype: DT_FLOAT " + _shape(0)),
    ),
    (
        "tensor_empty_ignores_content",
        _t("dtype: DT_FLOAT " + _shape(0) + ' tensor_content: "x"'),
        _t("dtype: DT_FLOAT " + _shape(0)),
    ),
    (
        "tensor_empty_shapes_differ",
        _t("dtype: DT_FLOAT " + _shape(0)),
        _t("dtype: DT_FLOAT " + _shape(0, 2)),
    ),
    (
        "tensor_empty_dtypes_differ",
        _t("dtype: DT_FLOAT " + _shape(0)),
        _t("dtype: DT_INT32 " + _shape(0)),
    ),
    (
        "tensor_float_negative_zero",
        _t("dtype: DT_FLOAT float_val: 0"),
        _t("dtype: DT_FLOAT float_val: -0.0"),
    ),
    (
        "tensor_float_nan_same",
        _t("dtype: DT_FLOAT float_val: nan"),
        _t("dtype: DT_FLOAT float_val: nan"),
    ),
    (
        "tensor_float_nan_vs_negative_nan",
        _t("dtype: DT_FLOAT float_val: nan"),
        _t("dtype: DT_FLOAT float_val: -nan"),
    ),
    (
        "tensor_float_nan_vs_content",
        _t("dtype: DT_FLOAT float_val: nan"),
        _t('dtype: DT_FLOAT tensor_content: "\\000\\000\\300\\177"'),
    ),
    (
        "tensor_float_signalling_nan_vs_content",
        "wire:420808012a040100807f",
        _t('dtype: DT_FLOAT tensor_content: "\\001\\000\\200\\177"'),
    ),
    (
        "tensor_float_signalling_vs_quiet_nan",
        "wire:420808012a040100807f",
        _t("dtype: DT_FLOAT float_val: nan"),
    ),
    (
        "tensor_float_reads_float_val_only",
        _t("dtype: DT_FLOAT int_val: 5"),
        _t("dtype: DT_FLOAT float_val: 0"),
    ),
    ("tensor_int32_vs_int64", _t("dtype: DT_INT32 int_val: 1"), _t("dtype: DT_INT64 int64_val: 1")),
    (
        "tensor_float_vs_int32_same_bytes",
        _t('dtype: DT_FLOAT tensor_content: "\\001\\000\\000\\000"'),
        _t('dtype: DT_INT32 tensor_content: "\\001\\000\\000\\000"'),
    ),
    (
        "tensor_with_unknown_field",
        "wire:420b08012a040000803fa00601",
        _t("dtype: DT_FLOAT float_val: 1"),
    ),
    (
        "tensor_double",
        _t("dtype: DT_DOUBLE double_val: 1"),
        _t('dtype: DT_DOUBLE tensor_content: "\\000\\000\\000\\000\\000\\000\\360?"'),
    ),
    (
        "tensor_double_negative_zero",
        _t("dtype: DT_DOUBLE double_val: 0"),
        _t("dtype: DT_DOUBLE double_val: -0.0"),
    ),
    ("tensor_int8_truncates", _t("dtype: DT_INT8 int_val: 300"), _t("dtype: DT_INT8 int_val: 44")),
    ("tensor_uint8_wraps", _t("dtype: DT_UINT8 int_val: -1"), _t("dtype: DT_UINT8 int_val: 255")),
    (
        "tensor_int16_truncates",
        _t("dtype: DT_INT16 int_val: 65537"),
        _t("dtype: DT_INT16 int_val: 1"),
    ),
    (
        "tensor_uint16_truncates",
        _t("dtype: DT_UINT16 int_val: 65537"),
        _t('dtype: DT_UINT16 tensor_content: "\\001\\000"'),
    ),
    (
        "tensor_int64",
        _t("dtype: DT_INT64 int64_val: -2"),
        _t('dtype: DT_INT64 tensor_content: "\\376\\377\\377\\377\\377\\377\\377\\377"'),
    ),
    (
        "tensor_uint32",
        _t("dtype: DT_UINT32 uint32_val: 1"),
        _t('dtype: DT_UINT32 tensor_content: "\\001\\000\\000\\000"'),
    ),
    (
        "tensor_uint64",
        _t("dtype: DT_UINT64 uint64_val: 1"),
        _t('dtype: DT_UINT64 tensor_content: "\\001\\000\\000\\000\\000\\000\\000\\000"'),
    ),
    ("tensor_uint32_ignores_int_val", _t("dtype: DT_UINT32 int_val: 1"), _t("dtype: DT_UINT32")),
    (
        "tensor_half_truncates",
        _t("dtype: DT_HALF half_val: 15360"),
        _t("dtype: DT_HALF half_val: 80896"),
    ),
    (
        "tensor_half_vs_content",
        _t("dtype: DT_HALF " + _shape(2) + " half_val: 15360"),
        _t("dtype: DT_HALF " + _shape(2) + ' tensor_content: "\\000<\\000<"'),
    ),
    (
        "tensor_half_negative_zero",
        _t("dtype: DT_HALF half_val: 0"),
        _t("dtype: DT_HALF half_val: 32768"),
    ),
    (
        "tensor_bfloat16_vs_content",
        _t("dtype: DT_BFLOAT16 half_val: 16256"),
        _t('dtype: DT_BFLOAT16 tensor_content: "\\200?"'),
    ),
    (
        "tensor_half_vs_bfloat16",
        _t("dtype: DT_HALF half_val: 16256"),
        _t("dtype: DT_BFLOAT16 half_val: 16256"),
    ),
    (
        "tensor_bool_vs_content_1",
        _t("dtype: DT_BOOL bool_val: true"),
        _t('dtype: DT_BOOL tensor_content: "\\001"'),
    ),
    (
        "tensor_bool_vs_content_2",
        _t("dtype: DT_BOOL bool_val: true"),
        _t('dtype: DT_BOOL tensor_content: "\\002"'),
    ),
    (
        "tensor_bool_splat",
        _t("dtype: DT_BOOL " + _shape(2) + " bool_val: true"),
        _t("dtype: DT_BOOL " + _shape(2) + " bool_val: [true, true]"),
    ),
    (
        "tensor_string_vs_content",
        _t('dtype: DT_STRING string_val: "ab"'),
        _t('dtype: DT_STRING tensor_content: "\\002ab"'),
    ),
    (
        "tensor_string_splat",
        _t("dtype: DT_STRING " + _shape(2) + ' string_val: "ab"'),
        _t("dtype: DT_STRING " + _shape(2) + ' string_val: ["ab", "ab"]'),
    ),
    (
        "tensor_string_default_empty",
        _t("dtype: DT_STRING " + _shape(2)),
        _t("dtype: DT_STRING " + _shape(2) + ' string_val: ["", ""]'),
    ),
    (
        "tensor_string_content_two",
        _t("dtype: DT_STRING " + _shape(2) + ' tensor_content: "\\001\\001ab"'),
        _t("dtype: DT_STRING " + _shape(2) + ' string_val: ["a", "b"]'),
    ),
    (
        "tensor_string_content_long_varint",
        _t("dtype: DT_STRING " + _shape(2) + ' tensor_content: "\\201\\000\\001ab"'),
        _t("dtype: DT_STRING " + _shape(2) + ' string_val: ["a", "b"]'),
    ),
    (
        "tensor_string_content_trailing_bytes",
        _t("dtype: DT_STRING " + _shape(2) + ' tensor_content: "\\001\\001abc"'),
        _t("dtype: DT_STRING " + _shape(2) + ' string_val: ["a", "b"]'),
    ),
    (
        "tensor_string_differ",
        _t('dtype: DT_STRING string_val: "a"'),
        _t('dtype: DT_STRING string_val: "b"'),
    ),
    (
        "tensor_complex64_splat",
        _t("dtype: DT_COMPLEX64 " + _shape(2) + " scomplex_val: [1, 2]"),
        _t("dtype: DT_COMPLEX64 " + _shape(2) + " scomplex_val: [1, 2, 1, 2]"),
    ),
    (
        "tensor_complex64_odd_count",
        _t("dtype: DT_COMPLEX64 " + _shape(2) + " scomplex_val: [1, 2, 3]"),
        _t("dtype: DT_COMPLEX64 " + _shape(2) + " scomplex_val: [1, 2, 1, 2]"),
    ),
    (
        "tensor_complex64_half_pair_is_zero",
        _t("dtype: DT_COMPLEX64 scomplex_val: [1]"),
        _t("dtype: DT_COMPLEX64 scomplex_val: [0, 0]"),
    ),
    (
        "tensor_complex128_extra",
        _t("dtype: DT_COMPLEX128 dcomplex_val: [1, 2, 3]"),
        _t("dtype: DT_COMPLEX128 dcomplex_val: [1, 2]"),
    ),
    (
        "tensor_complex128_negative_zero",
        _t("dtype: DT_COMPLEX128 dcomplex_val: [0, 1]"),
        _t("dtype: DT_COMPLEX128 dcomplex_val: [-0.0, 1]"),
    ),
    (
        "tensor_qint8",
        _t("dtype: DT_QINT8 int_val: 1"),
        _t('dtype: DT_QINT8 tensor_content: "\\001"'),
    ),
    (
        "tensor_quint8",
        _t("dtype: DT_QUINT8 int_val: 257"),
        _t('dtype: DT_QUINT8 tensor_content: "\\001"'),
    ),
    (
        "tensor_qint16",
        _t("dtype: DT_QINT16 int_val: 1"),
        _t('dtype: DT_QINT16 tensor_content: "\\001\\000"'),
    ),
    (
        "tensor_quint16",
        _t("dtype: DT_QUINT16 int_val: 1"),
        _t('dtype: DT_QUINT16 tensor_content: "\\001\\000"'),
    ),
    (
        "tensor_qint32",
        _t("dtype: DT_QINT32 int_val: 1"),
        _t('dtype: DT_QINT32 tensor_content: "\\001\\000\\000\\000"'),
    ),
    (
        "tensor_int4_minus_one_vs_byte_ff",
        _t("dtype: DT_INT4 int_val: -1"),
        _t('dtype: DT_INT4 tensor_content: "\\377"'),
    ),
    (
        "tensor_int4_minus_one_vs_15",
        _t("dtype: DT_INT4 int_val: -1"),
        _t("dtype: DT_INT4 int_val: 15"),
    ),
    ("tensor_int4_low_byte", _t("dtype: DT_INT4 int_val: 279"), _t("dtype: DT_INT4 int_val: 23")),
    (
        "tensor_int4_not_nibble_masked",
        _t("dtype: DT_INT4 int_val: 7"),
        _t("dtype: DT_INT4 int_val: 23"),
    ),
    (
        "tensor_int4_unpacked",
        _t("dtype: DT_INT4 " + _shape(2) + " int_val: 1"),
        _t("dtype: DT_INT4 " + _shape(2) + ' tensor_content: "\\021"'),
    ),
    (
        "tensor_uint4_16",
        _t("dtype: DT_UINT4 int_val: 16"),
        _t('dtype: DT_UINT4 tensor_content: "\\020"'),
    ),
    ("tensor_int2", _t("dtype: DT_INT2 int_val: 5"), _t('dtype: DT_INT2 tensor_content: "\\005"')),
    (
        "tensor_uint2_splat",
        _t("dtype: DT_UINT2 " + _shape(2) + " int_val: 1"),
        _t("dtype: DT_UINT2 " + _shape(2) + " int_val: [1, 1]"),
    ),
    (
        "tensor_float8_e5m2_vs_content",
        _t('dtype: DT_FLOAT8_E5M2 float8_val: "\\001"'),
        _t('dtype: DT_FLOAT8_E5M2 tensor_content: "\\001"'),
    ),
    (
        "tensor_float8_e4m3fn_splat",
        _t("dtype: DT_FLOAT8_E4M3FN " + _shape(3) + ' float8_val: "\\001\\002"'),
        _t("dtype: DT_FLOAT8_E4M3FN " + _shape(3) + ' tensor_content: "\\001\\002\\002"'),
    ),
    (
        "tensor_float8_e4m3fnuz_zero_fill",
        _t("dtype: DT_FLOAT8_E4M3FNUZ " + _shape(2)),
        _t("dtype: DT_FLOAT8_E4M3FNUZ " + _shape(2) + ' tensor_content: "\\000\\000"'),
    ),
    (
        "tensor_float8_e4m3b11fnuz",
        _t('dtype: DT_FLOAT8_E4M3B11FNUZ float8_val: "\\200"'),
        _t('dtype: DT_FLOAT8_E4M3B11FNUZ float8_val: "\\000"'),
    ),
    (
        "tensor_float8_e5m2fnuz_extra",
        _t('dtype: DT_FLOAT8_E5M2FNUZ float8_val: "\\001\\002"'),
        _t('dtype: DT_FLOAT8_E5M2FNUZ float8_val: "\\001"'),
    ),
    (
        "tensor_float4_e2m1fn",
        _t('dtype: DT_FLOAT4_E2M1FN float8_val: "\\021"'),
        _t('dtype: DT_FLOAT4_E2M1FN tensor_content: "\\001"'),
    ),
    # variant
    ("tensor_variant_scalar_empty", _t("dtype: DT_VARIANT"), _t("dtype: DT_VARIANT")),
    (
        "tensor_variant_fill_empty",
        _t("dtype: DT_VARIANT " + _shape(2)),
        _t("dtype: DT_VARIANT " + _shape(2) + " variant_val {}"),
    ),
    (
        "tensor_variant_unregistered_type",
        _t('dtype: DT_VARIANT variant_val { type_name: "foo" }'),
        _t('dtype: DT_VARIANT variant_val { type_name: "foo" }'),
    ),
    (
        "tensor_variant_metadata_without_type",
        _t('dtype: DT_VARIANT variant_val { metadata: "x" }'),
        _t('dtype: DT_VARIANT variant_val { metadata: "x" }'),
    ),
    (
        "tensor_variant_int",
        _t('dtype: DT_VARIANT variant_val { type_name: "int" metadata: "\\001\\000\\000\\000" }'),
        _t('dtype: DT_VARIANT tensor_content: "\\013\\n\\003int\\022\\004\\001\\000\\000\\000"'),
    ),
    (
        "tensor_variant_bool_normalized",
        _t('dtype: DT_VARIANT variant_val { type_name: "bool" metadata: "\\002" }'),
        _t('dtype: DT_VARIANT variant_val { type_name: "bool" metadata: "\\003" }'),
    ),
    (
        "tensor_variant_fill_is_empty_not_last",
        _t(
            "dtype: DT_VARIANT "
            + _shape(2)
            + ' variant_val { type_name: "int" metadata: "\\001\\000\\000\\000" }'
        ),
        _t(
            "dtype: DT_VARIANT "
            + _shape(2)
            + ' variant_val { type_name: "int" metadata: "\\001\\000\\000\\000" }'
            ' variant_val { type_name: "int" metadata: "\\001\\000\\000\\000" }'
        ),
    ),
    (
        "tensor_variant_content_empty",
        _t('dtype: DT_VARIANT tensor_content: "\\000"'),
        _t("dtype: DT_VARIANT"),
    ),
    # resource
    (
        "tensor_resource_default",
        _t("dtype: DT_RESOURCE"),
        _t("dtype: DT_RESOURCE resource_handle_val {}"),
    ),
    (
        "tensor_resource_fill_is_default",
        _res('name: "a"', _shape(2)),
        _t(
            "dtype: DT_RESOURCE "
            + _shape(2)
            + ' resource_handle_val { name: "a" } resource_handle_val {}'
        ),
    ),
    (
        "tensor_resource_fill_not_last",
        _res('name: "a"', _shape(2)),
        _t(
            "dtype: DT_RESOURCE "
            + _shape(2)
            + ' resource_handle_val { name: "a" } resource_handle_val { name: "a" }'
        ),
    ),
    (
        "tensor_resource_vs_content",
        _res('name: "a"'),
        _t('dtype: DT_RESOURCE tensor_content: "\\003\\032\\001a"'),
    ),
    (
        "tensor_resource_shape_dim_name",
        _res('dtypes_and_shapes { dtype: DT_FLOAT shape { dim { size: 1 name: "x" } } }'),
        _res("dtypes_and_shapes { dtype: DT_FLOAT shape { dim { size: 1 } } }"),
    ),
    (
        "tensor_resource_shape_negative_dims",
        _res("dtypes_and_shapes { dtype: DT_FLOAT shape { dim { size: -5 } } }"),
        _res("dtypes_and_shapes { dtype: DT_FLOAT shape { dim { size: -1 } } }"),
    ),
    (
        "tensor_resource_shape_unknown_rank_with_dims",
        _res("dtypes_and_shapes { dtype: DT_FLOAT shape { unknown_rank: true dim { size: 5 } } }"),
        _res("dtypes_and_shapes { dtype: DT_FLOAT shape { unknown_rank: true } }"),
    ),
    (
        "tensor_resource_shape_missing_vs_scalar",
        _res("dtypes_and_shapes { dtype: DT_FLOAT }"),
        _res("dtypes_and_shapes { dtype: DT_FLOAT shape {} }"),
    ),
    (
        "tensor_resource_shape_overflow",
        _res(f"dtypes_and_shapes {{ shape {{ dim {{ size: {BIG} }} dim {{ size: 4 }} }} }}"),
        _res(f"dtypes_and_shapes {{ shape {{ dim {{ size: {BIG} }} dim {{ size: 4 }} }} }}"),
    ),
    (
        "tensor_resource_shape_overflow_past_zero",
        _res("dtypes_and_shapes { " + _shape(0, BIG, 4).replace("tensor_shape", "shape") + " }"),
        _res("dtypes_and_shapes { " + _shape(0, BIG, 4).replace("tensor_shape", "shape") + " }"),
    ),
    (
        "tensor_resource_explicit_defaults",
        _res('name: "a" hash_code: 0 device: "" maybe_type_name: "t"'),
        _res('name: "a" maybe_type_name: "t"'),
    ),
    ("tensor_resource_differ", _res('name: "a"'), _res('name: "b"')),
    # Shortcut for small protos of tensors over 4096 bytes: identical bytes are equal.
    (
        "tensor_big_invalid_content_same",
        _t("dtype: DT_FLOAT " + _shape(1025) + ' tensor_content: "abc"'),
        _t("dtype: DT_FLOAT " + _shape(1025) + ' tensor_content: "abc"'),
    ),
    (
        "tensor_4096_bytes_invalid_content_same",
        _t("dtype: DT_FLOAT " + _shape(1024) + ' tensor_content: "abc"'),
        _t("dtype: DT_FLOAT " + _shape(1024) + ' tensor_content: "abc"'),
    ),
    (
        "tensor_big_uint8_invalid_content_same",
        _t("dtype: DT_UINT8 " + _shape(4097) + ' tensor_content: "abc"'),
        _t("dtype: DT_UINT8 " + _shape(4097) + ' tensor_content: "abc"'),
    ),
    (
        "tensor_big_string_invalid_content_same",
        _t("dtype: DT_STRING " + _shape(5000) + ' tensor_content: "abc"'),
        _t("dtype: DT_STRING " + _shape(5000) + ' tensor_content: "abc"'),
    ),
    (
        "tensor_big_splat_encodings",
        _t("dtype: DT_FLOAT " + _shape(2000) + " float_val: 1"),
        _t("dtype: DT_FLOAT " + _shape(2000) + " float_val: [1, 1]"),
    ),
    (
        "tensor_huge_same",
        _t("dtype: DT_FLOAT " + _shape(1 << 40)),
        _t("dtype: DT_FLOAT " + _shape(1 << 40)),
    ),
    (
        "tensor_huge_encodings",
        _t("dtype: DT_FLOAT " + _shape(1 << 40)),
        _t("dtype: DT_FLOAT " + _shape(1 << 40) + " float_val: 0"),
    ),
    (
        "tensor_byte_size_overflow_same",
        _t("dtype: DT_FLOAT " + _shape(1 << 61)),
        _t("dtype: DT_FLOAT " + _shape(1 << 61)),
    ),
    (
        "tensor_big_proto_509_bytes",
        _t("dtype: DT_FLOAT " + _shape(1 << 24) + ' tensor_content: "' + "x" * 495 + '"'),
        _t("dtype: DT_FLOAT " + _shape(1 << 24) + ' tensor_content: "' + "x" * 495 + '"'),
    ),
    (
        "tensor_big_proto_514_bytes",
        _t("dtype: DT_FLOAT " + _shape(1 << 24) + ' tensor_content: "' + "x" * 500 + '"'),
        _t("dtype: DT_FLOAT " + _shape(1 << 24) + ' tensor_content: "' + "x" * 500 + '"'),
    ),
]


def _parse_side(text: str, message_class: Any) -> bytes:
    from google.protobuf import text_format

    if text.startswith("wire:"):
        data = bytes.fromhex(text[len("wire:") :])
        message_class.FromString(data)  # must parse
        return data
    serialized: bytes = text_format.Parse(text, message_class()).SerializeToString()
    return serialized


def generate() -> dict[str, Any]:
    """TF's verdicts on ``CASES``, as the JSON document."""
    wrapper = load_wrapper()
    from tensorflow.core.framework import attr_value_pb2

    seen: set[str] = set()
    cases: list[dict[str, Any]] = []
    for case_id, a_text, b_text in CASES:
        if case_id in seen:
            raise ValueError(f"duplicate case id {case_id}")
        seen.add(case_id)
        a = _parse_side(a_text, attr_value_pb2.AttrValue)
        b = _parse_side(b_text, attr_value_pb2.AttrValue)
        verdicts = [verdict(wrapper, a, b), verdict(wrapper, b, a)]
        if any(v not in (EQUAL, DIFFERENT) for v in verdicts):
            raise RuntimeError(f"TF rejected case {case_id}")
        cases.append(
            {
                "id": case_id,
                "a": a_text,
                "b": b_text,
                "equal": verdicts[0] == EQUAL,
                "equal_swapped": verdicts[1] == EQUAL,
            }
        )
    return {
        "tf_version": tf_version(),
        "source": "pywrap_tf_session.EqualAttrValueWrapper via scripts/gen_attr_equality_cases.py",
        "cases": cases,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument(
        "--check", action="store_true", help="compare with --out instead of writing"
    )
    args = parser.parse_args(argv)
    text = json.dumps(generate(), indent=1, ensure_ascii=False) + "\n"
    if args.check:
        if args.out.read_text(encoding="utf-8") != text:
            print(f"{args.out} is out of date; rerun {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {len(CASES)} cases to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
