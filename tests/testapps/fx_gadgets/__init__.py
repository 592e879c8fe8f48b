"""Migration test app: a reference kind and a business gadget pointing at it."""
