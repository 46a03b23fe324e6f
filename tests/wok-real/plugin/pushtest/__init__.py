# A test-only WoK plugin (wok-push, tests/wok-real/): `POST /plugins/pushtest/notices
# {"code": "WPTEST0001I"}` raises a WoK notification with WoK's own add_notification, as a
# plugin's backend does (there is no REST endpoint for it in WoK itself).
from wok.plugins.pushtest.root import Pushtest

__all__ = [Pushtest]
