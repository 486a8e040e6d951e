"""Django reporting views using raw SQL."""
from django.db import connection
from django.http import JsonResponse
from django.views import View


def sales_by_region(request):
    region = request.GET["region"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(amount) FROM sales WHERE region = '%s'" % region)  # label: vulnerable CWE-89
        total = cursor.fetchone()
    return JsonResponse({"total": total})


def sales_by_year(request):
    year = request.GET.get("year", "2024")
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(amount) FROM sales WHERE year = %s", [year])  # label: safe CWE-89
        total = cursor.fetchone()
    return JsonResponse({"total": total})


class ProductSearch(View):
    def get(self, request):
        term = self.request.GET.get("q", "")
        order = request.GET.get("order", "name")
        if order not in ("name", "price"):
            order = "name"
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM product WHERE name LIKE '%%" + term + "%%'")  # label: vulnerable CWE-89
            cursor.execute("SELECT * FROM product ORDER BY " + order)  # label: safe CWE-89
            return JsonResponse({"rows": cursor.fetchall()})
