#!/usr/bin/env python3
"""Serve the reference service on 127.0.0.1:PORT (or ADDR:PORT) until stopped.

    serve.py PORT [ADDR]

Each start migrates a fresh SQLite database in a new temporary directory and creates the user
test / test_pass. It serves through a small threaded WSGI server that passes a request with
no Content-Type on without one, as gunicorn and uWSGI do (Django's runserver makes it
text/plain); like every WSGI server it joins a repeated header with "," and gives Django no
body it did not announce with Content-Length.
"""
import os
import sys
import tempfile
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

HERE = os.path.dirname(os.path.abspath(__file__))


class Handler(WSGIRequestHandler):
    def get_environ(self):
        env = super().get_environ()
        if self.headers.get("Content-Type") is None:
            env.pop("CONTENT_TYPE", None)
        return env

    def log_message(self, *args):
        pass


class Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def main(port, addr="127.0.0.1"):
    os.environ["REFERENCE_DB_DIR"] = tempfile.mkdtemp(prefix="whippyware-reference.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "whippyref.settings")
    sys.path.insert(0, HERE)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from django.contrib.auth.models import User

    User.objects.create_user("test", password="test_pass")
    from django.core.wsgi import get_wsgi_application

    server = Server((addr, int(port)), Handler)
    server.set_app(get_wsgi_application())
    print("reference serving on http://%s:%s (user test / test_pass)" % (addr, port), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(*sys.argv[1:3])
