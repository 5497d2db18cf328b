// Idle logout, the courtesy half: the server ends a login left unused (storefront.logins) and refuses it from
// then on; this script warns a minute before and then shows the login page. The seconds left always come from
// the server, which counts use in every tab: before warning, and before leaving, the script asks again with a
// GET that does not count as use, so a tab left open does not interrupt the merchant working in another.
(function () {
  "use strict";
  var dialog = document.querySelector("[data-idle-logout]");
  if (!dialog || typeof fetch !== "function") return;

  var warnBefore = Number(dialog.getAttribute("data-warn-before")) || 60;
  var timer = null;

  function leave() {
    window.location.assign(dialog.getAttribute("data-login-url"));
  }

  function closeWarning() {
    if (dialog.open) dialog.close();
  }

  // The server's seconds left; rejects when the login is over (the guard answers with a redirect to login).
  function ask(request) {
    return fetch(request.url, {
      method: request.method || "GET",
      credentials: "same-origin",
      redirect: "manual",
      headers: request.headers || { "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) throw new Error("logged out");
      return response.json();
    }).then(function (data) { return Number(data.seconds_left) || 0; });
  }

  function status() {
    return ask({ url: dialog.getAttribute("data-status-url") });
  }

  function keepAlive() {
    return ask({
      url: dialog.getAttribute("data-keep-alive-url"),
      method: "POST",
      headers: { "Accept": "application/json", "X-CSRFToken": dialog.getAttribute("data-csrf") }
    });
  }

  function schedule(secondsLeft) {
    clearTimeout(timer);
    dialog.setAttribute("data-seconds-left", secondsLeft);  // as last heard from the server
    if (secondsLeft > warnBefore) {
      closeWarning();
      timer = setTimeout(dueToWarn, (secondsLeft - warnBefore) * 1000);
    } else {
      warn(secondsLeft);
    }
  }

  function warn(secondsLeft) {
    if (!dialog.open) dialog.showModal();
    timer = setTimeout(dueToLeave, Math.max(secondsLeft, 1) * 1000);
  }

  function dueToWarn() {
    status().then(schedule, leave);
  }

  function dueToLeave() {
    status().then(function (secondsLeft) {
      if (secondsLeft > 0) { schedule(secondsLeft); } else { leave(); }
    }, leave);
  }

  dialog.querySelector("[data-keep-alive]").addEventListener("click", function () {
    keepAlive().then(schedule, leave);
  });
  // Escape would hide the warning without telling the server: treat it as 계속 사용.
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    keepAlive().then(schedule, leave);
  });
  // A phone that slept, or a tab in the background, runs its timers late: look again when it is seen.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") status().then(schedule, leave);
  });

  schedule(Number(dialog.getAttribute("data-seconds-left")) || 0);
})();
