__submodules__ = ["user", "auth"]
