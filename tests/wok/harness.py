"""Runs WoK's real push server (src/wok/pushserver.py, unchanged or patched) without the rest
of wokd, for tests: cherrypy and the three wok modules it imports are stood in for by the
little they are asked for (a stop hook, websockify's token table, the socket directory, a
logger). Every line read on stdin is sent as a notification with WoK's own
send_websocket_notification(). Prints `ready <socket path>` once it listens.

    python3 tests/wok/harness.py <dir holding wok/pushserver.py> <socket dir>
"""
import logging
import os
import sys
import types


def stub(name, **attrs):
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    sys.modules[name] = module
    return module


def main():
    src, sock_dir = sys.argv[1], sys.argv[2]
    engine = types.SimpleNamespace(subscribe=lambda *args, **kwargs: None)
    stub('cherrypy', engine=engine, tree=types.SimpleNamespace(apps={}))
    package = stub('wok')
    package.__path__ = [os.path.join(src, 'wok')]  # wok.pushserver: the real file
    stub('wok.websocket', add_proxy_token=lambda *args: None)
    stub('wok.config', get_pushserver_socket_dir=lambda: sock_dir)
    stub('wok.utils', wok_log=logging.getLogger('wok'))

    import wok.pushserver as pushserver

    pushserver.start_push_server()
    print('ready', pushserver.push_server.server_addr, flush=True)
    for line in sys.stdin:
        pushserver.send_websocket_notification(line.rstrip('\n'))


if __name__ == '__main__':
    main()
