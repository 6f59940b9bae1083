"""The lab's tables at the data root (``participants.tsv``): read strictly, changed in
place, under a lock.

The battery owns two cells of ``participants.tsv`` per participant (``participant_id``
and ``group``); everything else in the file is the lab's.  So an update never rewrites
the file from parsed rows: the bytes of every line and cell the battery does not
change are kept exactly (quotes, ``-3``, extra columns, line endings), a new
participant is one appended line, and an unchanged file is not written at all.  Each
update holds an exclusive lock (``fcntl.flock`` on ``.participants.lock`` beside the
file) across read, change and atomic replace, so two stations writing into one data
root never lose each other's rows.  A file that is not UTF-8, a row with the wrong
number of fields or an id that appears twice is refused with the file and line named
(exit 2): the battery does not guess which row is meant.
"""

from __future__ import annotations

from pathlib import Path

from icb.bids import check_group
from icb.errors import BadInput
from icb.files import atomic_write_text, locked

PARTICIPANTS = "participants.tsv"
COLUMNS = ("participant_id", "group")


def decode_table(path: Path, data: bytes) -> str:
    """The file's text; :class:`BadInput` naming the encoding when it is not UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BadInput(f"{path}: the file is UTF-16 text; allowed: UTF-8 (save it as "
                       "'UTF-8' or 'Unicode (UTF-8)' text); nothing was changed")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path}: byte 0x{data[exc.start]:02x} at offset {exc.start} is not "
                       "UTF-8 (perhaps Latin-1 or Windows-1252 text); allowed: UTF-8 (save it "
                       "as UTF-8 text); nothing was changed") from exc


class Table:
    """A tab-separated table as its lines (each with its own line ending)."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.lines = text.splitlines(keepends=True)
        if not self.lines:
            raise BadInput(f"{path}: the file is empty; allowed: a header line "
                           f"({chr(9).join(COLUMNS)}) and one line per participant")
        self.header = self._fields(0)
        self.ending = self.lines[0][len(self.lines[0].rstrip("\r\n")):] or "\n"

    def _fields(self, i: int) -> list[str]:
        return self.lines[i].rstrip("\r\n").split("\t")

    def rows(self):
        """(line index, fields) of every non-blank line after the header; a row with
        another number of fields than the header is refused, naming its line."""
        for i in range(1, len(self.lines)):
            if not self.lines[i].strip():
                continue
            fields = self._fields(i)
            if len(fields) != len(self.header):
                raise BadInput(f"{self.path}, line {i + 1}: {len(fields)} field(s), the header "
                               f"has {len(self.header)}; allowed: one tab-separated field per "
                               "column on every line; nothing was changed")
            yield i, fields

    def index_of(self, column: str) -> int | None:
        return self.header.index(column) if column in self.header else None

    def find(self, key_column: str, key: str) -> tuple[int, list[str]] | None:
        """The one row whose ``key_column`` is ``key``; any id on two lines is refused
        (the file is ambiguous for every reader, not only for ``key``)."""
        col = self.index_of(key_column)
        found, seen = None, {}
        for i, fields in self.rows():
            if col is None:
                continue
            if fields[col] in seen:
                raise BadInput(f"{self.path}: {key_column} {fields[col]} appears on lines "
                               f"{seen[fields[col]] + 1} and {i + 1}; allowed: each participant "
                               "once (delete or merge one line); nothing was changed")
            seen[fields[col]] = i
            if fields[col] == key:
                found = (i, fields)
        return found

    def text(self) -> str:
        return "".join(self.lines)


def read_table(path: Path) -> Table | None:
    """The table at ``path`` (None when the file does not exist)."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return None
    return Table(Path(path), decode_table(Path(path), data))


def recorded_group(data_root: Path, participant: str) -> str:
    """The participant's group in ``participants.tsv`` (``n/a`` when none is recorded)."""
    table = read_table(Path(data_root) / PARTICIPANTS)
    if table is None:
        return "n/a"
    row = table.find("participant_id", f"sub-{participant}")
    col = table.index_of("group")
    if row is None or col is None:
        return "n/a"
    return row[1][col] or "n/a"


def _safe(cell: str) -> str:
    return cell.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def update_participants(data_root: Path, participant: str, group: str | None = None) -> None:
    """Add ``sub-<participant>`` to ``participants.tsv`` or set its group (an existing
    group is kept when ``group`` is None or ``n/a``); every other byte is kept."""
    root = Path(data_root)
    path = root / PARTICIPANTS
    pid = f"sub-{participant}"
    new_group = check_group(group)
    with locked(root, "participants"):
        table = read_table(path)
        if table is None:
            atomic_write_text(path, "\t".join(COLUMNS) + "\n" + f"{pid}\t{_safe(new_group)}\n")
            return
        if table.index_of("participant_id") is None:
            raise BadInput(f"{path}, line 1: no participant_id column (the header is "
                           f"{table.header!r}); allowed: a header with participant_id and "
                           "group; nothing was changed")
        found = table.find("participant_id", pid)  # also checks every row's field count
        if table.index_of("group") is None:  # the one column the battery adds
            table.lines[0] = table.lines[0].rstrip("\r\n") + "\tgroup" + table.ending
            for i in range(1, len(table.lines)):
                if table.lines[i].strip():
                    body = table.lines[i].rstrip("\r\n")
                    table.lines[i] = body + "\tn/a" + table.lines[i][len(body):]
            table.header.append("group")
            found = table.find("participant_id", pid)
        col = table.index_of("group")
        if found is None:
            if table.lines and not table.lines[-1].endswith(("\n", "\r")):
                table.lines[-1] += table.ending
            fields = ["n/a"] * len(table.header)
            fields[table.index_of("participant_id")] = pid
            fields[col] = _safe(new_group)
            table.lines.append("\t".join(fields) + table.ending)
        else:
            i, fields = found
            if new_group == "n/a" or fields[col] == new_group:
                return  # nothing to change: the file is not touched
            fields[col] = new_group
            line = table.lines[i]
            table.lines[i] = "\t".join(fields) + line[len(line.rstrip("\r\n")):]
        atomic_write_text(path, table.text())
