"""Django view that evaluates report formulas."""
from django.http import JsonResponse


class Formula:
    def __init__(self, request):
        self.request = request
        self.text = request.POST.get("formula", "")

    def evaluate(self):
        return eval(self.text, {"__builtins__": {}})  # label: vulnerable CWE-95


def formula_view(request):
    return JsonResponse({"value": Formula(request).evaluate()})


def constant_view(request):
    template = "{a} + {b}"
    exec(template.format(a=1, b=2))  # label: safe CWE-95
    return JsonResponse({})
