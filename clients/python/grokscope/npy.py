"""Reading NumPy .npy files with the standard library, for checkpoints when NumPy is absent."""
import ast
import struct
from dataclasses import dataclass
from typing import List, Tuple

_MAGIC = b"\x93NUMPY"
_FORMATS = {"<f4": ("<", "f", 4), "<f8": ("<", "d", 8), "<i4": ("<", "i", 4), "<i8": ("<", "q", 8)}


@dataclass(frozen=True)
class Array:
    """A C-ordered array: its shape, dtype (as NumPy names it) and values, flattened in row-major order."""

    shape: Tuple[int, ...]
    dtype: str
    values: List[float]

    def __len__(self) -> int:
        return self.shape[0] if self.shape else 1

    def tolist(self):
        """Nested lists, like numpy.ndarray.tolist()."""
        def nest(values, shape):
            if len(shape) <= 1:
                return list(values)
            step = len(values) // shape[0]
            return [nest(values[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]
        return nest(self.values, self.shape) if self.shape else self.values[0]


def read(data: bytes) -> Array:
    """Parses one .npy file (format 1.0 to 3.0, little-endian float or int, C order)."""
    if data[:6] != _MAGIC:
        raise ValueError("not a .npy file")
    major = data[6]
    if major == 1:
        (header_length,) = struct.unpack("<H", data[8:10])
        start = 10
    else:
        (header_length,) = struct.unpack("<I", data[8:12])
        start = 12
    header = ast.literal_eval(data[start:start + header_length].decode("latin1"))
    if header.get("fortran_order"):
        raise ValueError("Fortran-ordered arrays are not supported")
    descr = header["descr"]
    if descr not in _FORMATS:
        raise ValueError(f"unsupported dtype {descr}")
    endian, code, size = _FORMATS[descr]
    shape = tuple(header["shape"])
    count = 1
    for dimension in shape:
        count *= dimension
    body = data[start + header_length:start + header_length + count * size]
    values = list(struct.unpack(f"{endian}{count}{code}", body))
    return Array(shape=shape, dtype={"f": "float32" if size == 4 else "float64", "d": "float64",
                                     "i": "int32", "q": "int64"}[code], values=values)
