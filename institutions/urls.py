from django.urls import path

from institutions.apis import InstitutionListApi

urlpatterns = [
    path("api/v1/institutions/", InstitutionListApi.as_view(), name="institution-list"),
]
