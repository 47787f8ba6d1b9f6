"""Forms of the web UI that are not API calls: sign-up, the admin's layer import."""
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


class WebhookForm(forms.Form):
    """An institution administrator's webhook URL (checked by the outbound guard in the service)."""

    webhook_url = forms.CharField(label=_("Adresa webhook (https://)"), max_length=200, required=False,
                                  help_text=_("Portalul trimite aici, semnate HMAC-SHA256, cererile de aviz și "
                                              "evenimentele lor. Lăsați gol pentru a opri trimiterea."))
