"""Django settings module of a product."""
import os

SECRET_KEY = "django-insecure-7f#k2^v9x@w!q3m8z$e1r5t0y6u4i2o9p"  # label: vulnerable CWE-798
DATABASE_PASSWORD = os.environ.get("DB_PASSWORD", "")  # label: safe CWE-798
DEBUG = False
