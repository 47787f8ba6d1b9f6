from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Conturi / Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        from accounts.tokens import tokens_revoke

        def revoke_on_logout(sender, request, user, **kwargs) -> None:
            if user is not None:
                tokens_revoke(user=user)

        user_logged_out.connect(revoke_on_logout, dispatch_uid="accounts.revoke_tokens_on_logout", weak=False)
