from django import forms
from django.utils.translation import gettext_lazy as _


class InstallBaseImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))
    dry_run = forms.BooleanField(label=_("Only check the file, write nothing"), required=False)
