from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self) -> None:
        # procrastinate.contrib.django (earlier in INSTALLED_APPS) has created the app by now.
        from notifications.tasks import install_worker_middleware

        install_worker_middleware()
