"""Forms of the back office, one module a topic (accounts, products, orders, settings). Labels are the
glossary's words (English msgids, Korean catalogue)."""

from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):
    """An empty form: just the CSRF token for buttons that POST."""
