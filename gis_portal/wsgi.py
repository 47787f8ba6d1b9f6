import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_portal.settings")
django_application = get_wsgi_application()

from layers.tile_wsgi import BuiltinTiles  # noqa: E402 - needs the settings and the apps loaded

# Built-in tiles go around Django's request cycle (layers/tile_wsgi.py); everything else is Django.
application = BuiltinTiles(django_application)
