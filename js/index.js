// The package entry (pkg/wok_push.js once bundled by scripts/build.mjs): the wasm loader of
// the wasm-bindgen glue ('wok-push:engine') and the public API (js/api.js).
export { default, initSync } from 'wok-push:engine';
export { connect, installWokCompat, PushManager, Subscription } from './api.js';
