"""Local development (``make run``, ``manage.py``): the product as it runs, on this machine.

DEBUG is off, as everywhere: the pages people see are the app's own (its 404 and 500 pages,
not Django's debug pages). ``DEBUG=true make run`` (or DEBUG=true in .env) turns Django's debug
pages on while developing. Static files come straight from static/ through WhiteNoise, with or
without DEBUG: no collectstatic needed.
"""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=False)
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
