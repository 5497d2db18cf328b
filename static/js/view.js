// 열람: tell the shop that a person opened this link. Messenger scrapers never run scripts,
// so only real visits reach the shop; a prerendered page waits until it is actually shown.
(function () {
  "use strict";
  var page = document.querySelector("[data-view-token]");
  if (!page || !navigator.sendBeacon) return;
  function send() {
    var body = new URLSearchParams();
    body.append("v", page.getAttribute("data-view-token"));
    // The product's own address + "/viewed" (shop.product_viewed), so the page builds no second URL.
    navigator.sendBeacon(location.pathname.replace(/\/+$/, "") + "/viewed", body);
  }
  if (document.prerendering) {
    document.addEventListener("prerenderingchange", send, { once: true });
  } else {
    send();
  }
})();
