"""A user's CSV file, read for :mod:`sim.org.load`: the columns it uses, and line numbers.

Every problem raises :class:`~sim.org.OrgError` with one line that names the
file and, where one is to blame, the row: its line number as a person counts it
in an editor (the header being line 1, a line end being ``\\n``, ``\\r\\n`` or
``\\r``), where the row starts.

The file is read once, as bytes; it is never held as text (its UTF-8 is
checked piece by piece). Only regular files are opened: a named pipe or a
device would block or never end.

Read once per command: :func:`read_file` keeps the last files' bytes, and
every file's SHA-256, by the file's identity (device, inode, size, and the
times of its last change in nanoseconds), so that the memory estimate, the
check, the run and the scenario's digest (:func:`file_digest`) of one
command open each input file once. A file written since has another
identity and is read anew.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import re
import stat

import numpy as np

from sim.org.core import OrgError

__all__ = ["Column", "CsvFile", "file_digest", "path_name", "read_file"]

_CHUNK = 1 << 24  # bytes of UTF-8 checked at a time
# A quoted field (a double quote at the start of a field, then anything but a
# lone double quote, then the closing one if there is one), a line end outside
# quotes, or a comma outside quotes: the csv module's rules, in bytes (UTF-8
# never uses these bytes inside a character).
_TOKEN = re.compile(rb'(?<![^,\r\n])"(?:[^"]|"")*("?)|(\r\n|\r|\n)|(,)')
_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def path_name(path, param):
    """The file name of ``path`` for messages; TypeError if it is not a path."""
    if not isinstance(path, str | os.PathLike):
        raise TypeError(
            f"The {param!r} parameter of from_csv must be a path (str or os.PathLike). "
            f"Got {path!r} instead."
        )
    return os.fsdecode(os.fspath(path))


def too_large(name):
    """The OrgError for a file that does not fit in memory."""
    try:
        size = f" ({os.stat(name).st_size:,} bytes)"
    except OSError:
        size = ""
    return OrgError(
        f"{name}: too large to read{size}: loading needs a few times the file's size in "
        f"memory; free some memory or drop columns the model does not use"
    )


#: Bytes of the files read last ({identity: bytes}), and every file's digest.
_BYTES: dict = {}
_DIGESTS: dict = {}
_KEEP_BYTES = 2  # a chart and its ties
_KEEP_DIGESTS = 256


def _identity(stat_result):
    st = stat_result
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _remember(table, key, value, keep):
    table.pop(key, None)
    table[key] = value
    while len(table) > keep:
        del table[next(iter(table))]


def read_file(name) -> tuple[bytes, str]:
    """The bytes of the regular file ``name`` and their SHA-256 (hex), read once per
    process while the file stays as it is; :class:`OrgError` (one line) if it cannot be."""
    try:
        known = _identity(os.stat(name))
    except OSError:
        known = None
    if known in _BYTES:
        return _BYTES[known], _DIGESTS[known]
    data, identity = _read_bytes(name)
    digest = hashlib.sha256(data).hexdigest()
    _remember(_BYTES, identity, data, _KEEP_BYTES)
    _remember(_DIGESTS, identity, digest, _KEEP_DIGESTS)
    return data, digest


def file_digest(path) -> str:
    """SHA-256 (hex) of a regular file's contents; from :func:`read_file`'s memory when
    this process read the file as it is now. ValueError for anything but a regular file."""
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):  # a named pipe would wait for a writer
        raise ValueError(f"{path}: not a regular file")
    identity = _identity(st)
    if identity in _DIGESTS:
        return _DIGESTS[identity]
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
        identity = _identity(os.fstat(f.fileno()))
    _remember(_DIGESTS, identity, digest.hexdigest(), _KEEP_DIGESTS)
    return digest.hexdigest()


def _read_bytes(name):
    """(bytes, identity) of the regular file ``name``."""
    try:
        mode = os.stat(name).st_mode
    except FileNotFoundError:
        raise OrgError(f"{name}: no such file") from None
    except OSError as error:
        raise OrgError(f"{name}: cannot be read ({error.strerror or error})") from None
    if stat.S_ISDIR(mode):
        raise OrgError(f"{name}: is a directory, not a CSV file")
    if not stat.S_ISREG(mode):
        kind = next((text for test, text in _KINDS if test(mode)), "a special file")
        raise OrgError(
            f"{name}: is {kind}, not a regular file; save the CSV to a file and give its path"
        )
    try:
        with open(name, "rb") as file:
            data = file.read()
            return data, _identity(os.fstat(file.fileno()))
    except FileNotFoundError:
        raise OrgError(f"{name}: no such file") from None
    except MemoryError:
        raise too_large(name) from None
    except OSError as error:
        raise OrgError(f"{name}: cannot be read ({error.strerror or error})") from None


class Column:
    """A column as codes into its distinct values, stripped of surrounding spaces.

    Each distinct text is hashed, stripped, looked up and parsed once: a ties
    file repeats every id many times, a unit or trait column has few values.
    """

    def __init__(self, raw):
        import pandas as pd

        self.codes, distinct = pd.factorize(raw)
        self.values = np.array([v.strip() for v in distinct.tolist()], dtype=object)

    def __getitem__(self, i):
        return self.values[self.codes[i]]

    def rows(self, per_value):
        """An array over the distinct values, spread to the rows."""
        return per_value[self.codes]


class CsvFile:
    """A user's CSV file: the columns we use as stripped text, and line numbers for messages.

    Records (CSV rows, record 0 being the header) are counted with the csv
    module's rules, so a quoted field may span lines; ``rows`` holds the record
    number of each data row kept.
    """

    def __init__(self, path, param):
        self.name = path_name(path, param)
        data, self.digest = read_file(self.name)
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]
        self.data = data
        self._starts = None
        self._check_text()
        # Without quotes and lone CRs, every line is one record: count fields with numpy.
        self.simple = b'"' not in data and data.count(b"\r") == data.count(b"\r\n")
        self.rows = None
        self._lines = None

    def _line_of(self, offset):
        """Line number (1-based) of the byte at ``offset``."""
        if self._starts is None:
            buf = np.frombuffer(self.data, dtype=np.uint8)
            cr = np.flatnonzero(buf == ord("\r"))
            lone = cr[buf[np.minimum(cr + 1, buf.shape[0] - 1)] != ord("\n")]  # not in CRLF
            ends = np.union1d(np.flatnonzero(buf == ord("\n")), lone)
            self._starts = np.concatenate([[0], ends + 1])
        return int(np.searchsorted(self._starts, offset, side="right"))

    def _check_text(self):
        data = self.data
        decoder = codecs.getincrementaldecoder("utf-8")()
        for start in range(0, len(data), _CHUNK):
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(data[start : start + _CHUNK], final=start + _CHUNK >= len(data))
            except UnicodeDecodeError as error:
                at = start - pending + error.start
                raise OrgError(
                    f"{self.name}, row {self._line_of(at)}: the file is not UTF-8 text (byte "
                    f"0x{data[at]:02x}); save it as UTF-8 (in Excel: 'CSV UTF-8')"
                ) from None
        nul = data.find(b"\x00")
        if nul >= 0:
            raise OrgError(
                f"{self.name}, row {self._line_of(nul)}: the file contains a NUL byte, so it is "
                f"not a text CSV file; save it as 'CSV UTF-8'"
            )

    def _reader(self):
        text = io.TextIOWrapper(io.BytesIO(self.data), encoding="utf-8", newline="")
        return csv.reader(text)

    def line(self, record):
        """Line number (1-based) on which ``record`` starts."""
        if self.simple:
            return int(record) + 1
        return int(self._lines[record])

    def where(self, i):
        return f"row {self.line(self.rows[i])}"

    def who(self, ids, i):
        return f"{ids[i]!r} ({self.where(i)})"

    def error(self, message, i=None, *, record=None):
        """An OrgError about data row ``i`` (or ``record``), or the whole file."""
        if i is not None:
            record = self.rows[i]
        where = "" if record is None else f", row {self.line(record)}"
        return OrgError(f"{self.name}{where}: {message}")

    def check(self, bad, message):
        """Raise for the first data row where ``bad`` holds; ``message(i)`` words it."""
        hits = np.flatnonzero(bad)
        if hits.shape[0]:
            i = int(hits[0])
            raise self.error(message(i), i)

    def _unclosed_quote(self, line):
        """Raise if a quote opened in the record starting on ``line`` is never closed."""
        self._line_of(0)
        offset = int(self._starts[line - 1])
        field = 1
        for token in _TOKEN.finditer(self.data, offset):
            if token.group(2) is not None:  # the record ends
                return
            if token.group(3) is not None:
                field += 1
            elif not token.group(1):
                at = self._line_of(token.start())
                raise OrgError(
                    f"{self.name}, row {at}: the double quote that opens field {field} is never "
                    f"closed, so the rest of the file would be one value; close it (a quote "
                    f'inside a quoted value is written "")'
                )

    def _field_counts(self):
        """Number of fields of each record, 0 for an empty line; header included."""
        if self.simple:
            buf = np.frombuffer(self.data, dtype=np.uint8)
            ends = np.flatnonzero(buf == ord("\n"))
            if buf[-1] != ord("\n"):
                ends = np.append(ends, buf.shape[0])
            starts = np.concatenate([[0], ends[:-1] + 1])
            commas = np.searchsorted(ends, np.flatnonzero(buf == ord(",")))
            counts = np.bincount(commas, minlength=ends.shape[0]) + 1
            counts[ends - starts - (buf[ends - 1] == ord("\r")) <= 0] = 0
            return counts
        reader = self._reader()
        counts, lines, start = [], [], 1
        try:
            for fields in reader:
                counts.append(len(fields))
                lines.append(start)
                start = reader.line_num + 1
        except csv.Error as error:  # a field over csv.field_size_limit(), for instance
            self._unclosed_quote(start)
            if "field limit" in str(error):
                raise OrgError(
                    f"{self.name}, row {start}: a value is longer than "
                    f"{csv.field_size_limit():,} characters, more than any id, unit or number "
                    f"needs; look for a stray double quote"
                ) from None
            raise OrgError(f"{self.name}, row {start}: cannot be read as CSV ({error})") from None
        if lines:  # only the last record can run to the end of the file
            self._unclosed_quote(lines[-1])
        self._lines = np.array(lines, dtype=np.int64)
        return np.array(counts, dtype=np.int64)

    def _blank(self, records):
        """Whether each of the sorted ``records`` has only empty fields."""
        wanted, blank = set(records.tolist()), {}
        for k, fields in enumerate(self._reader()):
            if k in wanted:
                blank[k] = not any(field.strip() for field in fields)
            if k >= records[-1]:
                break
        return np.array([blank[k] for k in records.tolist()], dtype=bool)

    def read(self, required, optional, needs, nothing, columns=None):
        """The used columns of the non-blank rows, as :class:`Column` objects.

        ``columns`` maps a column we use to the header that holds it in this file
        (``{"employee_id": "Employee ID"}``); the others go by their own names.
        None: the file's columns cannot be mapped (a missing one's message says
        nothing of a mapping).
        """
        import pandas as pd

        if not self.data or self.data.isspace():  # (no stripped copy of a large file)
            raise self.error(f"the file is empty; {needs}, with a header line naming them")
        counts = self._field_counts()
        header = next(self._reader())
        if not header:
            raise self.error(
                "the first line is empty; the header line, naming the columns, comes first",
                record=0,
            )
        names = [h.strip().lower() for h in header]
        mappable, columns = columns is not None, columns or {}
        mapped = {c: h.strip().lower() for c, h in columns.items()}
        absent = [c for c in mapped if mapped[c] not in names]
        if absent:
            found = ", ".join(repr(h.strip()) for h in header)
            raise self.error(
                f"no column {columns[absent[0]]!r}, which the column mapping names for "
                f"{absent[0]!r} (the header has {found})"
            )
        taken = set(mapped.values())
        # A column a mapped header stands in for is ignored under its own name.
        at = {c: mapped.get(c, c) for c in (*required, *optional)}
        at = {c: h for c, h in at.items() if c in mapped or h not in taken}
        missing = [c for c in required if at.get(c) not in names]
        if missing:
            listed = ", ".join(repr(c) for c in missing)
            found = ", ".join(repr(h.strip()) for h in header)
            message = f"missing column(s) {listed}; {needs} (the header has {found})"
            sep = [c for c in ";\t|" if len(header) == 1 and c in header[0]]
            if sep:
                message += (
                    f"; the values seem to be separated by {sep[0]!r}: save as comma-separated"
                )
            elif mappable and len(header) > 1:
                message += (
                    f"; if yours has another name, map it: org.columns={{{missing[0]}: 'Your "
                    f"header'}} (from_csv's columns=)"
                )
            raise self.error(message)
        used = [c for c in (*required, *optional) if at.get(c) in names]
        for c in used:
            if names.count(at[c]) > 1:
                shown = columns.get(c, c)
                raise self.error(
                    f"column {shown!r} appears {names.count(at[c])} times in the header"
                )
        width = len(header)
        wrong = np.flatnonzero((counts != width) & (counts > 0))
        if wrong.shape[0]:
            wrong = wrong[~self._blank(wrong)]
        if wrong.shape[0]:
            k = int(wrong[0])
            hint = (
                "a value that contains a comma must be in double quotes"
                if counts[k] > width
                else "every row needs a field for each column, even an empty one"
            )
            fields = f"{counts[k]} field{'s' if counts[k] > 1 else ''}"
            raise self.error(f"{fields}, but the header has {width}; {hint}", record=k)
        where = [names.index(at[c]) for c in used]
        try:
            frame = pd.read_csv(
                io.BytesIO(self.data),
                header=None,
                usecols=where,
                dtype=object,
                na_filter=False,
                skip_blank_lines=False,
                on_bad_lines="skip",
                encoding="utf-8",
            )
        except (pd.errors.ParserError, ValueError) as error:
            raise self.error(
                f"cannot be read as CSV ({error}); look for an unclosed double quote"
            ) from None
        records = np.arange(counts.shape[0])
        if len(frame) != records.shape[0]:  # pandas skipped the blank rows with extra commas
            records = records[counts <= width]
        if len(frame) != records.shape[0]:
            raise self.error(
                f"cannot be read as CSV: {len(frame)} records where {records.shape[0]} were "
                f"expected; look for stray double quotes"
            )
        keep = (counts[records] > 0) & (records > 0)
        rows = records[keep]
        cols = {c: Column(frame[j].to_numpy()[keep]) for c, j in zip(used, where, strict=True)}
        empty = np.logical_and.reduce([col.rows(col.values == "") for col in cols.values()])
        if empty.any():  # all used fields empty: skip the row if the others are empty too
            maybe = np.flatnonzero(empty)
            blank = np.zeros(rows.shape[0], dtype=bool)
            blank[maybe[self._blank(rows[maybe])]] = True
            rows = rows[~blank]
            for col in cols.values():
                col.codes = col.codes[~blank]
        if rows.shape[0] == 0:
            raise self.error(f"{nothing}: the file has a header line but no rows")
        self.rows = rows
        return cols
