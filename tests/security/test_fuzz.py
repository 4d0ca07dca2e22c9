"""Fuzzing the parsers of what users type or upload: the ID number, the region CSV, photos.

Each parser may refuse input only in the way it documents (``InvalidIdNumber`` / ``ValidationError``,
``RegionFileError``), never with another exception that would end in a server error, and a refused
file leaves nothing half-loaded.
"""

from __future__ import annotations

import datetime as dt
import string

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from shouhu.children import idnumber
from shouhu.children.validators import validate_id_number
from shouhu.regions.codes import InvalidCode
from shouhu.regions.loader import RegionFileError, load_regions
from shouhu.regions.models import Region
from shouhu.visits.forms import _check_photo
from shouhu.web.forms import PHOTO_SIGNATURES
from tests import factories as f

VALID = r"[0-9]{17}[0-9X]"
FUZZ = settings(max_examples=300, deadline=None, database=None, derandomize=True)
DB_FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- the ID number ----------------------------------------------------------------------------------

areas = st.from_regex(r"[1-8][0-9]{5}", fullmatch=True)
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31))
sequences = st.integers(min_value=0, max_value=999)


def build(area: str, birth: dt.date, seq: int) -> str:
    return idnumber.make(f"{area}{birth:%Y%m%d}{seq:03d}")


@FUZZ
@given(st.text(max_size=40))
@example("")
@example("３４１６２３２０１５０１０１１００Ｘ")
@example("11010119900307²²²X")  # digits Python's int() refuses although str.isdigit() accepts them
@example("١١٠١٠١١٩٩٠٠٣٠٧٠٠٠٢")  # Arabic-Indic digits
def test_any_text_is_a_valid_number_or_refused_as_invalid(text):
    try:
        number = idnumber.validate(text)
    except idnumber.InvalidIdNumber as exc:
        assert str(exc)  # a message to show
        with pytest.raises(ValidationError):
            validate_id_number(text)
        return
    # Accepted: exactly 18 ASCII characters, a real date and the right check character.
    assert len(number) == 18 and number.isascii()
    assert number[:17].isdigit() and number[17] in string.digits + "X"
    idnumber.birth_date_of(number)
    assert number[17] == idnumber.check_char(number[:17])
    validate_id_number(text)


@FUZZ
@given(areas, births, sequences)
def test_a_number_with_a_real_date_and_its_check_digit_passes(area, birth, seq):
    number = build(area, birth, seq)

    assert idnumber.validate(number) == number
    assert idnumber.birth_date_of(number) == birth
    assert idnumber.gender_of(number) == ("male" if seq % 2 else "female")
    validate_id_number(number)


@FUZZ
@given(areas, births, sequences, st.data())
def test_a_wrong_check_digit_fails(area, birth, seq, data):
    number = build(area, birth, seq)
    wrong = data.draw(st.sampled_from([c for c in idnumber.CHECK_CHARS if c != number[17]]))

    with pytest.raises(idnumber.InvalidIdNumber, match="校验位"):
        idnumber.validate(number[:17] + wrong)
    with pytest.raises(ValidationError):
        validate_id_number(number[:17] + wrong)


@FUZZ
@given(areas, births, sequences, st.integers(min_value=0, max_value=16), st.integers(1, 9))
def test_any_single_wrong_digit_fails(area, birth, seq, position, shift):
    number = build(area, birth, seq)
    digit = str((int(number[position]) + shift) % 10)

    with pytest.raises(idnumber.InvalidIdNumber):
        idnumber.validate(number[:position] + digit + number[position + 1 :])


@FUZZ
@given(areas, births, sequences, st.sampled_from(["", " ", "'", "\u3000"]), st.booleans())
def test_what_spreadsheets_add_is_forgiven(area, birth, seq, pad, full_width):
    number = build(area, birth, seq)
    typed = number.lower()
    if full_width:
        typed = typed.translate({ord("0") + i: 0xFF10 + i for i in range(10)} | {ord("x"): 0xFF58})

    assert idnumber.validate(pad + typed + pad.strip("'")) == number


@FUZZ
@given(st.from_regex(r"[0-9]{6}[0-9]{8}[0-9]{3}", fullmatch=True))
def test_an_impossible_date_is_refused(first17):
    try:
        dt.date(int(first17[6:10]), int(first17[10:12]), int(first17[12:14]))
    except ValueError:
        with pytest.raises(idnumber.InvalidIdNumber, match="出生日期"):
            idnumber.validate(idnumber.make(first17))
    else:
        assert idnumber.validate(idnumber.make(first17))


# --- the region CSV ---------------------------------------------------------------------------------

ROOT = f.TOWNSHIP  # 王市镇: its villages are in the database from the session set-up


def regions_now() -> list[tuple]:
    return list(Region.objects.order_by("code").values_list("code", "name", "parent_id", "edition"))


def load_and_check(tmp_path, content: bytes) -> None:
    """Load ``content``: either it loads whole (and every row is sound) or it is refused with a clear
    error and the table is as it was. Each attempt is rolled back so the next starts from the same
    table."""
    path = tmp_path / "regions.csv"
    path.write_bytes(content)
    before = regions_now()
    with transaction.atomic():
        try:
            load_regions(ROOT, path=path)
        except (RegionFileError, InvalidCode) as exc:
            assert str(exc)
            assert regions_now() == before
        else:
            for code, name, _parent, _edition in regions_now():
                assert code.isascii() and code.isdigit(), code
                assert 0 < len(name) <= Region._meta.get_field("name").max_length
        transaction.set_rollback(True)


@DB_FUZZ
@given(content=st.binary(max_size=400))
@example(content=b"code,name\n341623110,\xff\xfe\n")
@example(content=b"code,name\n341623110,\xe7\x8e\x8b\x00\n")
def test_random_bytes_are_refused_cleanly(db, tmp_path, content):
    load_and_check(tmp_path, content)


codes = st.one_of(
    st.sampled_from(["34", "3416", "341623", ROOT, f.VILLAGE_A, "341623110299", "3416231102", ""]),
    st.from_regex(r"341623110[0-9]{3}", fullmatch=True),
    st.text(alphabet="0123456789０１２٣ x-", max_size=13),
)
names = st.one_of(st.sampled_from(["王市镇", "前潘村民委员会", "新设社区"]), st.text(max_size=120))
rows = st.lists(st.tuples(codes, names), max_size=8)


@DB_FUZZ
@given(rows=rows, separator=st.sampled_from([",", ";", "\t"]), bom=st.booleans())
@example(rows=[(ROOT, "王" * 101)], separator=",", bom=False)
@example(rows=[(ROOT, "王市镇"), ("３４１６２３１１０２９９", "全角村")], separator=",", bom=False)
def test_random_lines_load_whole_or_not_at_all(db, tmp_path, rows, separator, bom):
    lines = ["code,name", "34,安徽省", "3416,亳州市", "341623,利辛县"]
    lines += [separator.join(cell.replace("\n", " ") for cell in row) for row in rows]
    content = ("\ufeff" if bom else "") + "\n".join(lines) + "\n"
    load_and_check(tmp_path, content.encode("utf-8", errors="surrogatepass"))


@pytest.mark.django_db
def test_a_sound_file_still_loads(tmp_path):
    content = "code,name\n34,安徽省\n3416,亳州市\n341623,利辛县\n341623110,王市镇\n341623110299,新设村\n"
    path = tmp_path / "regions.csv"
    path.write_text(content, encoding="utf-8")

    load_regions(ROOT, path=path)

    assert Region.objects.get(code="341623110299").name == "新设村"


# --- photos -----------------------------------------------------------------------------------------


@FUZZ
@given(
    st.one_of(
        st.binary(max_size=64),
        st.sampled_from(PHOTO_SIGNATURES).flatmap(
            lambda sig: st.binary(max_size=32).map(lambda tail: sig + tail)
        ),
    )
)
def test_an_upload_is_a_photo_or_refused_with_a_message(content):
    upload = SimpleUploadedFile("photo.jpg", content, content_type="image/jpeg")
    try:
        checked = _check_photo(upload)
    except ValidationError as exc:
        assert exc.messages
        return
    if content:
        assert checked is upload and content.startswith(PHOTO_SIGNATURES)
        assert upload.read() == content  # the check leaves the file at its start


# --- the register import (a spreadsheet or CSV) -----------------------------------------------------


def _zip_of(name: str, content: bytes) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


@FUZZ
@given(
    content=st.one_of(
        st.binary(max_size=300),
        st.text(max_size=200).map(lambda t: ("姓名,性别\n" + t).encode("utf-8")),
        st.binary(max_size=100).map(lambda b: _zip_of("[Content_Types].xml", b)),
    ),
    suffix=st.sampled_from([".csv", ".xlsx", ".xls", ""]),
)
@example(content="姓名,性别\n李梅,女\n".encode("gb18030"), suffix=".csv")
@example(content=b"\xff\xfe\x00\x00garbage", suffix=".csv")
def test_an_uploaded_register_is_read_or_refused_with_a_message(content, suffix):
    reader = pytest.importorskip("shouhu.imports.reader")
    upload = SimpleUploadedFile("register" + suffix, content)
    try:
        sheet = reader.open_sheet(upload)
        rows = list(sheet.rows)
    except reader.SheetError as exc:
        assert str(exc)
        return
    assert all(isinstance(values, tuple) for _number, values in rows)
