"""A forward-only tar reader for image tarballs, fast enough to keep up with the disk.

`tarfile` in stream mode reads through every byte in 10 KiB pieces; an image tarball is gigabytes
of file contents of which we only need the headers. `Source` reads in 1 MiB chunks and *skips*
contents: with `seek` when the file can (a tarball on disk: only the headers are read), else by
reading into one reused buffer (a pipe from `docker save`). Compressed layers (gzip, zstd when a
zstd module is installed) are decompressed on the fly as another `Source`.
"""

from __future__ import annotations

import io
import mmap
import os
import stat
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from mllint_docker.image.errors import ImageError

CHUNK = 1 << 20
RELEASE_EVERY = 32 << 20  # mapped pages behind the reader are given back every 32 MiB
BLOCK = 512
ZERO_BLOCK = bytes(BLOCK)

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"

# typeflags (as ints: bytes indexing gives ints)
REG, AREG, LNK, SYM, CHR, BLK, DIR, FIFO, CONT = 48, 0, 49, 50, 51, 52, 53, 54, 55  # '0', NUL, '1'..'7'
HEADER_ONLY = frozenset((LNK, SYM, CHR, BLK, DIR, FIFO))  # no data follows, whatever the size field says
GNU_LONGNAME, GNU_LONGLINK, PAX, PAX_GLOBAL = 76, 75, 120, 103  # 'L', 'K', 'x', 'g'


class Source:
    """Buffered forward reader: `read(n)`, `skip(n)`, `peek(n)`, `tell()`.

    `buf[pos:end]` is the data read but not consumed, `base` the offset of `buf[0]` in the stream
    (hot loops use these directly). Three ways to get data:
    - a regular file is memory-mapped: nothing is copied but the headers that are sliced out, and
      pages behind the reader are released so the resident size stays small;
    - another file object (a pipe) is read with readinto into one reused 1 MiB buffer;
    - `read_raw(n)` (a decompressor) returns the next bytes, about n of them (b"" at the end).
    """

    __slots__ = ("buf", "pos", "end", "base", "_read_raw", "_readinto", "_mm", "_released", "release_at")

    def __init__(self, read_raw: Callable[[int], bytes] | None = None):
        self.buf: bytes | bytearray | mmap.mmap = b""
        self.pos = 0
        self.end = 0
        self.base = 0
        self._read_raw = read_raw
        self._readinto = None
        self._mm: mmap.mmap | None = None
        self._released = 0
        self.release_at = 1 << 62  # hot loops call release() once `pos` passes this

    @classmethod
    def from_file(cls, f) -> "Source":
        src = cls()
        try:
            fd = f.fileno()
            st = os.fstat(fd)
        except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
            fd, st = None, None
        if st is not None and stat.S_ISREG(st.st_mode) and st.st_size > 0:
            try:
                offset = f.tell()
                mm = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
            except (OSError, ValueError):
                mm = None
            if mm is not None:
                src.buf, src._mm = mm, mm
                src.pos = offset
                src._released = offset - offset % mmap.PAGESIZE
                src.release_at = src._released + RELEASE_EVERY
                src.end = len(mm)
                return src
        if st is not None and stat.S_ISFIFO(st.st_mode):
            try:
                import fcntl

                fcntl.fcntl(fd, 1031, 1 << 20)  # F_SETPIPE_SZ: fewer, larger reads from the pipe
            except (ImportError, OSError):
                pass
        src.buf = bytearray(CHUNK)
        src._readinto = f.readinto if hasattr(f, "readinto") else None
        if src._readinto is None:
            src.buf = b""
            src._read_raw = f.read
        return src

    def close(self) -> None:
        if self._mm is not None:
            self.buf = b""
            self._mm.close()
            self._mm = None

    def tell(self) -> int:
        return self.base + self.pos

    def release(self) -> None:
        """Lets the kernel drop the mapped pages already read (they are page cache, not ours)."""
        mm = self._mm
        if mm is not None and self.pos - self._released >= RELEASE_EVERY:
            upto = self.pos - self.pos % mmap.PAGESIZE
            try:
                mm.madvise(mmap.MADV_DONTNEED, self._released, upto - self._released)
            except (OSError, ValueError, AttributeError):
                pass
            self._released = upto
            self.release_at = upto + RELEASE_EVERY

    def _fill(self, want: int) -> bool:
        """Makes at least `want` unread bytes available when the stream has them."""
        if self.end - self.pos >= want:
            return True
        if self._mm is not None:
            return False
        if self._readinto is not None:
            buf = self.buf
            left = self.end - self.pos
            if self.pos:
                buf[:left] = buf[self.pos:self.end]
                self.base += self.pos
                self.pos = 0
            self.end = left
            if len(buf) < want:
                buf.extend(bytes(want - len(buf)))
            mv = memoryview(buf)
            while self.end < want:
                got = self._readinto(mv[self.end:])
                if not got:
                    break
                self.end += got
            mv.release()
            return self.end >= want
        rest = self.buf[self.pos:self.end]
        self.base += self.pos
        parts = [rest]
        have = len(rest)
        while have < want:
            chunk = self._read_raw(max(CHUNK, want - have))
            if not chunk:
                break
            parts.append(chunk)
            have += len(chunk)
        self.buf = parts[0] if len(parts) == 1 else b"".join(parts)
        self.pos, self.end = 0, len(self.buf)
        return have >= want

    def read(self, n: int) -> bytes:
        """Exactly n bytes, fewer only at the end of the data."""
        pos = self.pos
        if pos + n <= self.end:
            self.pos = pos + n
            return self.buf[pos:pos + n]
        if n > CHUNK * 4 and self._readinto is not None:  # a large metadata file: don't grow the buffer
            out = bytes(self.buf[self.pos:self.end])
            self.base += self.end
            self.pos = self.end = 0
            parts = [out]
            have = len(out)
            while have < n:
                if not self._fill(min(CHUNK, n - have)):
                    if self.end == self.pos:
                        break
                take = min(n - have, self.end - self.pos)
                parts.append(bytes(self.buf[self.pos:self.pos + take]))
                self.pos += take
                have += take
            return b"".join(parts)
        self._fill(n)
        pos = self.pos
        n = min(n, self.end - pos)
        self.pos = pos + n
        return bytes(self.buf[pos:pos + n])

    def peek(self, n: int) -> bytes:
        """Up to n bytes without consuming them."""
        self._fill(n)
        return bytes(self.buf[self.pos:min(self.pos + n, self.end)])

    def skip(self, n: int) -> None:
        """Moves n bytes forward; raises ImageError when the data ends first."""
        avail = self.end - self.pos
        if n <= avail:
            self.pos += n
            return
        if self._mm is not None:
            raise ImageError("the image tarball ends in the middle of a file: it is truncated")
        n -= avail
        self.base += self.end
        self.pos = self.end = 0
        while n > 0:
            if self._readinto is not None:
                got = self._readinto(self.buf)
                chunk_len = got or 0
            else:
                chunk = self._read_raw(min(CHUNK, n))
                chunk_len = len(chunk)
                if chunk_len > n:
                    self.buf = chunk
            if not chunk_len:
                raise ImageError("the image tarball ends in the middle of a file: it is truncated")
            if chunk_len > n:  # keep what follows the skipped part
                self.pos, self.end = n, chunk_len
                return
            n -= chunk_len
            self.base += chunk_len

def bounded(src: Source, size: int) -> Callable[[int], bytes]:
    """A read_raw over the next `size` bytes of src (for a compressed member)."""
    remaining = size

    def read_raw(n: int) -> bytes:
        nonlocal remaining
        if remaining <= 0:
            return b""
        data = src.read(min(n, remaining))
        remaining -= len(data)
        return data

    return read_raw


def gzip_source(read_compressed: Callable[[int], bytes]) -> Source:
    """Decompresses a gzip stream (several members allowed, as `pigz` writes them)."""
    state = {"d": zlib.decompressobj(31), "pending": b"", "done": False, "started": False}

    def read_raw(n: int) -> bytes:
        while True:
            if state["done"]:
                return b""
            d = state["d"]
            data = d.unconsumed_tail or state["pending"] or read_compressed(CHUNK)
            state["pending"] = b""
            if not data:
                state["done"] = True
                if state["started"]:
                    raise ImageError("a gzip-compressed layer in the image is truncated")
                return b""
            state["started"] = True
            try:
                out = d.decompress(data, max(n, CHUNK))
            except zlib.error as e:
                raise ImageError(f"a gzip-compressed layer in the image is corrupt: {e}") from None
            if d.eof:
                rest = d.unused_data
                state["d"] = zlib.decompressobj(31)
                state["started"] = False
                if rest.strip(b"\0"):  # another member follows; zero padding after the last is allowed
                    state["pending"] = rest
            if out:
                return out

    return Source(read_raw)


def zstd_source(read_compressed: Callable[[int], bytes]) -> Source:
    """Decompresses a zstd stream with whichever zstd module is installed."""
    try:
        from compression import zstd as _zstd  # Python 3.14+

        dec = _zstd.ZstdDecompressor()

        def feed(data: bytes) -> bytes:
            return dec.decompress(data)
    except ImportError:
        try:
            import zstandard  # type: ignore[import-not-found]
        except ImportError:
            raise ImageError("the image has zstd-compressed layers: install the `zstandard` package "
                             "(pip install zstandard) to read them") from None
        obj = zstandard.ZstdDecompressor().decompressobj()

        def feed(data: bytes) -> bytes:
            return obj.decompress(data)

    def read_raw(n: int) -> bytes:
        while True:
            data = read_compressed(CHUNK)
            if not data:
                return b""
            out = feed(data)
            if out:
                return out

    return Source(read_raw)


def decompressing(src: Source, size: int | None = None) -> Source:
    """src itself, or a decompressing Source when the next bytes (of `size`, or to the end) are
    gzip or zstd."""
    head = src.peek(4)
    read = bounded(src, size) if size is not None else src.read
    if head[:2] == GZIP_MAGIC:
        return gzip_source(read)
    if head[:4] == ZSTD_MAGIC:
        return zstd_source(read)
    return src


# ---------------------------------------------------------------------------------------------
# headers

def parse_number(field: bytes) -> int:
    if field and field[0] & 0x80:  # base-256 (GNU, for sizes >= 8 GiB)
        value = int.from_bytes(field[1:], "big")
        if field[0] & 0x40:  # negative: two's complement
            value -= 1 << (8 * len(field) - 1)
        else:
            value |= (field[0] & 0x3F) << (8 * (len(field) - 1))
        return value
    text = field.split(b"\0", 1)[0].strip()
    if not text:
        return 0
    try:
        return int(text, 8)
    except ValueError:
        raise ImageError("the image tarball has a corrupt tar header (bad number field)") from None


def cstr(field: bytes) -> bytes:
    i = field.find(b"\0")
    return field if i < 0 else field[:i]


def is_tar_header(block: bytes) -> bool:
    """A valid tar header (checksum right), or the all-zero end block of an empty archive."""
    if len(block) < BLOCK:
        return False
    if block[:BLOCK] == ZERO_BLOCK:
        return True
    try:
        stored = int(cstr(block[148:156]).strip() or b"x", 8)
    except ValueError:
        return False
    total = sum(block[:148]) + 8 * 32 + sum(block[156:BLOCK])
    return stored == total


def parse_pax(data: bytes) -> dict[str, bytes]:
    """PAX extended-header records: `%d key=value\\n`."""
    out: dict[str, bytes] = {}
    pos = 0
    while pos < len(data):
        sp = data.find(b" ", pos)
        if sp < 0:
            break
        try:
            length = int(data[pos:sp])
        except ValueError:
            break
        if length <= 0:
            break
        record = data[sp + 1:pos + length - 1]  # without the trailing newline
        key, _, value = record.partition(b"=")
        out[key.decode("utf-8", "replace")] = value
        pos += length
    return out


def decode(name: bytes) -> str:
    try:
        return name.decode("utf-8")
    except UnicodeDecodeError:
        return name.decode("utf-8", "surrogateescape")


@dataclass(slots=True)
class Member:
    name: str  # as in the archive (not cleaned)
    size: int
    type: int
    linkname: str
    data_start: int


def iter_headers(src: Source, limit: int | None = None,
                 what: str = "the image tarball") -> Iterator[tuple[int, bytes, int, bytes | None]]:
    """The one tar header reader: `(typeflag, name, size, link)` per member, long names (GNU and
    PAX) resolved, the stream positioned at the member's data. Whatever of the data the caller does
    not read is skipped when the iteration resumes. `link` is None unless a long link or PAX
    `linkpath` gave one (the header's own field is `hdr_link(...)`'s job, done by callers that
    need it, because slicing it for every member costs time on images of 100k files).

    Hot loop: works on `src.buf[pos:end]` directly and syncs `src.pos` only around a yield or a
    refill; per member it slices one 512-byte header and nothing else.
    """
    long_name: bytes | None = None
    long_link: bytes | None = None
    pax: dict[str, bytes] | None = None
    buf, pos, end = src.buf, src.pos, src.end
    release_at = src.release_at
    while True:
        if limit is not None and src.base + pos + BLOCK > limit:
            break
        if pos + BLOCK <= end:
            hdr = buf[pos:pos + BLOCK]
            pos += BLOCK
        else:
            src.pos = pos
            hdr = src.read(BLOCK)
            buf, pos, end = src.buf, src.pos, src.end
            if len(hdr) < BLOCK:
                if hdr:
                    raise ImageError(f"{what} ends in the middle of a tar header: it is truncated")
                break
        if hdr == ZERO_BLOCK:
            break
        typ = hdr[156]
        field = hdr[124:136]
        if field[0] < 0x80:
            try:
                size = int(field.rstrip(b"\0") or b"0", 8)
            except ValueError:
                size = parse_number(field)
        else:
            size = parse_number(field)
        if size < 0:
            raise ImageError(f"{what} has a corrupt tar header (negative size)")
        padded = (size + 511) & ~511
        if typ == PAX or typ == GNU_LONGNAME or typ == GNU_LONGLINK or typ == PAX_GLOBAL:
            src.pos = pos
            data = src.read(size)
            src.skip(padded - size)
            buf, pos, end = src.buf, src.pos, src.end
            if typ == GNU_LONGNAME:
                long_name = cstr(data)
            elif typ == GNU_LONGLINK:
                long_link = cstr(data)
            elif typ == PAX:
                pax = parse_pax(data)
            continue
        name = hdr[0:100]
        k = name.find(0)
        if k >= 0:
            name = name[:k]
        if hdr[257:263] == b"ustar\x00" and hdr[345]:
            name = cstr(hdr[345:500]) + b"/" + name
        link = long_link
        long_link = None
        if long_name is not None:
            name, long_name = long_name, None
        if pax is not None:
            name = pax.get("path", name)
            if "linkpath" in pax:
                link = pax["linkpath"]
            if "size" in pax:
                try:
                    size = int(pax["size"])
                except ValueError:
                    raise ImageError(f"{what} has a corrupt PAX header (size)") from None
                if size < 0:
                    raise ImageError(f"{what} has a corrupt PAX header (negative size)")
                padded = (size + 511) & ~511
            pax = None
        if typ in HEADER_ONLY:
            padded = 0
        start = src.base + pos
        src.pos = pos
        yield typ, name, size, link if link is not None else (cstr(hdr[157:257]) if typ == SYM or typ == LNK else None)
        if src.buf is not buf or src.base + src.pos != start:  # the caller read some of the data
            consumed = src.base + src.pos - start
            if consumed > padded:
                raise ImageError(f"a member of {what} is not a valid tar archive")
            src.skip(padded - consumed)
            buf, pos, end = src.buf, src.pos, src.end
        elif padded:
            if pos + padded <= end:
                pos += padded
            else:
                src.skip(padded)
                buf, pos, end = src.buf, src.pos, src.end
        if pos >= release_at:
            src.pos = pos
            src.release()
            release_at = src.release_at
    src.pos = pos


def iter_members(src: Source, limit: int | None = None) -> Iterator[Member]:
    """The members of a tar stream, each positioned at its data (see `iter_headers`)."""
    for typ, name, size, link in iter_headers(src, limit):
        yield Member(decode(name), size, typ, decode(link or b""), src.tell())
