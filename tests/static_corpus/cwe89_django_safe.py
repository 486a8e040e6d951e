# label: safe CWE-89 django
import sqlite3
from django.http import HttpResponse


def handler(request):
    value = request.GET.get('q', '')
    cur = sqlite3.connect('a.db').cursor()
    cur.execute('DELETE FROM t WHERE k = ?', [value])
    return 'ok'
