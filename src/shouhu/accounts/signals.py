"""An account that stops being active loses its sessions and tokens, however it was deactivated; a
session notes at sign-in whether its user has a two-factor device."""

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import pre_save
from django.dispatch import receiver

from .models import User


@receiver(pre_save, sender=User)
def end_credentials_on_deactivation(sender, instance: User, raw=False, **kwargs):
    if raw or instance._state.adding or instance.is_active:
        return
    if User.objects.filter(pk=instance.pk, is_active=True).exists():
        from . import services

        services.end_credentials(instance)


@receiver(user_logged_in)
def note_device_at_sign_in(sender, request, user, **kwargs):
    from . import security

    if request is not None and hasattr(request, "session"):
        request.session[security.SESSION_HAS_DEVICE] = security.has_device(user)
