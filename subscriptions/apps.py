from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = _("Subscriptions")

    def ready(self):
        from rights.decisions import register_usage_provider
        from subscriptions.selectors import screenings_used

        # the public screenings a library booked count against a grant's yearly cap
        # wherever the rights engine is asked without a count (the film list's summary)
        register_usage_provider(screenings_used)
