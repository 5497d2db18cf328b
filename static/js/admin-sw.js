// The back office's service worker (served as /admin/sw.js, scope /admin/): it shows the pushes
// the shop sends (storefront/push.py) and opens the order's admin page on a tap. It caches
// nothing: admin pages hold customers' details and are never kept.
"use strict";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (error) { data = {}; }
  event.waitUntil(self.registration.showNotification(data.title || "", {
    body: data.body || "",
    tag: data.tag,  // the same event pushed again replaces its notification instead of adding one
    icon: data.icon,
    badge: data.badge,
    lang: "ko",
    data: { url: data.url }
  }));
});

// Only pages of this back office are opened, whatever a message says.
function adminUrl(path) {
  var scope = new URL(self.registration.scope);
  var target = new URL(path || scope.href, scope.href);
  return target.origin === scope.origin && target.pathname.indexOf(scope.pathname) === 0 ? target.href : scope.href;
}

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = adminUrl(event.notification.data && event.notification.data.url);
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
    for (var i = 0; i < windows.length; i++) {
      if (windows[i].url === target && "focus" in windows[i]) return windows[i].focus();
    }
    for (var j = 0; j < windows.length; j++) {
      if (windows[j].url.indexOf(self.registration.scope) === 0 && "navigate" in windows[j]) {
        return windows[j].navigate(target).then(function (client) { return client && client.focus(); });
      }
    }
    return self.clients.openWindow(target);
  }));
});
