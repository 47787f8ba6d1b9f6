from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.i18n import JavaScriptCatalog

from gis_portal.db_router import replica_reads
from web import apis
from web.views import account, admin, completion, excavations, institution, investor, public, reviewer, staff

app_name = "web"
urlpatterns = [
    path("", public.home, name="home"),
    path("map/style.json", replica_reads(public.map_style), name="map-style"),
    path("api/v1/search/", replica_reads(apis.ParcelSearchApi.as_view()), name="parcel-search"),
    path("api/v1/analyses/<uuid:analysis_id>/hit-marks/", apis.AnalysisHitMarksApi.as_view(), name="hit-marks"),
    path("api/v1/footprints/clip/", replica_reads(apis.FootprintClipApi.as_view()), name="footprint-clip"),
    path("jsi18n/", JavaScriptCatalog.as_view(domain="djangojs"), name="jsi18n"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="web:home"), name="logout"),
    path("signup/", public.signup, name="signup"),
    path("password/change/", account.password_change, name="password-change"),
    path("password/change/done/", account.password_change_done, name="password-change-done"),
    path("password/reset/", account.PasswordReset.as_view(), name="password-reset"),
    path("password/reset/sent/", account.password_reset_done, name="password-reset-done"),
    path("password/reset/<uidb64>/<token>/", account.password_reset_confirm, name="password-reset-confirm"),
    path("password/reset/done/", account.password_reset_complete, name="password-reset-complete"),
    path("requests/", investor.my_requests, name="my-requests"),
    path("requests/new/cu/", investor.request_new, name="cu-new"),
    path("requests/new/<slug:kind>/", investor.request_new, name="request-new"),
    path("requests/<int:pk>/", investor.request_detail, name="request-detail"),
    path("requests/<int:pk>/guarantee/", excavations.guarantee, name="excavation-guarantee"),
    path("excavations/", replica_reads(excavations.register), name="excavations"),
    path("start/", staff.landing, name="landing"),
    path("staff/queue/", staff.queue, name="staff-queue"),
    path("staff/avize/", staff.avize_board, name="staff-avize"),
    path("staff/requests/<int:pk>/preview/", staff.issue_preview, name="issue-preview"),
    path("avize/<int:pk>/completion/documents/", completion.upload, name="completion-upload"),
    path("avize/<int:pk>/completion/send/", completion.send, name="completion-send"),
    path("inbox/", reviewer.inbox, name="inbox"),
    path("inbox/<int:pk>/", reviewer.aviz_detail, name="aviz-detail"),
    path("institution/settings/", institution.institution_settings, name="institution-settings"),
    path("manage/", admin.home, name="admin-home"),
    path("manage/staff/", admin.staff, name="staff-accounts"),
    path("invitation/<str:uidb64>/<str:token>/", admin.invitation_accept, name="invitation-accept"),
]
