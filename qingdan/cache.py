"""The shared cache on Redis, forgiving while Redis is away: a read is a miss and a write is skipped (logged).

Sessions are kept in the database behind it (``cached_db``), so signed-in pages go on while Redis restarts;
without this, Django's session store writes the session back to the cache unguarded and every page is a 500."""

import functools
import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("qingdan.cache")


def _forgiving(name, answer):
    """``RedisCache.<name>``, answering ``answer(*args, **kwargs)`` when Redis cannot be reached."""
    method = getattr(RedisCache, name)

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError):
            log.warning("Redis cannot be reached: the cache's %s was skipped", name)
            return answer(*args, **kwargs)

    return call


class ForgivingRedisCache(RedisCache):
    get = _forgiving("get", lambda key, default=None, version=None: default)
    get_many = _forgiving("get_many", lambda *args, **kwargs: {})
    has_key = _forgiving("has_key", lambda *args, **kwargs: False)
    set = _forgiving("set", lambda *args, **kwargs: None)
    set_many = _forgiving("set_many", lambda data, *args, **kwargs: list(data))
    add = _forgiving("add", lambda *args, **kwargs: False)
    touch = _forgiving("touch", lambda *args, **kwargs: False)
    delete = _forgiving("delete", lambda *args, **kwargs: False)
    delete_many = _forgiving("delete_many", lambda *args, **kwargs: None)
