from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Conturi / Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from accounts.sessions import session_forget, session_register
        from accounts.tokens import tokens_revoke

        def revoke_on_logout(sender, request, user, **kwargs) -> None:
            if user is not None:
                tokens_revoke(user=user)
            if request is not None and hasattr(request, "session"):
                session_forget(session_key=request.session.session_key)

        def register_on_login(sender, request, user, **kwargs) -> None:
            if request is not None and hasattr(request, "session"):
                session_register(request=request, user=user)

        user_logged_out.connect(revoke_on_logout, dispatch_uid="accounts.revoke_tokens_on_logout", weak=False)
        user_logged_in.connect(register_on_login, dispatch_uid="accounts.register_session_on_login", weak=False)
