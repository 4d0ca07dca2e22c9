"""How sensitive each field of a child's file is, as data.

Three tiers (PIPL treats all information about a child under 14 as sensitive; within that, some fields
do more harm when they leak than others):

- ``public_count``: shown in a child's file only to those who hold every tier, otherwise used only in
  counts (dashboards, statistics): household registration, ethnicity, the family's income and assistance.
- ``personal``: who the child is and how to reach them: name, gender, birth date, village, address,
  school, grade, the names and phone numbers of the family and the rescue contacts.
- ``sensitive``: ID numbers, health, disability, illness, the guardianship situation (a parent in
  prison, on drugs, out of contact), categories (they say as much), the photo, visit notes, and the
  details of alerts, cases and reports ("sensitive case details").

Which tiers a user holds for a child is decided in one place, ``accounts.access.tiers_for``, by how the
user reaches the child; this module only says which field belongs to which tier and which personal
fields a grant's purpose needs (``NEEDS``): a mentor's pairing needs the child and the school, a
referral needs the child and whom to call. The API drops the fields a user does not see (they are
absent from the answer, not null), and the file page shows only the sections the user sees.
"""

from __future__ import annotations

from dataclasses import dataclass

PUBLIC_COUNT = "public_count"
PERSONAL = "personal"
SENSITIVE = "sensitive"
ALL_TIERS = frozenset({PUBLIC_COUNT, PERSONAL, SENSITIVE})

# The parts of a file: the child, each parent, the entrusted carer, each rescue contact, and the
# records kept about the child (categories, visits, alerts, cases, reports, history).
FIELDS: dict[str, dict[str, str]] = {
    "child": {
        "id": PERSONAL,
        "version": PERSONAL,  # the record's version (ETag): says nothing about the child
        "name": PERSONAL,
        "gender": PERSONAL,
        "birth_date": PERSONAL,
        "age": PERSONAL,
        "id_number": SENSITIVE,
        "ethnicity": PUBLIC_COUNT,
        "household_registered": PUBLIC_COUNT,
        "hukou_type": PUBLIC_COUNT,
        "village": PERSONAL,
        "village_name": PERSONAL,
        "address": PERSONAL,
        "is_homeless": PERSONAL,
        "found_region": PERSONAL,
        "found_place": PERSONAL,
        "placement": PERSONAL,
        "school": PERSONAL,
        "grade": PERSONAL,
        "schooling": PERSONAL,
        "boarding": PERSONAL,
        "health": SENSITIVE,
        "disability_type": SENSITIVE,
        "disability_grade": SENSITIVE,
        "illness": SENSITIVE,
        "living_arrangement": SENSITIVE,
        "guardianship_quality": SENSITIVE,
        "guardianship_concern": SENSITIVE,
        "income_sources": PUBLIC_COUNT,
        "assistance": PUBLIC_COUNT,
        "photo": SENSITIVE,
        "photo_consent": SENSITIVE,
        "exited_on": PERSONAL,
        "exit_reason": PERSONAL,
        "categories": SENSITIVE,
        "parents": PERSONAL,
        "carer": PERSONAL,
        "contacts": PERSONAL,
    },
    "parent": {
        "role": PERSONAL,
        "name": PERSONAL,
        "birth_date": PERSONAL,
        "id_number": SENSITIVE,
        "phone": PERSONAL,
        "situation": SENSITIVE,
        "situation_since": SENSITIVE,
        "situation_until": SENSITIVE,
        "police_report_date": SENSITIVE,
        "disability_type": SENSITIVE,
        "disability_grade": SENSITIVE,
        "work_place": PERSONAL,
        "contact_frequency": PERSONAL,
        "return_frequency": PERSONAL,
    },
    "carer": {
        "name": PERSONAL,
        "relation": PERSONAL,
        "birth_date": PERSONAL,
        "phone": PERSONAL,
        "id_number": SENSITIVE,
        "health": SENSITIVE,
        "capacity": SENSITIVE,
        "address": PERSONAL,
    },
    "contact": {"name": PERSONAL, "relation": PERSONAL, "phone": PERSONAL, "role": PERSONAL},
    # Records about the child, each one block.
    "records": {
        "categories": SENSITIVE,
        "category_events": SENSITIVE,
        "visits": SENSITIVE,
        "alerts": SENSITIVE,
        "cases": SENSITIVE,
        "reports": SENSITIVE,
        "history": SENSITIVE,
        "photo": SENSITIVE,
    },
}

# What a grant's purpose needs of the personal tier (a grant never opens the other tiers).
# Pairing (a mentor): who and where the child is, and the school — not the family's contacts.
# Referral (a social organisation): who and where the child is, and whom to call — the carer, the
# parents' names and phones, the rescue contacts; no school, no ID number, no other cases.
# Assignment (a visit handed to a worker of another village): the whole personal tier.
NEEDS: dict[str, dict[str, frozenset[str]] | None] = {
    "pairing": {
        "child": frozenset(
            {
                "id",
                "version",
                "name",
                "gender",
                "birth_date",
                "age",
                "village",
                "village_name",
                "is_homeless",
                "found_region",
                "school",
                "grade",
                "schooling",
                "boarding",
                "exited_on",
            }
        ),
    },
    "referral": {
        "child": frozenset(
            {
                "id",
                "version",
                "name",
                "gender",
                "birth_date",
                "age",
                "village",
                "village_name",
                "address",
                "is_homeless",
                "found_region",
                "exited_on",
                "parents",
                "carer",
                "contacts",
            }
        ),
        "parent": frozenset({"role", "name", "phone"}),
        "carer": frozenset({"name", "relation", "phone", "address"}),
        "contact": frozenset({"name", "relation", "phone", "role"}),
    },
    "assignment": None,
}


def tier_of(part: str, field: str) -> str:
    """The tier of a field; a field this table does not know is sensitive (new fields start hidden)."""
    return FIELDS.get(part, {}).get(field, SENSITIVE)


def always_seen(part: str) -> frozenset[str]:
    """The fields of ``part`` that everyone who sees the part at all receives (the API schema marks
    only these as required)."""
    seen = frozenset(FIELDS.get(part, {}))
    for needs in NEEDS.values():
        if needs is None:
            continue
        if part in needs:
            seen &= needs[part]
        elif part == "child":
            return frozenset()
    return frozenset(f for f in seen if tier_of(part, f) == PERSONAL)


@dataclass(frozen=True)
class Visibility:
    """What one user sees of one child's file: the tiers, and for a grant the purpose that narrows
    the personal tier (``need``: a key of ``NEEDS``). ``via`` says how the user reaches the child:
    ``territory``, ``read_only`` (civil affairs), ``break_glass``, a grant reason, or ``none``."""

    tiers: frozenset[str]
    via: str
    need: str | None = None

    def sees(self, part: str, field: str) -> bool:
        if tier_of(part, field) not in self.tiers:
            return False
        needs = NEEDS.get(self.need) if self.need else None
        if needs is None:
            return True
        wanted = needs.get(part)
        return wanted is not None and field in wanted

    def visible(self, part: str, fields) -> list[str]:
        return [f for f in fields if self.sees(part, f)]

    @property
    def everything(self) -> bool:
        return self.tiers == ALL_TIERS

    @property
    def sensitive(self) -> bool:
        return SENSITIVE in self.tiers

    @property
    def anything(self) -> bool:
        return bool(self.tiers)

    @property
    def emergency(self) -> bool:
        return self.via == "break_glass"


NOTHING = Visibility(frozenset(), "none")
