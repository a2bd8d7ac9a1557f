// The service worker's logic. scripts/service-worker.sh prepends VERSION and
// FILES (every file of the build) and writes the result to dist/sw.js.
//
// Navigations: network first, the cached page when the network is gone.
// Everything else of this origin: cache first. A new build is a new sw.js
// (its VERSION is a digest of the files); it installs beside the running
// one and waits until the page asks it to take over ("activate-update"),
// then replaces the old cache.

const CACHE = `durable-dungeon-${VERSION}`;

self.addEventListener("install", (event) => {
  // From the server, not the HTTP cache: some files keep their names
  // across builds (index.html, the manifest, the icons).
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(FILES.map((file) => new Request(file, { cache: "reload" })))),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((key) => key.startsWith("durable-dungeon-") && key !== CACHE)
            .map((key) => caches.delete(key)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "activate-update") {
    self.skipWaiting();
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request).catch(() =>
        caches.open(CACHE).then((cache) => cache.match("index.html")),
      ),
    );
    return;
  }
  event.respondWith(
    caches
      .open(CACHE)
      .then((cache) => cache.match(request, { ignoreSearch: true }))
      .then((hit) => hit || fetch(request)),
  );
});
