/* htmx from the app itself when the CDN copy did not load (a venue's Wi-Fi that blocks
   unpkg.com). A file, not an inline script, so the Content-Security-Policy stays strict.
   It runs right after the CDN tag (both are deferred, so in order): if the CDN script ran,
   window.htmx exists and nothing happens. */
(function () {
  "use strict";
  if (window.htmx) return;
  var tag = document.currentScript;
  var script = document.createElement("script");
  script.src = tag.getAttribute("data-src");
  // Same pinned bytes as the CDN copy: the browser checks the same hash.
  script.integrity = tag.getAttribute("data-integrity");
  script.addEventListener("load", function () {
    var htmx = window.htmx;
    if (!htmx || document.readyState === "loading") return; // htmx starts on DOMContentLoaded
    // Loaded after DOMContentLoaded: htmx would wait for an event that has already passed.
    // Apply the page's htmx-config and process the page, as htmx's own start-up does.
    var meta = document.querySelector('meta[name="htmx-config"]');
    if (meta) {
      try {
        Object.assign(htmx.config, JSON.parse(meta.content));
      } catch (error) { /* a bad config must not stop the page */ }
    }
    htmx.process(document.body);
  });
  document.head.appendChild(script);
})();
