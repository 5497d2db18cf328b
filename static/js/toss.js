// The Toss Payments widget for one stored order. The amount shown here is only for the widget:
// the server checks the amount the gateway reports against the order before confirming.
(function () {
  "use strict";
  var box = document.getElementById("toss-payment");
  if (!box) return;
  var d = box.dataset;
  var button = box.querySelector("[data-pay]");
  var loading = box.querySelector("[data-loading]");
  var failed = function () {
    loading.hidden = true;
    box.querySelector("[data-load-error]").hidden = false;
  };
  if (typeof window.TossPayments !== "function") { failed(); return; }
  var widgets = window.TossPayments(d.clientKey).widgets({ customerKey: window.TossPayments.ANONYMOUS });
  widgets.setAmount({ currency: "KRW", value: parseInt(d.amount, 10) })
    .then(function () {
      return Promise.all([
        widgets.renderPaymentMethods({ selector: "#payment-method", variantKey: "DEFAULT" }),
        widgets.renderAgreement({ selector: "#agreement", variantKey: "AGREEMENT" })
      ]);
    })
    .then(function () { loading.hidden = true; button.disabled = false; }, failed);
  button.addEventListener("click", function () {
    button.disabled = true;
    widgets.requestPayment({
      orderId: d.orderId,
      orderName: d.orderName,
      successUrl: d.successUrl,
      failUrl: d.failUrl,
      customerName: d.customerName,
      customerMobilePhone: d.customerPhone,
      customerEmail: d.customerEmail || undefined
    }).catch(function () { button.disabled = false; });
  });
})();
