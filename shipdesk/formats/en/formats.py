"""English formats as the desk reads them: the admin prints times like the workspace's pages,
in the desk's time zone (settings.TIME_ZONE) and saying which: `Nov 20, 2026 14:05 CST`."""

DATE_FORMAT = "M j, Y"
DATETIME_FORMAT = "M j, Y H:i T"
SHORT_DATETIME_FORMAT = "Y-m-d H:i T"
