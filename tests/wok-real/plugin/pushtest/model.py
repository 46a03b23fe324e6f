# `notices_create` raises the notification with WoK's own add_notification.
from wok.basemodel import BaseModel
from wok.model.notifications import add_notification


class NoticesModel(object):
    def create(self, params):
        code = params['code']
        add_notification(code, {}, '/plugins/pushtest')
        return code

    def get_list(self):
        return []


class NoticeModel(object):
    def __init__(self, parent_model):
        pass

    def lookup(self, code):
        return {'code': code}


class Model(BaseModel):
    def __init__(self):
        notices = NoticesModel()
        super(Model, self).__init__([notices, NoticeModel(notices)])
