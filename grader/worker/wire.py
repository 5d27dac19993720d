"""The byte format spoken between the grader and a worker process.

A message is a tree of plain data: None, bool, int, float, str, lists, dicts with
string keys, and NumPy arrays of numeric dtype. On the wire it is one frame:

    8-byte big-endian length of the body
    body = 4-byte big-endian length of a JSON header, the header, then the arrays
           one after the other, each as the bytes of a ``.npy`` file

In the JSON, an array is the object ``{"$nd": i}`` (its index among the blobs) and a
tuple is ``{"$tuple": [...]}``. Arrays are read back with ``allow_pickle=False``, so
nothing a worker sends can run code in the grader. A value the worker cannot turn
into plain data travels as ``{"$unsupported": "<type name>"}`` and is judged as a
wrong answer by the grader.
"""
from __future__ import annotations

import io
import json
import math
import os
import struct

import numpy as np

# Numeric kinds an array may have on the wire: bool, signed, unsigned, float, complex.
# Complex travels so that the grader can say "complex values" instead of "unsupported".
WIRE_KINDS = "biufc"


class WireError(ValueError):
    """A frame that does not follow the format (truncated, oversized, malformed)."""


def encode(tree) -> bytes:
    """Turn a tree of plain data into the body of one frame (without the length prefix)."""
    blobs: list[bytes] = []

    def plain(node):
        if node is None or isinstance(node, (bool, str)):
            return node
        if isinstance(node, (int, np.integer)) and not isinstance(node, np.bool_):
            return int(node)
        if isinstance(node, (float, np.floating)):
            value = float(node)
            return value if math.isfinite(value) else {"$float": repr(value)}
        if isinstance(node, np.bool_):
            return bool(node)
        if isinstance(node, np.ndarray):
            array = np.asarray(node)  # a subclass travels as a plain ndarray
            if array.dtype.kind not in WIRE_KINDS:
                return {"$unsupported": f"ndarray of dtype {array.dtype}"}
            buffer = io.BytesIO()
            np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
            blobs.append(buffer.getvalue())
            return {"$nd": len(blobs) - 1}
        if isinstance(node, np.generic):
            return {"$unsupported": f"NumPy scalar of dtype {node.dtype}"}
        if isinstance(node, tuple):
            return {"$tuple": [plain(item) for item in node]}
        if isinstance(node, list):
            return [plain(item) for item in node]
        if isinstance(node, dict):
            if not all(isinstance(key, str) for key in node):
                return {"$unsupported": "dict with non-string keys"}
            return {key: plain(value) for key, value in node.items()}
        return {"$unsupported": type(node).__name__}

    header = json.dumps({"tree": plain(tree), "blobs": [len(b) for b in blobs]}).encode()
    return struct.pack(">I", len(header)) + header + b"".join(blobs)


def decode(body: bytes):
    """Read a frame body back into a tree; arrays come back as plain ndarrays."""
    try:
        (header_len,) = struct.unpack(">I", body[:4])
        header = json.loads(body[4 : 4 + header_len].decode())
        tree, sizes = header["tree"], header["blobs"]
        if not isinstance(sizes, list) or not all(isinstance(s, int) and s >= 0 for s in sizes):
            raise WireError("bad blob table")
        arrays, offset = [], 4 + header_len
        for size in sizes:
            chunk = body[offset : offset + size]
            if len(chunk) != size:
                raise WireError("truncated array")
            array = np.load(io.BytesIO(chunk), allow_pickle=False)
            if type(array) is not np.ndarray or array.dtype.kind not in WIRE_KINDS:
                raise WireError("array of a kind that is not allowed")
            arrays.append(array)
            offset += size
    except WireError:
        raise
    except Exception as exc:  # anything malformed in the header or the .npy bytes
        raise WireError(f"malformed frame: {exc}") from None

    def rebuild(node):
        if isinstance(node, list):
            return [rebuild(item) for item in node]
        if isinstance(node, dict):
            if set(node) == {"$nd"}:
                index = node["$nd"]
                if not isinstance(index, int) or not 0 <= index < len(arrays):
                    raise WireError("array index out of range")
                return arrays[index]
            if set(node) == {"$tuple"}:
                return tuple(rebuild(item) for item in node["$tuple"])
            if set(node) == {"$float"}:
                return float(node["$float"])
            if set(node) == {"$unsupported"}:
                return Unsupported(str(node["$unsupported"]))
            return {key: rebuild(value) for key, value in node.items()}
        return node

    return rebuild(tree)


class Unsupported:
    """Stands for a value the worker could not send as plain data."""

    def __init__(self, what: str):
        self.what = what[:200]

    def __repr__(self):
        return f"<unsupported: {self.what}>"


def frame(tree) -> bytes:
    body = encode(tree)
    return struct.pack(">Q", len(body)) + body


def write_frame(fd: int, tree) -> None:
    """Write one frame to a file descriptor (blocking), used on the worker side."""
    view = memoryview(frame(tree))
    while view:
        view = view[os.write(fd, view):]


def read_frame(fd: int):
    """Read one frame from a file descriptor (blocking), used on the worker side."""
    (length,) = struct.unpack(">Q", _read_exact(fd, 8))
    return decode(_read_exact(fd, length))


def _read_exact(fd: int, size: int) -> bytes:
    parts, remaining = [], size
    while remaining:
        # no min(): code under test may have replaced the builtins (the channel must outlive that)
        chunk = os.read(fd, remaining if remaining < 1 << 20 else 1 << 20)
        if not chunk:
            raise EOFError("the other side closed the channel")
        parts.append(chunk)
        remaining -= len(chunk)
    return b"".join(parts)
