// Search suggestions as the buyer types (GET /api/v1/search/suggest). An ARIA combobox over
// the header's search box: arrows move, Enter opens the highlighted suggestion, Escape closes.
// Without this file the form simply searches. Text goes in with textContent only (CSP-safe,
// no HTML from the server).
(function () {
  "use strict";

  var input = document.getElementById("site-search");
  var list = document.getElementById("site-search-suggestions");
  if (!input || !list || !input.dataset.suggestUrl || !window.fetch) { return; }

  var labels = { product: list.dataset.productLabel, producer: list.dataset.producerLabel };
  var timer = null;
  var pending = null;
  var active = -1;

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");

  function options() { return list.querySelectorAll("[role=option]"); }

  function close() {
    list.hidden = true;
    list.textContent = "";
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    var items = options();
    if (!items.length) { return; }
    active = (index + items.length) % items.length;
    items.forEach(function (item, i) { item.setAttribute("aria-selected", String(i === active)); });
    input.setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView({ block: "nearest" });
  }

  function show(items) {
    close();
    if (!items.length) { return; }
    items.forEach(function (item, i) {
      var li = document.createElement("li");
      li.id = list.id + "-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      var link = document.createElement("a");
      link.href = item.url;
      link.tabIndex = -1;
      var name = document.createElement("span");
      name.textContent = item.name;
      var kind = document.createElement("span");
      kind.className = "suggestion-type";
      kind.textContent = labels[item.type] || "";
      link.appendChild(name);
      link.appendChild(kind);
      li.appendChild(link);
      list.appendChild(li);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function fetchSuggestions() {
    var q = input.value.trim();
    if (q.length < 2) { close(); return; }
    if (pending) { pending.abort(); }
    pending = new AbortController();
    var url = input.dataset.suggestUrl + "?q=" + encodeURIComponent(q);
    fetch(url, { signal: pending.signal, headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { items: [] }; })
      .then(function (body) { if (input.value.trim() === q) { show(body.items || []); } })
      .catch(function () { /* aborted or offline: the form still searches */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, 150);
  });

  input.addEventListener("keydown", function (event) {
    if (list.hidden) { return; }
    if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
    else if (event.key === "Escape") { close(); }
    else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.href = options()[active].querySelector("a").href;
    }
  });

  input.addEventListener("blur", function () {
    // Later than a click on a suggestion, which must still reach its link.
    setTimeout(close, 200);
  });
})();
