"""The submodules of reg_modular; the loader searches each one, in this order."""

__submodules__ = ["beta", "alpha"]
