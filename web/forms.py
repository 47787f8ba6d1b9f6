"""Forms of the web UI that are not API calls: sign-up, the admin's layer import."""
from __future__ import annotations

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from parcels.models import Issuer


class SignupForm(UserCreationForm):
    """Self-service sign-up: always creates an investor; staff roles are given by an admin."""

    language = ""  # the page's language, set by the view before save()
    email = forms.EmailField(label=_("E-mail"), required=True)
    first_name = forms.CharField(label=_("Prenume"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nume"), max_length=150, required=False)

    class Meta(UserCreationForm.Meta):  # type: ignore[name-defined]  # django-stubs types Meta as a plain attribute
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
        user.preferred_language = (self.language or "ro")[:2]
        if commit:
            user.save()
        return user


# An upload is read whole by GDAL inside one request; larger files go through manage.py import_layer.
LAYER_UPLOAD_MAX_BYTES = 200 * 1024 * 1024
LAYER_UPLOAD_SUFFIXES = (".geojson", ".json", ".gpkg", ".zip", ".tif", ".tiff")


class LayerImportForm(forms.Form):
    """One layer file for `layers.imports.layer_import`; the file's content is checked by the service."""

    file = forms.FileField(label=_("Fișier (GeoJSON, GeoPackage, Shapefile arhivat .zip, GeoTIFF)"))
    theme = forms.RegexField(label=_("Temă (cod din catalogul de reguli, ex. lmi_monument)"),
                             regex=r"^[A-Za-z][A-Za-z0-9_]{0,63}$", max_length=64)
    name = forms.CharField(label=_("Denumire strat (opțional)"), max_length=200, required=False)
    srid = forms.TypedChoiceField(label=_("Sistem de coordonate, dacă fișierul nu îl declară"), required=False,
                                  coerce=int, empty_value=None)
    on_invalid = forms.ChoiceField(label=_("Geometrii invalide"), initial="repair", choices=[
        ("repair", _("se repară (ST_MakeValid)")), ("reject", _("se resping și se raportează"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.conf import settings

        self.fields["srid"].choices = [("", _("declarat în fișier"))] + [
            (code, f"EPSG:{code}") for code in settings.ALLOWED_SRIDS]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith(LAYER_UPLOAD_SUFFIXES):
            raise forms.ValidationError(_("Tip de fișier nepermis: folosiți GeoJSON, GeoPackage, .zip (Shapefile) "
                                          "sau GeoTIFF."))
        if upload.size > LAYER_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("Fișierul depășește %(mb)d MB; folosiți manage.py import_layer.")
                                        % {"mb": LAYER_UPLOAD_MAX_BYTES // (1024 * 1024)})
        return upload


class StaffInviteForm(forms.Form):
    """An issuer's administrator invites a clerk or a chief architect (accounts.invitations)."""

    email = forms.EmailField(label=_("E-mail"), max_length=254)
    first_name = forms.CharField(label=_("Prenume"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nume"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Rol"), choices=[("clerk", _("Funcționar urbanism")),
                                                       ("chief_architect", _("Arhitect-șef"))])
    issuer = forms.ModelChoiceField(label=_("Emitent"), queryset=Issuer.objects.none(), empty_label=None)

    def __init__(self, *args, issuers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = issuers.order_by("name")


class InvitationAcceptForm(forms.Form):
    """The invited person chooses a username and a password (checked by the password validators)."""

    username = forms.RegexField(label=_("Nume utilizator"), max_length=150, regex=r"^[\w.@+-]+\Z",
                                error_messages={"invalid": _("Doar litere, cifre și caracterele @ . + - _.")})
    password1 = forms.CharField(label=_("Parolă"), strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Confirmați parola"), strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        from django.contrib.auth import password_validation

        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("Parolele nu coincid."))
        elif data.get("password1"):
            try:
                password_validation.validate_password(data["password1"], self.user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        if data.get("username") and User.objects.filter(username__iexact=data["username"]).exclude(
                pk=self.user.pk).exists():
            self.add_error("username", _("Numele de utilizator este deja folosit."))
        return data


class WebhookForm(forms.Form):
    """An institution administrator's webhook URL (checked by the outbound guard in the service)."""

    webhook_url = forms.CharField(label=_("Adresa webhook (https://)"), max_length=200, required=False,
                                  help_text=_("Portalul trimite aici, semnate HMAC-SHA256, cererile de aviz și "
                                              "evenimentele lor. Lăsați gol pentru a opri trimiterea."))


class SecondFactorForm(forms.Form):
    """A second-factor code: 6 digits from the authenticator app, or a recovery code."""

    otp = forms.CharField(label=_("Cod de autentificare"), max_length=32, strip=True, widget=forms.TextInput(
        attrs={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "off", "spellcheck": "false",
               "autofocus": True}))
