// 알림 받기: Web Push to the merchant's devices. Every admin page registers the service worker
// (/admin/sw.js, scope /admin/), so the back office works as a web app on the Home Screen. On
// 관리자 홈 the panel shows this browser's state; the permission is asked only after a tap on
// 알림 받기, then the browser subscribes with the shop's VAPID key and the server stores it.
(function () {
  "use strict";

  var script = document.currentScript;
  var panel = document.querySelector("[data-push-panel]");
  var canPush = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window &&
    window.isSecureContext;
  var registration = null;
  if ("serviceWorker" in navigator && window.isSecureContext && script) {
    registration = navigator.serviceWorker.register(script.getAttribute("data-worker"), {
      scope: script.getAttribute("data-scope")
    });
    registration.catch(function () { /* the admin works without it; the panel says so */ });
  }
  if (!panel) return;

  var turnOn = panel.querySelector("[data-push-on]");
  var turnOff = panel.querySelector("[data-push-off]");

  function show(state) {
    panel.querySelectorAll("[data-push-state]").forEach(function (line) {
      line.hidden = line.getAttribute("data-push-state") !== state;
    });
    turnOn.hidden = !(state === "off" || state === "failed");
    turnOff.hidden = state !== "on";
    turnOn.disabled = turnOff.disabled = false;
  }

  function isAppleMobile() {
    return /iPhone|iPad|iPod/.test(navigator.userAgent) ||
      (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  }

  function post(url, data) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": panel.getAttribute("data-csrf") },
      body: JSON.stringify(data || {})
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    });
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  // The devices listed carry a hash of their endpoint: mark this browser's, if it is one of them.
  function markThisDevice(subscription) {
    if (!subscription || !window.crypto || !crypto.subtle) return Promise.resolve(false);
    var text = new TextEncoder().encode(subscription.endpoint);
    return crypto.subtle.digest("SHA-256", text).then(function (digest) {
      var hex = Array.prototype.map.call(new Uint8Array(digest), function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("").slice(0, 16);
      var row = panel.querySelector('[data-push-device="' + hex + '"]');
      if (row) row.querySelector("[data-push-this]").hidden = false;
      return Boolean(row);
    });
  }

  function currentSubscription() {
    return navigator.serviceWorker.ready.then(function (worker) {
      return worker.pushManager.getSubscription();
    });
  }

  function subscribe() {
    return post(panel.getAttribute("data-key-url")).then(function (key) {
      return navigator.serviceWorker.ready.then(function (worker) {
        // A subscription made with another key (or forgotten by the shop) is replaced.
        return worker.pushManager.getSubscription().then(function (old) {
          return old ? old.unsubscribe() : true;
        }).then(function () {
          return worker.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key.publicKey) });
        });
      });
    }).then(function (subscription) {
      return post(panel.getAttribute("data-subscribe-url"), subscription.toJSON());
    });
  }

  if (!canPush || !registration) {
    show(isAppleMobile() && !navigator.standalone ? "ios" : "unsupported");
    return;
  }
  if (Notification.permission === "denied") {
    show("denied");
  } else {
    currentSubscription().then(markThisDevice).then(function (known) {
      show(known && Notification.permission === "granted" ? "on" : "off");
    }, function () { show("off"); });
  }

  turnOn.addEventListener("click", function () {
    turnOn.disabled = true;
    // Asked here, in the tap itself: browsers refuse (or hide) a prompt nobody asked for.
    var asked = Notification.permission === "granted" ? Promise.resolve("granted") : Notification.requestPermission();
    Promise.resolve(asked).then(function (permission) {
      if (permission !== "granted") {
        show(permission === "denied" ? "denied" : "off");
        return;
      }
      return subscribe().then(function () { window.location.reload(); });
    }).catch(function () { show("failed"); });
  });

  turnOff.addEventListener("click", function () {
    turnOff.disabled = true;
    currentSubscription().then(function (subscription) {
      if (!subscription) return true;
      return post(panel.getAttribute("data-forget-url"), { endpoint: subscription.endpoint }).then(function () {
        return subscription.unsubscribe();
      });
    }).then(function () { window.location.reload(); }, function () { show("failed"); });
  });
}());
