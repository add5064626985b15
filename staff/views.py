from django.conf import settings
from django.contrib.auth import views as auth_views


class LoginView(auth_views.LoginView):
    template_name = "staff/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.SUIDO_DEMO:
            from .demo import DEMO_USERS

            context["demo_users"] = DEMO_USERS
        return context
