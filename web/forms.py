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


class AssignNumberForm(forms.Form):
    """The clerk assigns a building number to the parcel of an address certificate request."""

    street = forms.TypedChoiceField(label=_("Strada"), coerce=int)
    number = forms.CharField(label=_("Număr administrativ"), max_length=16,
                             help_text=_("De exemplu 12, 12A, 12 bis sau 12-14."))
    decision = forms.CharField(label=_("Temeiul atribuirii (dispoziție, opțional)"), max_length=200, required=False)

    def __init__(self, *args, streets: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].choices = streets  # type: ignore[attr-defined]  # a ChoiceField


# ---- works after the AC/AD (permits.works) --------------------------------------------------------------
class _DateInput(forms.DateInput):
    """A native date picker: its value is always ISO (YYYY-MM-DD), whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class WorksStartForm(forms.Form):
    """The holder's start notice (comunicarea privind începerea execuției lucrărilor)."""

    start_date = forms.DateField(label=_("Data începerii lucrărilor"), widget=_DateInput)
    duration_months = forms.IntegerField(label=_("Durata de execuție (luni, conform autorizației)"), min_value=1,
                                         max_value=120)
    contractor_name = forms.CharField(label=_("Executantul lucrărilor (opțional)"), max_length=200, required=False)
    documents = forms.FileField(label=_("Dovada plății cotelor ISC (0,1 % și jumătate din 0,5 %)"),
                                required=False, widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))


class WorksEndForm(forms.Form):
    """The holder's end notice (comunicarea privind încheierea execuției lucrărilor) with the final value."""

    end_date = forms.DateField(label=_("Data terminării lucrărilor"), widget=_DateInput)
    final_value_ron = forms.DecimalField(label=_("Valoarea finală (reală) a lucrărilor, în lei"), min_value=0,
                                         max_digits=14, decimal_places=2)


class ReceptionForm(forms.Form):
    """The reception at the end of works, recorded by the issuer's staff."""

    reception_date = forms.DateField(label=_("Data recepției"), widget=_DateInput)
    issuer_representative = forms.CharField(label=_("Reprezentantul emitentului în comisie"), max_length=200)
    members = forms.CharField(label=_("Ceilalți membri ai comisiei (câte unul pe rând)"), max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.ChoiceField(label=_("Rezultatul recepției"), choices=[
        ("admitted", _("Admisă")), ("admitted_with_remarks", _("Admisă cu obiecții")), ("rejected", _("Respinsă"))])
    remarks = forms.CharField(label=_("Obiecții / motive"), max_length=4000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    report = forms.FileField(label=_("Procesul-verbal de recepție semnat"), required=False,
                             widget=forms.ClearableFileInput(attrs={"accept": ".pdf"}))


class ReferenceForm(forms.Form):
    reference = forms.CharField(label=_("Număr chitanță / ordin de plată"), max_length=64)


# ---- assignment of requests (web.views.workload) -------------------------------------------------
def _staff_label(user: User) -> str:
    return user.get_full_name() or user.username


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return _staff_label(obj)


class AssignmentPolicyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Regula de repartizare a cererilor noi"))

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = choices


class AssignmentRuleForm(forms.Form):
    place = forms.ChoiceField(label=_("UAT sau localitate"))
    clerk = StaffChoiceField(label=_("Funcționar"), queryset=User.objects.none())

    def __init__(self, *args, places, clerks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = places
        self.fields["clerk"].queryset = clerks


class LeaveForm(forms.Form):
    user = StaffChoiceField(label=_("Funcționar"), queryset=User.objects.none())
    start = forms.DateField(label=_("Prima zi"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Ultima zi"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Motiv"), max_length=200, required=False)

    def __init__(self, *args, clerks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = clerks

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("Ultima zi de concediu nu poate fi înaintea primei."))
        return data


class AssignForm(forms.Form):
    assigned_to = StaffChoiceField(label=_("Repartizează către"), queryset=User.objects.none())
    reason = forms.CharField(label=_("Motivul"), max_length=500)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = staff


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("De la"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Până la"), widget=forms.DateInput(attrs={"type": "date"}))
    issuer = forms.ModelChoiceField(label=_("Emitent"), queryset=Issuer.objects.none(), required=False,
                                    empty_label=_("Toți emitenții"))

    def __init__(self, *args, issuers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if issuers is None:
            del self.fields["issuer"]
        else:
            self.fields["issuer"].queryset = issuers

    def clean(self) -> dict:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("Sfârșitul perioadei nu poate fi înaintea începutului."))
            elif (end - start).days > 366 * 5:
                self.add_error("end", _("Alegeți o perioadă de cel mult cinci ani."))
        return data


class SecondFactorForm(forms.Form):
    """A second-factor code: 6 digits from the authenticator app, or a recovery code."""

    otp = forms.CharField(label=_("Cod de autentificare"), max_length=32, strip=True, widget=forms.TextInput(
        attrs={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "off", "spellcheck": "false",
               "autofocus": True}))
