"""Loading divisions from the shipped national data (NBS 2023, see data/NOTICE.md) or a newer CSV.

The load is an upsert of one subtree and its ancestors, in one transaction: re-running it changes
nothing, and a bad file leaves what was stored untouched.
"""

import csv
import io
import lzma
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from .codes import InvalidCode, is_community, is_township, is_village, level_of, parent_of
from .models import Region

SHIPPED = Path(__file__).parent / "data" / "divisions-2023.csv.xz"
SHIPPED_EDITION = "NBS-2023"
NAME_MAX = Region._meta.get_field("name").max_length
EDITION_MAX = Region._meta.get_field("edition").max_length


class RegionFileError(ValueError):
    pass


@dataclass
class LoadResult:
    created: int
    updated: int
    townships: int
    villages: int


def read_rows(path: Path | None = None) -> Iterator[tuple[int, str, str]]:
    """Yield (line number, code, name) from the shipped file or a ``code,name`` CSV."""
    if path is None:
        fh = io.TextIOWrapper(lzma.open(SHIPPED), encoding="utf-8")
    else:
        fh = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115
    with fh:
        reader = csv.reader(fh)
        try:
            header = next(reader, None)
            if not header or [h.strip().lower() for h in header[:2]] != ["code", "name"]:
                raise RegionFileError("line 1: the file must start with the header row 'code,name'")
            for row in reader:
                lineno = reader.line_num
                if not row:
                    continue
                if len(row) < 2 or not row[1].strip():
                    raise RegionFileError(f"line {lineno}: expected 'code,name', got {row!r}")
                if len(row[1].strip()) > NAME_MAX:
                    raise RegionFileError(f"line {lineno}: the name is longer than {NAME_MAX} characters")
                if any(unicodedata.category(c) == "Cc" for c in row[0] + row[1].strip()):
                    raise RegionFileError(f"line {lineno}: control characters in {row!r}")
                yield lineno, row[0].strip(), row[1].strip()
        except (UnicodeDecodeError, csv.Error) as exc:
            raise RegionFileError(f"line {reader.line_num + 1}: not a UTF-8 CSV file ({exc})") from exc


def select(rows: Iterable[tuple[int, str, str]], root: str) -> dict[str, str]:
    """The rows of ``root``'s subtree and of its ancestors, validated."""
    ancestors = set()
    code: str | None = root
    while code:
        ancestors.add(code)
        code = parent_of(code)
    wanted: dict[str, str] = {}
    for lineno, code, name in rows:
        if code.startswith(root) or code in ancestors:
            try:
                level_of(code)
            except InvalidCode as exc:
                raise RegionFileError(f"line {lineno}: {exc}") from exc
            wanted[code] = name
    return wanted


@transaction.atomic
def load_regions(root: str, *, path: Path | None = None, edition: str | None = None) -> LoadResult:
    level_of(root)
    wanted = select(read_rows(path), root)
    if root not in wanted:
        raise RegionFileError(f"region {root} is not in the file")
    for code in wanted:
        parent = parent_of(code)
        if parent and parent not in wanted and not Region.objects.filter(code=parent).exists():
            raise RegionFileError(f"region {code} has no parent {parent} in the file")
    edition = (edition or (SHIPPED_EDITION if path is None else path.name))[:EDITION_MAX]
    existing = {r.code: r for r in Region.objects.filter(code__in=list(wanted))}
    created, updated = [], []
    for code in sorted(wanted, key=len):
        fields = dict(
            name=wanted[code],
            level=level_of(code),
            parent_id=parent_of(code),
            is_community=is_village(code) and is_community(wanted[code]),
            edition=edition,
        )
        region = existing.get(code)
        if region is None:
            created.append(Region(code=code, **fields))
        elif any(getattr(region, k) != v for k, v in fields.items() if k != "edition"):
            for k, v in fields.items():
                setattr(region, k, v)
            updated.append(region)
    # Parents first, so that foreign keys hold on databases that check them immediately.
    for length in (2, 4, 6, 9, 12):
        Region.objects.bulk_create([r for r in created if len(r.code) == length], batch_size=2000)
    Region.objects.bulk_update(
        updated, ["name", "level", "parent", "is_community", "edition"], batch_size=2000
    )
    return LoadResult(
        created=len(created),
        updated=len(updated),
        townships=sum(is_township(c) for c in wanted),
        villages=sum(is_village(c) for c in wanted),
    )
