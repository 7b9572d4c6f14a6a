// Long lists (a province's 100+ wards) get a box to filter them by typing, accents optional:
// "cau giay" finds "Phường Cầu Giấy". Progressive enhancement for <select data-filter="label">;
// without JavaScript the plain list still works. A script that refills the options (the
// province -> wards fetch) dispatches "options-replaced" on the select.
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[đĐ]/g, "d").toLowerCase().replace(/\s+/g, " ").trim();
  }

  document.querySelectorAll("select[data-filter]").forEach(function (select, index) {
    var all = [];
    var box = document.createElement("input");
    var label = document.createElement("label");
    var count = document.createElement("p");
    box.type = "search";
    box.id = (select.id || "select-" + index) + "-filter";
    box.className = "select-filter";
    box.autocomplete = "off";
    box.setAttribute("aria-controls", select.id);
    label.htmlFor = box.id;
    label.className = "select-filter-label small";
    label.textContent = select.getAttribute("data-filter");
    count.className = "hint small select-filter-count";
    count.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(label, select);
    select.parentNode.insertBefore(box, select);
    select.parentNode.insertBefore(count, select.nextSibling);

    function capture() {
      all = Array.prototype.map.call(select.options, function (option) {
        return { option: option, key: fold(option.textContent), placeholder: !option.value };
      });
      box.value = "";
      count.textContent = "";
      box.disabled = all.filter(function (item) { return !item.placeholder; }).length < 2;
    }

    function apply() {
      var query = fold(box.value);
      var chosen = select.value;
      var shown = 0;
      var last = null;
      select.innerHTML = "";
      all.forEach(function (item) {
        if (item.placeholder || !query || item.key.indexOf(query) !== -1) {
          select.appendChild(item.option);
          if (!item.placeholder) { shown += 1; last = item.option; }
        }
      });
      select.value = chosen;
      if (query && shown === 1 && last && select.value !== last.value) {
        select.value = last.value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
      var template = select.getAttribute(shown === 1 ? "data-filter-one" : "data-filter-many") || "%d";
      count.textContent = query ? template.replace("%d", String(shown)) : "";
    }

    capture();
    box.addEventListener("input", apply);
    // Enter in the filter box must not submit the whole form.
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); select.focus(); }
    });
    select.addEventListener("options-replaced", capture);
  });
})();
