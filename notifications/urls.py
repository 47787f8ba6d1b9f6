from django.urls import path

from notifications import apis

urlpatterns = [
    path("api/v1/notifications/", apis.InboxListApi.as_view(), name="notifications-inbox"),
    path("api/v1/notifications/read-all/", apis.InboxReadAllApi.as_view(), name="notifications-read-all"),
    path("api/v1/notifications/<int:pk>/read/", apis.InboxReadApi.as_view(), name="notifications-read"),
    path("api/v1/admin/notifications/", apis.AdminListApi.as_view(), name="notifications-admin"),
    path("api/v1/admin/notifications/<int:pk>/retry/", apis.AdminRetryApi.as_view(),
         name="notifications-admin-retry"),
]
