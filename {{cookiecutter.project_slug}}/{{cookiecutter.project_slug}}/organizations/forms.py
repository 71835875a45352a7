from django import forms

from .models import Role
from .services import MAX_NAME_LENGTH


class OrganizationForm(forms.Form):
    name = forms.CharField(max_length=MAX_NAME_LENGTH, strip=True)


class InvitationForm(forms.Form):
    email = forms.EmailField(max_length=254)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
