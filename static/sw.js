// The customer portal's service worker, served at /p/<merchant>/sw.js so that it looks after one
// merchant's portal. The card page is the only personal page it keeps: it is what a customer needs
// at the till when the shop has no signal. Logging out deletes it.
const SCOPE = self.registration.scope;
const CARD = SCOPE + "card";
const CARDS = "card:";
const STATIC = new URL("../../static/", self.location).href;
const ASSETS = "static-v1";

self.addEventListener("install", (event) => {
  event.waitUntil(Promise.all([
    caches.open(ASSETS).then((cache) => cache.addAll([STATIC + "css/portal.css", STATIC + "js/portal.js"])),
    // The page that registered this worker came before it; fetch the card now so it is there offline.
    fetch(CARD).then(keepCard, () => {}),
  ]).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = request.url.split(/[?#]/)[0];
  if (request.method === "POST" && url === SCOPE + "logout") {
    event.waitUntil(forgetCards());
  } else if (request.method === "GET" && request.mode === "navigate") {
    event.respondWith(navigate(event, request, url));
  } else if (request.method === "GET" && url.startsWith(STATIC)) {
    event.respondWith(asset(event, request));
  }
});

// Network first; without a network (or with the site down) any page of the portal shows the card.
async function navigate(event, request, url) {
  try {
    const response = await fetch(request);
    if (url === CARD) event.waitUntil(keepCard(response.clone()));
    if (response.status < 500) return response;
    return (await caches.match(CARD, { cacheName: CARDS + SCOPE })) || response;
  } catch (error) {
    const card = await caches.match(CARD, { cacheName: CARDS + SCOPE });
    if (card) return card;
    throw error;
  }
}

// Cache first, refreshed in the background so a changed stylesheet arrives on the next page.
async function asset(event, request) {
  const cache = await caches.open(ASSETS);
  const fresh = fetch(request).then((response) => {
    if (response.ok) return cache.put(request, response.clone()).then(() => response);
    return response;
  });
  const cached = await cache.match(request);
  if (!cached) return fresh;
  event.waitUntil(fresh.catch(() => {}));
  return cached;
}

async function keepCard(response) {
  const cache = await caches.open(CARDS + SCOPE);
  // A navigation's redirect arrives unfollowed ("opaqueredirect"); the install's fetch follows it.
  const redirected = response.redirected || response.type === "opaqueredirect";
  if (response.ok && !redirected) await cache.put(CARD, response);
  else if (redirected) await cache.delete(CARD); // sent to log in: no longer this person's card
}

// One session per browser covers every merchant's portal, so logging out forgets every card.
async function forgetCards() {
  for (const name of await caches.keys()) {
    if (name.startsWith(CARDS)) await caches.delete(name);
  }
}
