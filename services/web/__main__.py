from services.web.settings import WebSettings
from shared.runner import serve

serve("services.web.main:create_app", WebSettings())
