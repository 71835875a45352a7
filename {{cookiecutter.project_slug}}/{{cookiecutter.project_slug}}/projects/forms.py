"""The projects pages' forms: input checked as the API's serializers check it."""

from django import forms

from .selectors import ORDERINGS

DEFAULT = "-created_at"
ORDERING_LABELS = {
    "-created_at": "Newest first",
    "created_at": "Oldest first",
    "name": "Name, A to Z",
    "-name": "Name, Z to A",
}


class ProjectForm(forms.Form):
    name = forms.CharField(max_length=100, strip=True)
    description = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4}))
    starts_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "A project cannot end before it starts.")
        return data


class ProjectListForm(forms.Form):
    """The list's query string: search, ordering and page, each bounded."""

    q = forms.CharField(max_length=100, required=False, strip=True, label="Search by name")
    # The default ordering first, so the select shows it when the query names none.
    ordering = forms.ChoiceField(
        choices=[(key, ORDERING_LABELS.get(key, key)) for key in sorted(ORDERINGS, key=lambda key: key != DEFAULT)],
        required=False,
        label="Order",
    )
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)
