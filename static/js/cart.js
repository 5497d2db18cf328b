// The header's 장바구니 count, from the cookie the cart sets: shop pages are shared by every visitor
// (kept whole by the server), so the number is not baked into them.
(function () {
  "use strict";
  var badge = document.querySelector("[data-cart-count]");
  if (!badge) return;
  var match = document.cookie.match(/(?:^|;\s*)cart_n=(\d+)/);
  var count = match ? parseInt(match[1], 10) : 0;
  if (count > 0) {
    badge.textContent = count;
    badge.hidden = false;
  }
})();
