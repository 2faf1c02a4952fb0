"""The web layer's shared helpers: what every route module needs besides its own routes
(rendering and error pages, reading forms, files to download, absolute links, safe
redirects). Routes import these; no route module imports another."""
