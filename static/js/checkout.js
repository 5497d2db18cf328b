// Checkout: keep the shown total in step with the quantity (the server computes the real amount).
(function () {
  "use strict";
  var form = document.querySelector("form.checkout-form");
  if (!form) return;
  var unit = parseInt(form.getAttribute("data-unit-price"), 10);
  var quantity = form.querySelector("input[name=quantity]");
  var total = form.querySelector("[data-total]");
  if (!quantity || !total || isNaN(unit)) return;
  var format = new Intl.NumberFormat("ko-KR");
  var suffix = document.documentElement.lang === "ko" ? function (n) { return format.format(n) + "원"; }
                                                       : function (n) { return "₩" + format.format(n); };
  quantity.addEventListener("input", function () {
    var n = parseInt(quantity.value, 10);
    if (n > 0) total.textContent = suffix(unit * n);
  });
})();
