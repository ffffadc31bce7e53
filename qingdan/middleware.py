class ChineseByDefaultMiddleware:
    """The interface is Chinese unless the user picks English with the language switch.

    Django would otherwise follow the browser's Accept-Language header, and office PCs
    with an English Windows or an English headless browser would get the English pages.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
