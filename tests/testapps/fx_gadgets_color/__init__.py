"""Migration test app: extends fx_gadgets' FxGadget with a column."""
