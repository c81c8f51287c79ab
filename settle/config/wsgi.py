import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settle.config.settings")
application = get_wsgi_application()

# After setup (the checks need the apps): gunicorn's workers fail to boot rather than serve a
# production that the deploy check fails, such as one where the demo's users can sign in.
from settle.common.checks import production_startup_refuse  # noqa: E402

production_startup_refuse()
