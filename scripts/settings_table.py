"""Print the configuration table of the README from the settings classes themselves."""

from __future__ import annotations

from pydantic import SecretStr

from services.intake.settings import IntakeSettings
from services.notifier.settings import NotifierSettings
from services.routing.settings import RoutingSettings
from services.sla.settings import SlaSettings
from services.web.settings import WebSettings
from shared.settings import CommonSettings

CLASSES = {"all": CommonSettings, "intake": IntakeSettings, "routing": RoutingSettings,
           "notifier": NotifierSettings, "sla": SlaSettings, "web": WebSettings}


def env_name(name: str, field) -> str:  # type: ignore[no-untyped-def]
    alias = field.validation_alias
    return alias if isinstance(alias, str) else f"LAPOR_{name.upper()}"


def rows() -> list[tuple[str, str, str, str]]:  # noqa: C901
    out = []
    common = set(CommonSettings.model_fields)
    for service, cls in CLASSES.items():
        for name, field in cls.model_fields.items():
            if service != "all" and name in common and name != "port":
                continue
            if service != "all" and name == "service_name":
                continue
            default = field.get_default(call_default_factory=True)
            if isinstance(default, SecretStr):
                default = "(development value; required elsewhere)"
            out.append((env_name(name, field), service, f"`{default}`" if default not in (None, "") else "unset",
                        field.description or ("HTTP port" if name == "port" else "")))
    # a setting two services share (the attachments') is one row naming both
    merged: dict[tuple[str, str, str], list[str]] = {}
    for var, service, default, meaning in out:
        merged.setdefault((var, default, meaning), []).append(service)
    return [(var, ", ".join(services), default, meaning) for (var, default, meaning), services in merged.items()]


def main() -> None:
    print("| variable | service | default | meaning |")
    print("|---|---|---|---|")
    for var, service, default, meaning in rows():
        print(f"| `{var}` | {service} | {default} | {meaning} |")


if __name__ == "__main__":
    main()
