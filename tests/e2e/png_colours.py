"""png_colours.py PNG RRGGBB... - prints, for each colour, how many pixels
of the PNG have it (each channel within 3), one "RRGGBB N" a line.  Decodes
8-bit RGB/RGBA non-interlaced PNGs (what Chromium writes) with zlib only,
so the test needs no imaging library."""
import struct
import sys
import zlib


def pixels(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit(path + ": not a PNG")
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                sys.exit("unsupported PNG: depth %d type %d interlace %d"
                         % (depth, ctype, interlace))
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    i = 0
    for _ in range(h):
        f = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pr) & 255
        for x in range(0, stride, bpp):
            yield line[x], line[x + 1], line[x + 2]
        prev = line


want = [(c, tuple(int(c[k:k + 2], 16) for k in (0, 2, 4))) for c in sys.argv[2:]]
count = {c: 0 for c, _ in want}
for px in pixels(sys.argv[1]):
    for c, rgb in want:
        if all(abs(px[k] - rgb[k]) <= 3 for k in range(3)):
            count[c] += 1
for c, _ in want:
    print(c, count[c])
