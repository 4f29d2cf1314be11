"""Date formats of the workspace and the admin (settings.FORMAT_MODULE_PATH)."""
