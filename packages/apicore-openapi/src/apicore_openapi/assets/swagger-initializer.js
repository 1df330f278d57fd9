// Starts Swagger UI from the page's data: no inline script, so a strict
// Content-Security-Policy (script-src 'self') works. Written for apicore-openapi.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("apicore-swagger-config").textContent);
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset];
  config.plugins = [SwaggerUIBundle.plugins.DownloadUrl];
  window.ui = SwaggerUIBundle(config);
})();
