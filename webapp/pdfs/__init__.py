"""The one download path of every PDF and the cache key and data of each kind."""
