// Starts Swagger UI on the node's own OpenAPI document; kept in a file so that the docs page
// runs with a Content-Security-Policy that allows only the node's own scripts.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: document.body.dataset.openapi,
    dom_id: "#swagger-ui",
    deepLinking: true,
    showExtensions: true,
    persistAuthorization: false,
    layout: "BaseLayout",
    presets: [SwaggerUIBundle.presets.apis],
  });
});
