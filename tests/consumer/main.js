import init, { connect } from 'wok-push';

await init();
const push = connect();
window.push = push;
push.subscribe('POST:/kimchi/vms', (msg) => {
  const li = document.createElement('li');
  li.textContent = `${msg.code} ${msg.source}`;
  document.getElementById('got').append(li);
});
