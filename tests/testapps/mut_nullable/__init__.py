"""Test app: a nullable mutation field, so a failed operation's earlier fields could show."""
