"""Web surface: detect frameworks and app objects, extract routes, start and supervise the app."""
