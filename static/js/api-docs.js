// Starts Swagger UI on /docs. A file of its own (not an inline script) so the page works under
// the app's Content-Security-Policy; the schema's address comes from the page.
document.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
  });
});
