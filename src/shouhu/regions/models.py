"""Administrative divisions: province → city → county → township → village, keyed by official code."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .codes import Level


class Region(models.Model):
    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_community = models.BooleanField(_("社区/居委会"), default=False)
    edition = models.CharField(_("数据版本"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def full_name(self) -> str:
        names = []
        node: Region | None = self
        while node is not None and node.level >= Level.COUNTY:
            names.append(node.name)
            node = node.parent
        return " ".join(reversed(names))

    def subtree(self):
        return Region.objects.filter(code__within=self.code)
