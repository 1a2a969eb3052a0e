"""Controllers hold the logic behind the views (views only build widgets)."""
