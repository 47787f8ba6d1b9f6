from django.urls import path

from accounts import apis

urlpatterns = [
    path("api/v1/auth/token/", apis.ObtainTokenApi.as_view(), name="auth-token"),
]
