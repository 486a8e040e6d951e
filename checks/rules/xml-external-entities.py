import xml.sax
from xml.sax.handler import feature_external_ges


def load(stream, handler):
    parser = xml.sax.make_parser()
    parser.setFeature(feature_external_ges, True)
    parser.setContentHandler(handler)
    # ruleid: xml-external-entities
    parser.parse(stream)


def load_url_feature(stream):
    parser = xml.sax.make_parser()
    parser.setFeature("http://xml.org/sax/features/external-general-entities", True)
    # ruleid: xml-external-entities
    parser.feed(stream.read())


def load_safe(stream, handler):
    parser = xml.sax.make_parser()
    parser.setContentHandler(handler)
    # ok: xml-external-entities
    parser.parse(stream)


def load_off(stream):
    parser = xml.sax.make_parser()
    parser.setFeature(feature_external_ges, False)
    # ok: xml-external-entities
    parser.parse(stream)
