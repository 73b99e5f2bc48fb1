from services.notifier.settings import NotifierSettings
from shared.runner import serve

serve("services.notifier.main:create_app", NotifierSettings())
