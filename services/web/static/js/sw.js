/* lapor service worker: the app shell works offline; pages are network first. */
"use strict";
var CACHE = "lapor-shell-v1";
var SHELL = ["/lapor", "/offline", "/static/css/site.css", "/static/js/app.js", "/static/vendor/htmx.min.js",
             "/static/icons/icon-192.png", "/manifest.webmanifest"];

self.addEventListener("install", function (ev) {
  ev.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(SHELL); }).then(function () { return self.skipWaiting(); }));
});
self.addEventListener("activate", function (ev) {
  ev.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});
self.addEventListener("fetch", function (ev) {
  var req = ev.request;
  var url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) {
    ev.respondWith(caches.match(req).then(function (hit) { return hit || fetch(req); }));
    return;
  }
  if (req.mode === "navigate") {
    // private pages (?k=) are never cached: they carry the reporter's view
    ev.respondWith(fetch(req).then(function (res) {
      if (url.pathname === "/lapor" && !url.search && res.ok) {
        var copy = res.clone();
        caches.open(CACHE).then(function (c) { c.put("/lapor", copy); });
      }
      return res;
    }).catch(function () {
      return caches.match(url.pathname === "/lapor" ? "/lapor" : "/offline").then(function (hit) { return hit || caches.match("/offline"); });
    }));
  }
});
