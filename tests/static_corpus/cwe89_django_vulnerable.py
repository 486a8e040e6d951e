# label: vulnerable CWE-89 django
import sqlite3
from django.http import HttpResponse


def handler(request):
    value = request.GET.get('q', '')
    cur = sqlite3.connect('a.db').cursor()
    cur.execute('DELETE FROM t WHERE k = %s' % value)
    return 'ok'
