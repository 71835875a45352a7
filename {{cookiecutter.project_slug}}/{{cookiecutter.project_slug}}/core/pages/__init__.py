"""What serves pages: the home page, form rendering, htmx helpers, view decorators, template context."""
