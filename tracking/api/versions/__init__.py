"""The versions of AfterShip's Tracking API shipdesk speaks, over the same views and services.

A version is a representation and validation layer: it reads a request's body and query into
the services' arguments and shapes what they return (`v2024_04.VERSION`, `v2026_07.VERSION`).
The views (tracking.api.views, couriers, edd) take the version as a URL-level argument
(`View.as_view(version=...)`) and never branch on its name.
"""
