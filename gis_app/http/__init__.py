"""What the routers and pages share at the HTTP edge: request parameters, the reader's
language, uploads. Below `api/` and `web/`, above everything they call."""
