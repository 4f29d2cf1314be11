"""The agents' proof-of-delivery forms: e-mail shipdesk's letter, or ask USPS for its record.

The forms parse what was typed; the rules (eligibility, 1 to 3 distinct recipients, names for
USPS) are the services', whose errors come back on the field they name.
"""

from __future__ import annotations

from django import forms

from tracking.models import PodRequest
from tracking.pod.eligibility import PodOptions
from tracking.services.pod import MAX_RECIPIENTS, PodRequestError

SLOTS = range(1, MAX_RECIPIENTS + 1)


class PodForm(forms.Form):
    """A letter type among those the shipment allows on `channel`, and up to three recipients."""

    channel: str = ""
    with_names = False

    letter_type = forms.ChoiceField(widget=forms.RadioSelect, label="Letter")

    def __init__(self, *args, options: PodOptions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["letter_type"].choices = [
            (value, label)
            for value, label in PodRequest.LetterType.choices
            if options.allows(channel=self.channel, letter_type=value)
        ]
        self.fields["letter_type"].initial = PodRequest.LetterType.PROOF_OF_DELIVERY
        for n in SLOTS:
            self.fields[f"email_{n}"] = forms.CharField(
                label=f"E-mail {n}", required=False, max_length=254, widget=forms.EmailInput
            )
            if self.with_names:
                self.fields[f"first_name_{n}"] = forms.CharField(
                    label=f"First name {n}", required=False, max_length=50
                )
                self.fields[f"last_name_{n}"] = forms.CharField(
                    label=f"Last name {n}", required=False, max_length=50
                )

    @classmethod
    def prefill(cls, shipment) -> dict:
        """The customer's own addresses (the shipment's e-mail subscribers, one a slot) and,
        where names are asked, the customer's name on the first: initial values to check."""
        emails = [s.address for s in shipment.subscribers.all() if s.channel == "email"]
        initial = {f"email_{n}": email for n, email in zip(SLOTS, emails, strict=False)}
        first, _, last = shipment.customer_name.strip().partition(" ")
        if cls.with_names and emails and first:
            initial |= {"first_name_1": first[:50], "last_name_1": last.strip()[:50]}
        return initial

    @property
    def allowed(self) -> bool:
        return bool(self.fields["letter_type"].choices)

    def recipient_rows(self):
        """[(email field, first name field, last name field)] for the template."""
        return [
            (
                self[f"email_{n}"],
                self[f"first_name_{n}"] if self.with_names else None,
                self[f"last_name_{n}"] if self.with_names else None,
            )
            for n in SLOTS
        ]

    def recipients(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "email": data.get(f"email_{n}", ""),
                "first_name": data.get(f"first_name_{n}", ""),
                "last_name": data.get(f"last_name_{n}", ""),
            }
            for n in SLOTS
        ]

    def add_service_error(self, error: PodRequestError) -> None:
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.message)


class LetterEmailForm(PodForm):
    channel = PodRequest.Channel.LETTER


class UspsPodForm(PodForm):
    channel = PodRequest.Channel.USPS
    with_names = True
