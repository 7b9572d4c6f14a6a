// Admin page helpers. No inline handlers anywhere (CSP): behaviour hangs off data- attributes.
(function () {
  "use strict";

  // Ask before destructive actions: <button data-confirm="Really?">.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // On phones each table row is stacked (app.css): every cell after the first shows its
  // column's name, taken from the header row.
  document.querySelectorAll(".table-wrap table").forEach(function (table) {
    var heads = table.querySelectorAll("thead th");
    if (!heads.length) { return; }
    table.querySelectorAll("tbody tr, tfoot tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, index) {
        if (index === 0 || cell.hasAttribute("data-label") || cell.colSpan > 1 || !heads[index]) { return; }
        cell.setAttribute("data-label", heads[index].textContent.trim());
      });
    });
  });

  // Filter selects apply at once; the submit button stays for keyboard and no-JS users.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // Producer edit: reload the ward list when the province changes.
  var province = document.getElementById("province_code");
  var ward = document.getElementById("ward_code");
  if (province && ward && province.tagName === "SELECT" && ward.tagName === "SELECT") {
    province.addEventListener("change", function () {
      var placeholder = ward.options.length ? ward.options[0].cloneNode(true) : null;
      ward.innerHTML = "";
      if (placeholder) { ward.appendChild(placeholder); }
      if (!province.value) { return; }
      fetch("/places/wards?province=" + encodeURIComponent(province.value), {
        headers: { "Accept": "application/json" }
      })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (wards) {
          wards.forEach(function (item) {
            var option = document.createElement("option");
            option.value = item.code;
            option.textContent = item.name;
            ward.appendChild(option);
          });
        });
    });
  }
})();
