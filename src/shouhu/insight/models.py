"""Rollups of the dashboard figures (see ``rollups``): counts kept per place, summed under a code prefix.

A ``Tally`` row is one figure of one place: a village (or the township or county code a record
carries), one key (a category, a severity, a status, an age band), and for figures of a period the
month they fall in, or for open work the day it falls due. Layer 0 holds the places; layer 1 the
same rows summed by township and layer 2 by county, so a county view reads its townships' rows and
a province view its counties', not their villages'. ``RollupState`` records the day the age bands
were counted for.
"""

from django.db import models


class Layer(models.IntegerChoices):
    PLACE = 0, "place"
    TOWNSHIP = 1, "township"
    COUNTY = 2, "county"


class Tally(models.Model):
    id = models.BigAutoField(primary_key=True)
    layer = models.PositiveSmallIntegerField(choices=Layer.choices)
    code = models.CharField(max_length=12)
    figure = models.CharField(max_length=16)
    key = models.CharField(max_length=40, blank=True, default="")
    # The first day of the month (figures of a period), the day work falls due (open work, alerts),
    # or empty (figures as they stand).
    day = models.DateField(null=True, blank=True)
    n = models.IntegerField()
    first = models.DateTimeField(null=True, blank=True)  # the oldest record (open alerts)

    class Meta:
        indexes = [
            # A subtree is a range of codes (``code__within``), which the ordinary b-tree serves.
            models.Index(fields=["layer", "code"], name="tally_layer_code_range"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.figure} {self.key} {self.day or ''} = {self.n}"


class RollupState(models.Model):
    """One row: when the rollups were last rebuilt whole, and the day the age bands are counted for."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    ages_on = models.DateField()
    reconciled_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"ages on {self.ages_on}, reconciled {self.reconciled_at:%Y-%m-%d %H:%M}"
