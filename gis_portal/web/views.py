"""Server-rendered pages of the web UI; data comes from the API and the vector tiles."""
from django.shortcuts import render


def home(request):
    return render(request, "web/home.html")
