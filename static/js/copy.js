// 계좌번호 복사 and 금액 복사 on the order page. Without a clipboard, the text is selected for a long-press.
(function () {
  "use strict";
  function say(status, text) {
    status.textContent = text;
    clearTimeout(status.clearing);
    status.clearing = setTimeout(function () { status.textContent = ""; }, 4000);
  }

  function copyWithSelection(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
    area.remove();
    return copied;
  }

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var status = button.parentNode.querySelector("[role=status]");
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = button.getAttribute("data-copy");
      var done = function () { say(status, button.getAttribute("data-copied")); };
      var failed = function () {
        if (copyWithSelection(text)) { done(); return; }
        var shown = document.getElementById(button.getAttribute("aria-describedby"));
        if (shown) window.getSelection().selectAllChildren(shown);
        say(status, button.getAttribute("data-copy-failed"));
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, failed);
      } else {
        failed();
      }
    });
  });
})();
