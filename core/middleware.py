class NoStoreMiddleware:
    """Pages may hold children's personal data: tell browsers and proxies never to keep a copy.

    Static files are served before this middleware (WhiteNoise) and keep their long cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response or "no-store" not in response["Cache-Control"]:
            response["Cache-Control"] = "no-store, private"
        return response
