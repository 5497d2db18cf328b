// The Toss Payments widget for one stored order. The amount shown here is only for the widget:
// the server checks the amount the gateway reports against the order before confirming.
// Every SDK error (a wrong key makes widgets() throw, render and requestPayment reject) ends in a
// Korean message with a 다시 시도 button, never in a page stuck on "Loading…".
(function () {
  "use strict";
  var box = document.getElementById("toss-payment");
  if (!box) return;
  var d = box.dataset;
  var button = box.querySelector("[data-pay]");
  var loading = box.querySelector("[data-loading]");
  var problem = box.querySelector("[data-load-error]");
  var problemText = problem.querySelector("[data-message]");
  var retry = problem.querySelector("[data-retry]");
  var widgets = null;
  var CANCELLED = ["USER_CANCEL", "PAY_PROCESS_CANCELED"];

  // A widget that did not load hides the pay button (the retry is the way on); a payment window
  // that did not open keeps it, to try again.
  var fail = function (error, message, canPay) {
    if (window.console) console.error("toss", error && (error.code || error.name), error && error.message);
    loading.hidden = true;
    button.hidden = !canPay;
    button.disabled = !canPay;
    problemText.textContent = message || d.loadError;
    retry.hidden = !!canPay;
    problem.hidden = false;
  };

  var load = function () {
    problem.hidden = true;
    loading.hidden = false;
    button.hidden = false;
    button.disabled = true;
    if (typeof window.TossPayments !== "function") { fail(null); return; }
    try {
      widgets = window.TossPayments(d.clientKey).widgets({ customerKey: window.TossPayments.ANONYMOUS });
    } catch (error) {
      fail(error, error && error.name === "NotSupportedAPIIndividualKeyError" ? d.keyError : d.loadError);
      return;
    }
    Promise.resolve()
      .then(function () { return widgets.setAmount({ currency: "KRW", value: parseInt(d.amount, 10) }); })
      .then(function () {
        return Promise.all([
          widgets.renderPaymentMethods({ selector: "#payment-method", variantKey: "DEFAULT" }),
          widgets.renderAgreement({ selector: "#agreement", variantKey: "AGREEMENT" })
        ]);
      })
      .then(function () { loading.hidden = true; button.disabled = false; }, function (error) { fail(error); });
  };

  // A fresh page fetches the SDK script again and renders the widget once, as it must.
  retry.addEventListener("click", function () { window.location.reload(); });

  button.addEventListener("click", function () {
    button.disabled = true;
    problem.hidden = true;
    Promise.resolve()
      .then(function () {
        return widgets.requestPayment({
          orderId: d.orderId,
          orderName: d.orderName,
          successUrl: d.successUrl,
          failUrl: d.failUrl,
          customerName: d.customerName,
          customerMobilePhone: d.customerPhone || undefined,
          customerEmail: d.customerEmail || undefined
        });
      })
      .catch(function (error) {
        if (error && CANCELLED.indexOf(error.code) >= 0) { button.disabled = false; return; }  // the buyer closed it
        fail(error, d.payError, true);
      });
  });

  load();
})();
