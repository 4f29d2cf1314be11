"""Work on shipments: each module holds one kind of work (create, ingest, refresh, import)."""
