// Checkout: fill the ward <select> when the province changes. Without JavaScript the
// form still works: the "show the wards" button re-renders the page server-side.
(function () {
  "use strict";
  var form = document.getElementById("checkout-form");
  if (!form) { return; }
  var province = form.querySelector("select[name='province']");
  var ward = form.querySelector("select[name='ward']");
  var refresh = form.querySelector("[data-ward-refresh]");
  if (!province || !ward || !window.fetch) { return; }
  if (refresh) { refresh.hidden = true; }

  var placeholder = ward.options.length ? ward.options[0].cloneNode(true) : null;

  function fill(wards) {
    var keep = ward.value;
    ward.innerHTML = "";
    if (placeholder) { ward.appendChild(placeholder.cloneNode(true)); }
    wards.forEach(function (item) {
      var option = document.createElement("option");
      option.value = String(item.code);
      option.textContent = item.name;
      if (option.value === keep) { option.selected = true; }
      ward.appendChild(option);
    });
    ward.dispatchEvent(new Event("options-replaced"));
  }

  province.addEventListener("change", function () {
    if (!province.value) { fill([]); return; }
    ward.disabled = true;
    fetch("/places/wards?province=" + encodeURIComponent(province.value), {
      headers: { "Accept": "application/json" }, credentials: "same-origin"
    })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(fill)
      .catch(function () { if (refresh) { refresh.hidden = false; } })
      .then(function () { ward.disabled = false; });
  });

  // A chosen saved address makes the new-address fields irrelevant; dim them for clarity.
  var newAddress = document.getElementById("new-address");
  var saved = form.querySelectorAll("input[data-saved-address]");
  function syncSaved() {
    if (!newAddress) { return; }
    var usingSaved = false;
    saved.forEach(function (input) { if (input.checked && input.value) { usingSaved = true; } });
    newAddress.hidden = usingSaved;
  }
  saved.forEach(function (input) { input.addEventListener("change", syncSaved); });
  syncSaved();
})();
