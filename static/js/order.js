// Order page: copy buttons for the bank transfer details. Without JavaScript the buttons
// stay hidden and the details are plain text to select.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("button[data-copy]");
  var status = document.querySelector("[data-copy-status]");
  if (!buttons.length) { return; }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    var done = false;
    try { done = document.execCommand("copy"); } catch (error) { done = false; }
    document.body.removeChild(area);
    return done ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }

  buttons.forEach(function (button) {
    var label = button.firstChild.nodeValue;
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(button.getAttribute("data-copy")).then(function () {
        button.firstChild.nodeValue = button.getAttribute("data-copied");
        button.classList.add("copied");
        if (status) { status.textContent = button.getAttribute("data-copied") + ": " + button.getAttribute("data-copy"); }
        window.setTimeout(function () {
          button.firstChild.nodeValue = label;
          button.classList.remove("copied");
        }, 2500);
      }, function () {
        // Nothing copied: select the value so the buyer can copy it by hand.
        var value = button.parentNode.querySelector(".copy-value");
        if (value && window.getSelection) {
          var range = document.createRange();
          range.selectNodeContents(value);
          var selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
        }
      });
    });
  });
})();
