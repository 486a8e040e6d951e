# label: safe CWE-614 plain
def remember(response, sid):
    response.set_cookie('sid', sid, httponly=True, secure=True)
