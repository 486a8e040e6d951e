# label: vulnerable CWE-1004 plain
def remember(response, sid):
    response.set_cookie('sid', sid, secure=True)
