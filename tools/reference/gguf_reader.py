"""A minimal GGUF reader written from the GGUF specification
(ggml/docs/gguf.md), independent of sluice's C++ parser.

File layout (all little-endian):
  magic "GGUF", u32 version (2 or 3), u64 tensor_count, u64 kv_count,
  kv_count x (string key, u32 value_type, value),
  tensor_count x (string name, u32 n_dims, u64 ne[n_dims], u32 ggml_type, u64 offset),
  zero padding to general.alignment (default 32), then the data section;
  each tensor's offset is relative to the data section start.
A string is u64 length + bytes; an array is u32 element type, u64 count, elements.
"""

import struct

ALIGNMENT_DEFAULT = 32

# value type id -> struct format of a scalar
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?",
            10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9


class GgufError(Exception):
    pass


class Tensor:
    def __init__(self, name, ne, ggml_type, offset):
        self.name = name
        self.ne = ne            # ne[0] varies fastest (ggml convention)
        self.type = ggml_type   # ggml type id
        self.offset = offset    # relative to the data section
        self.data = None        # bytes view, set after the header is read


class GgufFile:
    def __init__(self, path):
        with open(path, "rb") as f:
            self.buf = memoryview(f.read())
        self.pos = 0
        if bytes(self._take(4)) != b"GGUF":
            raise GgufError(f"{path}: not a GGUF file")
        self.version = self._u32()
        if self.version not in (2, 3):
            raise GgufError(f"{path}: unsupported version {self.version}")
        n_tensors = self._u64()
        n_kv = self._u64()
        self.metadata = {}
        for _ in range(n_kv):
            key = self._string()
            vtype = self._u32()
            self.metadata[key] = self._value(vtype)
        self.tensors = {}
        for _ in range(n_tensors):
            name = self._string()
            n_dims = self._u32()
            ne = [self._u64() for _ in range(n_dims)]
            ttype = self._u32()
            offset = self._u64()
            self.tensors[name] = Tensor(name, ne, ttype, offset)
        align = self.metadata.get("general.alignment", ALIGNMENT_DEFAULT)
        data_start = (self.pos + align - 1) // align * align
        from dequant import tensor_nbytes  # local import: dequant has the block table
        for t in self.tensors.values():
            n = tensor_nbytes(t.type, t.ne)
            start = data_start + t.offset
            if start + n > len(self.buf):
                raise GgufError(f"tensor {t.name} runs past the end of the file")
            t.data = self.buf[start:start + n]

    def _take(self, n):
        if self.pos + n > len(self.buf):
            raise GgufError("truncated file")
        b = self.buf[self.pos:self.pos + n]
        self.pos += n
        return b

    def _unpack(self, fmt):
        return struct.unpack(fmt, self._take(struct.calcsize(fmt)))[0]

    def _u32(self):
        return self._unpack("<I")

    def _u64(self):
        return self._unpack("<Q")

    def _string(self):
        n = self._u64()
        return bytes(self._take(n)).decode("utf-8")

    def _value(self, vtype):
        if vtype in _SCALARS:
            return self._unpack(_SCALARS[vtype])
        if vtype == _STRING:
            return self._string()
        if vtype == _ARRAY:
            etype = self._u32()
            count = self._u64()
            return [self._value(etype) for _ in range(count)]
        raise GgufError(f"unknown metadata value type {vtype}")
