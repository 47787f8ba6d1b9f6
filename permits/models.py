"""Models of the permits app."""
from django.db import models  # noqa: F401
