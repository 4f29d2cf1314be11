"""Print-mail services: common, resources (contacts, templates, bank accounts), orders, imb."""
