// Producer dashboard enhancements. Everything works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // The producer switcher submits itself when a new producer is chosen.
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // Packing slip: a print button (inline onclick is forbidden by the CSP).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // Province -> wards: fetch the chosen province's wards into the second select.
  document.querySelectorAll("select[data-wards-target]").forEach(function (province) {
    var ward = document.getElementById(province.getAttribute("data-wards-target"));
    var url = province.getAttribute("data-wards-url");
    if (!ward || !url) { return; }
    province.addEventListener("change", function () {
      var placeholder = ward.options.length ? ward.options[0].cloneNode(true) : null;
      ward.innerHTML = "";
      if (placeholder) { placeholder.value = ""; ward.appendChild(placeholder); }
      if (!province.value) { return; }
      fetch(url + "?province=" + encodeURIComponent(province.value), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (wards) {
          wards.forEach(function (item) {
            var option = document.createElement("option");
            option.value = String(item.code);
            option.textContent = item.name;
            ward.appendChild(option);
          });
          ward.dispatchEvent(new Event("options-replaced"));
        })
        .catch(function () { /* the "Show wards" button still works */ });
    });
  });

  // Product form: only the chosen group's subgroups; lead time only for made-to-order.
  var group = document.getElementById("group");
  var subgroup = document.getElementById("subgroup");
  function filterSubgroups() {
    if (!group || !subgroup) { return; }
    Array.prototype.forEach.call(subgroup.options, function (option) {
      var owner = option.getAttribute("data-group");
      var show = !owner || owner === group.value;
      option.hidden = !show;
      option.disabled = !show;
      if (!show && option.selected) { subgroup.value = ""; }
    });
  }
  if (group && subgroup) {
    group.addEventListener("change", filterSubgroups);
    filterSubgroups();
  }
  var made = document.getElementById("made_to_order");
  var lead = document.getElementById("lead_time_days");
  function toggleLead() {
    if (!made || !lead) { return; }
    var field = lead.closest(".field");
    if (field) { field.hidden = !made.checked; }
  }
  if (made && lead) {
    made.addEventListener("change", toggleLead);
    toggleLead();
  }
})();
