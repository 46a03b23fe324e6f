// `npm start`: the WoK-like backend serving the demo (www/) and the package (pkg/).
import { startBackend } from './backend.mjs';

const port = Number(process.env.WOK_PORT || 8123);
let b;
try {
  b = await startBackend({ port, quiet: false });
} catch (e) {
  if (e && e.code === 'EADDRINUSE') {
    console.error(`wok-push demo: port ${port} is in use (another demo still running?); try WOK_PORT=${port + 1} npm start`);
    process.exit(1);
  }
  throw e;
}
console.log(`wok-push demo: ${b.url}/`);
console.log('(127.0.0.1 only; Ctrl-C to stop)');
