# pytester runs the plugin as a user would; the plugin's own tests need it.
pytest_plugins = ["pytester"]
