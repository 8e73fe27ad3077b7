"""What TF's output owes to the protobuf runtime of TF's process (spec.md 0.3).

TensorFlow 2.21 accepts ``protobuf>=6.31.1,<8``, and a few things it writes depend on
which of those runtimes it ran on. The snapshot records that runtime
(``environment.protobuf_version``); refimpl reproduces the recorded runtime's behaviour,
whatever runtime refimpl itself runs on. Every such behaviour is a field of
``ProtobufRuntime``, derived from the version string by ``protobuf_runtime``; the rest
of refimpl asks this module instead of comparing versions.

Measured on protobuf 6.31.1, 6.32.1, 6.33.0, 6.33.6, 7.34.0, 7.34.1, 7.34.2, 7.35.0,
7.35.1, 7.36.0, 7.36.1 and 7.36.2 (all with the ``upb`` backend):

- ``int_fields_accept_bools``: protobuf 6 stores ``True``/``False`` in integer fields as
  1/0; protobuf 7 rejects them with ``TypeError("Field <full field name>: Expected an
  int, got a boolean.")`` (rule 8.4.3: a collection of bools);
- ``decode_error_reasons``: from 7.35.0 on, a ``DecodeError`` of a message that does not
  parse ends with ``: `` and upb's reason (``Wire format was corrupt``, ``String field
  had bad UTF-8``); earlier runtimes stop after the quoted type name (rule 10.2.7);
- ``text_float_format``: ``text_format.MessageToString`` takes ``float_format`` up to
  protobuf 6 (protobuf 7 removed it); TF 2.12 to 2.20 pass it (spec.md 0.3.2), so TF 2.20
  on protobuf 7 fails every text export with a ``TypeError``;
- ``text_utf8_strings``: ``text_format.MessageToString``'s ``as_utf8`` defaults to True
  from protobuf 5 on (measured: 5.29.6); protobuf 4.25 (TF 2.12 to 2.17) escapes a string
  field's non-ASCII UTF-8 bytes in text files (``"cl\\303\\251"``);
- ``scalar_extend_keeps_going`` and ``message_extend_keeps_going`` (rules 8.4.3-8.4.5):
  ``extend`` of a repeated field stops at the first item it refuses from protobuf 6 on
  for scalar fields, from protobuf 7 on for message fields; before (measured on 4.25.9 and
  5.29.6 for scalars; 4.25.9, 5.29.6, 6.31.1 and 6.33.6 for messages) upb goes on through
  every item with the error pending, so a later refused item's error replaces it, and a
  later good item of an integer field replaces it with ``ValueError("Value out of range:
  <item>")`` (upb reads the pending error as an overflow).

Everything else the export touches was identical on all of them (wire format, map
order, text format, the other error texts).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from refimpl.versions import version_key

__all__ = ["REFERENCE_VERSION", "ProtobufRuntime", "protobuf_runtime"]

#: The runtime the specification's examples and the main corpus were recorded with.
REFERENCE_VERSION = "7.36.2"


@dataclass(frozen=True)
class ProtobufRuntime:
    """The behaviours of one protobuf runtime that reach the export's output."""

    #: The version string as recorded (``"7.36.2"``).
    version: str
    #: Integer fields take bools as 1/0 (protobuf 6) instead of raising (protobuf 7).
    int_fields_accept_bools: bool
    #: A ``DecodeError`` names upb's reason after the type (protobuf 7.35.0 and later).
    decode_error_reasons: bool
    #: ``text_format.MessageToString`` takes ``float_format`` (protobuf 6 and earlier).
    text_float_format: bool
    #: Text prints string fields as UTF-8 characters (``as_utf8`` default, protobuf 5 on).
    text_utf8_strings: bool
    #: ``extend`` of a repeated scalar field goes on after a refused item (before 6).
    scalar_extend_keeps_going: bool
    #: ``extend`` of a repeated message field goes on after a refused item (before 7).
    message_extend_keeps_going: bool

    def bool_in_int_field_error(self, field_full_name: str) -> TypeError:
        """protobuf 7's error for a bool given to the integer field ``field_full_name``."""
        return TypeError(f"Field {field_full_name}: Expected an int, got a boolean.")

    def decode_error_message(self, type_full_name: str, reason: str) -> str:
        """The message of the ``DecodeError`` raised when a ``type_full_name`` does not
        parse, upb's ``reason`` being e.g. ``Wire format was corrupt``."""
        message = f"Error parsing message with type '{type_full_name}'"
        return f"{message}: {reason}" if self.decode_error_reasons else message


@cache
def protobuf_runtime(version: str) -> ProtobufRuntime:
    """The behaviours of the runtime ``version`` (``major.minor.patch``, suffixes ignored).

    A version that does not parse (an empty one, say) means the reference runtime
    ``REFERENCE_VERSION``. Versions outside TF 2.21's range behave like the nearest
    measured one: older than 7 like 6.31.1 (but for ``text_float_format`` and
    ``text_utf8_strings``, measured on 4.25.9 and 5.29.6), newer than 7.36 like 7.36.2.
    """
    key = version_key(version, REFERENCE_VERSION)
    assert key is not None
    return ProtobufRuntime(
        version=version,
        int_fields_accept_bools=key < (7, 0, 0),
        decode_error_reasons=key >= (7, 35, 0),
        text_float_format=key < (7, 0, 0),
        text_utf8_strings=key >= (5, 0, 0),
        scalar_extend_keeps_going=key < (6, 0, 0),
        message_extend_keeps_going=key < (7, 0, 0),
    )
