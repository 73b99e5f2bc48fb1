from services.routing.settings import RoutingSettings
from shared.runner import serve

serve("services.routing.main:create_app", RoutingSettings())
