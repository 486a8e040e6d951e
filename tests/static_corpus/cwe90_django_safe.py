# label: safe CWE-90 django
import ldap
from ldap.filter import escape_filter_chars
from django.http import HttpResponse


def handler(request):
    value = request.GET.get('q', '')
    conn = ldap.initialize('ldap://directory')
    return str(conn.search_s('ou=people', ldap.SCOPE_SUBTREE, '(cn=' + escape_filter_chars(value) + ')'))
