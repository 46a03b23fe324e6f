import init, { connect } from '/pkg/wok_push.js';
await init();
const push = connect();
window.push = push;
push.subscribe('POST:/kimchi/vms', (m) => window.got.push(`module|${m.code}`));
window.ready = true;
