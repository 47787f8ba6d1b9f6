"""The account pages: change the password (logged in) and reset it by e-mail (Django's auth views,
in the site's templates). Reset links are built from SITE_URL, never from the request's Host."""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _

from gis_portal.ratelimit import rate_limit

FORM = "web/account_form.html"
MESSAGE = "web/account_message.html"

password_change = auth_views.PasswordChangeView.as_view(
    template_name=FORM, success_url=reverse_lazy("web:password-change-done"),
    extra_context={"heading": _("Schimbă parola"), "button": _("Schimbă parola")})
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name=MESSAGE, extra_context={"heading": _("Parola a fost schimbată"),
                                          "message": _("Parola nouă este activă. Tokenurile API vechi nu mai "
                                                       "funcționează.")})


@method_decorator(rate_limit("login", methods=("POST",), by_address=True), name="dispatch")
class PasswordReset(auth_views.PasswordResetView):
    template_name = FORM
    email_template_name = "web/email/password_reset.txt"
    subject_template_name = "web/email/password_reset_subject.txt"
    success_url = reverse_lazy("web:password-reset-done")
    extra_context = {"heading": _("Ați uitat parola?"), "button": _("Trimite legătura de resetare"),
                     "intro": _("Scrieți adresa de e-mail a contului: vă trimitem o legătură pentru o parolă nouă.")}

    def form_valid(self, form):
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name=MESSAGE, extra_context={"heading": _("Verificați e-mailul"),
                                          "message": _("Dacă adresa aparține unui cont, am trimis o legătură "
                                                       "pentru o parolă nouă. Legătura expiră într-o oră.")})
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name=FORM, success_url=reverse_lazy("web:password-reset-complete"),
    extra_context={"heading": _("Parolă nouă"), "button": _("Salvează parola"),
                   "invalid": _("Legătura nu mai este valabilă (folosită sau expirată). Cereți alta.")})
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name=MESSAGE, extra_context={"heading": _("Parola a fost schimbată"),
                                          "message": _("Vă puteți autentifica acum cu parola nouă.")})
