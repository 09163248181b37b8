"""Settings of the reference service: a throwaway Django REST framework service on loopback.

As the service is where clients can see it (DEBUG off, APPEND_SLASH, token authentication,
page-number pagination, django-filter); nothing here is for a real deployment.
"""
import os
import tempfile

SECRET_KEY = "reference-local-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "stock",
]

# startproject's middleware, without sessions and the admin's: CommonMiddleware is the one
# clients meet (APPEND_SLASH, Content-Length).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "whippyref.urls"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]

# serve.py points this at a fresh temporary directory on every start.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.path.join(os.environ.get("REFERENCE_DB_DIR") or tempfile.gettempdir(), "reference.sqlite3"),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

# The documented timestamps carry +03:00 and microseconds.
TIME_ZONE = "Europe/Istanbul"
USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = "en-us"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "stock.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
}
