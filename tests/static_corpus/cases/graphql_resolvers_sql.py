"""GraphQL resolvers (graphene and ariadne) over psycopg2."""
import graphene
import psycopg2
from ariadne import QueryType

conn = psycopg2.connect("dbname=app")
query = QueryType()


class Query(graphene.ObjectType):
    book = graphene.String(title=graphene.String())
    author = graphene.String(name=graphene.String())

    def resolve_book(root, info, title):
        cur = conn.cursor()
        cur.execute("SELECT isbn FROM books WHERE title = '" + title + "'")  # label: vulnerable CWE-89
        return cur.fetchone()

    def resolve_author(root, info, name):
        cur = conn.cursor()
        cur.execute("SELECT id FROM authors WHERE name = %s", (name,))  # label: safe CWE-89
        return cur.fetchone()


@query.field("publisher")
def resolve_publisher(obj, info, name):
    cur = conn.cursor()
    cur.execute(f"SELECT id FROM publishers WHERE name = '{name}'")  # label: vulnerable CWE-89
    return cur.fetchone()
