from services.intake.settings import IntakeSettings
from shared.runner import serve

serve("services.intake.main:create_app", IntakeSettings())
