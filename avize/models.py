"""Models of the avize app."""
from django.db import models  # noqa: F401
