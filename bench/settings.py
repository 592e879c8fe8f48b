"""Settings of the benchmark server: the catalog app alone.

Without an authentication app, access declarations are not enforced, so wrk can call
every catalog operation anonymously, as it does on the peers.
"""

ENV = "preprod"
INSTALLED_APPS = ["apps.catalog"]
RATE_LIMIT_PER_MINUTE = 0
