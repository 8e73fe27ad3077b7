"""Command line: export a graph snapshot as TensorFlow 2.21 would.

python -m refimpl SNAPSHOT FILENAME [--as-text] [--export-scope S] [--clear-devices]
    [--clear-extraneous-savers] [--strip-default-attrs] [--save-debug-info]
    [--collection KEY ...]
"""

from __future__ import annotations

import argparse
import sys

from refimpl.export import export_meta_graph
from refimpl.snapshot import SnapshotError, load_snapshot


def main(argv: list[str] | None = None) -> int:
    """Runs the command line; returns the exit status."""
    p = argparse.ArgumentParser(prog="python -m refimpl", description=__doc__.splitlines()[0])
    p.add_argument("snapshot", help="a serialized metagraph_ref.GraphSnapshot")
    p.add_argument("filename", help="the .meta file to write (the .debug file goes beside it)")
    p.add_argument("--as-text", action="store_true")
    p.add_argument("--export-scope", default=None)
    p.add_argument("--clear-devices", action="store_true")
    p.add_argument("--clear-extraneous-savers", action="store_true")
    p.add_argument("--strip-default-attrs", action="store_true")
    p.add_argument("--save-debug-info", action="store_true")
    p.add_argument(
        "--collection",
        action="append",
        default=None,
        dest="collection_list",
        help="export only these collection keys (repeatable)",
    )
    args = p.parse_args(argv)
    try:
        with open(args.snapshot, "rb") as f:
            graph = load_snapshot(f.read())
    except (OSError, SnapshotError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    mgd = export_meta_graph(
        graph,
        args.filename,
        as_text=args.as_text,
        export_scope=args.export_scope,
        clear_devices=args.clear_devices,
        clear_extraneous_savers=args.clear_extraneous_savers,
        strip_default_attrs=args.strip_default_attrs,
        save_debug_info=args.save_debug_info,
        collection_list=args.collection_list,
    )
    print(
        f"wrote {args.filename}: {len(mgd.graph_def.node)} nodes, "
        f"{len(mgd.graph_def.library.function)} functions, "
        f"{len(mgd.collection_def)} collections, "
        f"{len(mgd.meta_info_def.stripped_op_list.op)} ops in stripped_op_list"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
