"""
WSGI config for shipdesk project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/6.1/howto/deployment/wsgi/
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shipdesk.settings")

application = get_wsgi_application()

# What is loaded by now (modules, settings, URLconf, app registry) lives as long as the process:
# moved out of the garbage collector's reach, so the full collections that a large API answer
# sets off no longer walk it every time. gunicorn imports this module in each worker after the
# fork (or, with --preload, in the master before it, whose frozen objects the workers inherit).
gc.freeze()
