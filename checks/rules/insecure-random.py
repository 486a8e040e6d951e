import random
import secrets
import string


def new_reset():
    # ruleid: insecure-random
    reset_token = "".join(random.choice(string.ascii_letters) for _ in range(32))
    return reset_token


def new_password():
    # ruleid: insecure-random
    password = str(random.getrandbits(64))
    return password


def new_session(request):
    # ruleid: insecure-random
    request.session_id = random.randint(0, 10**12)


def shuffle_cards(cards):
    # ok: insecure-random
    hand = random.sample(cards, 5)
    return hand


def new_token():
    # ok: insecure-random
    token = secrets.token_urlsafe(32)
    return token


# ruleid: insecure-random
def make_nonce():
    rng = random.Random()
    return rng.randbytes(16).hex()


# ok: insecure-random
def shuffle_deck(deck):
    rng = random.Random(42)
    return rng.sample(deck, len(deck))


def login(response, user):
    # ruleid: insecure-random
    response.set_cookie("sid", str(random.getrandbits(64)))
    # ok: insecure-random
    response.set_cookie("sid", secrets.token_hex(16))
    # ruleid: insecure-random
    user.set_password(str(random.gauss(0, 1)))
    # ok: insecure-random
    user.set_password(secrets.token_urlsafe(16))


def invite_key(model, email, letters):
    # ruleid: insecure-random
    return model.objects.create(email=email, key="".join(random.choices(letters, k=40)))


def login_code(user, send_mail):
    # ruleid: insecure-random
    code = random.randint(100000, 999999)
    send_mail("Your code", f"Code: {code}", "noreply@example.com", [user.email])


def jitter(attempt):
    # ok: insecure-random
    delay = random.uniform(0, 1)
    print("retrying in", delay)
    return sorted(range(attempt), key=lambda _: random.random())
