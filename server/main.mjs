// `npm start`: the WoK-like backend serving the demo (www/) and the package (pkg/).
import { startBackend } from './backend.mjs';

const port = Number(process.env.WOK_PORT || 8123);
const b = await startBackend({ port, quiet: false });
console.log(`wok-push demo: ${b.url}/`);
console.log('(127.0.0.1 only; Ctrl-C to stop)');
