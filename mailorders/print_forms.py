"""Forms of the print room's pages."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator

from mailorders.services.print_queue import MailEntry


class MailedForm(forms.Form):
    entry_date = forms.DateField(
        label="USPS entry date", widget=forms.DateInput(attrs={"type": "date"})
    )
    facility = forms.CharField(
        label="Entry facility", max_length=200, help_text="e.g. Springfield IL P&DC"
    )
    zip_code = forms.CharField(
        label="Facility ZIP Code",
        max_length=5,
        required=False,
        validators=[RegexValidator(r"^[0-9]{5}\Z", "A ZIP Code is five digits.")],
    )

    def entry(self) -> MailEntry:
        data = self.cleaned_data
        return MailEntry(
            entry_date=data["entry_date"], facility=data["facility"], zip_code=data["zip_code"]
        )

    def errors_text(self) -> str:
        return " ".join(
            f"{self.fields[name].label if name in self.fields else name}: {' '.join(errors)}"
            for name, errors in self.errors.items()
        )


class PieceFailedForm(forms.Form):
    note = forms.CharField(max_length=200, label="What happened")
