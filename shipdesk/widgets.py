"""Form widgets shared by the admin pages."""

from django import forms


class WriteOnlyInput(forms.PasswordInput):
    """A password box that never renders the stored value; its placeholder says whether one is
    stored."""

    def __init__(self, *, stored: bool = False):
        super().__init__(render_value=False)
        self.stored = stored

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["placeholder"] = (
            "set (leave blank to keep)" if self.stored else "not set"
        )
        context["widget"]["attrs"]["autocomplete"] = "new-password"
        return context
