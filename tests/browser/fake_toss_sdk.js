// A local stand-in for https://js.tosspayments.com/v2/standard, served to the browser tests by
// route interception. It implements the documented interface the shop uses:
// TossPayments(clientKey), TossPayments.ANONYMOUS, .widgets({customerKey}) (throws
// NotSupportedAPIIndividualKeyError for an API 개별 연동 키), setAmount, renderPaymentMethods,
// renderAgreement, requestPayment (validates like the SDK, then "authenticates" with the fake
// gateway and goes to successUrl with paymentKey, orderId, amount, paymentType=NORMAL, or to
// failUrl with code and message).
// The test chooses the outcome with window.fakeToss = {outcome: "reject" | "cancel"}.
(function () {
  "use strict";
  var AUTHENTICATE = "https://api.tosspayments.com/__fake__/authenticate";

  function SdkError(name, code, message) {
    var error = new Error(message);
    error.name = name;
    error.code = code;
    return error;
  }

  function TossPayments(clientKey) {
    if (typeof clientKey !== "string" || !clientKey) throw SdkError("InvalidClientKeyError", "INVALID_CLIENT_KEY", "clientKey");
    return {
      widgets: function (options) {
        if (/^(test|live)_ck_/.test(clientKey)) {
          throw SdkError("NotSupportedAPIIndividualKeyError", "NOT_SUPPORTED_API_INDIVIDUAL_KEY",
            "결제위젯은 API 개별 연동 키를 지원하지 않습니다.");
        }
        if (!/^(test|live)_gck_/.test(clientKey)) throw SdkError("InvalidClientKeyError", "INVALID_CLIENT_KEY", "clientKey");
        if (!options || !options.customerKey) throw SdkError("InvalidParameterError", "INVALID_PARAMETER", "customerKey");
        return new Widgets();
      }
    };
  }
  TossPayments.ANONYMOUS = "@@ANONYMOUS";

  function Widgets() { this.amount = null; this.rendered = false; }

  Widgets.prototype.setAmount = function (amount) {
    if (!amount || amount.currency !== "KRW" || !(amount.value > 0)) {
      return Promise.reject(SdkError("InvalidAmountError", "INVALID_AMOUNT", "결제 금액이 올바르지 않습니다."));
    }
    this.amount = amount.value;
    return Promise.resolve();
  };

  Widgets.prototype.renderPaymentMethods = function (options) {
    var box = document.querySelector(options.selector);
    if (!box || this.amount === null) {
      return Promise.reject(SdkError("InvalidParameterError", "INVALID_PARAMETER", "selector"));
    }
    var methods = this.amount >= 100 ? ["카드", "가상계좌"] : ["가상계좌"];
    box.innerHTML = "";
    methods.forEach(function (method, i) {
      var label = document.createElement("label");
      var input = document.createElement("input");
      input.type = "radio";
      input.name = "fake-toss-method";
      input.value = method;
      input.checked = i === 0;
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + method));
      label.style.display = "block";
      label.style.padding = "12px";
      label.style.border = "1px solid #d0d5dd";
      label.style.borderRadius = "8px";
      label.style.marginBottom = "8px";
      box.appendChild(label);
    });
    this.rendered = true;
    return Promise.resolve({});
  };

  Widgets.prototype.renderAgreement = function (options) {
    var box = document.querySelector(options.selector);
    if (!box) return Promise.reject(SdkError("InvalidParameterError", "INVALID_PARAMETER", "selector"));
    box.textContent = "[필수] 결제 서비스 이용 약관, 개인정보 처리 동의";
    box.style.padding = "8px 0";
    return Promise.resolve({});
  };

  Widgets.prototype.requestPayment = function (p) {
    var self = this;
    var fail = function (code, message) { return Promise.reject(SdkError("TossPaymentsError", code, message)); };
    if (!this.rendered) return fail("NOT_RENDERED", "renderPaymentMethods first");
    if (!/^[A-Za-z0-9_-]{6,64}$/.test(p.orderId || "")) return fail("INVALID_ORDER_ID", "orderId");
    if (!p.orderName || p.orderName.length > 100) return fail("INVALID_ORDER_NAME", "orderName");
    if (p.customerEmail && p.customerEmail.length > 100) return fail("INVALID_CUSTOMER_EMAIL", "customerEmail");
    if (p.customerName && p.customerName.length > 100) return fail("INVALID_CUSTOMER_NAME", "customerName");
    if (p.customerMobilePhone && !/^\d{8,15}$/.test(p.customerMobilePhone)) return fail("INVALID_MOBILE_PHONE", "phone");
    if (!p.successUrl || !p.failUrl) return fail("INVALID_URL", "successUrl/failUrl");
    var scenario = window.fakeToss || {};
    var join = function (url, params) {
      return url + (url.indexOf("?") >= 0 ? "&" : "?") + new URLSearchParams(params).toString();
    };
    if (scenario.outcome === "cancel") return fail("USER_CANCEL", "취소되었습니다.");
    if (scenario.outcome === "reject") {
      window.location.href = join(p.failUrl, {
        code: "REJECT_CARD_COMPANY", message: "카드사에서 결제를 거절했습니다.", orderId: p.orderId
      });
      return new Promise(function () {});
    }
    var checked = document.querySelector("input[name=fake-toss-method]:checked");
    return fetch(AUTHENTICATE, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ orderId: p.orderId, amount: self.amount, method: checked ? checked.value : "카드",
        orderName: p.orderName, customerEmail: p.customerEmail || null })
    })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (answer.code) {
          window.location.href = join(p.failUrl, { code: answer.code, message: answer.message, orderId: p.orderId });
        } else {
          window.location.href = join(p.successUrl, {
            paymentType: "NORMAL", orderId: p.orderId, paymentKey: answer.paymentKey, amount: String(self.amount)
          });
        }
        return new Promise(function () {});
      });
  };

  window.TossPayments = TossPayments;
})();
