from workdays.counting import cached


class CalendarCacheMiddleware:
    """Every calendar asked while answering one request shares one store of rows: a list of a thousand deadlines
    reads each year once, and the next request reads afresh."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with cached():
            return self.get_response(request)
