"""Random values in security uses whose names do not say so (Django, Flask, plain modules)."""
import random
import string

from django.core.mail import send_mail
from flask import Flask, session

app = Flask(__name__)
LETTERS = string.ascii_letters + string.digits


def send_login_code(user):
    code = random.randint(100000, 999999)  # label: vulnerable CWE-338
    send_mail("Your login code", f"Your code is {code}", "noreply@example.com", [user.email])
    return code


def invite(user_model, email):
    return user_model.objects.create(email=email, key="".join(random.choices(LETTERS, k=40)))  # label: vulnerable CWE-338


@app.post("/start")
def start():
    session["state"] = "".join(random.choice(LETTERS) for _ in range(24))  # label: vulnerable CWE-338
    return "ok"


def retry_delay(attempt):
    return min(30, 2 ** attempt) + random.uniform(0, 1)  # label: safe CWE-338


def pick_colour(palette):
    return random.choice(palette)  # label: safe CWE-338


def shuffle_quiz(questions):
    order = list(questions)
    random.shuffle(order)  # label: safe CWE-338
    return order
