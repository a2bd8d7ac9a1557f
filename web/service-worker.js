// The service worker's logic. scripts/service-worker.sh prepends VERSION,
// APP (the app's name: its caches are APP-VERSION),
// FILES (every file of the build the game needs) and LATER (the dashboard's
// module, which the game loads only when it is opened) and writes the
// result to dist/sw.js.
//
// Each file is downloaded once: a file whose name carries its content's
// hash is taken from the HTTP cache when the page already loaded it; the
// others (index.html, the manifest, the icons) are revalidated. LATER is
// cached when the page says the game is idle ("cache-later"), or the first
// time it is fetched.
// Navigations: network first, the cached page when the network is gone or
// slow (a timeout, not a hang). Everything else of this origin: cache
// first. A new build is a new sw.js (its VERSION is a digest of the files);
// it installs beside the running one and waits until the page asks it to
// take over ("activate-update"), then replaces the old cache.

const CACHE = `${APP}-${VERSION}`;

// How long a navigation waits for the network before the cached page.
const NAVIGATION_TIMEOUT_MS = 3000;

// Names like durable-dungeon-5c95d1e88a0f31bf_bg.wasm, or in a folder so
// named (snippets/durable-dungeon-19fdc83f0f9296fc/inline0.js): the same
// name is the same content, so any copy the browser holds will do.
const HASHED = /-[0-9a-f]{16}(_bg)?\.[a-z]+$|-[0-9a-f]{16}\//;

// `fresh`: the other files (the page, the manifest, the icons) keep their
// names across builds; a first install takes them as the page just loaded
// them, an update asks the server again.
function requestFor(file, fresh) {
  const cache = HASHED.test(file) || !fresh ? "force-cache" : "no-cache";
  return new Request(file, { cache });
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.keys().then((keys) => {
      const update = keys.some((key) => key.startsWith(`${APP}-`));
      return caches
        .open(CACHE)
        .then((cache) => cache.addAll(FILES.map((file) => requestFor(file, update))));
    }),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((key) => key.startsWith(`${APP}-`) && key !== CACHE)
            .map((key) => caches.delete(key)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "activate-update") {
    self.skipWaiting();
  } else if (event.data === "cache-later") {
    event.waitUntil(
      caches.open(CACHE).then((cache) =>
        Promise.all(
          LATER.map((file) =>
            cache.match(file).then((hit) => hit || cache.add(requestFor(file, false))),
          ),
        ),
      ),
    );
  }
});

// The network's answer, or the cached page after NAVIGATION_TIMEOUT_MS or
// a failure; the network's answer still wins if the cache has no page.
function navigate(request) {
  const network = fetch(request);
  const cached = new Promise((resolve) => setTimeout(resolve, NAVIGATION_TIMEOUT_MS)).then(() =>
    caches.open(CACHE).then((cache) => cache.match("index.html")),
  );
  return Promise.race([network, cached.then((page) => page || network)]).catch(() =>
    caches.open(CACHE).then((cache) => cache.match("index.html")),
  );
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(navigate(request));
    return;
  }
  event.respondWith(
    caches.open(CACHE).then((cache) =>
      cache.match(request, { ignoreSearch: true }).then(
        (hit) =>
          hit ||
          fetch(request).then((response) => {
            // A file of this build fetched before it was cached (the
            // dashboard opened early): kept, so it is fetched once.
            const file = new URL(request.url).pathname.replace(/^\//, "");
            if (response.ok && (LATER.includes(file) || FILES.includes(file))) {
              cache.put(request, response.clone());
            }
            return response;
          }),
      ),
    ),
  );
});
