// Preloaded into the conformance suite's server mode (NODE_OPTIONS=--import this file) by
// test/conformance/run-server.mjs: the suite has no option to send credentials, and Warden's HTTP
// endpoint wants `Authorization: Bearer wk_…`. This installs an undici global dispatcher (the one
// both the SDK's fetch and the scenarios' undici.request use) that adds the header to every request
// to WARDEN_CONFORMANCE_ORIGIN, and to no other origin. Host, Origin and the rest stay as the
// scenario set them, so dns-rebinding-protection still sends what it means to.
import { createRequire } from 'node:module';

const key = process.env.WARDEN_CONFORMANCE_BEARER ?? '';
const origin = process.env.WARDEN_CONFORMANCE_ORIGIN ?? '';
if (key === '' || origin === '') {
  throw new Error('bearer-preload: set WARDEN_CONFORMANCE_BEARER (a client key) and WARDEN_CONFORMANCE_ORIGIN (http://127.0.0.1:PORT)');
}

// The suite's own undici (not the app's copy), so the dispatcher is the class the suite expects.
const require = createRequire(new URL('../../tools/conformance/package.json', import.meta.url));
const { Agent, setGlobalDispatcher } = require('undici');

/** undici's header shapes (flat array, array or iterable of pairs, record) as pairs. */
function headerPairs(headers) {
  if (headers === undefined || headers === null) return [];
  if (Array.isArray(headers)) {
    if (headers.every((entry) => Array.isArray(entry))) return headers;
    const pairs = [];
    for (let i = 0; i + 1 < headers.length; i += 2) pairs.push([headers[i], headers[i + 1]]);
    return pairs;
  }
  if (typeof headers[Symbol.iterator] === 'function') return [...headers];
  return Object.entries(headers);
}

const sameOrigin = (value) => {
  try {
    return new URL(String(value)).origin === origin;
  } catch {
    return false;
  }
};

class BearerAgent extends Agent {
  dispatch(options, handler) {
    if (!sameOrigin(options.origin)) return super.dispatch(options, handler);
    const kept = headerPairs(options.headers).filter(([name]) => String(name).toLowerCase() !== 'authorization');
    return super.dispatch({ ...options, headers: [...kept.flat(), 'authorization', `Bearer ${key}`] }, handler);
  }
}

setGlobalDispatcher(new BearerAgent());
