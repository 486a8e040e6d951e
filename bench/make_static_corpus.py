"""Build the labeled static-analysis corpus under tests/static_corpus/ from the templates below.

Each case is one small module, labeled in its first line: ``# label: vulnerable CWE-89 flask``
or ``# label: safe CWE-89 flask``. Safe cases are look-alikes of the vulnerable ones (same sink,
sanitised or constant input). Run: ``python bench/make_static_corpus.py``.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tests" / "static_corpus"

FRAMEWORKS = {
    "flask": (
        "from flask import Flask, request\n\napp = Flask(__name__)\n\n\n@app.route('/h')\ndef handler():\n"
        "    value = request.args.get('q', '')\n"
    ),
    "django": "from django.http import HttpResponse\n\n\ndef handler(request):\n    value = request.GET.get('q', '')\n",
    "fastapi": "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get('/h')\ndef handler(value: str):\n",
}

# cwe: (imports, vulnerable body, safe body); a body may be a dict per framework.
TAINT = {
    89: ("import sqlite3",
         "cur = sqlite3.connect('a.db').cursor()\ncur.execute('DELETE FROM t WHERE k = %s' % value)\nreturn 'ok'",
         "cur = sqlite3.connect('a.db').cursor()\ncur.execute('DELETE FROM t WHERE k = ?', [value])\nreturn 'ok'"),
    78: ("import subprocess",
         "out = subprocess.run('whois ' + value, shell=True, capture_output=True)\nreturn str(out.returncode)",
         "out = subprocess.run(['whois', '--', value], capture_output=True)\nreturn str(out.returncode)"),
    95: ("import ast",
         "result = eval('(' + value + ')')\nreturn str(result)",
         "result = ast.literal_eval(value)\nreturn str(result)"),
    22: ("import os",
         "with open(os.path.join('/var/data', value)) as fh:\n    return fh.read()",
         "path = os.path.realpath(os.path.join('/var/data', value))\nif not path.startswith('/var/data/'):\n    return 'no'\nwith open(path) as fh:\n    return fh.read()"),
    918: ("import requests",
          "return requests.get(value, timeout=5).text",
          "return requests.get('https://api.example.com/v1/lookup', params={'q': value}, timeout=5).text"),
    79: ("from markupsafe import escape\nfrom django.http import HttpResponse as DjangoResponse\nfrom fastapi.responses import HTMLResponse",
         {"flask": "return '<b>' + value + '</b>'", "django": "return DjangoResponse('<b>' + value + '</b>')",
          "fastapi": "return HTMLResponse('<b>' + value + '</b>')"},
         {"flask": "return '<b>' + escape(value) + '</b>'", "django": "return DjangoResponse('<b>' + escape(value) + '</b>')",
          "fastapi": "return HTMLResponse('<b>' + escape(value) + '</b>')"}),
    601: ("from flask import redirect\nfrom django.shortcuts import redirect as django_redirect\nfrom fastapi.responses import RedirectResponse",
          {"flask": "return redirect(value)", "django": "return django_redirect(value)", "fastapi": "return RedirectResponse(value)"},
          {"flask": "if value not in ('/home', '/account'):\n    value = '/home'\nreturn redirect(value)",
           "django": "if value not in ('/home', '/account'):\n    value = '/home'\nreturn django_redirect(value)",
           "fastapi": "if value not in ('/home', '/account'):\n    value = '/home'\nreturn RedirectResponse(value)"}),
    643: ("from lxml import etree",
          "doc = etree.parse('users.xml')\nreturn str(doc.xpath('//user[name/text()=\"' + value + '\"]'))",
          "doc = etree.parse('users.xml')\nreturn str(doc.xpath('//user[name/text()=$n]', n=value))"),
    90: ("import ldap\nfrom ldap.filter import escape_filter_chars",
         "conn = ldap.initialize('ldap://directory')\nreturn str(conn.search_s('ou=people', ldap.SCOPE_SUBTREE, '(cn=' + value + ')'))",
         "conn = ldap.initialize('ldap://directory')\nreturn str(conn.search_s('ou=people', ldap.SCOPE_SUBTREE, '(cn=' + escape_filter_chars(value) + ')'))"),
    611: ("from lxml import etree\nimport defusedxml.ElementTree as SafeET",
          "root = etree.fromstring(value)\nreturn root.tag",
          "root = SafeET.fromstring(value)\nreturn root.tag"),
    502: ("import pickle\nimport base64\nimport json",
          "obj = pickle.loads(base64.b64decode(value))\nreturn str(obj)",
          "obj = json.loads(base64.b64decode(value))\nreturn str(obj)"),
    1336: ("from flask import render_template_string",
           "return render_template_string('<p>' + value + '</p>')",
           "return render_template_string('<p>{{ v }}</p>', v=value)"),
}
SESSION_HEADER = {
    501: ({"flask": "from flask import session", "django": "", "fastapi": ""},
          {"flask": "session['nick'] = value\nreturn 'ok'", "django": "request.session['nick'] = value\nreturn HttpResponse('ok')"},
          {"flask": "session['nick'] = value if value in ('a', 'b') else 'a'\nreturn 'ok'",
           "django": "if value not in ('a', 'b'):\n    value = 'a'\nrequest.session['nick'] = value\nreturn HttpResponse('ok')"}),
    113: ({"flask": "from flask import make_response", "django": "", "fastapi": ""},
          {"flask": "response = make_response('ok')\nresponse.headers['X-Tag'] = value\nreturn response",
           "django": "response = HttpResponse('ok')\nresponse['X-Tag'] = value\nreturn response"},
          {"flask": "response = make_response('ok')\nresponse.headers['X-Tag'] = value.replace('\\r', '').replace('\\n', '')\nreturn response",
           "django": "response = HttpResponse('ok')\nresponse['X-Tag'] = value.replace('\\r', '').replace('\\n', '')\nreturn response"}),
}
PATTERN = {
    328: ("import hashlib\n\n\ndef store(password):\n    return hashlib.md5(password.encode()).hexdigest()\n",
          "import hashlib\n\n\ndef store(password, salt):\n    return hashlib.scrypt(password.encode(), salt=salt, n=16384, r=8, p=1).hex()\n"),
    338: ("import random\n\n\ndef reset_link():\n    reset_token = '%030x' % random.getrandbits(120)\n    return reset_token\n",
          "import secrets\n\n\ndef reset_link():\n    reset_token = secrets.token_hex(15)\n    return reset_token\n"),
    614: ("def remember(response, sid):\n    response.set_cookie('sid', sid, httponly=True)\n",
          "def remember(response, sid):\n    response.set_cookie('sid', sid, httponly=True, secure=True)\n"),
    1004: ("def remember(response, sid):\n    response.set_cookie('sid', sid, secure=True)\n",
           "def remember(response, sid):\n    response.set_cookie('sid', sid, secure=True, httponly=True)\n"),
    295: ("import requests\n\n\ndef fetch(url):\n    return requests.get(url, verify=False, timeout=5)\n",
          "import requests\n\n\ndef fetch(url):\n    return requests.get(url, verify=True, timeout=5)\n"),
    347: ("import jwt\n\n\ndef claims(token):\n    return jwt.decode(token, options={'verify_signature': False})\n",
          "import jwt\n\n\ndef claims(token, key):\n    return jwt.decode(token, key, algorithms=['HS256'])\n"),
    489: ("from flask import Flask\n\napp = Flask(__name__)\n\nif __name__ == '__main__':\n    app.run(debug=True)\n",
          "import os\nfrom flask import Flask\n\napp = Flask(__name__)\n\nif __name__ == '__main__':\n    app.run(debug=os.environ.get('DEV') == '1')\n"),
    1327: ("from flask import Flask\n\napp = Flask(__name__)\n\nif __name__ == '__main__':\n    app.run(host='0.0.0.0', port=8080)\n",
           "from flask import Flask\n\napp = Flask(__name__)\n\nif __name__ == '__main__':\n    app.run(host='127.0.0.1', port=8080)\n"),
    377: ("import tempfile\n\n\ndef scratch():\n    name = tempfile.mktemp()\n    return open(name, 'w')\n",
          "import tempfile\n\n\ndef scratch():\n    return tempfile.NamedTemporaryFile('w', delete=False)\n"),
    502: ("import yaml\n\n\ndef load(path):\n    with open(path) as fh:\n        return yaml.load(fh, Loader=yaml.Loader)\n",
          "import yaml\n\n\ndef load(path):\n    with open(path) as fh:\n        return yaml.safe_load(fh)\n"),
}


def write(name: str, label: str, text: str) -> None:
    (OUT / name).write_text(f"# label: {label}\n{text}", encoding="utf-8")


def main() -> None:
    """Write every case (and remove stale ones)."""
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("cwe*.py"):
        old.unlink()
    cases = dict(TAINT)
    for cwe, (imports, vulnerable, safe) in {**cases, **SESSION_HEADER}.items():
        for framework, header in FRAMEWORKS.items():
            imp = imports[framework] if isinstance(imports, dict) else imports
            for kind, body in (("vulnerable", vulnerable), ("safe", safe)):
                text = body.get(framework) if isinstance(body, dict) else body
                if text is None:
                    continue
                module = (imp + "\n" if imp else "") + header + textwrap.indent(text, "    ") + "\n"
                write(f"cwe{cwe}_{framework}_{kind}.py", f"{kind} CWE-{cwe} {framework}", module)
    for cwe, (vulnerable, safe) in PATTERN.items():
        suffix = "_config" if cwe in TAINT else ""
        write(f"cwe{cwe}{suffix}_plain_vulnerable.py", f"vulnerable CWE-{cwe} plain", vulnerable)
        write(f"cwe{cwe}{suffix}_plain_safe.py", f"safe CWE-{cwe} plain", safe)
    print(f"{len(list(OUT.glob('cwe*.py')))} cases in {OUT}")


if __name__ == "__main__":
    main()
