// SPDX-License-Identifier: GPL-2.0
// sw.js - keeps the page's own files, so that it opens from the home
// screen without a network; the broker connection (wss) is never cached.
const CACHE = "sesame-phone-v1";
const FILES = ["./", "index.html", "style.css", "app.js", "sign.js", "vendor/mqtt.min.js",
  "manifest.webmanifest", "icon.svg", "icon-192.png"];

self.addEventListener("install", (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (e) => {
  e.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

// The network first, so that an update reaches the phone; the cache when
// there is none. Only this page's own files: same origin, GET.
self.addEventListener("fetch", (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== "GET" || url.origin !== location.origin) return;
  e.respondWith(fetch(e.request).then((r) => {
    if (r.ok) {
      const copy = r.clone();
      caches.open(CACHE).then((c) => c.put(e.request, copy));
    }
    return r;
  }).catch(() => caches.match(e.request, { ignoreSearch: true })));
});
