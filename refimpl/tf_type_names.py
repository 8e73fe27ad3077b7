"""How TF's process names the classes of protobuf messages (spec.md 2.6).

TF's errors quote ``repr(type(value))``; for a message that is TF's generated class,
e.g. ``<class 'tensorflow.core.protobuf.saver_pb2.SaverDef'>``. refimpl's own classes
live in other modules (``refimpl.pb.tensorflow...``), so refimpl names them as TF's
process does: the module of the ``.proto`` file that defines the type in TF's pool
(``refimpl.text_pool``), then the type's name inside its file.
"""

from __future__ import annotations

from google.protobuf.message import Message

from refimpl.text_pool import tf_text_pool
from refimpl.tf_release import REFERENCE_RELEASE

__all__ = ["tf_type_repr"]


def tf_type_repr(value: object, release: str = REFERENCE_RELEASE) -> str:
    """``repr(type(value))`` as TF ``release``'s process prints it (messages under TF's
    module names; a type that process does not know keeps refimpl's name)."""
    if isinstance(value, Message):
        full_name = value.DESCRIPTOR.full_name
        try:
            descriptor = tf_text_pool(release).FindMessageTypeByName(full_name)
        except KeyError:
            return repr(type(value))
        module = descriptor.file.name.removesuffix(".proto").replace("/", ".") + "_pb2"
        package = descriptor.file.package
        inner = full_name[len(package) + 1 :] if package else full_name
        return f"<class '{module}.{inner}'>"
    return repr(type(value))
