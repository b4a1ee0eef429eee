"""The standard-library .npy reader against files NumPy writes (when NumPy is present) and a hand-made one."""
import io
import struct
import unittest

from grokscope import npy


def handmade(shape, values):
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % "".join(f"{d}, " for d in shape)
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + struct.pack(
        f"<{len(values)}f", *values)


class NpyTest(unittest.TestCase):

    def test_reads_a_c_ordered_float32_matrix(self):
        array = npy.read(handmade((2, 3), [1, 2, 3, 4, 5, 6]))
        self.assertEqual(array.shape, (2, 3))
        self.assertEqual(array.dtype, "float32")
        self.assertEqual(array.tolist(), [[1, 2, 3], [4, 5, 6]])

    def test_refuses_what_is_not_npy(self):
        with self.assertRaises(ValueError):
            npy.read(b"PK\x03\x04 a zip, not an array")

    def test_agrees_with_numpy(self):
        try:
            import numpy
        except ImportError:
            self.skipTest("NumPy is not installed; the hand-made file above covers the reader")
        written = numpy.arange(24, dtype=numpy.float64).reshape(2, 3, 4) / 7
        buffer = io.BytesIO()
        numpy.save(buffer, written)
        array = npy.read(buffer.getvalue())
        self.assertEqual(array.shape, (2, 3, 4))
        self.assertEqual(array.tolist(), written.tolist())


if __name__ == "__main__":
    unittest.main()
