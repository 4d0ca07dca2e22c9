"""Loading real divisions: Lixin County from the shipped NBS 2023 data, or a newer edition from CSV."""

import pytest
from django.core.management import CommandError, call_command

from shouhu.regions import codes
from shouhu.regions.models import Region
from tests import factories as f


def test_lixin_has_25_township_level_units_and_363_village_codes(db):
    county = Region.objects.get(code=f.COUNTY)
    assert (
        county.name == "利辛县" and county.parent.name == "亳州市" and county.parent.parent.name == "安徽省"
    )
    assert county.subtree().filter(level=codes.Level.TOWNSHIP).count() == 25
    villages = county.subtree().filter(level=codes.Level.VILLAGE)
    assert villages.count() == 363
    assert villages.filter(name__endswith="居民委员会").count() == 134
    # The two statistics-only industrial parks each carry one virtual community.
    assert villages.filter(is_community=True).count() == 134 + 2
    assert villages.filter(name__endswith="虚拟社区").count() == 2
    assert Region.objects.get(code="341623100001").name == "新河社区居民委员会"


def test_reloading_changes_nothing(db, capsys):
    call_command("load_regions", f.COUNTY)
    assert "0 created, 0 updated" in capsys.readouterr().out


def test_a_newer_edition_renames_and_adds_from_csv(db, tmp_path):
    csv = tmp_path / "newer.csv"
    csv.write_text(
        "code,name\n34,安徽省\n3416,亳州市\n341623,利辛县\n341623110,王市镇\n"
        "341623110202,前潘社区居民委员会\n341623110299,新设村村民委员会\n",
        encoding="utf-8",
    )
    call_command("load_regions", "341623110", "--from", str(csv))
    assert Region.objects.get(code="341623110202").name == "前潘社区居民委员会"
    assert Region.objects.get(code="341623110202").is_community
    assert Region.objects.get(code="341623110299").parent_id == "341623110"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id,title\n", "line 1"),
        ("code,name\n341623110,王市镇\n3416231102,坏代码\n", "line 3"),
        ("code,name\n341623110,王市镇\n341623110203\n", "line 3"),
    ],
)
def test_a_bad_file_is_refused_with_its_line_and_nothing_changes(db, tmp_path, content, message):
    csv = tmp_path / "bad.csv"
    csv.write_text(content, encoding="utf-8")
    before = list(Region.objects.filter(code__startswith="341623110").values_list("code", "name"))
    with pytest.raises(CommandError, match=message):
        call_command("load_regions", "341623110", "--from", str(csv))
    assert list(Region.objects.filter(code__startswith="341623110").values_list("code", "name")) == before


def test_an_unknown_code_is_refused(db):
    with pytest.raises(CommandError, match="not in the file"):
        call_command("load_regions", "341699")


def test_codes_know_their_parents():
    assert codes.parent_of("341623110202") == "341623110"
    assert codes.parent_of("34") is None
    assert codes.level_of("341623") == codes.Level.COUNTY
    with pytest.raises(codes.InvalidCode):
        codes.level_of("3416231")
