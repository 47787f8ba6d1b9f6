"""Forms of the web UI that are not API calls: sign-up."""
from __future__ import annotations

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class SignupForm(UserCreationForm):
    """Self-service sign-up: always creates an investor; staff roles are given by an admin."""

    email = forms.EmailField(label=_("E-mail"), required=True)
    first_name = forms.CharField(label=_("Prenume"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nume"), max_length=150, required=False)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email", "first_name", "last_name")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("Există deja un cont cu această adresă de e-mail."))
        return email

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.role = User.Role.INVESTOR
        user.preferred_language = (getattr(self, "language", "") or "ro")[:2]
        if commit:
            user.save()
        return user
