"""Forms of the account pages: the two-factor code, and the reason for closing an account."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("动态验证码"),
        max_length=10,
        help_text=_("打开手机上的验证器应用，输入“守护”账号当前显示的 6 位数字。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
