# label: vulnerable CWE-643 django
from lxml import etree
from django.http import HttpResponse


def handler(request):
    value = request.GET.get('q', '')
    doc = etree.parse('users.xml')
    return str(doc.xpath('//user[name/text()="' + value + '"]'))
