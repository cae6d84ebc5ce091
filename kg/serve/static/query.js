// The query page of kg serve: YASGUI on the local endpoint, stored queries as examples.
// Everything loads from this server; the class/property autocompleters (which ask a remote
// vocabulary service) are turned off, the prefix autocompleter uses YASGUI's bundled list.
(function () {
  "use strict";
  var el = document.getElementById("yasgui");
  var endpoint = new URL(el.getAttribute("data-endpoint"), window.location.href).href;
  var stored = JSON.parse(document.getElementById("stored-queries").textContent);
  var first = stored.length ? stored[0].query : "SELECT * WHERE { ?s ?p ?o } LIMIT 10";
  if (Yasgui.Yasqe && Yasgui.Yasqe.defaults) {
    Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
    Yasgui.Yasqe.defaults.value = first;
  }
  var yasgui = new Yasgui(el, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    persistenceId: null,
    yasqe: { autocompleters: ["prefixes", "variables"], value: first }
  });
  document.getElementById("examples").addEventListener("click", function (ev) {
    var a = ev.target.closest("a[data-query]");
    if (!a) return;
    ev.preventDefault();
    var name = a.getAttribute("data-query");
    var q = stored.find(function (s) { return s.name === name; });
    if (q) { yasgui.getTab().setQuery(q.query); }
  });
})();
