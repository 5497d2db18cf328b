// Back-office helpers: copy a product URL, and close an open 더보기 menu on Escape or outside click.
(function () {
  "use strict";

  function copyFrom(button) {
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    if (!field) return;
    var done = function () {
      var label = button.textContent;
      button.textContent = button.getAttribute("data-copied") || "복사됨";
      button.classList.add("copied");
      setTimeout(function () { button.textContent = label; button.classList.remove("copied"); }, 1500);
    };
    var fallback = function () {
      // Older in-app browsers: select the visible field so the merchant can copy by hand.
      field.hidden = false;
      field.focus();
      field.select();
      try { if (document.execCommand("copy")) done(); } catch (e) { /* selection stays */ }
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, fallback);
    } else {
      fallback();
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".copy-button");
    if (button) { copyFrom(button); return; }
    if (event.target.closest("[data-print]")) { window.print(); return; }
    document.querySelectorAll("details.more-menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.more-menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
  });
})();

// Forms that undo something ask first (주문 취소).
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) event.preventDefault();
});
