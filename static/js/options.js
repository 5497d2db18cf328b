// 옵션 on the product page and the checkout: a value no buyable combination has with the values chosen in
// the other groups reads (품절) and cannot be chosen, and the price shows the combination's 추가 금액.
// Without this script the selects still work: the server checks the combination it is sent.
(function () {
  "use strict";
  document.querySelectorAll(".option-selects").forEach(function (box) {
    var variants = JSON.parse(box.getAttribute("data-variants") || "[]");
    var price = parseInt(box.getAttribute("data-price"), 10);
    var soldOut = box.getAttribute("data-sold-out");
    var selects = Array.prototype.slice.call(box.querySelectorAll("select[data-option-group]"));
    var format = new Intl.NumberFormat("ko-KR");

    function chosen() { return selects.map(function (select) { return parseInt(select.value, 10) || null; }); }

    function fits(variant, picks, skip) {
      return picks.every(function (pick, i) { return i === skip || pick === null || variant.values[i] === pick; });
    }

    function refresh() {
      var picks = chosen();
      selects.forEach(function (select, i) {
        Array.prototype.forEach.call(select.options, function (option) {
          if (!option.value) return;
          if (!option.hasAttribute("data-label")) option.setAttribute("data-label", option.textContent.replace(" (" + soldOut + ")", ""));
          var value = parseInt(option.value, 10);
          var open = variants.some(function (variant) {
            return variant.available && variant.values[i] === value && fits(variant, picks, i);
          });
          option.disabled = !open;
          option.textContent = option.getAttribute("data-label") + (open ? "" : " (" + soldOut + ")");
        });
      });
      if (picks.indexOf(null) >= 0) return;
      var match = variants.filter(function (variant) { return fits(variant, picks, -1); })[0];
      if (!match || box.closest("form.checkout-form")) return;  // the checkout asks the server (checkout.js)
      document.querySelectorAll("[data-unit-price]").forEach(function (node) {
        node.textContent = format.format(price + match.extra) + "원";
      });
    }

    selects.forEach(function (select) { select.addEventListener("change", refresh); });
    refresh();
  });
})();
