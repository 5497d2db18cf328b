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

// 배송 시작 on a phone: 바코드 스캔 reads the 송장 barcode with the camera where the browser has a
// BarcodeDetector (Android Chrome); elsewhere the button stays hidden and the number is typed.
(function () {
  "use strict";
  var buttons = document.querySelectorAll(".scan-button");
  if (!buttons.length || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  var WANTED = ["code_128", "itf", "code_39", "codabar", "ean_13"];  // what 택배 송장 print

  function scan(button) {
    var field = document.getElementById(button.getAttribute("data-scan-target"));
    var dialog = document.createElement("dialog");
    dialog.className = "scan-dialog";
    var video = document.createElement("video");
    video.setAttribute("playsinline", "");
    video.muted = true;
    var hint = document.createElement("p");
    hint.textContent = button.getAttribute("data-scan-hint");
    var close = document.createElement("button");
    close.type = "button";
    close.className = "button button-secondary";
    close.textContent = button.getAttribute("data-scan-close");
    dialog.append(video, hint, close);
    document.body.appendChild(dialog);
    var stream = null;
    var done = false;
    function finish(value) {
      if (done) return;
      done = true;
      if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
      dialog.close();
      dialog.remove();
      if (value) {
        field.value = value.replace(/[^0-9]/g, "");
        field.dispatchEvent(new Event("input", { bubbles: true }));
      }
      field.focus();
    }
    close.addEventListener("click", function () { finish(null); });
    dialog.addEventListener("cancel", function () { finish(null); });
    dialog.showModal();
    window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      var usable = WANTED.filter(function (format) { return formats.indexOf(format) >= 0; });
      var detector = new window.BarcodeDetector(usable.length ? { formats: usable } : undefined);
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (s) {
        stream = s;
        video.srcObject = s;
        return video.play().then(function () {
          (function look() {
            if (done) return;
            detector.detect(video).then(function (codes) {
              var number = codes.map(function (code) { return code.rawValue.replace(/[^0-9]/g, ""); })
                .filter(function (digits) { return digits.length >= 10; })[0];
              if (number) { finish(number); } else { setTimeout(look, 150); }
            }, function () { setTimeout(look, 300); });
          })();
        });
      });
    }).catch(function () {
      hint.textContent = button.getAttribute("data-scan-failed");  // no camera, or permission refused
    });
  }

  buttons.forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { scan(button); });
  });
})();
