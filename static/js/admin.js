// Back-office helpers: copy or share a product URL, and close an open 더보기 menu on Escape or outside click.
(function () {
  "use strict";

  function showCopied(button) {
    var label = button.textContent;
    button.textContent = button.getAttribute("data-copied") || "복사됨";
    button.classList.add("copied");
    setTimeout(function () { button.textContent = label; button.classList.remove("copied"); }, 1500);
  }

  // Resolves once the text is on the clipboard; rejects where the browser refuses.
  function writeClipboard(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var scratch = document.createElement("textarea");
      scratch.value = text;
      scratch.setAttribute("readonly", "");
      scratch.className = "visually-hidden";
      document.body.appendChild(scratch);
      scratch.select();
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
      scratch.remove();
      if (copied) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }

  // Older in-app browsers refuse the clipboard: show the URL selected, so the merchant can copy it by hand.
  function offerByHand(text, field) {
    if (field && field.offsetParent !== null) {
      field.focus();
      field.select();
    } else {
      window.prompt("", text);
    }
  }

  function copyFrom(button) {
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    if (!field) return;
    writeClipboard(field.value).then(function () { showCopied(button); }, function () { offerByHand(field.value, field); });
  }

  // 공유하기: the phone's share sheet (KakaoTalk among its apps); without one, the URL is copied instead.
  function share(button) {
    var data = {
      title: button.getAttribute("data-share-title"),
      text: button.getAttribute("data-share-text"),
      url: button.getAttribute("data-share-url")
    };
    var copy = function () {
      writeClipboard(data.url).then(function () { showCopied(button); }, function () { offerByHand(data.url); });
    };
    if (typeof navigator.share !== "function" || (navigator.canShare && !navigator.canShare(data))) {
      copy();
      return;
    }
    navigator.share(data).catch(function (error) {
      if (!error || error.name !== "AbortError") copy();  // AbortError: the merchant closed the sheet
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".copy-button");
    if (button) { copyFrom(button); return; }
    var shareButton = event.target.closest(".share-button");
    if (shareButton) { share(shareButton); return; }
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

// 상품 등록: the 개별 배송비 fields show only while "개별 배송비" is chosen (without this script they
// always show, and the server ignores them under the other choices).
(function () {
  "use strict";
  var own = document.getElementById("own-shipping");
  var choices = document.querySelectorAll("input[name=shipping_mode]");
  if (!own || !choices.length) return;
  function follow() {
    var chosen = document.querySelector("input[name=shipping_mode]:checked");
    own.hidden = !chosen || chosen.value !== "own";
  }
  choices.forEach(function (choice) { choice.addEventListener("change", follow); });
  follow();
})();
