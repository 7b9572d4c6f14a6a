// Catalogue enhancements; every page works without this file.
(function () {
  "use strict";

  // Filters start collapsed (phones); open them where there is room for a sidebar.
  var panel = document.getElementById("filters-panel");
  if (panel && window.matchMedia("(min-width: 900px)").matches) {
    panel.open = true;
  }

  // Sorting applies as soon as a new order is chosen; the button stays for no-JS users.
  document.querySelectorAll("select.js-autosubmit").forEach(function (select) {
    var form = select.form;
    var button = form && form.querySelector(".js-autosubmit-button");
    if (button) { button.hidden = true; }
    select.addEventListener("change", function () { form.submit(); });
  });

  // Gallery: a thumbnail swaps the main photo instead of leaving the page.
  var main = document.getElementById("gallery-main");
  if (main) {
    var thumbs = document.querySelectorAll(".gallery-thumb");
    thumbs.forEach(function (thumb, index) {
      if (index === 0) { thumb.setAttribute("aria-current", "true"); }
      thumb.addEventListener("click", function (event) {
        event.preventDefault();
        // The WebP <source> decides what the browser shows: swap it along with the JPEG.
        var source = main.parentNode.querySelector("source");
        if (source) { source.srcset = thumb.dataset.srcset || ""; }
        main.src = thumb.dataset.full;
        main.alt = thumb.dataset.alt || main.alt;
        thumbs.forEach(function (other) { other.removeAttribute("aria-current"); });
        thumb.setAttribute("aria-current", "true");
      });
    });
  }
})();
