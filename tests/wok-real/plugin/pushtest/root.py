# The plugin's REST tree: one collection, `notices`; creating one raises a notification.
import os

from wok.config import PluginPaths
from wok.control.base import Collection
from wok.control.base import Resource
from wok.control.utils import UrlSubNode
from wok.plugins.pushtest.model import Model
from wok.root import WokRoot

# WPTEST0001I … WPTEST0099I: 'wok-push test notice 1' … '99'.
messages = {f'WPTEST{n:04d}I': f'wok-push test notice {n}' for n in range(1, 100)}

SCHEMA = {
    '$schema': 'http://json-schema.org/draft-03/schema#',
    'type': 'object',
    'properties': {
        'notices_create': {
            'type': 'object',
            'properties': {'code': {'type': 'string', 'required': True}},
        }
    },
}


class Pushtest(WokRoot):
    def __init__(self, wok_options):
        self.model = Model()
        super(Pushtest, self).__init__(self.model)
        self.notices = Notices(self.model)
        self.paths = PluginPaths('pushtest')
        self.domain = 'pushtest'
        self.messages = messages
        self.api_schema = SCHEMA


@UrlSubNode('notices', True)
class Notices(Collection):
    def __init__(self, model):
        super(Notices, self).__init__(model)
        self.resource = Notice
        self.admin_methods = ['POST']


class Notice(Resource):
    def __init__(self, model, ident):
        super(Notice, self).__init__(model, ident)

    @property
    def data(self):
        return {'code': self.ident}
