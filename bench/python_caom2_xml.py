"""Times the Python `caom2` package (PyPI) reading, checksumming and writing one CAOM document
in one process, for comparison with `cargo bench -p caom2 --bench xml`.

Usage: python3 python_caom2_xml.py FILE [SECONDS]
Prints one line per operation: name, milliseconds per call, MB/s.
"""
import io
import sys
import time

from caom2 import obs_reader_writer
from caom2.checksum import get_acc_meta_checksum


def timed(name, fn, size, seconds):
    fn()  # warm up
    n, start = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            break
    per_call = elapsed / n
    print(f"{name}\t{per_call * 1e3:.3f} ms\t{size / per_call / 1e6:.2f} MB/s\t({n} calls)")
    return per_call


def main():
    path = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0
    data = open(path, 'rb').read()
    reader = obs_reader_writer.ObservationReader(False)
    writer = obs_reader_writer.ObservationWriter()
    obs = reader.read(io.BytesIO(data))

    def read():
        return reader.read(io.BytesIO(data))

    def write():
        out = io.BytesIO()
        writer.write(obs, out)
        return out

    def checksum():
        return get_acc_meta_checksum(obs, no_logging=True)

    def read_write():
        out = io.BytesIO()
        writer.write(reader.read(io.BytesIO(data)), out)
        return out

    print(f"input: {path} ({len(data)} bytes)")
    timed('read', read, len(data), seconds)
    timed('write', write, len(data), seconds)
    timed('checksum', checksum, len(data), seconds)
    timed('read+write', read_write, len(data), seconds)


if __name__ == '__main__':
    main()
