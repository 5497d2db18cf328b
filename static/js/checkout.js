// Checkout: 상품 금액, 배송비 (제주/도서산간 included) and 합계 follow the quantity and the postcode.
// The server computes them (one rule, storefront.shipping) and places the order only for the 합계
// shown: expected_total carries it, and the server refuses any other.
(function () {
  "use strict";
  var form = document.querySelector("form.checkout-form");
  if (!form || !window.fetch) return;
  var url = form.getAttribute("data-fee-url");
  var quantity = form.elements.quantity;
  var postcode = form.elements.postcode;
  var lines = form.querySelector("[data-fee-lines]");
  var total = form.querySelector("[data-total]");
  var expected = form.elements.expected_total;
  if (!url || !lines || !total || !expected) return;
  var asked = 0;
  function update() {
    var n = quantity ? parseInt(quantity.value, 10) : 1;  // the cart's checkout has its lines' own quantities
    if (!(n > 0)) return;
    var query = "?quantity=" + n + (postcode ? "&postcode=" + encodeURIComponent(postcode.value) : "");
    form.querySelectorAll("select[data-option-group]").forEach(function (select) {
      query += "&" + encodeURIComponent(select.name) + "=" + encodeURIComponent(select.value);  // 옵션
    });
    var mine = ++asked;
    fetch(url + query, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (fee) {
        if (!fee || mine !== asked) return;  // an older answer arriving late is dropped
        lines.innerHTML = fee.lines;
        total.textContent = fee.total_text;
        expected.value = fee.total;
        document.querySelectorAll("[data-unit-price]").forEach(function (price) { price.textContent = fee.unit_text; });
      })
      .catch(function () {});  // offline: the server says the new total when the form is sent
  }
  if (quantity) quantity.addEventListener("input", update);
  form.querySelectorAll("select[data-option-group]").forEach(function (select) {
    select.addEventListener("change", update);
  });
  if (postcode) {
    postcode.addEventListener("input", function () {
      if (postcode.value.replace(/\D/g, "").length === 5 || postcode.value === "") update();
    });
    postcode.addEventListener("change", update);  // 주소 검색 fills it and fires change
  }
})();

// Phone numbers shown as Koreans write them while they are typed (010-1234-5678, 02-123-4567).
// formatPhone mirrors storefront.text.format_phone; the server keeps the digits either way.
(function () {
  "use strict";
  function formatPhone(value) {
    if (/[^\d\s().-]/.test(value)) return value;  // "+82 …" or a mistake: leave it as typed
    var d = value.replace(/\D/g, "");
    if (d.charAt(0) === "1") return d.length > 4 && d.length <= 8 ? d.slice(0, 4) + "-" + d.slice(4) : d;
    var area = d.indexOf("02") === 0 ? 2 : d.indexOf("050") === 0 ? 4 : 3;
    var rest = d.slice(area);
    if (!rest || rest.length > 8) return d;
    if (rest.length <= 3) return d.slice(0, area) + "-" + rest;
    var middle = rest.length === 8 ? 4 : 3;
    return d.slice(0, area) + "-" + rest.slice(0, middle) + "-" + rest.slice(middle);
  }

  document.querySelectorAll("input[name=buyer_phone], input[name=recipient_phone]").forEach(function (input) {
    input.addEventListener("input", function (event) {
      // Deleting is left alone, or a backspace over a hyphen would put the hyphen straight back.
      if (event.inputType && event.inputType.indexOf("delete") === 0) return;
      var shown = formatPhone(input.value);
      if (shown === input.value) return;
      var digitsBefore = input.value.slice(0, input.selectionStart).replace(/\D/g, "").length;
      input.value = shown;
      var caret = 0;
      for (var seen = 0; caret < shown.length && seen < digitsBefore; caret++) {
        if (/\d/.test(shown.charAt(caret))) seen++;
      }
      input.setSelectionRange(caret, caret);
    });
    input.addEventListener("change", function () { input.value = formatPhone(input.value); });
  });
})();

// 주문자 정보와 동일: 받는 분 and 연락처 follow 이름 and 휴대폰 번호 while the box is ticked.
// The server applies the same rule when the form arrives, so this is only what the buyer sees.
(function () {
  "use strict";
  var box = document.querySelector("input[name=same_as_buyer]");
  if (!box) return;
  var fields = box.form.elements;
  var pairs = [[fields.buyer_name, fields.recipient_name], [fields.buyer_phone, fields.recipient_phone]];
  function follow() {
    pairs.forEach(function (pair) {
      if (box.checked) pair[1].value = pair[0].value;
      pair[1].readOnly = box.checked;
    });
  }
  box.addEventListener("change", follow);
  pairs.forEach(function (pair) {
    pair[0].addEventListener("input", follow);
    pair[0].addEventListener("change", follow);
  });
  follow();
})();

// 주소 검색: the Kakao 우편번호 service fills 우편번호 and 주소, then 상세주소 takes the focus.
// The page never depends on it: the button shows only once the service's script has loaded,
// and the fields can always be typed by hand.
(function () {
  "use strict";
  var button = document.querySelector("[data-postcode-open]");
  var dialog = document.querySelector("[data-postcode-dialog]");
  var script = document.getElementById("postcode-script");
  if (!button || !dialog || !script || typeof dialog.showModal !== "function") return;
  var fields = button.form.elements;
  var frame = dialog.querySelector("[data-postcode-frame]");

  function service() {
    // kakao.Postcode since 2026; daum.Postcode is the older name of the same constructor.
    return (window.kakao && window.kakao.Postcode) || (window.daum && window.daum.Postcode) || null;
  }
  function showButton() { button.hidden = !service(); }
  function whenLoaded() {
    showButton();
    // The loader may fetch the rest of the service first; its postcode.load() calls back when ready.
    var loader = (window.kakao && window.kakao.postcode) || (window.daum && window.daum.postcode);
    if (button.hidden && loader && typeof loader.load === "function") loader.load(showButton);
  }
  script.addEventListener("load", whenLoaded);
  whenLoaded();

  function chosenAddress(data) {
    if (data.userSelectedType === "J") return data.jibunAddress || data.autoJibunAddress || data.address;
    var road = data.roadAddress || data.autoRoadAddress || data.address;
    var extra = [];  // 참고항목, as the service's guide adds it: 법정동 and apartment name
    if (data.bname && /[동로가]$/.test(data.bname)) extra.push(data.bname);
    if (data.buildingName && data.apartment === "Y") extra.push(data.buildingName);
    return extra.length ? road + " (" + extra.join(", ") + ")" : road;
  }

  function fill(data) {
    fields.postcode.value = data.zonecode;
    fields.postcode.dispatchEvent(new Event("change"));  // the 배송비 follows the postcode
    fields.address.value = chosenAddress(data);
    dialog.close();
    fields.address_detail.focus();
  }

  button.addEventListener("click", function () {
    var Postcode = service();
    if (!Postcode) return;
    frame.textContent = "";
    dialog.showModal();
    // embed() in this page's layer, not open(): KakaoTalk's in-app browser (where most links are opened)
    // turns a popup into a separate full-screen window, and the buyer may not find the way back.
    new Postcode({ oncomplete: fill, width: "100%", height: "100%" }).embed(frame);
  });
  dialog.querySelector("[data-postcode-close]").addEventListener("click", function () { dialog.close(); });
  dialog.addEventListener("close", function () { frame.textContent = ""; });
})();
