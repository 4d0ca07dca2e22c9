"""Forms of the account pages: the two-factor code, the reason for closing an account, one's language."""

from django import forms
from django.conf import settings
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("动态验证码"),
        max_length=10,
        help_text=_("打开手机上的验证器应用，输入“守护”账号当前显示的 6 位数字。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class LanguageForm(forms.Form):
    # Each language named in itself, as the language switch at the top of the page names it.
    language = forms.ChoiceField(
        label=_("语言"),
        choices=lambda: [(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES],
        help_text=_("页面，以及发给您的短信和电子邮件，都使用这种语言。"),
    )
