from services.web.settings import WebSettings
from shared.runner import serve

settings = WebSettings()
serve("services.web.main:create_app", settings, forwarded_allow_ips=settings.forwarded_allow_ips)
