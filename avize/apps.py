from django.apps import AppConfig


class AvizeConfig(AppConfig):
    name = "avize"

    def ready(self) -> None:
        # avize sits above permits (docs/architecture.md, "Layers"): it gives permits' state machine
        # its avize stage here instead of permits importing avize.
        from avize.selectors import avize_status_for
        from avize.services import aviz_requests_create_for
        from permits import avize_hook

        avize_hook.register(avize_hook.AvizeStage(status_for=avize_status_for,
                                                  requests_create_for=aviz_requests_create_for))
