"""The built-in apps: add ``lys.apps.<name>`` to ``INSTALLED_APPS`` to use one."""
