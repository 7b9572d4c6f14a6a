// Address book: fill the ward <select> when the province changes. Without JavaScript the
// "show the wards" button re-renders the form server-side.
(function () {
  "use strict";
  var form = document.querySelector("form[data-ward-form]");
  if (!form || !window.fetch) { return; }
  var province = form.querySelector("select[name='province']");
  var ward = form.querySelector("select[name='ward']");
  var refresh = form.querySelector("[data-ward-refresh]");
  if (!province || !ward) { return; }
  if (refresh) { refresh.hidden = true; }
  var placeholder = ward.options.length ? ward.options[0].cloneNode(true) : null;

  province.addEventListener("change", function () {
    ward.innerHTML = "";
    if (placeholder) { ward.appendChild(placeholder.cloneNode(true)); }
    if (!province.value) { return; }
    ward.disabled = true;
    fetch("/places/wards?province=" + encodeURIComponent(province.value), {
      headers: { "Accept": "application/json" }, credentials: "same-origin"
    })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (wards) {
        wards.forEach(function (item) {
          var option = document.createElement("option");
          option.value = String(item.code);
          option.textContent = item.name;
          ward.appendChild(option);
        });
      })
      .catch(function () { if (refresh) { refresh.hidden = false; } })
      .then(function () { ward.disabled = false; });
  });
})();
