"""Parsing uploaded XML with the standard library."""
import xml.dom.minidom
import xml.etree.ElementTree as ET
import xml.sax
from xml.sax.handler import feature_external_ges

from django.http import HttpResponse


def upload_etree(request):
    root = ET.fromstring(request.body)  # label: safe CWE-611
    return HttpResponse(root.tag)


def upload_minidom(request):
    doc = xml.dom.minidom.parseString(request.body)  # label: safe CWE-611
    return HttpResponse(doc.documentElement.tagName)


class Collector(xml.sax.ContentHandler):
    pass


def upload_sax(request):
    parser = xml.sax.make_parser()
    parser.setFeature(feature_external_ges, True)
    parser.setContentHandler(Collector())
    parser.parse(request.FILES["doc"])  # label: vulnerable CWE-611
    return HttpResponse("ok")
