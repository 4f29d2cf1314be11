"""The agents' mail-order search box."""

from django import forms

from mailorders.choices import OrderStatus

TYPES = [
    ("", "Any"),
    ("letter", "Letters"),
    ("postcard", "Postcards"),
    ("cheque", "Cheques"),
    ("self_mailer", "Self-mailers"),
]


class MailSearchForm(forms.Form):
    q = forms.CharField(
        label="Find a mail order",
        required=False,
        max_length=200,
        help_text="Order id, recipient name or company, tracking number or description.",
    )
    type = forms.ChoiceField(choices=TYPES, required=False)
    status = forms.ChoiceField(
        choices=[("", "Any status"), *OrderStatus.choices],
        required=False,
        widget=forms.Select(attrs={"aria-label": "Status"}),
    )
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)

    def clean_q(self):
        value = self.cleaned_data["q"].strip()
        if "\x00" in value:
            raise forms.ValidationError("The search may not contain NUL characters.")
        return value

    def clean_page(self):
        return self.cleaned_data["page"] or 1
