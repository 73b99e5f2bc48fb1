from services.sla.settings import SlaSettings
from shared.runner import serve

serve("services.sla.main:create_app", SlaSettings())
